import type { FetchWant, FetchedMessage, FolderDelta, FolderSnapshot, FolderStatus, MailFolderStore, MailMessageStore, MailSearchNode, MailSearchResult, MailSearchStore, UserSession } from '../types.ts';
import { createImapFolder, deleteImapFolder, listImapFolders, renameImapFolder, type ImapFolder } from './folders.ts';
import { ImapMessageStore } from './messages.ts';
import { ImapPool, type ImapPoolOptions } from './pool.ts';
import { searchImapFolders, virtualImapFolders } from './search.ts';

/**
 * The IMAP mail store: folder hierarchy now (MailFolderStore), message
 * operations added by the sync engine in their own files. Every method takes
 * the user's session and borrows a pooled connection for its duration.
 *
 * To add a capability: write `export async function fooImap(client, ...)` in
 * its own file and add a one-line method here that calls
 * `this.pool.withImap(session, (c) => fooImap(c, ...))`.
 */
export class ImapMailStore implements MailFolderStore, MailMessageStore, MailSearchStore {
  readonly pool: ImapPool;
  /** Message operations (backends/imap/messages.ts); the methods below delegate to it. */
  readonly messages: ImapMessageStore;

  constructor(poolOrOptions: ImapPool | ImapPoolOptions) {
    this.pool = poolOrOptions instanceof ImapPool ? poolOrOptions : new ImapPool(poolOrOptions);
    this.messages = new ImapMessageStore(this.pool);
  }

  status(session: UserSession, path: string): Promise<FolderStatus> {
    return this.messages.status(session, path);
  }
  snapshot(session: UserSession, path: string, opts?: { since?: Date }): Promise<FolderSnapshot> {
    return this.messages.snapshot(session, path, opts);
  }
  listUids(session: UserSession, path: string, opts?: { since?: Date }): Promise<{ uidValidity: number; highestModseq?: bigint; uids: number[] }> {
    return this.messages.listUids(session, path, opts);
  }
  changesSince(session: UserSession, path: string, opts: { uidValidity: number; modseq: bigint }): Promise<FolderDelta | undefined> {
    return this.messages.changesSince(session, path, opts);
  }
  fetch(session: UserSession, path: string, uids: readonly number[], want: FetchWant): Promise<FetchedMessage[]> {
    return this.messages.fetch(session, path, uids, want);
  }
  openSource(session: UserSession, path: string, uid: number): Promise<NodeJS.ReadableStream> {
    return this.messages.openSource(session, path, uid);
  }
  openPart(session: UserSession, path: string, uid: number, part: string): Promise<{ stream: NodeJS.ReadableStream; contentType: string; size?: number }> {
    return this.messages.openPart(session, path, uid, part);
  }
  setFlags(session: UserSession, path: string, uids: readonly number[], change: { add?: readonly string[]; remove?: readonly string[] }): Promise<void> {
    return this.messages.setFlags(session, path, uids, change);
  }
  move(session: UserSession, fromPath: string, uids: readonly number[], toPath: string): Promise<Map<number, number>> {
    return this.messages.move(session, fromPath, uids, toPath);
  }
  expunge(session: UserSession, path: string, uids: readonly number[]): Promise<void> {
    return this.messages.expunge(session, path, uids);
  }
  append(session: UserSession, path: string, raw: Buffer, opts?: { flags?: readonly string[]; internalDate?: Date }): Promise<{ uid?: number; uidValidity?: number }> {
    return this.messages.append(session, path, raw, opts);
  }

  /** Read-only: a dead pooled connection is retried once on a fresh one (pool.ts `readOnly`). */
  search(session: UserSession, paths: readonly string[], query: MailSearchNode, opts: { readonly signal?: AbortSignal } = {}): Promise<MailSearchResult> {
    return this.pool.withImap(session, (c) => searchImapFolders(c, paths, query, opts.signal), { readOnly: true });
  }

  virtualFolders(session: UserSession): Promise<ReadonlySet<string>> {
    return this.pool.withImap(session, (c) => virtualImapFolders(c), { statusOnly: true, readOnly: true });
  }

  listFolders(session: UserSession): Promise<ImapFolder[]> {
    // LIST never selects: it may use the mailbox's STATUS connection (pool.ts WithImapOptions).
    return this.pool.withImap(session, (c) => listImapFolders(c), { statusOnly: true });
  }

  createFolder(session: UserSession, parentPath: string | null, name: string): Promise<ImapFolder> {
    return this.pool.withImap(session, (c) => createImapFolder(c, parentPath, name));
  }

  renameFolder(session: UserSession, path: string, newParentPath: string | null, newName: string): Promise<ImapFolder> {
    return this.pool.withImap(session, (c) => renameImapFolder(c, path, newParentPath, newName));
  }

  deleteFolder(session: UserSession, path: string): Promise<void> {
    return this.pool.withImap(session, (c) => deleteImapFolder(c, path));
  }

  /** Logs out every pooled connection (server shutdown). */
  close(): Promise<void> {
    return this.pool.close();
  }
}

export { ImapPool, mapImapError, type ImapEndpoint, type ImapPoolOptions } from './pool.ts';
export { ImapAuthenticator } from './authenticator.ts';
export type { ImapFolder } from './folders.ts';
