/**
 * Shared readers and writers for the simple values inside EAS data classes:
 * integers, booleans, dates, category lists (MS-ASDTYPE 2.1-2.7).
 *
 * Readers take what the device sent and either return a typed value or throw
 * `EasDataError` (errors.ts).
 */
import { child, childrenNamed, el, textOf } from '../wbxml/tree.ts';
import type { WbxmlElement } from '../wbxml/tree.ts';
import { dateFormOf, formatEasDate, parseEasDate } from './dates.ts';
import { EasDataError } from './errors.ts';

export { EasDataError } from './errors.ts';

/** Text of `ns:name`, undefined when absent. */
export function readText(e: WbxmlElement, ns: string, name: string): string | undefined {
  return textOf(child(e, name, ns));
}

/** Integer of `ns:name`; throws EasDataError on a non-integer. */
export function readInt(e: WbxmlElement, ns: string, name: string): number | undefined {
  const t = readText(e, ns, name);
  if (t === undefined) return undefined;
  if (!/^\s*-?\d+\s*$/.test(t)) throw new EasDataError(`${ns}:${name}`, `not an integer: ${JSON.stringify(t.slice(0, 40))}`);
  return Number.parseInt(t, 10);
}

/** Boolean of `ns:name` (MS-ASDTYPE 2.1: 0/1; an empty element counts as true). */
export function readBool(e: WbxmlElement, ns: string, name: string): boolean | undefined {
  const c = child(e, name, ns);
  if (!c) return undefined;
  const t = (textOf(c) ?? '').trim();
  if (t === '' || t === '1' || t.toLowerCase() === 'true') return true;
  if (t === '0' || t.toLowerCase() === 'false') return false;
  throw new EasDataError(`${ns}:${name}`, `not a boolean: ${JSON.stringify(t.slice(0, 40))}`);
}

/**
 * Date of `ns:name` in either EAS form; an empty element reads as undefined
 * (devices clear dates that way), an unreadable one throws EasDataError.
 */
export function readDate(e: WbxmlElement, ns: string, name: string): Date | undefined {
  const t = readText(e, ns, name);
  if (t === undefined || t.trim() === '') return undefined;
  const d = parseEasDate(t);
  if (!d) throw new EasDataError(`${ns}:${name}`, `not a date: ${JSON.stringify(t.slice(0, 40))}`);
  return d;
}

/** Writes a date in the form its property uses (dates.ts table); nothing when absent. */
export function dateEl(ns: string, name: string, d: Date | undefined): WbxmlElement | undefined {
  return d ? el(ns, name, formatEasDate(d, dateFormOf(ns, name))) : undefined;
}

/** `<Categories><Category>…</Category></Categories>` in `ns`; undefined for an absent list. */
export function categoriesEl(ns: string, categories: readonly string[] | undefined): WbxmlElement | undefined {
  if (categories === undefined) return undefined;
  return { ns, name: 'Categories', children: categories.map((c) => el(ns, 'Category', c)) };
}

/** Category names of `ns:Categories`; undefined when absent, [] when present and empty (the device cleared them). */
export function readCategories(e: WbxmlElement, ns: string): string[] | undefined {
  const c = child(e, 'Categories', ns);
  if (!c) return undefined;
  return childrenNamed(c, 'Category', ns).map((x) => textOf(x) ?? '');
}

/** Drops keys whose value is undefined, so parsed objects compare equal to hand-written ones. */
export function clean<T extends object>(o: T): T {
  for (const k of Object.keys(o) as (keyof T)[]) if (o[k] === undefined) delete o[k];
  return o;
}
