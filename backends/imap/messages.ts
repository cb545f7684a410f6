import type { ImapFlow } from 'imapflow';
import { BackendError } from '../errors.ts';
import type { FetchWant, FetchedMessage, FolderDelta, FolderSnapshot, FolderStatus, MailMessageStore, UserSession } from '../types.ts';
import { folderChangesSince, folderSnapshot, folderStatus, folderUids } from './changes.ts';
import { downloadPart, downloadSource, fetchMessages, streamWhileLocked } from './fetch.ts';
import type { ImapPool, WithImapOptions } from './pool.ts';
import { lockFolder, missingFolder } from './lock.ts';
import { uidSet } from './uid-set.ts';

/**
 * Writes on messages: STORE, MOVE, UID EXPUNGE, APPEND (RFC 3501 6.4, RFC 6851,
 * RFC 4315). Each takes a connected client and selects `path` under a mailbox
 * lock so that pooled requests never interleave inside one folder.
 */

/** Adds and/or removes flags and keywords (`\Seen`, `\Flagged`, `$label1`...) on `uids`. */
export async function setImapFlags(client: ImapFlow, path: string, uids: readonly number[], change: { add?: readonly string[]; remove?: readonly string[] }): Promise<void> {
  const set = uidSet(uids);
  if (!set) return;
  const lock = await lockFolder(client, path, { description: 'eas flags' });
  try {
    if (change.add?.length) await client.messageFlagsAdd(set, [...change.add], { uid: true, silent: true });
    if (change.remove?.length) await client.messageFlagsRemove(set, [...change.remove], { uid: true, silent: true });
  } finally {
    lock.release();
  }
}

/** MOVE (or COPY + EXPUNGE, imapflow picks); old UID -> new UID where the server sent COPYUID. */
export async function moveImapMessages(client: ImapFlow, fromPath: string, uids: readonly number[], toPath: string): Promise<Map<number, number>> {
  const set = uidSet(uids);
  if (!set) return new Map();
  const lock = await lockFolder(client, fromPath, { description: 'eas move' });
  try {
    const res = await client.messageMove(set, toPath, { uid: true });
    if (!res) throw new BackendError('NotFound', `nothing to move in ${fromPath}`);
    return new Map(res.uidMap ?? []);
  } finally {
    lock.release();
  }
}

/** Sets \Deleted and expunges exactly these UIDs (UID EXPUNGE, RFC 4315 2.1). */
export async function expungeImapMessages(client: ImapFlow, path: string, uids: readonly number[]): Promise<void> {
  const set = uidSet(uids);
  if (!set) return;
  if (!client.capabilities.has('UIDPLUS')) {
    // Plain EXPUNGE would also remove messages someone else marked \Deleted.
    throw new BackendError('Forbidden', 'server lacks UIDPLUS: refusing a folder-wide EXPUNGE');
  }
  const lock = await lockFolder(client, path, { description: 'eas expunge' });
  try {
    await client.messageDelete(set, { uid: true });
  } finally {
    lock.release();
  }
}

/** APPEND with flags and INTERNALDATE; the new UID when the server has UIDPLUS (APPENDUID). */
export async function appendImapMessage(client: ImapFlow, path: string, raw: Buffer, opts: { flags?: readonly string[]; internalDate?: Date } = {}): Promise<{ uid?: number; uidValidity?: number }> {
  let res;
  try {
    res = await client.append(path, raw, opts.flags ? [...opts.flags] : undefined, opts.internalDate);
  } catch (e) {
    throw missingFolder(e, path) ?? e;
  }
  if (!res) throw new BackendError('Invalid', `APPEND to ${path} refused`);
  return {
    ...(res.uid !== undefined ? { uid: res.uid } : {}),
    ...(res.uidValidity !== undefined ? { uidValidity: Number(res.uidValidity) } : {}),
  };
}

const STATUS_ONLY: WithImapOptions = { statusOnly: true, readOnly: true };
/** Reads that may run again on a fresh connection (pool.ts `readOnly`). */
const READ: WithImapOptions = { readOnly: true };

/**
 * `MailMessageStore` (backends/types.ts) over the shared per-user pool: every
 * call borrows one pooled connection for its duration (downloads until their
 * stream ends). Errors leave as BackendError (the pool maps imapflow's).
 */
export class ImapMessageStore implements MailMessageStore {
  private readonly inFlight = new Map<string, Promise<FolderDelta | undefined>>();

  constructor(private readonly pool: ImapPool) {}

  status(session: UserSession, path: string): Promise<FolderStatus> {
    return this.pool.withImap(session, (c) => folderStatus(c, path), STATUS_ONLY);
  }

  listUids(session: UserSession, path: string, opts?: { since?: Date }): Promise<{ uidValidity: number; highestModseq?: bigint; uids: number[] }> {
    return this.pool.withImap(session, (c) => folderUids(c, path, opts), READ);
  }

  snapshot(session: UserSession, path: string, opts?: { since?: Date }): Promise<FolderSnapshot> {
    return this.pool.withImap(session, (c) => folderSnapshot(c, path, opts), READ);
  }

  changesSince(session: UserSession, path: string, opts: { uidValidity: number; modseq: bigint }): Promise<FolderDelta | undefined> {
    // One push event wakes the checks of every device of the mailbox at once,
    // mostly from the same MODSEQ: they share one in-flight IMAP round instead
    // of queueing N identical ones on the user's few pooled connections.
    // Only concurrent calls share; a later call always asks the server again.
    const key = `${session.user}\u0000${path}\u0000${opts.uidValidity}\u0000${opts.modseq}`;
    const running = this.inFlight.get(key);
    if (running) return running;
    const p = this.changes(session, path, opts).finally(() => this.inFlight.delete(key));
    this.inFlight.set(key, p);
    return p;
  }

  /** STATUS on the STATUS connection; only when HIGHESTMODSEQ moved, the CHANGEDSINCE FETCH on a selecting one. */
  private async changes(session: UserSession, path: string, opts: { uidValidity: number; modseq: bigint }): Promise<FolderDelta | undefined> {
    const quick = await this.pool.withImap(session, async (c) => ({ qresync: c.enabled.has('QRESYNC'), st: await folderStatus(c, path) }), STATUS_ONLY);
    if (!quick.qresync) return undefined;
    if (quick.st.uidValidity !== opts.uidValidity) throw new BackendError('Conflict', `UIDVALIDITY of ${path} changed`);
    if (quick.st.highestModseq === undefined) return undefined;
    if (quick.st.highestModseq === opts.modseq) return { uidValidity: quick.st.uidValidity, highestModseq: quick.st.highestModseq, changed: [], vanished: [] };
    return this.pool.withImap(session, (c) => folderChangesSince(c, path, opts, quick.st), READ);
  }

  fetch(session: UserSession, path: string, uids: readonly number[], want: FetchWant): Promise<FetchedMessage[]> {
    return this.pool.withImap(session, (c) => fetchMessages(c, path, uids, want), READ);
  }

  openSource(session: UserSession, path: string, uid: number): Promise<NodeJS.ReadableStream> {
    return streamWhileLocked((fn) => this.pool.withImap(session, fn), path, (c) => downloadSource(c, uid)).then((r) => r.stream);
  }

  openPart(session: UserSession, path: string, uid: number, part: string): Promise<{ stream: NodeJS.ReadableStream; contentType: string; size?: number }> {
    return streamWhileLocked((fn) => this.pool.withImap(session, fn), path, (c) => downloadPart(c, uid, part));
  }

  setFlags(session: UserSession, path: string, uids: readonly number[], change: { add?: readonly string[]; remove?: readonly string[] }): Promise<void> {
    return this.pool.withImap(session, (c) => setImapFlags(c, path, uids, change));
  }

  move(session: UserSession, fromPath: string, uids: readonly number[], toPath: string): Promise<Map<number, number>> {
    return this.pool.withImap(session, (c) => moveImapMessages(c, fromPath, uids, toPath));
  }

  expunge(session: UserSession, path: string, uids: readonly number[]): Promise<void> {
    return this.pool.withImap(session, (c) => expungeImapMessages(c, path, uids));
  }

  append(session: UserSession, path: string, raw: Buffer, opts?: { flags?: readonly string[]; internalDate?: Date }): Promise<{ uid?: number; uidValidity?: number }> {
    return this.pool.withImap(session, (c) => appendImapMessage(c, path, raw, opts));
  }
}
