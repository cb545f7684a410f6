import { el, opt, type WbxmlElement } from '../wbxml/tree.ts';
import type { ProtocolVersion } from '../version.ts';
import { expectRoot, failWith, reqInt, reqText, reqTextUpTo } from './util.ts';

/** Status values shared by FolderCreate, FolderUpdate and FolderDelete (MS-ASCMD 2.2.3.177.3, .4, .6). */
export const FolderCommandStatus = {
  Success: 1,
  AlreadyExists: 2,
  /** The folder is a special (distinguished) folder that cannot be changed. */
  SpecialFolder: 3,
  NotFound: 4,
  ParentNotFound: 5,
  ServerError: 6,
  InvalidSyncKey: 9,
  IncorrectlyFormattedRequest: 10,
  UnknownError: 11,
} as const;

/** A FolderCreate request (MS-ASCMD 2.2.1.3). */
export interface FolderCreateRequest {
  readonly syncKey: string;
  readonly parentId: string;
  readonly displayName: string;
  readonly type: number;
}

/** A FolderCreate response; SyncKey and ServerId are sent with Status 1 only. */
export interface FolderCreateResponse {
  readonly status: number;
  readonly syncKey?: string;
  readonly serverId?: string;
}

const FH = 'FolderHierarchy';

/** Parses a FolderCreate request; grammar errors are Status 10. Type must be a user-creatable type (12..17, or 1). */
export function parseFolderCreateRequest(root: WbxmlElement | undefined, _version: ProtocolVersion): FolderCreateRequest {
  const fail = failWith('FolderCreate', FolderCommandStatus.IncorrectlyFormattedRequest);
  const r = expectRoot(root, FH, 'FolderCreate', fail);
  const type = reqInt(r, 'Type', FH, fail);
  if (type !== 1 && (type < 12 || type > 17)) fail(`Type ${type} is not a user folder type`);
  const displayName = reqTextUpTo(r, 'DisplayName', FH, 256, fail);
  return {
    syncKey: reqText(r, 'SyncKey', FH, fail),
    // ParentId "0" (the root) is a valid value, so presence is what counts.
    parentId: reqText(r, 'ParentId', FH, fail),
    displayName,
    type,
  };
}

/** Builds a FolderCreate response: Status, SyncKey, ServerId (MS-ASCMD 2.2.1.3). */
export function buildFolderCreateResponse(res: FolderCreateResponse, _version: ProtocolVersion): WbxmlElement {
  return el(FH, 'FolderCreate', [
    el(FH, 'Status', res.status),
    opt(FH, 'SyncKey', res.syncKey),
    opt(FH, 'ServerId', res.serverId),
  ]);
}
