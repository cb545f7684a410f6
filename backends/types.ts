/**
 * The narrow interfaces between the EAS server and the data it fronts.
 * Backends speak their own domain (IMAP paths, UIDs, MODSEQ, flags; DAV hrefs
 * and ETags); sync keys, ServerIds and EAS statuses never appear here
 * (STYLE habit 5). Every method takes the user's session first and throws
 * `BackendError` (backends/errors.ts) for anything that goes wrong.
 */

/** Who the backend acts for: the authenticated mailbox and its password. */
export interface UserSession {
  readonly user: string;
  readonly password: string;
}

/** Checks credentials against the real mail server (a successful IMAP LOGIN). */
export interface Authenticator {
  /** true when the server accepted the login, false when it refused it; throws BackendUnavailable when it cannot tell. */
  verify(user: string, password: string): Promise<boolean>;
}

/** RFC 6154 SPECIAL-USE roles we care about, plus the INBOX. */
export type SpecialUse = 'inbox' | 'drafts' | 'sent' | 'trash' | 'junk' | 'archive' | 'outbox';

/** One IMAP folder. `path` is the backend identity; EAS folder ids live in SQLite. */
export interface MailFolder {
  readonly path: string;
  /** Display name: the last path segment, decoded from modified UTF-7. */
  readonly name: string;
  /** Path of the parent folder, or null at the top level. */
  readonly parentPath: string | null;
  readonly delimiter: string;
  /** From SPECIAL-USE, or from a well-known name when the server has no SPECIAL-USE. */
  readonly specialUse?: SpecialUse;
}

/** Folder hierarchy operations (FolderSync, FolderCreate, FolderUpdate, FolderDelete). */
export interface MailFolderStore {
  listFolders(session: UserSession): Promise<MailFolder[]>;
  /** Throws AlreadyExists, NotFound (parent), Forbidden. */
  createFolder(session: UserSession, parentPath: string | null, name: string): Promise<MailFolder>;
  /** Rename and/or move under another parent. Throws AlreadyExists, NotFound, Forbidden. */
  renameFolder(session: UserSession, path: string, newParentPath: string | null, newName: string): Promise<MailFolder>;
  /** Throws NotFound, Forbidden (special folders). */
  deleteFolder(session: UserSession, path: string): Promise<void>;
}

/** The change marker of one message: what the sync engine compares between states. */
export interface MessageMarker {
  readonly uid: number;
  readonly flags: readonly string[];
  /** CONDSTORE MODSEQ of the message, when the server has CONDSTORE. */
  readonly modseq?: bigint;
  readonly internalDate: Date;
}

/** What a folder holds now. */
export interface FolderSnapshot {
  readonly uidValidity: number;
  readonly highestModseq?: bigint;
  readonly messages: readonly MessageMarker[];
}

/** What changed in a folder since a MODSEQ (RFC 7162 CHANGEDSINCE + VANISHED). */
export interface FolderDelta {
  readonly uidValidity: number;
  readonly highestModseq: bigint;
  readonly changed: readonly MessageMarker[];
  readonly vanished: readonly number[];
}

/** Cheap per-folder counters (IMAP STATUS), used by push watchers and estimates. */
export interface FolderStatus {
  readonly uidValidity: number;
  readonly uidNext: number;
  readonly messages: number;
  readonly unseen: number;
  readonly highestModseq?: bigint;
}
