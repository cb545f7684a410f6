import { el, type EncodedElement, type WbxmlElement } from '../wbxml/tree.ts';
import { versionAtLeast, type ProtocolVersion } from '../version.ts';

/**
 * A server change inside `<Commands>` of a Sync response (MS-ASCMD 2.2.3.32).
 * `applicationData` is the list of class elements (Email:Subject, ...) that
 * protocol/types produced; the builder wraps them in ApplicationData. An Add
 * may instead carry its whole ApplicationData element already encoded
 * (`encodeElement`), as the sync engine's item workers build it.
 */
export type SyncServerCommand =
  | { readonly kind: 'Add'; readonly class?: string; readonly serverId: string; readonly applicationData: readonly WbxmlElement[] | EncodedElement }
  | { readonly kind: 'Change'; readonly class?: string; readonly serverId: string; readonly applicationData: readonly WbxmlElement[] }
  | { readonly kind: 'Delete'; readonly class?: string; readonly serverId: string }
  | { readonly kind: 'SoftDelete'; readonly serverId: string };

/**
 * The answer to one client operation inside `<Responses>` (MS-ASCMD
 * 2.2.3.154). `applicationData` on Add/Change is sent from 16.0 only (server
 * assigned attachment references, MS-ASCMD 2.2.3.11).
 */
export type SyncItemResponse =
  | {
      readonly kind: 'Add';
      readonly class?: string;
      readonly clientId: string;
      readonly serverId?: string;
      readonly status: number;
      readonly applicationData?: readonly WbxmlElement[];
    }
  | {
      readonly kind: 'Change';
      readonly class?: string;
      readonly serverId: string;
      readonly status: number;
      readonly applicationData?: readonly WbxmlElement[];
    }
  | { readonly kind: 'Delete'; readonly class?: string; readonly serverId: string; readonly status: number }
  | { readonly kind: 'Fetch'; readonly serverId: string; readonly status: number; readonly applicationData?: readonly WbxmlElement[] };

/** One `<Collection>` of a Sync response (MS-ASCMD 2.2.3.29.2). */
export interface SyncCollectionResponse {
  /** Collection-level Class; written for 2.5, 12.0 and 12.1 only, where it is part of the grammar. */
  readonly class?: string;
  readonly syncKey: string;
  readonly collectionId: string;
  readonly status: number;
  readonly moreAvailable?: boolean;
  readonly commands?: readonly SyncServerCommand[];
  readonly responses?: readonly SyncItemResponse[];
}

/**
 * A Sync response. A failed request is `{ status }` (plus `limit` for
 * Status 14); a successful one lists collections. An empty object builds
 * `<Sync/>`, which is not a valid answer: the server answers "no changes"
 * to a hanging Sync with an empty HTTP 200 instead.
 */
export interface SyncResponse {
  readonly status?: number;
  /** With Status 14: the allowed Wait (minutes) or HeartbeatInterval (seconds) bound (MS-ASCMD 2.2.3.97). */
  readonly limit?: number;
  readonly collections?: readonly SyncCollectionResponse[];
}

const AS = 'AirSync';
const as = (name: string, content?: Parameters<typeof el>[2]): WbxmlElement => el(AS, name, content);

/** Item-level Class is a 14.0+ element (SMS in Email folders, MS-ASCMD 2.2.3.27.6); collection-level Class is the older form. */
function itemClass(cls: string | undefined, version: ProtocolVersion): WbxmlElement | undefined {
  return cls !== undefined && versionAtLeast(version, '14.0') ? as('Class', cls) : undefined;
}

function applicationData(data: readonly WbxmlElement[] | EncodedElement): WbxmlElement {
  if (!Array.isArray(data)) return { ns: AS, name: 'ApplicationData', encoded: data as EncodedElement };
  // Built by hand so that an item with no properties still carries the element.
  return data.length ? { ns: AS, name: 'ApplicationData', children: [...data] } : { ns: AS, name: 'ApplicationData' };
}

function buildCommand(c: SyncServerCommand, version: ProtocolVersion): WbxmlElement {
  switch (c.kind) {
    case 'Add':
    case 'Change':
      return as(c.kind, [itemClass(c.class, version), as('ServerId', c.serverId), applicationData(c.applicationData)]);
    case 'Delete':
      return as('Delete', [itemClass(c.class, version), as('ServerId', c.serverId)]);
    case 'SoftDelete':
      return as('SoftDelete', [as('ServerId', c.serverId)]);
  }
}

function buildItemResponse(r: SyncItemResponse, version: ProtocolVersion): WbxmlElement {
  const data16 = (d: readonly WbxmlElement[] | undefined): WbxmlElement | undefined =>
    d && versionAtLeast(version, '16.0') ? applicationData(d) : undefined;
  switch (r.kind) {
    case 'Add':
      return as('Add', [
        itemClass(r.class, version),
        as('ClientId', r.clientId),
        r.serverId !== undefined ? as('ServerId', r.serverId) : undefined,
        as('Status', r.status),
        data16(r.applicationData),
      ]);
    case 'Change':
      return as('Change', [itemClass(r.class, version), as('ServerId', r.serverId), as('Status', r.status), data16(r.applicationData)]);
    case 'Delete':
      return as('Delete', [itemClass(r.class, version), as('ServerId', r.serverId), as('Status', r.status)]);
    case 'Fetch':
      return as('Fetch', [
        as('ServerId', r.serverId),
        as('Status', r.status),
        r.applicationData ? applicationData(r.applicationData) : undefined,
      ]);
  }
}

function buildCollection(c: SyncCollectionResponse, version: ProtocolVersion): WbxmlElement {
  return as('Collection', [
    c.class !== undefined && !versionAtLeast(version, '14.0') ? as('Class', c.class) : undefined,
    as('SyncKey', c.syncKey),
    as('CollectionId', c.collectionId),
    as('Status', c.status),
    c.moreAvailable ? as('MoreAvailable') : undefined,
    c.commands?.length ? as('Commands', c.commands.map((x) => buildCommand(x, version))) : undefined,
    c.responses?.length ? as('Responses', c.responses.map((x) => buildItemResponse(x, version))) : undefined,
  ]);
}

/**
 * Builds a Sync response (MS-ASCMD 2.2.1.21) in the element order of
 * MS-ASCMD 2.2.3.29.2: Class (before 14.0), SyncKey, CollectionId, Status,
 * MoreAvailable, Commands, Responses. Top level: Status, then Limit or
 * Collections (exclusive per MS-ASCMD 2.2.3.180).
 */
export function buildSyncResponse(res: SyncResponse, version: ProtocolVersion): WbxmlElement {
  return as('Sync', [
    res.status !== undefined ? as('Status', res.status) : undefined,
    // Limit (and Status 14) arrived with Wait in 12.1.
    res.limit !== undefined && versionAtLeast(version, '12.1') ? as('Limit', res.limit) : undefined,
    res.limit === undefined && res.collections?.length
      ? as('Collections', res.collections.map((c) => buildCollection(c, version)))
      : undefined,
  ]);
}
