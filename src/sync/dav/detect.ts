import { isBackendError } from '../../../backends/errors.ts';
import type { DavResourceRef, DavStore } from '../../../backends/types.ts';
import type { SourceRun } from '../collection-source.ts';
import { filterSince } from '../options.ts';
import type { ItemRow } from '../state.ts';
import type { DavItemClass } from './item-class.ts';
import { parseDavFolderPath } from './item-class.ts';
import type { DavMembers } from './members.ts';

/**
 * Change detection for a DAV folder (ARCHITECTURE "Change detection per
 * backend", RFC 6578): with the device's stored token one sync-collection
 * REPORT says what changed, usually nothing; a ctag-only server is asked
 * for its ctag. The first scan, a FilterType change, a token the server
 * refuses or a ctag that moved compare every member's ETag with what the
 * device holds, so a resync after a refused token re-sends only what
 * differs and never duplicates an item the phone has.
 */

/** The change marker the device holds: the ETag as stored in the item row's flags. */
export const etagOf = (item: ItemRow): string => item.flags.join(' ');

interface Delta {
  readonly token: string | null;
  readonly changed: readonly DavResourceRef[];
  readonly removed: readonly string[];
}

export async function detectDavChanges(store: DavStore, cls: DavItemClass, members: DavMembers, run: SourceRun, books: readonly string[] = [parseDavFolderPath(run.folder.path).href]): Promise<void> {
  const { repo, ref, folder, caller } = run;
  const state = repo.get(ref)!;
  const since = cls.dateFilter ? filterSince(state.options.filterType) : undefined;
  const stored = parseTokens(state.davToken, books[0]!);
  const tokens = new Map<string, string | null>();
  /** Member hrefs of the books listed in full this time: what the device holds of them and is not there has gone. */
  const listed = new Map<string, Set<string>>();
  const dirty = new Set<number>();
  for (const book of books) {
    const token = stored.get(book);
    let scan: BookScan;
    try {
      scan = await scanBook(store, cls, run, book, state.needsRescan ? undefined : token);
    } catch (e) {
      // A merged book deleted since the last FolderSync: its items leave the device; the folder's own book going is the engine's Status 12.
      if (book === books[0] || !isBackendError(e, 'NotFound')) throw e;
      run.log.info({ event: 'sync.dav-merged-book-gone', collection: ref.collectionId }, 'a merged address book is gone');
      continue;
    }
    tokens.set(book, scan.token);
    if (scan.full) {
      listed.set(book, new Set(scan.changed.map((m) => m.href)));
      if (token && !state.needsRescan) run.log.info({ event: 'sync.dav-rescan', collection: ref.collectionId }, 'DAV token refused or ctag moved: ETags compared');
    }
    repo.transaction(() => {
      for (const m of scan.changed) {
        const n = members.idOf(caller.mailbox, folder.id, m.href);
        const held = repo.itemByUid(ref, n);
        if (!held || etagOf(held) !== m.etag) dirty.add(n);
      }
      for (const gone of scan.removed) {
        const n = members.find(caller.mailbox, folder.id, gone);
        if (n !== undefined && repo.itemByUid(ref, n)) dirty.add(n);
      }
    });
  }
  const live = books.filter((b) => tokens.has(b));
  // What the device holds of a book listed in full and is not there any more, or of a book no longer covered (deleted, no longer merged).
  const booksChanged = stored.size !== live.length || live.some((b) => !stored.has(b));
  if (listed.size > 0 || booksChanged) {
    for (const item of repo.items(ref)) {
      const href = members.hrefOf(caller.mailbox, folder.id, item.uid);
      const book = href === undefined ? undefined : bookOf(href, live);
      if (book === undefined || listed.get(book)?.has(href!) === false) dirty.add(item.uid);
    }
  }
  // Events whose last occurrence fell out of the FilterType window leave the device.
  if (since) for (const n of repo.uidsBefore(ref, since.getTime())) dirty.add(n);
  const token = formatTokens(tokens, live);
  if (dirty.size === 0 && token === state.davToken && !state.needsRescan) return;
  repo.transaction(() => {
    repo.markDirty(ref, dirty);
    repo.setDavScanState(ref, token);
  });
}

interface BookScan extends Delta {
  /** Whether `changed` lists every member (no usable token): held items missing from it are gone. */
  readonly full: boolean;
}

/** What changed in one book since `token`, or all its members when there is no token or the server refuses it. */
async function scanBook(store: DavStore, cls: DavItemClass, run: SourceRun, book: string, token: string | null | undefined): Promise<BookScan> {
  const incremental = token ? await deltaSince(store, cls, run, book, token) : undefined;
  if (incremental) return { ...incremental, full: false };
  return { ...(await fullListing(store, cls, run, book)), full: true };
}

/**
 * The stored scan state: one book's token as it is, or for a merged folder
 * (book-merge.ts) a JSON object of tokens by book href. A plain token is
 * `own`'s, so a folder that becomes merged keeps its first book's token.
 */
function parseTokens(stored: string | null, own: string): Map<string, string | null> {
  if (stored === null) return new Map();
  if (!stored.startsWith('{')) return new Map([[own, stored]]);
  try {
    return new Map(Object.entries(JSON.parse(stored) as Record<string, string | null>));
  } catch {
    return new Map();
  }
}

function formatTokens(tokens: ReadonlyMap<string, string | null>, books: readonly string[]): string | null {
  if (books.length === 1) return tokens.get(books[0]!) ?? null;
  return JSON.stringify(Object.fromEntries(books.map((b) => [b, tokens.get(b) ?? null])));
}

/** The book of `books` that holds member `href` (the longest collection href it starts with). */
export function bookOf(href: string, books: readonly string[]): string | undefined {
  let best: string | undefined;
  for (const b of books) if (href.startsWith(b) && (best === undefined || b.length > best.length)) best = b;
  return best;
}

/** What changed since `stored`; undefined when the whole collection must be compared. */
async function deltaSince(store: DavStore, cls: DavItemClass, run: SourceRun, href: string, stored: string): Promise<Delta | undefined> {
  const session = run.caller.session;
  if (stored.startsWith('ctag:')) {
    const now = await store.collectionState(session, cls.kind, href);
    return now.ctag !== undefined && `ctag:${now.ctag}` === stored ? { token: stored, changed: [], removed: [] } : undefined;
  }
  try {
    return await syncAll(store, cls, run, href, stored.slice('sync:'.length));
  } catch (e) {
    if (isBackendError(e, 'InvalidToken') || isBackendError(e, 'Unsupported')) {
      run.log.info({ event: 'sync.dav-token-refused', collection: run.ref.collectionId, code: (e as { code: string }).code }, 'DAV sync token refused');
      return undefined;
    }
    throw e;
  }
}

/** sync-collection from `token` until the server says it is complete (RFC 6578 3.6: 507 truncation). */
async function syncAll(store: DavStore, cls: DavItemClass, run: SourceRun, href: string, token: string): Promise<Delta> {
  const changed = new Map<string, DavResourceRef>();
  const removed = new Set<string>();
  let t = token;
  for (let round = 0; round < 1000; round++) {
    const d = await store.syncCollection(run.caller.session, cls.kind, href, t);
    for (const c of d.changed) {
      changed.set(c.href, c);
      removed.delete(c.href);
    }
    for (const r of d.removed) {
      removed.add(r);
      changed.delete(r);
    }
    t = d.token;
    if (!d.truncated) break;
  }
  return { token: `sync:${t}`, changed: [...changed.values()], removed: [...removed] };
}

/** Every member with its ETag, and the token to continue from: an initial sync-collection, else PROPFIND plus the ctag. */
async function fullListing(store: DavStore, cls: DavItemClass, run: SourceRun, href: string): Promise<Delta> {
  try {
    return await syncAll(store, cls, run, href, '');
  } catch (e) {
    if (!isBackendError(e, 'Unsupported') && !isBackendError(e, 'InvalidToken')) throw e;
  }
  const session = run.caller.session;
  const [list, st] = await Promise.all([store.listMembers(session, cls.kind, href), store.collectionState(session, cls.kind, href)]);
  return { token: st.ctag !== undefined ? `ctag:${st.ctag}` : null, changed: list, removed: [] };
}
