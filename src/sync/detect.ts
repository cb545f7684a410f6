import { isBackendError } from '../../backends/errors.ts';
import type { MailMessageStore, UserSession } from '../../backends/types.ts';
import { visibleState } from './flags.ts';
import { filterSince } from './options.ts';
import { GenerationChanged } from './collection-source.ts';
import type { CollectionRef, CollectionRow, SyncStateRepository } from './state.ts';

/**
 * Change detection (ARCHITECTURE "Change detection per backend"): finds the
 * UIDs whose state may differ from what the device holds and adds them to
 * the collection's pending set. With QRESYNC one
 * `UID FETCH 1:* (FLAGS) (CHANGEDSINCE m VANISHED)` (after a STATUS that
 * usually says "nothing moved"); without it, or on the first sync, or after
 * a FilterType change, a full snapshot compared with the stored items.
 */

/** The folder's UIDVALIDITY changed: every UID the device knows is void, the collection starts over. */
export class UidValidityChanged extends GenerationChanged {
  override readonly name = 'UidValidityChanged';
}

export async function refreshPending(
  repo: SyncStateRepository,
  store: MailMessageStore,
  session: UserSession,
  ref: CollectionRef,
  state: CollectionRow,
  path: string,
  now = Date.now(),
): Promise<void> {
  const since = filterSince(state.options.filterType, now);
  if (!state.needsRescan && state.modseq !== null && state.uidValidity !== null) {
    let delta;
    try {
      delta = await store.changesSince(session, path, { uidValidity: state.uidValidity, modseq: state.modseq });
    } catch (e) {
      if (isBackendError(e, 'Conflict')) throw new UidValidityChanged(`UIDVALIDITY of ${path} changed`);
      throw e;
    }
    if (delta) {
      const dirty = new Set<number>();
      for (const m of delta.changed) {
        if (since && m.internalDate < since && !repo.itemByUid(ref, m.uid)) continue;
        dirty.add(m.uid);
      }
      for (const uid of delta.vanished) if (repo.itemByUid(ref, uid)) dirty.add(uid);
      // Items that aged out of the FilterType window are removed from the device.
      if (since) for (const uid of repo.uidsBefore(ref, since.getTime())) dirty.add(uid);
      if (dirty.size === 0 && delta.highestModseq === state.modseq) return;
      repo.transaction(() => {
        repo.markDirty(ref, dirty);
        repo.setScanState(ref, { uidValidity: delta.uidValidity, modseq: delta.highestModseq, needsRescan: false, path });
      });
      return;
    }
  }
  if (store.listUids && repo.itemCount(ref) === 0) {
    // The device holds nothing yet (initial sync): every UID is an Add, flags do not matter.
    const list = await store.listUids(session, path, since ? { since } : undefined);
    if (state.uidValidity !== null && list.uidValidity !== state.uidValidity) throw new UidValidityChanged(`UIDVALIDITY of ${path} changed`);
    repo.transaction(() => {
      repo.markDirty(ref, list.uids);
      repo.setScanState(ref, { uidValidity: list.uidValidity, modseq: list.highestModseq ?? null, needsRescan: false, path });
    });
    return;
  }
  const snap = await store.snapshot(session, path, since ? { since } : undefined);
  if (state.uidValidity !== null && snap.uidValidity !== state.uidValidity) throw new UidValidityChanged(`UIDVALIDITY of ${path} changed`);
  const items = repo.items(ref);
  const byUid = new Map(items.map((i) => [i.uid, i]));
  const present = new Set<number>();
  const dirty: number[] = [];
  for (const m of snap.messages) {
    present.add(m.uid);
    const item = byUid.get(m.uid);
    if (!item || visibleState(item.flags) !== visibleState(m.flags)) dirty.push(m.uid);
  }
  for (const item of items) if (!present.has(item.uid)) dirty.push(item.uid);
  repo.transaction(() => {
    repo.markDirty(ref, dirty);
    repo.setScanState(ref, { uidValidity: snap.uidValidity, modseq: snap.highestModseq ?? null, needsRescan: false, path });
  });
}
