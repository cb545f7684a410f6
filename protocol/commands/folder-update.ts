import { el, opt, type WbxmlElement } from '../wbxml/tree.ts';
import type { ProtocolVersion } from '../version.ts';
import { FolderCommandStatus } from './folder-create.ts';
import { expectRoot, failWith, reqText, reqTextUpTo } from './util.ts';

/** A FolderUpdate request (MS-ASCMD 2.2.1.6): rename and/or move `serverId` under `parentId`. */
export interface FolderUpdateRequest {
  readonly syncKey: string;
  readonly serverId: string;
  readonly parentId: string;
  readonly displayName: string;
}

/** A FolderUpdate response; SyncKey is sent with Status 1 only. Status values: `FolderCommandStatus`. */
export interface FolderUpdateResponse {
  readonly status: number;
  readonly syncKey?: string;
}

const FH = 'FolderHierarchy';

/** Parses a FolderUpdate request; grammar errors are Status 10 (MS-ASCMD 2.2.3.177.6). */
export function parseFolderUpdateRequest(root: WbxmlElement | undefined, _version: ProtocolVersion): FolderUpdateRequest {
  const fail = failWith('FolderUpdate', FolderCommandStatus.IncorrectlyFormattedRequest);
  const r = expectRoot(root, FH, 'FolderUpdate', fail);
  const displayName = reqTextUpTo(r, 'DisplayName', FH, 256, fail);
  return {
    syncKey: reqText(r, 'SyncKey', FH, fail),
    serverId: reqText(r, 'ServerId', FH, fail),
    parentId: reqText(r, 'ParentId', FH, fail),
    displayName,
  };
}

/** Builds a FolderUpdate response: Status, SyncKey (MS-ASCMD 2.2.1.6). */
export function buildFolderUpdateResponse(res: FolderUpdateResponse, _version: ProtocolVersion): WbxmlElement {
  return el(FH, 'FolderUpdate', [el(FH, 'Status', res.status), opt(FH, 'SyncKey', res.syncKey)]);
}
