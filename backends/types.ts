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

/**
 * One node of a message's MIME tree, normalised from IMAP BODYSTRUCTURE
 * (RFC 3501 7.4.2) so that callers need no imapflow types.
 */
export interface MimePart {
  /** IMAP part id ("1", "1.2"); "TEXT" is never used: a single-part message's body is part "1". */
  readonly part: string;
  /** Lower-case media type, e.g. "text/plain", "multipart/alternative". */
  readonly type: string;
  /** Content-Type parameters with lower-case keys (charset, name, method, protocol...). */
  readonly params: Readonly<Record<string, string>>;
  /** Content-ID without angle brackets. */
  readonly contentId?: string;
  /** Lower-case Content-Transfer-Encoding. */
  readonly encoding?: string;
  /** Size in octets as stored, i.e. still transfer-encoded. */
  readonly size: number;
  /** Lower-case disposition ("inline", "attachment"). */
  readonly disposition?: string;
  /** Decoded file name from Content-Disposition filename or Content-Type name. */
  readonly filename?: string;
  readonly children?: readonly MimePart[];
}

/** One address of an envelope, RFC 2047 words already decoded. */
export interface MailAddress {
  readonly name?: string;
  readonly address?: string;
}

/** The IMAP ENVELOPE (RFC 3501 7.4.2), header words decoded to Unicode. */
export interface MessageEnvelope {
  readonly date?: Date;
  readonly subject?: string;
  readonly messageId?: string;
  readonly inReplyTo?: string;
  readonly from: readonly MailAddress[];
  readonly sender: readonly MailAddress[];
  readonly replyTo: readonly MailAddress[];
  readonly to: readonly MailAddress[];
  readonly cc: readonly MailAddress[];
  readonly bcc: readonly MailAddress[];
}

/** Which parts of a message a fetch needs; the sync engine asks for no more than the body preference requires. */
export interface FetchWant {
  /** Flags, internal date, size and BODYSTRUCTURE (as `structure`). Always cheap. */
  readonly structure?: boolean;
  /** The decoded ENVELOPE (subject, addresses, Message-ID, In-Reply-To). */
  readonly envelope?: boolean;
  /** Raw header block (for To/Cc/Reply-To/thread headers and charsets); a list fetches only those fields. */
  readonly headers?: boolean | readonly string[];
  /** The whole RFC 822 source (MIME body preference, or when the structure is too odd to fetch by part). */
  readonly source?: boolean;
  /** At most this many octets of the source (BODY.PEEK[]<0.max>), for truncated MIME bodies. */
  readonly sourceMaxBytes?: number;
  /**
   * Parts to fetch by part id, each at most `maxBytes` octets after transfer
   * decoding (BINARY.PEEK[part]<0.max> where the server has BINARY). `encoding`
   * (from the structure) lets the backend decode when it must use BODY.PEEK.
   */
  readonly parts?: readonly { readonly part: string; readonly maxBytes?: number; readonly encoding?: string }[];
  /**
   * The folder's UIDVALIDITY as the caller knows it. A pooled connection
   * that still has an older generation of the folder selected (deleted and
   * re-created meanwhile) selects it again instead of fetching from the old one.
   */
  readonly uidValidity?: number;
}

/** One fetched message: what `FetchWant` asked for, keyed by UID. Owned by backends/imap/messages.ts. */
export interface FetchedMessage extends MessageMarker {
  readonly size: number;
  /** The MIME tree, when `structure` was asked. */
  readonly structure?: MimePart;
  readonly envelope?: MessageEnvelope;
  readonly headers?: Buffer;
  readonly source?: Buffer;
  /** Part id -> bytes with the transfer encoding removed, still in the part's charset; at most the asked `maxBytes`. */
  readonly parts?: ReadonlyMap<string, Buffer>;
}

/**
 * Message operations on one IMAP folder (`path`). Every method throws
 * BackendError: NotFound for a folder or UID that is gone, Conflict when
 * `uidValidity` no longer matches, BackendUnavailable on connection trouble.
 */
export interface MailMessageStore {
  status(session: UserSession, path: string): Promise<FolderStatus>;
  /** Every message's marker, optionally only those with INTERNALDATE >= since (FilterType). */
  snapshot(session: UserSession, path: string, opts?: { since?: Date }): Promise<FolderSnapshot>;
  /**
   * Only the UIDs (UID SEARCH), optionally with INTERNALDATE >= since: much cheaper than a
   * snapshot when the caller knows nothing of the folder yet (initial sync). Optional.
   */
  listUids?(session: UserSession, path: string, opts?: { since?: Date }): Promise<{ uidValidity: number; highestModseq?: bigint; uids: number[] }>;
  /** CONDSTORE/QRESYNC delta; `undefined` when the server lacks CONDSTORE (caller falls back to snapshots). */
  changesSince(session: UserSession, path: string, opts: { uidValidity: number; modseq: bigint }): Promise<FolderDelta | undefined>;
  fetch(session: UserSession, path: string, uids: readonly number[], want: FetchWant): Promise<FetchedMessage[]>;
  /** The whole message source as a stream (large attachments, MIME bodies, forwarding). */
  openSource(session: UserSession, path: string, uid: number): Promise<NodeJS.ReadableStream>;
  /** One MIME part, decoded from its transfer encoding, streamed (attachments by FileReference). */
  openPart(session: UserSession, path: string, uid: number, part: string): Promise<{ stream: NodeJS.ReadableStream; contentType: string; size?: number }>;
  setFlags(session: UserSession, path: string, uids: readonly number[], change: { add?: readonly string[]; remove?: readonly string[] }): Promise<void>;
  /** Moves messages (MOVE, or COPY + EXPUNGE); returns old UID -> new UID in the destination where the server says (COPYUID). */
  move(session: UserSession, fromPath: string, uids: readonly number[], toPath: string): Promise<Map<number, number>>;
  /** Flags \Deleted and expunges only these UIDs (UID EXPUNGE). */
  expunge(session: UserSession, path: string, uids: readonly number[]): Promise<void>;
  /** APPEND; returns the new UID (APPENDUID) when the server says. */
  append(session: UserSession, path: string, raw: Buffer, opts?: { flags?: readonly string[]; internalDate?: Date }): Promise<{ uid?: number; uidValidity?: number }>;
}

/** SMTP submission as the authenticated user (MS-ASCMD SendMail, SmartReply, SmartForward). */
export interface MailSubmitter {
  /** Submits `raw` (RFC 5322, Bcc already stripped) to the envelope recipients. Throws TooLarge, Invalid, AuthFailed, BackendUnavailable. */
  submit(session: UserSession, message: { from: string; to: readonly string[]; raw: Buffer }): Promise<{ messageId?: string; accepted: string[]; rejected: string[] }>;
}

/**
 * Tells the push layer that folders of a mailbox changed. One watcher per
 * mailbox, shared by every device (ARCHITECTURE "Watching").
 */
export interface MailWatcher {
  /** Starts watching `paths` for `session.user`; `onChange(path)` fires on any change. Returns a handle to update or stop. */
  watch(session: UserSession, paths: readonly string[], onChange: (path: string) => void): Promise<{ setPaths(paths: readonly string[]): void; close(): Promise<void> }>;
}

/** What a DAV collection holds, by RFC 4791 supported-calendar-component-set or the CardDAV resourcetype. */
export type DavComponent = 'VEVENT' | 'VTODO' | 'VJOURNAL' | 'VCARD';

/** One CalDAV calendar / task list or CardDAV address book of the user. */
export interface DavCollection {
  /** Absolute path of the collection on its server, ending in "/" (the backend identity). */
  readonly href: string;
  readonly displayName: string;
  /** VEVENT, VTODO and/or VJOURNAL for a calendar, VCARD for an address book. */
  readonly components: readonly DavComponent[];
  /** DAV:sync-token (RFC 6578) when the server has one. */
  readonly syncToken?: string;
  /** CalendarServer getctag when the server has one. */
  readonly ctag?: string;
}

/** One member resource and its change marker. */
export interface DavResourceRef {
  /** Absolute path of the resource. */
  readonly href: string;
  readonly etag: string;
}

/** One member resource with its body (iCalendar or vCard text). */
export interface DavResource extends DavResourceRef {
  readonly data: string;
}

/** The answer of a sync-collection REPORT (RFC 6578 3.2). */
export interface DavSyncDelta {
  readonly token: string;
  readonly changed: readonly DavResourceRef[];
  /** Hrefs of removed members (404 in the multistatus). */
  readonly removed: readonly string[];
  /** The server capped the answer (507 on the request-URI): ask again with `token` for the rest. */
  readonly truncated: boolean;
}

/**
 * CalDAV / CardDAV access for one user (RFC 4791, 6352, 6578). `kind` picks
 * the server (EAS_CALDAV_URL or EAS_CARDDAV_URL). Hrefs are absolute paths
 * on that server; anything on another origin is refused (Forbidden), so the
 * user's credentials are never sent elsewhere. Throws BackendError:
 * NotFound, Conflict (a failed If-Match / If-None-Match: HTTP 412),
 * InvalidToken, Unsupported, AuthFailed, Forbidden, TooLarge, BackendUnavailable.
 */
export interface DavStore {
  /** Discovers the user's home (current-user-principal, calendar-home-set / addressbook-home-set) and lists its collections. */
  listCollections(session: UserSession, kind: 'caldav' | 'carddav'): Promise<DavCollection[]>;
  /** The collection's current sync-token and ctag (PROPFIND Depth 0). */
  collectionState(session: UserSession, kind: 'caldav' | 'carddav', href: string): Promise<{ syncToken?: string; ctag?: string }>;
  /** Every member with its ETag (PROPFIND Depth 1 getetag). */
  listMembers(session: UserSession, kind: 'caldav' | 'carddav', href: string): Promise<DavResourceRef[]>;
  /**
   * sync-collection REPORT from `token` ('' = initial). Throws
   * BackendError('InvalidToken') when the server refuses the token
   * (DAV:valid-sync-token precondition) and BackendError('Unsupported')
   * when the collection has no sync-collection report.
   */
  syncCollection(session: UserSession, kind: 'caldav' | 'carddav', href: string, token: string): Promise<DavSyncDelta>;
  /** calendar-multiget / addressbook-multiget of `hrefs`; hrefs that are gone are missing from the result. */
  multiget(session: UserSession, kind: 'caldav' | 'carddav', collectionHref: string, hrefs: readonly string[]): Promise<DavResource[]>;
  /** GET one resource; NotFound when gone. */
  get(session: UserSession, kind: 'caldav' | 'carddav', href: string): Promise<DavResource>;
  /**
   * PUT `data`. `ifMatch` = the ETag it must still have; `ifNoneMatch` = create only.
   * Returns the new ETag (from the response, or a follow-up HEAD/PROPFIND when the server sends none).
   * Conflict on 412.
   */
  put(session: UserSession, kind: 'caldav' | 'carddav', href: string, data: string, cond: { ifMatch?: string; ifNoneMatch?: boolean }): Promise<{ etag: string }>;
  /** DELETE, with If-Match when given. NotFound when already gone, Conflict on 412. */
  delete(session: UserSession, kind: 'caldav' | 'carddav', href: string, ifMatch?: string): Promise<void>;
  /** MKCALENDAR (components VEVENT or VTODO) or extended MKCOL for an address book, under the user's home; returns the new collection. */
  createCollection(session: UserSession, kind: 'caldav' | 'carddav', displayName: string, components: readonly DavComponent[]): Promise<DavCollection>;
  /** PROPPATCH DAV:displayname. */
  renameCollection(session: UserSession, kind: 'caldav' | 'carddav', href: string, displayName: string): Promise<void>;
  /** DELETE of a whole collection. */
  deleteCollection(session: UserSession, kind: 'caldav' | 'carddav', href: string): Promise<void>;
}

/**
 * A message search condition tree (the backend's view of an EAS Search or
 * Find query): words anywhere in the message or in one part of it,
 * received (INTERNALDATE) strictly after / before a time, And and Or of
 * those. Text values reach the server as search strings, never as syntax.
 */
export type MailSearchNode =
  | { readonly op: 'and' | 'or'; readonly children: readonly MailSearchNode[] }
  | { readonly op: 'text'; readonly field: MailSearchField; readonly value: string }
  | { readonly op: 'after' | 'before'; readonly date: Date };

/** Where a text condition looks: `any` is the whole message (IMAP TEXT), the others one header or the body. */
export type MailSearchField = 'any' | 'from' | 'to' | 'cc' | 'subject' | 'body';

/** One message that matched, with what results are sorted by. */
export interface MailSearchHit {
  readonly path: string;
  readonly uid: number;
  /** Fetched when hits of several folders are merged; a single folder's hits come sorted by the server. */
  readonly internalDate?: Date;
}

/** The hits of a search over several folders, newest first, and the UIDVALIDITY each folder was searched under. */
export interface MailSearchResult {
  readonly hits: readonly MailSearchHit[];
  readonly uidValidity: ReadonlyMap<string, number>;
}

/** Message search, read-only (an optional ability of a mail store). */
export interface MailSearchStore {
  /**
   * One SEARCH per folder in `paths` (folders that are gone are skipped).
   * `signal` abandons the search: the connection it ran on is dropped,
   * so a server that does not answer never holds a pooled connection.
   */
  search(session: UserSession, paths: readonly string[], query: MailSearchNode, opts?: { readonly signal?: AbortSignal }): Promise<MailSearchResult>;
  /** Folders that only mirror messages held elsewhere (RFC 6154 \All, \Flagged; virtual folders): searching them lists a message twice. */
  virtualFolders(session: UserSession): Promise<ReadonlySet<string>>;
}
