import { el, opt, type WbxmlElement } from '../wbxml/tree.ts';
import type { ProtocolVersion } from '../version.ts';
import { expectRoot, failWith, reqTextUpTo } from './util.ts';

/** FolderSync Status values (MS-ASCMD 2.2.3.177.5). */
export const FolderSyncStatus = {
  Success: 1,
  ServerError: 6,
  /** Unknown or outdated SyncKey: the client starts over with SyncKey 0. */
  InvalidSyncKey: 9,
  IncorrectlyFormattedRequest: 10,
  UnknownError: 11,
  CodeUnknown: 12,
} as const;

/** Folder Type values (MS-ASCMD 2.2.3.186.3). */
export const FolderType = {
  UserGeneric: 1,
  Inbox: 2,
  Drafts: 3,
  DeletedItems: 4,
  SentItems: 5,
  Outbox: 6,
  Tasks: 7,
  Calendar: 8,
  Contacts: 9,
  Notes: 10,
  Journal: 11,
  UserMail: 12,
  UserCalendar: 13,
  UserContacts: 14,
  UserTasks: 15,
  UserJournal: 16,
  UserNotes: 17,
  Unknown: 18,
  RecipientInformationCache: 19,
} as const;

/** A FolderSync request (MS-ASCMD 2.2.1.5): SyncKey "0" asks for the whole hierarchy. */
export interface FolderSyncRequest {
  readonly syncKey: string;
}

/** One folder as FolderSync Add/Update carry it (MS-ASCMD 2.2.3.7.1, 2.2.3.190). ParentId "0" is the root. */
export interface FolderEntry {
  readonly serverId: string;
  readonly parentId: string;
  readonly displayName: string;
  readonly type: number;
}

/** The changes since the client's SyncKey (MS-ASCMD 2.2.3.25). */
export interface FolderChanges {
  readonly adds: readonly FolderEntry[];
  readonly updates: readonly FolderEntry[];
  readonly deletes: readonly string[];
}

/** A FolderSync response; `syncKey` and `changes` are sent with Status 1 only. */
export interface FolderSyncResponse {
  readonly status: number;
  readonly syncKey?: string;
  readonly changes?: FolderChanges;
}

const FH = 'FolderHierarchy';

/** Parses a FolderSync request; a missing SyncKey is Status 10 (MS-ASCMD 2.2.3.177.5). */
export function parseFolderSyncRequest(root: WbxmlElement | undefined, _version: ProtocolVersion): FolderSyncRequest {
  const fail = failWith('FolderSync', FolderSyncStatus.IncorrectlyFormattedRequest);
  const r = expectRoot(root, FH, 'FolderSync', fail);
  return { syncKey: reqTextUpTo(r, 'SyncKey', FH, 64, fail) };
}

/** Builds a FolderSync request (client side: replay tool, tests). */
export function buildFolderSyncRequest(req: FolderSyncRequest, _version: ProtocolVersion): WbxmlElement {
  return el(FH, 'FolderSync', [el(FH, 'SyncKey', req.syncKey)]);
}

/** Builds one folder's Add/Update element: ServerId, ParentId, DisplayName, Type (MS-ASCMD 2.2.3.7.1). */
export function buildFolderEntry(kind: 'Add' | 'Update', f: FolderEntry): WbxmlElement {
  return el(FH, kind, [
    el(FH, 'ServerId', f.serverId),
    el(FH, 'ParentId', f.parentId),
    el(FH, 'DisplayName', f.displayName),
    el(FH, 'Type', f.type),
  ]);
}

/**
 * Builds a FolderSync response (MS-ASCMD 2.2.1.5): Status, SyncKey, Changes
 * { Count, Delete*, Update*, Add* }. Deletes go first so that a client that
 * applies changes in order never sees a folder whose old twin is still
 * listed. Count is always written, 0 included, because clients read it.
 */
export function buildFolderSyncResponse(res: FolderSyncResponse, _version: ProtocolVersion): WbxmlElement {
  const ch = res.changes;
  return el(FH, 'FolderSync', [
    el(FH, 'Status', res.status),
    opt(FH, 'SyncKey', res.syncKey),
    ch
      ? el(FH, 'Changes', [
          el(FH, 'Count', ch.adds.length + ch.updates.length + ch.deletes.length),
          ...ch.deletes.map((id) => el(FH, 'Delete', [el(FH, 'ServerId', id)])),
          ...ch.updates.map((f) => buildFolderEntry('Update', f)),
          ...ch.adds.map((f) => buildFolderEntry('Add', f)),
        ])
      : undefined,
  ]);
}
