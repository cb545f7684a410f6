import { child, childrenNamed, el, type WbxmlElement } from '../wbxml/tree.ts';
import { versionAtLeast, type ProtocolVersion } from '../version.ts';
import { compact, expectRoot, failWith, optBool, optInt, optText, reqText, type Fail } from './util.ts';

/** GetItemEstimate Status values (MS-ASCMD 2.2.3.177.7). */
export const GetItemEstimateStatus = {
  Success: 1,
  InvalidCollection: 2,
  /** SyncKey 0 or no Sync yet: the collection has no state to estimate against. */
  SyncStateNotPrimed: 3,
  InvalidSyncKey: 4,
} as const;

/** Per-class options of an estimate; 12.x sends Class/FilterType directly, which is read as one entry. */
export interface EstimateOptions {
  readonly class?: string;
  readonly filterType?: number;
  readonly maxItems?: number;
}

/** One collection to estimate (MS-ASCMD 2.2.3.29.1). */
export interface EstimateCollection {
  readonly collectionId: string;
  readonly syncKey?: string;
  readonly conversationMode?: boolean;
  readonly options: readonly EstimateOptions[];
}

/** A GetItemEstimate request (MS-ASCMD 2.2.1.9), with both version shapes folded into one. */
export interface GetItemEstimateRequest {
  readonly collections: readonly EstimateCollection[];
}

/** The estimate for one collection. */
export interface EstimateResult {
  readonly status: number;
  /** Written for 12.x only, where the response Collection carries Class. */
  readonly class?: string;
  readonly collectionId: string;
  readonly estimate?: number;
}

/** A GetItemEstimate response. */
export interface GetItemEstimateResponse {
  readonly results: readonly EstimateResult[];
}

const GIE = 'GetItemEstimate';
const AS = 'AirSync';

/**
 * 12.x: Class (GetItemEstimate), CollectionId, AirSync:FilterType and
 * AirSync:SyncKey as direct children. 14.0+: AirSync:SyncKey, CollectionId,
 * AirSync:ConversationMode and AirSync:Options (Class, FilterType,
 * MaxItems). Both are accepted at every version: clients mix them.
 */
function parseCollection(c: WbxmlElement, fail: Fail): EstimateCollection {
  const options: EstimateOptions[] = childrenNamed(c, 'Options', AS).map((o) =>
    compact({ class: optText(o, 'Class', AS, fail), filterType: optInt(o, 'FilterType', AS, fail), maxItems: optInt(o, 'MaxItems', AS, fail) }),
  );
  const legacyClass = optText(c, 'Class', GIE, fail);
  const legacyFilter = optInt(c, 'FilterType', AS, fail);
  if (legacyClass !== undefined || legacyFilter !== undefined) options.unshift(compact({ class: legacyClass, filterType: legacyFilter }));
  for (const o of options) if (o.filterType !== undefined && (o.filterType < 0 || o.filterType > 8)) fail('FilterType is not 0..8');
  return compact({
    collectionId: reqText(c, 'CollectionId', GIE, fail),
    syncKey: optText(c, 'SyncKey', AS, fail),
    conversationMode: optBool(c, 'ConversationMode', AS, fail),
    options,
  });
}

/**
 * Parses a GetItemEstimate request. The command has no protocol-error
 * status; a malformed collection list is Status 2 (invalid collection).
 */
export function parseGetItemEstimateRequest(root: WbxmlElement | undefined, _version: ProtocolVersion): GetItemEstimateRequest {
  const fail = failWith('GetItemEstimate', GetItemEstimateStatus.InvalidCollection);
  const r = expectRoot(root, GIE, 'GetItemEstimate', fail);
  const cols = child(r, 'Collections', GIE) ?? fail('Collections is missing');
  const collections = childrenNamed(cols, 'Collection', GIE).map((c) => parseCollection(c, fail));
  if (collections.length === 0) fail('no Collection');
  return { collections };
}

/**
 * Builds a GetItemEstimate response (MS-ASCMD 2.2.1.9): one Response
 * { Status, Collection { Class (12.x), CollectionId, Estimate } } per
 * collection. Estimate is omitted when the status is not success.
 */
export function buildGetItemEstimateResponse(res: GetItemEstimateResponse, version: ProtocolVersion): WbxmlElement {
  const legacy = !versionAtLeast(version, '14.0');
  return el(
    GIE,
    'GetItemEstimate',
    res.results.map((r) =>
      el(GIE, 'Response', [
        el(GIE, 'Status', r.status),
        el(GIE, 'Collection', [
          legacy && r.class !== undefined ? el(GIE, 'Class', r.class) : undefined,
          el(GIE, 'CollectionId', r.collectionId),
          r.estimate !== undefined ? el(GIE, 'Estimate', r.estimate) : undefined,
        ]),
      ]),
    ),
  );
}
