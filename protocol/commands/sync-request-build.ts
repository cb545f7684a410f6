import { el, type WbxmlElement } from '../wbxml/tree.ts';
import { versionAtLeast, type ProtocolVersion } from '../version.ts';
import { buildBodyPreference } from './body-preference.ts';
import type { SyncClientCommand, SyncCollectionRequest, SyncOptions, SyncRequest } from './sync.ts';

/**
 * The client side of Sync: typed request -> element tree, for the replay
 * tool, test clients and round-trip tests. Collection children follow the
 * strict request order of MS-ASCMD 2.2.3.29.2 (SyncKey, CollectionId,
 * Supported, DeletesAsMoves, GetChanges, WindowSize, ConversationMode,
 * Options, Commands), with Class first where 2.5/12.x put it.
 */
const AS = 'AirSync';
const as = (name: string, c?: Parameters<typeof el>[2]): WbxmlElement => el(AS, name, c);
const flag = (name: string, v: boolean | undefined): WbxmlElement | undefined => (v === undefined ? undefined : as(name, v));
const num = (name: string, v: number | undefined): WbxmlElement | undefined => (v === undefined ? undefined : as(name, v));

function buildOptions(o: SyncOptions, version: ProtocolVersion): WbxmlElement {
  return as('Options', [
    o.class !== undefined && versionAtLeast(version, '14.0') ? as('Class', o.class) : undefined,
    num('FilterType', o.filterType),
    ...o.bodyPreferences.map((p) => buildBodyPreference(p, 'BodyPreference')),
    ...o.bodyPartPreferences.map((p) => buildBodyPreference(p, 'BodyPartPreference')),
    num('Conflict', o.conflict),
    num('MIMESupport', o.mimeSupport),
    num('MIMETruncation', o.mimeTruncation),
    num('Truncation', o.truncation),
    num('RTFTruncation', o.rtfTruncation),
    num('MaxItems', o.maxItems),
    o.rightsManagementSupport !== undefined ? el('RightsManagement', 'RightsManagementSupport', o.rightsManagementSupport) : undefined,
  ]);
}

function buildCommand(c: SyncClientCommand): WbxmlElement {
  switch (c.kind) {
    case 'Add':
      return as('Add', [c.class !== undefined ? as('Class', c.class) : undefined, as('ClientId', c.clientId), c.applicationData]);
    case 'Change':
      return as('Change', [c.class !== undefined ? as('Class', c.class) : undefined, as('ServerId', c.serverId), c.applicationData]);
    case 'Delete':
      return as('Delete', [c.class !== undefined ? as('Class', c.class) : undefined, as('ServerId', c.serverId)]);
    case 'Fetch':
      return as('Fetch', [as('ServerId', c.serverId)]);
  }
}

function buildCollection(c: SyncCollectionRequest, version: ProtocolVersion): WbxmlElement {
  return as('Collection', [
    c.class !== undefined && !versionAtLeast(version, '14.0') ? as('Class', c.class) : undefined,
    as('SyncKey', c.syncKey),
    as('CollectionId', c.collectionId),
    c.supported ? as('Supported', c.supported.map((s) => el(s.ns, s.name))) : undefined,
    flag('DeletesAsMoves', c.deletesAsMoves),
    flag('GetChanges', c.getChanges),
    num('WindowSize', c.windowSize),
    flag('ConversationMode', c.conversationMode),
    ...c.options.map((o) => buildOptions(o, version)),
    c.commands.length ? as('Commands', c.commands.map(buildCommand)) : undefined,
  ]);
}

/** Builds a Sync request tree (MS-ASCMD 2.2.1.21); the empty request is `undefined` (no body). */
export function buildSyncRequest(req: SyncRequest, version: ProtocolVersion): WbxmlElement | undefined {
  if (req.empty) return undefined;
  return as('Sync', [
    req.collectionsPresent ? as('Collections', req.collections.map((c) => buildCollection(c, version))) : undefined,
    num('Wait', req.wait),
    num('HeartbeatInterval', req.heartbeatInterval),
    num('WindowSize', req.windowSize),
    req.partial ? as('Partial', true) : undefined,
  ]);
}
