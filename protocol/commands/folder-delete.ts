import { el, opt, type WbxmlElement } from '../wbxml/tree.ts';
import type { ProtocolVersion } from '../version.ts';
import { FolderCommandStatus } from './folder-create.ts';
import { expectRoot, failWith, reqText } from './util.ts';

/** A FolderDelete request (MS-ASCMD 2.2.1.4). */
export interface FolderDeleteRequest {
  readonly syncKey: string;
  readonly serverId: string;
}

/** A FolderDelete response; SyncKey is sent with Status 1 only. Status values: `FolderCommandStatus`. */
export interface FolderDeleteResponse {
  readonly status: number;
  readonly syncKey?: string;
}

const FH = 'FolderHierarchy';

/** Parses a FolderDelete request; grammar errors are Status 10 (MS-ASCMD 2.2.3.177.4). */
export function parseFolderDeleteRequest(root: WbxmlElement | undefined, _version: ProtocolVersion): FolderDeleteRequest {
  const fail = failWith('FolderDelete', FolderCommandStatus.IncorrectlyFormattedRequest);
  const r = expectRoot(root, FH, 'FolderDelete', fail);
  return { syncKey: reqText(r, 'SyncKey', FH, fail), serverId: reqText(r, 'ServerId', FH, fail) };
}

/** Builds a FolderDelete response: Status, SyncKey (MS-ASCMD 2.2.1.4). */
export function buildFolderDeleteResponse(res: FolderDeleteResponse, _version: ProtocolVersion): WbxmlElement {
  return el(FH, 'FolderDelete', [el(FH, 'Status', res.status), opt(FH, 'SyncKey', res.syncKey)]);
}
