import type { ImapFlow } from 'imapflow';
import { BackendError } from '../errors.ts';
import type { FolderDelta, FolderSnapshot, FolderStatus, MessageMarker } from '../types.ts';
import { lockFolder, missingFolder } from './lock.ts';
import { uidSet } from './uid-set.ts';

/**
 * Change detection for one IMAP folder: STATUS counters, a full marker
 * snapshot, and the CONDSTORE/QRESYNC delta (RFC 7162 section 3.1.4
 * CHANGEDSINCE, section 3.2.6 VANISHED). Functions take a connected client;
 * the pool (backends/imap/pool.ts) decides which one.
 */

/** STATUS of `path` without selecting it (RFC 3501 6.3.10); cheap enough for every Ping and empty Sync. */
export async function folderStatus(client: ImapFlow, path: string): Promise<FolderStatus> {
  // Dovecot answers STATUS of the selected mailbox from the session's view (stale until a
  // NOOP, and still the old mailbox after a delete + re-create elsewhere, i.e. a new
  // UIDVALIDITY goes unseen): leave the folder first so STATUS reads the real thing.
  if (client.mailbox && client.mailbox.path === path) await client.mailboxClose();
  const wantModseq = client.enabled.has('CONDSTORE') || client.capabilities.has('CONDSTORE');
  let st;
  try {
    st = await client.status(path, { messages: true, uidNext: true, uidValidity: true, unseen: true, highestModseq: wantModseq });
  } catch (e) {
    throw missingFolder(e, path) ?? e;
  }
  if (!st) throw new BackendError('NotFound', `STATUS ${path}: no such folder`);
  return {
    uidValidity: Number(st.uidValidity ?? 0),
    uidNext: st.uidNext ?? 0,
    messages: st.messages ?? 0,
    unseen: st.unseen ?? 0,
    ...(st.highestModseq !== undefined ? { highestModseq: BigInt(st.highestModseq) } : {}),
  };
}

/** \Recent is per-session (RFC 3501 2.3.2): it would look like a change every time another connection selects the folder. */
function toMarker(m: { uid: number; flags?: Set<string>; modseq?: bigint; internalDate?: Date | string }): MessageMarker {
  return {
    uid: m.uid,
    flags: m.flags ? [...m.flags].filter((f) => f !== '\\Recent').sort() : [],
    ...(m.modseq !== undefined ? { modseq: BigInt(m.modseq) } : {}),
    internalDate: m.internalDate instanceof Date ? m.internalDate : new Date(m.internalDate ?? 0),
  };
}

/**
 * Every message's marker (UID, flags, MODSEQ, INTERNALDATE), sorted by UID.
 * The HIGHESTMODSEQ is read with STATUS before the FETCH, so a change racing
 * the snapshot is reported again by the next `changesSince`, never missed.
 * `since` keeps only messages with INTERNALDATE >= since (FilterType).
 */
export async function folderSnapshot(client: ImapFlow, path: string, opts: { since?: Date } = {}): Promise<FolderSnapshot> {
  const st = await folderStatus(client, path);
  const lock = await lockFolder(client, path, { readOnly: true, description: 'eas snapshot' });
  try {
    const messages: MessageMarker[] = [];
    if ((client.mailbox && client.mailbox.exists) || st.messages > 0) {
      let range: string | number[] = '1:*';
      if (opts.since) {
        // SEARCH SINCE compares dates only (RFC 3501 6.4.4); the exact cut is applied below.
        const day = new Date(opts.since.getTime() - 86_400_000);
        const found = await client.search({ since: day }, { uid: true });
        if (!found || found.length === 0) range = [];
        else range = found;
      }
      if (typeof range === 'string' || range.length > 0) {
        const set = typeof range === 'string' ? range : uidSet(range);
        for await (const m of client.fetch(set, { uid: true, flags: true, internalDate: true }, { uid: true })) {
          const marker = toMarker(m);
          if (opts.since && marker.internalDate < opts.since) continue;
          messages.push(marker);
        }
      }
    }
    messages.sort((a, b) => a.uid - b.uid);
    return {
      uidValidity: st.uidValidity,
      ...(st.highestModseq !== undefined ? { highestModseq: st.highestModseq } : {}),
      messages,
    };
  } finally {
    lock.release();
  }
}

/**
 * The UIDs of `path` (UID SEARCH ALL, or SINCE the day before `since`, then
 * cut exactly by INTERNALDATE), with the STATUS taken before the search so a
 * racing change is seen again later, never missed.
 */
export async function folderUids(client: ImapFlow, path: string, opts: { since?: Date } = {}): Promise<{ uidValidity: number; highestModseq?: bigint; uids: number[] }> {
  if (opts.since) {
    const snap = await folderSnapshot(client, path, opts);
    return { uidValidity: snap.uidValidity, ...(snap.highestModseq !== undefined ? { highestModseq: snap.highestModseq } : {}), uids: snap.messages.map((m) => m.uid) };
  }
  const st = await folderStatus(client, path);
  const lock = await lockFolder(client, path, { readOnly: true, description: 'eas uids' });
  try {
    const found = st.messages > 0 || (client.mailbox && client.mailbox.exists) ? await client.search({ all: true }, { uid: true }) : [];
    return { uidValidity: st.uidValidity, ...(st.highestModseq !== undefined ? { highestModseq: st.highestModseq } : {}), uids: [...(found || [])].sort((a, b) => a - b) };
  } finally {
    lock.release();
  }
}

/**
 * What changed since `modseq`: messages whose flags changed or that arrived
 * (`changed`) and UIDs expunged (`vanished`), in one
 * `UID FETCH 1:* (FLAGS) (CHANGEDSINCE m VANISHED)` (RFC 7162 3.2.6).
 * Returns `undefined` when the server or the connection has no QRESYNC
 * (the caller compares snapshots instead). Throws `Conflict` when the folder's
 * UIDVALIDITY is no longer `uidValidity`: every UID the caller knows is void.
 * When HIGHESTMODSEQ has not moved it answers from STATUS alone, without
 * selecting the folder. `known` is a STATUS of `path` taken just before, by
 * the caller; HIGHESTMODSEQ is then reported from it, so a change racing the
 * FETCH is seen again next time, never missed.
 */
export async function folderChangesSince(
  client: ImapFlow,
  path: string,
  opts: { uidValidity: number; modseq: bigint },
  known?: FolderStatus,
): Promise<FolderDelta | undefined> {
  // Without QRESYNC there is no VANISHED: CHANGEDSINCE alone cannot tell expunges.
  if (!client.enabled.has('QRESYNC')) return undefined;
  // A STATUS the caller just took (on the pool's STATUS connection) stands: no second one here. The
  // folder is still left first, as folderStatus would: the FETCH below must run on a fresh selection.
  if (known && client.mailbox && client.mailbox.path === path) await client.mailboxClose();
  const st = known ?? (await folderStatus(client, path));
  if (st.uidValidity !== opts.uidValidity) throw new BackendError('Conflict', `UIDVALIDITY of ${path} changed`);
  if (st.highestModseq === undefined) return undefined;
  if (st.highestModseq === opts.modseq) return { uidValidity: st.uidValidity, highestModseq: st.highestModseq, changed: [], vanished: [] };
  const lock = await lockFolder(client, path, { readOnly: true, description: 'eas changes' });
  const vanished: number[] = [];
  const onExpunge = (ev: { path: string; uid?: number; vanished: boolean; earlier?: boolean }): void => {
    if (ev.path === path && ev.vanished && ev.uid !== undefined) vanished.push(ev.uid);
  };
  client.on('expunge', onExpunge);
  try {
    if (client.mailbox && client.mailbox.noModseq) return undefined;
    const changed: MessageMarker[] = [];
    if (client.mailbox && client.mailbox.uidValidity !== undefined && Number(client.mailbox.uidValidity) !== opts.uidValidity) {
      throw new BackendError('Conflict', `UIDVALIDITY of ${path} changed`);
    }
    for await (const m of client.fetch('1:*', { uid: true, flags: true, internalDate: true }, { uid: true, changedSince: opts.modseq })) {
      changed.push(toMarker(m));
    }
    changed.sort((a, b) => a.uid - b.uid);
    return { uidValidity: st.uidValidity, highestModseq: st.highestModseq!, changed, vanished: [...new Set(vanished)].sort((a, b) => a - b) };
  } finally {
    client.off('expunge', onExpunge);
    lock.release();
  }
}
