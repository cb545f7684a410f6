import { buildBodyPreference } from '../../protocol/commands/body-preference.ts';
import { buildDeviceInformation, type DeviceInformation } from '../../protocol/commands/device-information.ts';
import type { PingFolder } from '../../protocol/commands/ping.ts';
import type { SyncClientCommand, SyncCollectionRequest, SyncOptions, SyncRequestBody } from '../../protocol/commands/sync.ts';
import type { ProtocolVersion } from '../../protocol/version.ts';
import { el, type WbxmlElement } from '../../protocol/wbxml/tree.ts';

/**
 * Request bodies as a device writes them, for the EAS client (tests, replay).
 * The server side parses these with protocol/commands; each builder follows
 * the element order of its MS-ASCMD request section.
 */
const FH = 'FolderHierarchy';

/** FolderSync (MS-ASCMD 2.2.1.5). */
export function folderSyncRequest(syncKey: string): WbxmlElement {
  return el(FH, 'FolderSync', [el(FH, 'SyncKey', syncKey)]);
}

/** FolderCreate (MS-ASCMD 2.2.1.3). */
export function folderCreateRequest(r: { syncKey: string; parentId: string; displayName: string; type: number }): WbxmlElement {
  return el(FH, 'FolderCreate', [el(FH, 'SyncKey', r.syncKey), el(FH, 'ParentId', r.parentId), el(FH, 'DisplayName', r.displayName), el(FH, 'Type', r.type)]);
}

/** FolderUpdate (MS-ASCMD 2.2.1.6). */
export function folderUpdateRequest(r: { syncKey: string; serverId: string; parentId: string; displayName: string }): WbxmlElement {
  return el(FH, 'FolderUpdate', [el(FH, 'SyncKey', r.syncKey), el(FH, 'ServerId', r.serverId), el(FH, 'ParentId', r.parentId), el(FH, 'DisplayName', r.displayName)]);
}

/** FolderDelete (MS-ASCMD 2.2.1.4). */
export function folderDeleteRequest(r: { syncKey: string; serverId: string }): WbxmlElement {
  return el(FH, 'FolderDelete', [el(FH, 'SyncKey', r.syncKey), el(FH, 'ServerId', r.serverId)]);
}

/** The PolicyType a device asks for (MS-ASPROV 2.2.2.41): the WAP document at 2.5, the WBXML one after. */
export function policyTypeFor(version: ProtocolVersion): string {
  return version === '2.5' ? 'MS-WAP-Provisioning-XML' : 'MS-EAS-Provisioning-WBXML';
}

/**
 * Provision (MS-ASPROV 3.1.5.1): the initial request (no key), the
 * acknowledgement (temporary key + status), or a wipe acknowledgement.
 */
export function provisionRequest(
  r: {
    policyType?: string;
    /** A string is sent as it is (replay passes back the key a server wrote). */
    policyKey?: number | string;
    status?: number;
    deviceInformation?: DeviceInformation;
    remoteWipeStatus?: number;
    accountOnlyRemoteWipeStatus?: number;
  },
  version: ProtocolVersion,
): WbxmlElement {
  const P = 'Provision';
  return el(P, 'Provision', [
    r.deviceInformation ? buildDeviceInformation(r.deviceInformation, version) : undefined,
    r.policyType
      ? el(P, 'Policies', [
          el(P, 'Policy', [
            el(P, 'PolicyType', r.policyType),
            r.policyKey !== undefined ? el(P, 'PolicyKey', String(r.policyKey)) : undefined,
            r.status !== undefined ? el(P, 'Status', r.status) : undefined,
          ]),
        ])
      : undefined,
    r.remoteWipeStatus !== undefined ? el(P, 'RemoteWipe', [el(P, 'Status', r.remoteWipeStatus)]) : undefined,
    r.accountOnlyRemoteWipeStatus !== undefined ? el(P, 'AccountOnlyRemoteWipe', [el(P, 'Status', r.accountOnlyRemoteWipeStatus)]) : undefined,
  ]);
}

/** Settings (MS-ASCMD 2.2.1.18): DeviceInformation Set, UserInformation Get, Oof Get. */
export function settingsRequest(
  r: { deviceInformation?: DeviceInformation; userInformation?: boolean; oofGet?: boolean },
  version: ProtocolVersion,
): WbxmlElement {
  const S = 'Settings';
  return el(S, 'Settings', [
    r.oofGet ? el(S, 'Oof', [el(S, 'Get', [el(S, 'BodyType', 'Text')])]) : undefined,
    r.deviceInformation ? buildDeviceInformation(r.deviceInformation, version) : undefined,
    r.userInformation ? el(S, 'UserInformation', [el(S, 'Get')]) : undefined,
  ]);
}

/** Ping (MS-ASCMD 2.2.1.13); both parts optional (an empty Ping reuses the last one). */
export function pingRequest(r: { heartbeatInterval?: number; folders?: readonly PingFolder[] }): WbxmlElement {
  const P = 'Ping';
  return el(P, 'Ping', [
    r.heartbeatInterval !== undefined ? el(P, 'HeartbeatInterval', r.heartbeatInterval) : undefined,
    r.folders
      ? el(P, 'Folders', r.folders.map((f) => el(P, 'Folder', [el(P, 'Id', f.id), el(P, 'Class', f.class ?? 'Email')])))
      : undefined,
  ]);
}

const AS = 'AirSync';

function optionsElement(o: SyncOptions): WbxmlElement {
  return el(AS, 'Options', [
    o.class !== undefined ? el(AS, 'Class', o.class) : undefined,
    o.filterType !== undefined ? el(AS, 'FilterType', o.filterType) : undefined,
    ...o.bodyPreferences.map((p) => buildBodyPreference(p)),
    ...o.bodyPartPreferences.map((p) => buildBodyPreference(p, 'BodyPartPreference')),
    o.conflict !== undefined ? el(AS, 'Conflict', o.conflict) : undefined,
    o.mimeSupport !== undefined ? el(AS, 'MIMESupport', o.mimeSupport) : undefined,
    o.mimeTruncation !== undefined ? el(AS, 'MIMETruncation', o.mimeTruncation) : undefined,
    o.truncation !== undefined ? el(AS, 'Truncation', o.truncation) : undefined,
    o.rtfTruncation !== undefined ? el(AS, 'RTFTruncation', o.rtfTruncation) : undefined,
    o.maxItems !== undefined ? el(AS, 'MaxItems', o.maxItems) : undefined,
    o.rightsManagementSupport !== undefined ? el('RightsManagement', 'RightsManagementSupport', o.rightsManagementSupport) : undefined,
  ]);
}

function commandElement(c: SyncClientCommand): WbxmlElement {
  const cls = 'class' in c && c.class !== undefined ? el(AS, 'Class', c.class) : undefined;
  switch (c.kind) {
    case 'Add':
      return el(AS, 'Add', [cls, el(AS, 'ClientId', c.clientId), c.applicationData]);
    case 'Change':
      return el(AS, 'Change', [cls, el(AS, 'ServerId', c.serverId), c.applicationData]);
    case 'Delete':
      return el(AS, 'Delete', [cls, el(AS, 'ServerId', c.serverId)]);
    case 'Fetch':
      return el(AS, 'Fetch', [el(AS, 'ServerId', c.serverId)]);
  }
}

function collectionElement(c: SyncCollectionRequest): WbxmlElement {
  return el(AS, 'Collection', [
    c.class !== undefined ? el(AS, 'Class', c.class) : undefined,
    el(AS, 'SyncKey', c.syncKey),
    el(AS, 'CollectionId', c.collectionId),
    c.supported ? { ns: AS, name: 'Supported', children: c.supported.map((s) => el(s.ns, s.name)) } : undefined,
    c.deletesAsMoves !== undefined ? el(AS, 'DeletesAsMoves', c.deletesAsMoves) : undefined,
    c.getChanges !== undefined ? el(AS, 'GetChanges', c.getChanges) : undefined,
    c.windowSize !== undefined ? el(AS, 'WindowSize', c.windowSize) : undefined,
    c.conversationMode !== undefined ? el(AS, 'ConversationMode', c.conversationMode) : undefined,
    ...c.options.map(optionsElement),
    c.commands.length ? el(AS, 'Commands', c.commands.map(commandElement)) : undefined,
  ]);
}

/** A Sync request (MS-ASCMD 2.2.1.21) from the same typed shape the server parses into. */
export function syncRequest(r: Omit<SyncRequestBody, 'empty' | 'collectionsPresent' | 'partial'> & { partial?: boolean }): WbxmlElement {
  return el(AS, 'Sync', [
    r.collections.length ? el(AS, 'Collections', r.collections.map(collectionElement)) : undefined,
    r.wait !== undefined ? el(AS, 'Wait', r.wait) : undefined,
    r.heartbeatInterval !== undefined ? el(AS, 'HeartbeatInterval', r.heartbeatInterval) : undefined,
    r.windowSize !== undefined ? el(AS, 'WindowSize', r.windowSize) : undefined,
    r.partial ? el(AS, 'Partial') : undefined,
  ]);
}
