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

export async function detectDavChanges(store: DavStore, cls: DavItemClass, members: DavMembers, run: SourceRun): Promise<void> {
  const { repo, ref, folder, caller } = run;
  const state = repo.get(ref)!;
  const { href } = parseDavFolderPath(folder.path);
  const since = cls.dateFilter ? filterSince(state.options.filterType) : undefined;
  const incremental = !state.needsRescan && state.davToken ? await deltaSince(store, cls, run, href, state.davToken) : undefined;
  const dirty = new Set<number>();
  let token: string | null;
  if (incremental) {
    token = incremental.token;
    repo.transaction(() => {
      for (const m of incremental.changed) {
        const n = members.idOf(caller.mailbox, folder.id, m.href);
        const held = repo.itemByUid(ref, n);
        if (!held || etagOf(held) !== m.etag) dirty.add(n);
      }
      for (const gone of incremental.removed) {
        const n = members.find(caller.mailbox, folder.id, gone);
        if (n !== undefined && repo.itemByUid(ref, n)) dirty.add(n);
      }
    });
  } else {
    const all = await fullListing(store, cls, run, href);
    token = all.token;
    repo.transaction(() => {
      const held = new Map(repo.items(ref).map((i) => [i.uid, i]));
      const present = new Set<number>();
      for (const m of all.changed) {
        const n = members.idOf(caller.mailbox, folder.id, m.href);
        present.add(n);
        const h = held.get(n);
        if (!h || etagOf(h) !== m.etag) dirty.add(n);
      }
      for (const n of held.keys()) if (!present.has(n)) dirty.add(n);
    });
    if (state.davToken && !state.needsRescan) run.log.info({ event: 'sync.dav-rescan', collection: ref.collectionId }, 'DAV token refused or ctag moved: ETags compared');
  }
  // Events whose last occurrence fell out of the FilterType window leave the device.
  if (since) for (const n of repo.uidsBefore(ref, since.getTime())) dirty.add(n);
  if (dirty.size === 0 && token === state.davToken && !state.needsRescan) return;
  repo.transaction(() => {
    repo.markDirty(ref, dirty);
    repo.setDavScanState(ref, token);
  });
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
