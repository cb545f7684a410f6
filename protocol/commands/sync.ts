import { child, childrenNamed, type WbxmlElement } from '../wbxml/tree.ts';
import type { ProtocolVersion } from '../version.ts';
import { parseBodyPreferences, type BodyPreference } from './body-preference.ts';
import { compact, expectRoot, failWith, optBool, optInt, optText, reqText, type Fail } from './util.ts';

export { buildSyncResponse } from './sync-response.ts';
export { buildSyncRequest } from './sync-request-build.ts';
/** Response types live beside their builder. */
export type * from './sync-response.ts';

/** Sync Status values (MS-ASCMD 2.2.3.177.17). */
export const SyncStatus = {
  Success: 1,
  InvalidSyncKey: 3,
  ProtocolError: 4,
  ServerError: 5,
  ConversionError: 6,
  Conflict: 7,
  ObjectNotFound: 8,
  MailboxFull: 9,
  FolderHierarchyChanged: 12,
  /** Empty or partial Sync with no cached request to fill it from; client resends the full request. */
  IncompleteRequest: 13,
  /** Wait or HeartbeatInterval out of bounds; the response carries Limit. */
  InvalidWaitOrHeartbeat: 14,
  TooManyCollections: 15,
  Retry: 16,
} as const;

/** FilterType values (MS-ASCMD 2.2.3.68.2): 0 all, 1..5 one day..one month back, 6 three months, 7 six months, 8 incomplete tasks. */
export const FilterType = {
  All: 0,
  OneDay: 1,
  ThreeDays: 2,
  OneWeek: 3,
  TwoWeeks: 4,
  OneMonth: 5,
  ThreeMonths: 6,
  SixMonths: 7,
  IncompleteTasks: 8,
} as const;

/** Options of one collection (MS-ASCMD 2.2.3.125.6); a collection may carry several, one per Class (e.g. Email and SMS). */
export interface SyncOptions {
  /** 14.0+: which class these options apply to ("Email", "SMS"); absent = the folder's own class. */
  readonly class?: string;
  readonly filterType?: number;
  readonly bodyPreferences: readonly BodyPreference[];
  readonly bodyPartPreferences: readonly BodyPreference[];
  /** 0 never, 1 S/MIME only, 2 always MIME (MS-ASCMD 2.2.3.110.3). */
  readonly mimeSupport?: number;
  /** 0..8 truncation step for MIME (MS-ASCMD 2.2.3.111). */
  readonly mimeTruncation?: number;
  /** 2.5 AirSync:Truncation 0..9 (MS-ASCMD 2.2.3.185). */
  readonly truncation?: number;
  /** 2.5 AirSync:RTFTruncation. */
  readonly rtfTruncation?: number;
  /** 0 client wins, 1 server wins (MS-ASCMD 2.2.3.34). */
  readonly conflict?: number;
  readonly maxItems?: number;
  readonly rightsManagementSupport?: boolean;
}

/** An element named in `<Supported>` (ghosted properties, MS-ASCMD 2.2.3.179). */
export interface SupportedElement {
  readonly ns: string;
  readonly name: string;
}

/**
 * A client operation inside `<Commands>` (MS-ASCMD 2.2.3.32), kept in
 * document order. ApplicationData stays a raw element: the class conversion
 * lives in protocol/types.
 */
export type SyncClientCommand =
  | { readonly kind: 'Add'; readonly class?: string; readonly clientId: string; readonly applicationData: WbxmlElement }
  | { readonly kind: 'Change'; readonly class?: string; readonly serverId: string; readonly applicationData: WbxmlElement }
  | { readonly kind: 'Delete'; readonly class?: string; readonly serverId: string }
  | { readonly kind: 'Fetch'; readonly serverId: string };

/** One `<Collection>` of a Sync request (MS-ASCMD 2.2.3.29.2). */
export interface SyncCollectionRequest {
  readonly syncKey: string;
  readonly collectionId: string;
  /** 2.5/12.x: the collection's class ("Email", "Calendar", "Contacts", "Tasks"). */
  readonly class?: string;
  readonly supported?: readonly SupportedElement[];
  readonly deletesAsMoves?: boolean;
  /** As sent; absent means "yes" except on SyncKey 0, which the handler decides. */
  readonly getChanges?: boolean;
  readonly windowSize?: number;
  readonly conversationMode?: boolean;
  readonly options: readonly SyncOptions[];
  readonly commands: readonly SyncClientCommand[];
}

/**
 * A parsed Sync request (MS-ASCMD 2.2.1.21). An absent body, or a `<Sync/>`
 * with no children, is `{ empty: true }`: the server reuses the device's
 * last request (MS-ASCMD 2.2.1.21.1.1) or answers Status 13.
 */
export type SyncRequest = { readonly empty: true } | SyncRequestBody;

/** A Sync request with a body (see `SyncRequest`). */
export interface SyncRequestBody {
  readonly empty: false;
  /** False when `<Collections>` is absent, as in a Wait-only partial request. */
  readonly collectionsPresent: boolean;
  readonly collections: readonly SyncCollectionRequest[];
  readonly partial: boolean;
  /** Minutes (1..59, range checked by the handler to answer Status 14 + Limit). */
  readonly wait?: number;
  /** Seconds (60..3540, idem). */
  readonly heartbeatInterval?: number;
  /** Global WindowSize (12.1+). */
  readonly windowSize?: number;
}

const AS = 'AirSync';
/** Long enough for any key we hand out, short enough to refuse garbage before it reaches a database query. */
const MAX_SYNC_KEY_LENGTH = 64;
const MAX_ID_LENGTH = 256;

function parseOptions(o: WbxmlElement, fail: Fail): SyncOptions {
  const filterType = optInt(o, 'FilterType', AS, fail);
  if (filterType !== undefined && (filterType < 0 || filterType > 8)) fail(`FilterType ${filterType} is not 0..8`);
  const mimeSupport = optInt(o, 'MIMESupport', AS, fail);
  if (mimeSupport !== undefined && (mimeSupport < 0 || mimeSupport > 2)) fail(`MIMESupport ${mimeSupport} is not 0..2`);
  const mimeTruncation = optInt(o, 'MIMETruncation', AS, fail);
  if (mimeTruncation !== undefined && (mimeTruncation < 0 || mimeTruncation > 8)) fail('MIMETruncation is not 0..8');
  const truncation = optInt(o, 'Truncation', AS, fail);
  if (truncation !== undefined && (truncation < 0 || truncation > 9)) fail('Truncation is not 0..9');
  const conflict = optInt(o, 'Conflict', AS, fail);
  if (conflict !== undefined && conflict !== 0 && conflict !== 1) fail('Conflict is not 0 or 1');
  return compact({
    class: optText(o, 'Class', AS, fail),
    filterType,
    bodyPreferences: parseBodyPreferences(o, 'BodyPreference', fail),
    bodyPartPreferences: parseBodyPreferences(o, 'BodyPartPreference', fail),
    mimeSupport,
    mimeTruncation,
    truncation,
    rtfTruncation: optInt(o, 'RTFTruncation', AS, fail),
    conflict,
    maxItems: optInt(o, 'MaxItems', AS, fail),
    rightsManagementSupport: optBool(o, 'RightsManagementSupport', 'RightsManagement', fail),
  });
}

function id(e: WbxmlElement, name: string, fail: Fail): string {
  const v = reqText(e, name, AS, fail);
  if (v.length > MAX_ID_LENGTH) fail(`${name} is too long`);
  return v;
}

function parseCommand(c: WbxmlElement, fail: Fail): SyncClientCommand {
  if (c.ns !== AS) return fail(`unexpected ${c.ns}:${c.name} in Commands`);
  const cls = optText(c, 'Class', AS, fail);
  const data = (): WbxmlElement => child(c, 'ApplicationData', AS) ?? fail(`${c.name} without ApplicationData`);
  switch (c.name) {
    case 'Add':
      return compact({ kind: 'Add' as const, class: cls, clientId: id(c, 'ClientId', fail), applicationData: data() });
    case 'Change':
      return compact({ kind: 'Change' as const, class: cls, serverId: id(c, 'ServerId', fail), applicationData: data() });
    case 'Delete':
      return compact({ kind: 'Delete' as const, class: cls, serverId: id(c, 'ServerId', fail) });
    case 'Fetch':
      return { kind: 'Fetch', serverId: id(c, 'ServerId', fail) };
    default:
      return fail(`unknown operation ${c.name} in Commands`);
  }
}

function parseCollection(c: WbxmlElement, fail: Fail): SyncCollectionRequest {
  const syncKey = reqText(c, 'SyncKey', AS, fail);
  if (syncKey.length > MAX_SYNC_KEY_LENGTH) fail('SyncKey is too long');
  const windowSize = optInt(c, 'WindowSize', AS, fail);
  if (windowSize !== undefined && windowSize < 0) fail('WindowSize is negative');
  const supported = child(c, 'Supported', AS);
  const commands = child(c, 'Commands', AS);
  return compact({
    syncKey,
    collectionId: id(c, 'CollectionId', fail),
    class: optText(c, 'Class', AS, fail),
    supported: supported ? (supported.children ?? []).map((s) => ({ ns: s.ns, name: s.name })) : undefined,
    deletesAsMoves: optBool(c, 'DeletesAsMoves', AS, fail),
    getChanges: optBool(c, 'GetChanges', AS, fail),
    windowSize,
    conversationMode: optBool(c, 'ConversationMode', AS, fail),
    options: childrenNamed(c, 'Options', AS).map((o) => parseOptions(o, fail)),
    commands: (commands?.children ?? []).map((x) => parseCommand(x, fail)),
  });
}

/**
 * Parses a Sync request (MS-ASCMD 2.2.1.21). Grammar errors throw
 * `CommandParseError` with Status 4 (protocol error), including Wait and
 * HeartbeatInterval together (MS-ASCMD 2.2.3.198: they are exclusive).
 */
export function parseSyncRequest(root: WbxmlElement | undefined, _version: ProtocolVersion): SyncRequest {
  if (!root) return { empty: true };
  const fail = failWith('Sync', SyncStatus.ProtocolError);
  expectRoot(root, AS, 'Sync', fail);
  if (!root.children || root.children.length === 0) return { empty: true };
  const collections = child(root, 'Collections', AS);
  const wait = optInt(root, 'Wait', AS, fail);
  const heartbeatInterval = optInt(root, 'HeartbeatInterval', AS, fail);
  if (wait !== undefined && heartbeatInterval !== undefined) fail('Wait and HeartbeatInterval are exclusive');
  const windowSize = optInt(root, 'WindowSize', AS, fail);
  if (windowSize !== undefined && windowSize < 0) fail('WindowSize is negative');
  return compact({
    empty: false as const,
    collectionsPresent: collections !== undefined,
    collections: collections ? childrenNamed(collections, 'Collection', AS).map((c) => parseCollection(c, fail)) : [],
    partial: optBool(root, 'Partial', AS, fail) ?? false,
    wait,
    heartbeatInterval,
    windowSize,
  });
}
