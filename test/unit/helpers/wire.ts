/**
 * Small helpers shared by the codec tests (MS-ASCMD 2.2.1 command bodies,
 * MS-ASWBXML tree/bytes): a compact XML view of an element tree to assert
 * against, and catchers that turn the expected parse error into a value.
 */
import { CommandParseError } from '../../../protocol/commands/errors.ts';
import { WbxmlError } from '../../../protocol/errors.ts';
import type { WbxmlElement } from '../../../protocol/wbxml/tree.ts';

/**
 * Compact XML of a tree; a namespace prefix is written where it differs from
 * the parent's, opaque content as `[hex]`.
 */
export function xml(e: WbxmlElement, parentNs?: string): string;
export function xml(e: WbxmlElement | undefined, parentNs?: string): string | undefined;
export function xml(e: WbxmlElement | undefined, parentNs?: string): string | undefined {
  if (!e) return undefined;
  const tag = e.ns === parentNs ? e.name : `${e.ns}:${e.name}`;
  const inner = e.children
    ? e.children.map((c) => xml(c, e.ns)).join('')
    : e.text !== undefined
      ? e.text
      : e.opaque
        ? `[${Buffer.from(e.opaque).toString('hex')}]`
        : undefined;
  return inner === undefined ? `<${tag}/>` : `<${tag}>${inner}</${tag}>`;
}

/** Command and status of the CommandParseError `f` throws; undefined when it parses. */
export function commandFailure(f: () => unknown): { command: string; status: number } | undefined {
  try {
    f();
  } catch (e) {
    if (e instanceof CommandParseError) return { command: e.command, status: e.status };
    throw e;
  }
  return undefined;
}

/** As commandFailure, plus the HTTP status older protocol versions answer with (MS-ASCMD 2.2.1.17) when there is one. */
export function commandFailureWithHttp(f: () => unknown): { command: string; status: number; httpStatus?: number } | undefined {
  try {
    f();
  } catch (e) {
    if (e instanceof CommandParseError) return e.httpStatus === undefined ? { command: e.command, status: e.status } : { command: e.command, status: e.status, httpStatus: e.httpStatus };
    throw e;
  }
  return undefined;
}

/** The WbxmlError `fn` throws; fails the test when it throws something else or nothing. */
export function wbxmlFailure(fn: () => unknown): WbxmlError {
  try {
    fn();
  } catch (e) {
    if (e instanceof WbxmlError) return e;
    throw new Error(`expected WbxmlError, got ${String(e)}`);
  }
  throw new Error('expected a WbxmlError, nothing was thrown');
}
