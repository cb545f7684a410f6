import { child, childrenNamed, textOf, type WbxmlElement } from '../wbxml/tree.ts';
import type { EasCommandName } from '../http/command-codes.ts';
import { CommandParseError } from './errors.ts';

/**
 * Shared parsing helpers for the command modules. Each parser makes one
 * `Fail` bound to its command and its "malformed request" status, so every
 * grammar check reads as one line and throws the right typed error.
 */
export type Fail = (message: string) => never;

/** A `Fail` that throws `CommandParseError(command, status)`. */
export function failWith(command: EasCommandName, status: number, httpStatus?: number): Fail {
  return (message) => {
    throw new CommandParseError(command, status, message, httpStatus);
  };
}

/** The request root, checked for namespace and name; a missing body fails too. */
export function expectRoot(root: WbxmlElement | undefined, namespace: string, name: string, fail: Fail): WbxmlElement {
  if (!root) return fail(`empty body, expected ${namespace}:${name}`);
  if (root.ns !== namespace || root.name !== name) return fail(`root is ${root.ns}:${root.name}, expected ${namespace}:${name}`);
  return root;
}

/** Text of an optional child; a child that holds elements instead of text is a grammar error. */
export function optText(e: WbxmlElement, name: string, namespace: string, fail: Fail): string | undefined {
  const c = child(e, name, namespace);
  if (!c) return undefined;
  const t = textOf(c);
  if (t === undefined) return fail(`${name} must hold text`);
  return t;
}

/** Text of a required child; absent or empty fails. */
export function reqText(e: WbxmlElement, name: string, namespace: string, fail: Fail): string {
  const t = optText(e, name, namespace, fail);
  if (t === undefined || t === '') return fail(`${name} is missing`);
  return t;
}

/** As reqText, and longer than `maxLength` characters fails too; for values whose length we cap before they reach state (MS-ASCMD 2.2.3 DisplayName, SyncKey). */
export function reqTextUpTo(e: WbxmlElement, name: string, namespace: string, maxLength: number, fail: Fail): string {
  const t = reqText(e, name, namespace, fail);
  if (t.length > maxLength) return fail(`${name} is too long`);
  return t;
}

/** Decimal integer of an optional child; anything but digits fails (MS-ASDTYPE 2.6). */
export function optInt(e: WbxmlElement, name: string, namespace: string, fail: Fail): number | undefined {
  const t = optText(e, name, namespace, fail);
  if (t === undefined) return undefined;
  if (!/^\s*-?\d{1,15}\s*$/.test(t)) return fail(`${name} is not an integer`);
  return Number.parseInt(t, 10);
}

/** Decimal integer of a required child. */
export function reqInt(e: WbxmlElement, name: string, namespace: string, fail: Fail): number {
  const n = optInt(e, name, namespace, fail);
  if (n === undefined) return fail(`${name} is missing`);
  return n;
}

/**
 * Boolean of an optional child (MS-ASDTYPE 2.1): "1"/"0", and an empty
 * element as true because clients send `<DeletesAsMoves/>`.
 */
export function optBool(e: WbxmlElement, name: string, namespace: string, fail: Fail): boolean | undefined {
  const t = optText(e, name, namespace, fail);
  if (t === undefined) return undefined;
  const v = t.trim();
  if (v === '' || v === '1' || v.toLowerCase() === 'true') return true;
  if (v === '0' || v.toLowerCase() === 'false') return false;
  return fail(`${name} is not a boolean`);
}

/** A required container child. */
export function reqChild(e: WbxmlElement, name: string, namespace: string, fail: Fail): WbxmlElement {
  return child(e, name, namespace) ?? fail(`${name} is missing`);
}

/** All children with this name, as texts; a non-text one fails. */
export function texts(e: WbxmlElement, name: string, namespace: string, fail: Fail): string[] {
  return childrenNamed(e, name, namespace).map((c) => textOf(c) ?? fail(`${name} must hold text`));
}

/** Omits undefined values so optional fields stay absent rather than present-and-undefined (exactOptionalPropertyTypes-friendly). */
export function compact<T extends object>(o: T): T {
  for (const k of Object.keys(o) as (keyof T)[]) if (o[k] === undefined) delete o[k];
  return o;
}
