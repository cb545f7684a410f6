import { childrenNamed, el, type WbxmlElement } from '../wbxml/tree.ts';
import type { ProtocolVersion } from '../version.ts';
import { compact, expectRoot, failWith, optInt, optText, reqText } from './util.ts';

/** Ping Status values (MS-ASCMD 2.2.3.177.11). */
export const PingStatus = {
  /** The heartbeat expired with no changes. */
  NoChanges: 1,
  ChangesFound: 2,
  /** Empty Ping with no stored parameters: the client resends with HeartbeatInterval and Folders. */
  MissingParameters: 3,
  ProtocolError: 4,
  /** HeartbeatInterval out of bounds; the response carries the allowed bound in HeartbeatInterval. */
  HeartbeatOutOfBounds: 5,
  /** Too many folders; the response carries MaxFolders. */
  TooManyFolders: 6,
  FolderSyncRequired: 7,
  ServerError: 8,
} as const;

/** A folder to watch (MS-ASCMD 2.2.3.73.1): its id and class (Email, Calendar, Contacts, Tasks, Notes, SMS). */
export interface PingFolder {
  readonly id: string;
  readonly class?: string;
}

/**
 * A Ping request (MS-ASCMD 2.2.1.13). No body, or a Ping with neither
 * element, is `{ empty: true }`: the server reuses the stored parameters
 * (Status 3 if there are none). One of the two may be absent: the stored
 * value fills it.
 */
export type PingRequest =
  | { readonly empty: true }
  | { readonly empty: false; readonly heartbeatInterval?: number; readonly folders?: readonly PingFolder[] };

/** A Ping response. */
export interface PingResponse {
  readonly status: number;
  /** With Status 2: the folders that changed. */
  readonly folders?: readonly string[];
  /** With Status 6. */
  readonly maxFolders?: number;
  /** With Status 5: the minimum or maximum allowed (seconds). */
  readonly heartbeatInterval?: number;
}

const P = 'Ping';

/** Parses a Ping request; grammar errors are Status 4. Range checks of HeartbeatInterval are the handler's (Status 5). */
export function parsePingRequest(root: WbxmlElement | undefined, _version: ProtocolVersion): PingRequest {
  if (!root) return { empty: true };
  const fail = failWith('Ping', PingStatus.ProtocolError);
  expectRoot(root, P, 'Ping', fail);
  const heartbeatInterval = optInt(root, 'HeartbeatInterval', P, fail);
  if (heartbeatInterval !== undefined && heartbeatInterval < 0) fail('HeartbeatInterval is negative');
  const foldersEl = childrenNamed(root, 'Folders', P)[0];
  if (heartbeatInterval === undefined && !foldersEl) return { empty: true };
  const folders = foldersEl
    ? childrenNamed(foldersEl, 'Folder', P).map((f) => compact({ id: reqText(f, 'Id', P, fail), class: optText(f, 'Class', P, fail) }))
    : undefined;
  if (folders && folders.length === 0) fail('Folders without Folder');
  return compact({ empty: false as const, heartbeatInterval, folders });
}

/** Builds a Ping response (MS-ASCMD 2.2.1.13): Status, Folders, MaxFolders, HeartbeatInterval. */
export function buildPingResponse(res: PingResponse, _version: ProtocolVersion): WbxmlElement {
  return el(P, 'Ping', [
    el(P, 'Status', res.status),
    res.folders?.length ? el(P, 'Folders', res.folders.map((id) => el(P, 'Folder', id))) : undefined,
    res.maxFolders !== undefined ? el(P, 'MaxFolders', res.maxFolders) : undefined,
    res.heartbeatInterval !== undefined ? el(P, 'HeartbeatInterval', res.heartbeatInterval) : undefined,
  ]);
}

