import type { ImapFlow, SearchObject } from 'imapflow';
import { BackendError } from '../errors.ts';
import type { MailSearchField, MailSearchHit, MailSearchNode, MailSearchResult } from '../types.ts';
import { searchCompiler } from 'imapflow/lib/search-compiler.js';
import { lockFolder } from './lock.ts';

/**
 * Message search (RFC 3501 6.4.4 SEARCH, RFC 4731 ESEARCH) for EAS Search
 * and Find. One `UID SEARCH` per folder, then one `UID FETCH (INTERNALDATE)`
 * of the hits: results are sorted by received time across folders, and IMAP
 * dates are whole days, so exact times are checked here on INTERNALDATE.
 *
 * Values go through imapflow's search object, which sends them as quoted
 * strings (with `"` and `\` escaped) or, when not ASCII, as literals with
 * CHARSET UTF-8: never as search syntax. Control characters are turned into
 * spaces first, because a quoted string cannot carry CR or LF at all.
 */

const DAY_MS = 24 * 3600 * 1000;

const FIELD_KEY: Readonly<Record<MailSearchField, keyof SearchObject>> = {
  any: 'text',
  from: 'from',
  to: 'to',
  cc: 'cc',
  subject: 'subject',
  body: 'body',
};

/** A date condition the server can only answer to the day: checked again here, to the millisecond. */
interface ExactDate {
  readonly op: 'after' | 'before';
  readonly date: Date;
}

function utcMidnight(d: Date, plusDays: number): Date {
  return new Date(Date.UTC(d.getUTCFullYear(), d.getUTCMonth(), d.getUTCDate()) + plusDays * DAY_MS);
}

/** Text as it may appear in a search string: no control characters (CR/LF/NUL end an IMAP line or are refused). */
export function searchableText(s: string): string {
  return s.replace(/[\u0000-\u001f\u007f]+/gu, ' ').trim();
}

/**
 * imapflow's search object for `node`. `widen` marks date conditions that
 * are checked exactly afterwards: they get a day of margin on each side, so
 * that the server's time zone (RFC 3501 compares dates "disregarding time
 * and timezone") cannot drop a message the exact check would keep.
 */
function compile(node: MailSearchNode, widen: ReadonlySet<MailSearchNode>): SearchObject {
  switch (node.op) {
    case 'text': {
      const value = searchableText(node.value);
      if (!value) throw new BackendError('Invalid', 'empty search text');
      return { [FIELD_KEY[node.field]]: value } as SearchObject;
    }
    case 'after':
      return { since: utcMidnight(node.date, widen.has(node) ? -1 : 0) };
    case 'before':
      return { before: utcMidnight(node.date, widen.has(node) ? 2 : 1) };
    case 'or':
      if (node.children.length === 0) throw new BackendError('Invalid', 'empty Or');
      return node.children.length === 1 ? compile(node.children[0]!, widen) : { or: node.children.map((c) => compile(c, widen)) };
    case 'and':
      if (node.children.length === 0) throw new BackendError('Invalid', 'empty And');
      return andOf(node.children.map((c) => compile(c, widen)));
  }
}

/**
 * AND of search objects. Keys of one object are ANDed by imapflow, but an
 * object holds each key once (two TEXT words, two ORs): those go into a
 * chain where `or: [x]` is x itself and `not: { not: y }` is y.
 */
function andOf(list: readonly SearchObject[]): SearchObject {
  const merged: Record<string, unknown> = {};
  const rest: SearchObject[] = [];
  for (const o of list) {
    if (Object.keys(o).some((k) => k in merged)) rest.push(o);
    else Object.assign(merged, o);
  }
  if (rest.length === 0) return merged as SearchObject;
  return { or: [merged as SearchObject], not: { not: andOf(rest) } };
}

/** The date conditions that must hold for every hit: the query itself or the direct children of a top-level And. */
function exactDates(node: MailSearchNode): ExactDate[] {
  if (node.op === 'after' || node.op === 'before') return [node];
  if (node.op === 'and') return node.children.filter((c): c is ExactDate & MailSearchNode => c.op === 'after' || c.op === 'before');
  return [];
}

function keeps(date: Date, exact: readonly ExactDate[]): boolean {
  const t = date.getTime();
  return exact.every((e) => (e.op === 'after' ? t > e.date.getTime() : t < e.date.getTime()));
}

/** The search object for `node` and the checks the hits need afterwards. */
export function compileSearch(node: MailSearchNode): { query: SearchObject; exact: readonly ExactDate[] } {
  const exact = exactDates(node);
  return { query: compile(node, new Set(exact as MailSearchNode[])), exact };
}

/** UIDs matching `query` in the selected folder: ESEARCH RETURN (ALL) where the server has it (a compact set), else plain SEARCH. */
async function searchUids(client: ImapFlow, query: SearchObject): Promise<string | number[]> {
  if (client.capabilities.has('ESEARCH')) {
    const r = await client.search(query, { uid: true, returnOptions: ['ALL'] });
    if (r === false || r === undefined) throw new BackendError('Invalid', 'IMAP refused the SEARCH');
    return Array.isArray(r) ? r : (r.all ?? '');
  }
  const r = await client.search(query, { uid: true });
  if (r === false || r === undefined) throw new BackendError('Invalid', 'IMAP refused the SEARCH');
  return Array.isArray(r) ? r : [];
}

interface ImapAtom {
  readonly type: string;
  readonly value: string;
}
type ExecFn = (command: string, attributes: unknown[], options: { untagged: Record<string, (u: { numbers?: number[]; attributes?: ImapAtom[] }) => Promise<void>> }) => Promise<{ next(): void }>;

/**
 * `UID SORT (REVERSE ARRIVAL) UTF-8 <query>` (RFC 5256): the hits newest
 * first by INTERNALDATE (ARRIVAL), ties by higher UID, in one command. The
 * alternative, SEARCH and then FETCH INTERNALDATE of every hit to sort them
 * here, costs Dovecot more than the SEARCH itself (40 ms for 2,500 hits
 * against 19 ms). imapflow has no SORT call: the criteria come from its
 * own search compiler (the same quoting as `search`), sent through its
 * command queue.
 */
async function sortUidsNewestFirst(client: ImapFlow, query: SearchObject): Promise<number[]> {
  let attrs = searchCompiler(client as never, query) as unknown[];
  // SORT names its charset itself; the compiler's CHARSET prefix is for SEARCH.
  if ((attrs[0] as ImapAtom | undefined)?.value === 'CHARSET') attrs = attrs.slice(2);
  const out: number[] = [];
  const exec = (client as unknown as { exec: ExecFn }).exec.bind(client);
  const res = await exec('UID SORT', [[{ type: 'ATOM', value: 'REVERSE' }, { type: 'ATOM', value: 'ARRIVAL' }], { type: 'ATOM', value: 'UTF-8' }, ...attrs], {
    untagged: {
      SORT: async (u) => {
        for (const n of u.numbers ?? (u.attributes ?? []).map((a) => Number(a.value))) if (Number.isInteger(n) && n > 0) out.push(n);
      },
    },
  });
  res.next();
  return out;
}

/** INTERNALDATE of `uids` (any order), as a map. */
async function internalDates(client: ImapFlow, uids: readonly number[]): Promise<Map<number, Date>> {
  const out = new Map<number, Date>();
  if (uids.length === 0) return out;
  for (const m of await client.fetchAll(uids.join(','), { uid: true, internalDate: true }, { uid: true })) {
    out.set(m.uid, m.internalDate instanceof Date ? m.internalDate : new Date(m.internalDate ?? 0));
  }
  return out;
}

/** Hits checked per FETCH while trimming a sorted list to exact dates. */
const TRIM_CHUNK = 256;

/**
 * The exact date conditions on a list sorted newest first: "after" holds
 * for a head of the list and "before" for a tail, so only the ends are
 * fetched, a chunk at a time, until a chunk passes whole. The day of margin
 * the server searched with keeps these ends short.
 */
async function trimToExactDates(client: ImapFlow, uids: readonly number[], exact: readonly ExactDate[]): Promise<number[]> {
  const afters = exact.filter((e) => e.op === 'after');
  const befores = exact.filter((e) => e.op === 'before');
  let lo = 0;
  let hi = uids.length;
  if (afters.length) {
    for (;;) {
      if (hi <= lo) break;
      const from = Math.max(lo, hi - TRIM_CHUNK);
      const dates = await internalDates(client, uids.slice(from, hi));
      let j = hi - 1;
      while (j >= from && !keeps(dates.get(uids[j]!) ?? new Date(0), afters)) j--;
      hi = j + 1;
      if (j >= from) break;
    }
  }
  if (befores.length) {
    for (;;) {
      if (hi <= lo) break;
      const to = Math.min(hi, lo + TRIM_CHUNK);
      const dates = await internalDates(client, uids.slice(lo, to));
      let j = lo;
      while (j < to && !keeps(dates.get(uids[j]!) ?? new Date(0), befores)) j++;
      lo = j;
      if (j < to) break;
    }
  }
  return uids.slice(lo, hi);
}

/**
 * One folder: its UIDVALIDITY and the hits, newest first, exact date
 * conditions applied. With SORT (Dovecot has it) the order comes from the
 * server and INTERNALDATE is fetched only where needed: for the date
 * trimming, and when `withDates` (hits of several folders are merged by
 * date). Without SORT: SEARCH, then INTERNALDATE of every hit.
 */
export async function searchImapFolder(
  client: ImapFlow,
  path: string,
  compiled: { query: SearchObject; exact: readonly ExactDate[] },
  withDates = true,
): Promise<{ uidValidity: number; hits: MailSearchHit[] }> {
  // SELECT, not EXAMINE: the results are fetched next (backends/imap/fetch.ts selects), and imapflow re-opens a folder whose
  // mode changes, which for a 10,000-message maildir costs Dovecot a re-read of the folder (about 5 ms) each time.
  const lock = await lockFolder(client, path, { description: 'eas search' });
  try {
    const mb = client.mailbox;
    const uidValidity = mb ? Number(mb.uidValidity) : 0;
    if (!mb || !mb.exists) return { uidValidity, hits: [] };
    if (client.capabilities.has('SORT')) {
      let uids = await sortUidsNewestFirst(client, compiled.query);
      if (compiled.exact.length) uids = await trimToExactDates(client, uids, compiled.exact);
      if (!withDates) return { uidValidity, hits: uids.map((uid) => ({ path, uid })) };
      const dates = await internalDates(client, uids);
      return { uidValidity, hits: uids.map((uid) => ({ path, uid, internalDate: dates.get(uid) ?? new Date(0) })) };
    }
    const set = await searchUids(client, compiled.query);
    if (set.length === 0) return { uidValidity, hits: [] };
    const range = typeof set === 'string' ? set : set.join(',');
    const hits: MailSearchHit[] = [];
    for (const m of await client.fetchAll(range, { uid: true, internalDate: true }, { uid: true })) {
      const internalDate = m.internalDate instanceof Date ? m.internalDate : new Date(m.internalDate ?? 0);
      if (keeps(internalDate, compiled.exact)) hits.push({ path, uid: m.uid, internalDate });
    }
    hits.sort(newestFirst);
    return { uidValidity, hits };
  } finally {
    lock.release();
  }
}

/** Newest first; equal times by UID, higher (later arrival) first, then path, so that paging is stable. */
export function newestFirst(a: MailSearchHit, b: MailSearchHit): number {
  return (b.internalDate?.getTime() ?? 0) - (a.internalDate?.getTime() ?? 0) || b.uid - a.uid || (a.path < b.path ? -1 : a.path > b.path ? 1 : 0);
}

function isMissing(e: unknown): boolean {
  return e instanceof Error && e.name === 'BackendError' && (e as BackendError).code === 'NotFound';
}

/**
 * Searches `paths` one after the other on one connection. A folder that is
 * gone (deleted since the device's last FolderSync) is skipped, not an error.
 * When `signal` aborts, the connection is closed: the SEARCH it was waiting
 * for ends with it and the pool discards the connection.
 */
export async function searchImapFolders(client: ImapFlow, paths: readonly string[], node: MailSearchNode, signal?: AbortSignal): Promise<MailSearchResult> {
  const compiled = compileSearch(node);
  const onAbort = (): void => client.close();
  if (signal?.aborted) throw new BackendError('BackendUnavailable', 'search abandoned');
  signal?.addEventListener('abort', onAbort, { once: true });
  try {
    const hits: MailSearchHit[] = [];
    const uidValidity = new Map<string, number>();
    for (const path of paths) {
      try {
        // One folder keeps the server's order; several are merged by date.
        const r = await searchImapFolder(client, path, compiled, paths.length > 1);
        uidValidity.set(path, r.uidValidity);
        for (const h of r.hits) hits.push(h);
      } catch (e) {
        if (!isMissing(e)) throw e;
      }
    }
    if (paths.length > 1) hits.sort(newestFirst);
    return { hits, uidValidity };
  } finally {
    signal?.removeEventListener('abort', onAbort);
  }
}

const VIRTUAL_FLAGS = new Set(['\\all', '\\flagged']);

/** Folders whose LIST flags say they mirror other folders (RFC 6154 \All and \Flagged, as Dovecot's virtual plugin and Gmail set them). */
export async function virtualImapFolders(client: ImapFlow): Promise<Set<string>> {
  const out = new Set<string>();
  for (const e of await client.list()) {
    const flags = [...e.flags, ...(e.specialUse ? [e.specialUse] : [])].map((f) => f.toLowerCase());
    if (flags.some((f) => VIRTUAL_FLAGS.has(f))) out.add(e.path);
  }
  return out;
}
