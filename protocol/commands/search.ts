import { child, childrenNamed, el, textOf, type WbxmlElement } from '../wbxml/tree.ts';
import { versionAtLeast, type ProtocolVersion } from '../version.ts';
import { parseBodyPreferences, type BodyPreference } from './body-preference.ts';
import { parseRange, type ByteRange } from './item-operations.ts';
import { compact, expectRoot, failWith, optBool, optInt, optText, reqText, texts, type Fail } from './util.ts';

/** Search Status values (MS-ASCMD 2.2.3.177.13), for the command and for the Store. */
export const SearchStatus = {
  Success: 1,
  InvalidRequest: 2,
  ServerError: 3,
  BadLink: 4,
  AccessDenied: 5,
  NotFound: 6,
  ConnectionFailed: 7,
  TooComplex: 8,
  TimedOut: 10,
  FolderSyncRequired: 11,
  EndOfRange: 12,
  AccessBlocked: 13,
  CredentialsRequired: 14,
} as const;

/** Store names (MS-ASCMD 2.2.3.110.2). */
export const SearchStore = { Mailbox: 'Mailbox', Gal: 'GAL', DocumentLibrary: 'Document Library' } as const;

/**
 * What to search for. GAL and Document Library queries are a string; a
 * Mailbox query is an And of Class/CollectionId/FreeText/date conditions
 * (MS-ASCMD 2.2.3.138.2), flattened here. `raw` keeps the element for
 * anything the flat view does not cover.
 */
export type SearchQuery =
  | { readonly kind: 'text'; readonly text: string }
  | {
      readonly kind: 'mailbox';
      readonly freeText?: string;
      readonly classes: readonly string[];
      readonly collectionIds: readonly string[];
      readonly conversationId?: Uint8Array;
      /** email:DateReceived lower bound from GreaterThan (EAS date-time string). */
      readonly receivedAfter?: string;
      /** email:DateReceived upper bound from LessThan. */
      readonly receivedBefore?: string;
      readonly raw: WbxmlElement;
    };

/** Search options (MS-ASCMD 2.2.3.125.5). */
export interface SearchOptions {
  readonly range?: ByteRange;
  readonly userName?: string;
  readonly password?: string;
  readonly deepTraversal: boolean;
  readonly rebuildResults: boolean;
  readonly bodyPreferences: readonly BodyPreference[];
  readonly bodyPartPreferences: readonly BodyPreference[];
  readonly rightsManagementSupport?: boolean;
  /** 14.1 GAL photos: limits (MS-ASCMD 2.2.3.135.2). */
  readonly picture?: { readonly maxSize?: number; readonly maxPictures?: number };
}

/** A Search request (MS-ASCMD 2.2.1.16). */
export interface SearchRequest {
  readonly store: string;
  readonly query: SearchQuery;
  readonly options: SearchOptions;
}

/** One hit. Mailbox hits carry ids and class elements; GAL hits carry gal:* properties (see `buildGalProperties`). */
export interface SearchResult {
  readonly class?: string;
  readonly longId?: string;
  readonly collectionId?: string;
  readonly properties: readonly WbxmlElement[];
}

/** A Search response; the store part is sent with global Status 1 only. */
export interface SearchResponse {
  readonly status: number;
  readonly store?: {
    /** The searched store's name; a Mailbox store with no hits gets an empty Result (MS-ASCMD 2.2.3.155.3). */
    readonly name?: string;
    readonly status: number;
    readonly results: readonly SearchResult[];
    readonly range?: ByteRange;
    readonly total?: number;
  };
}

/** A GAL entry (MS-ASCMD 2.2.3.110.1 Properties, GAL code page). */
export interface GalEntry {
  readonly displayName?: string;
  readonly phone?: string;
  readonly office?: string;
  readonly title?: string;
  readonly company?: string;
  readonly alias?: string;
  readonly firstName?: string;
  readonly lastName?: string;
  readonly homePhone?: string;
  readonly mobilePhone?: string;
  readonly emailAddress?: string;
  /** 14.1+: status 1 with data, or 173/174/175 (MS-ASCMD 2.2.2). */
  readonly picture?: { readonly status: number; readonly data?: Uint8Array };
}

const SE = 'Search';

function parseMailboxQuery(q: WbxmlElement, fail: Fail): SearchQuery {
  const and = child(q, 'And', SE) ?? q;
  const gt = child(and, 'GreaterThan', SE);
  const lt = child(and, 'LessThan', SE);
  const conv = child(and, 'ConversationId', SE);
  return compact({
    kind: 'mailbox' as const,
    freeText: optText(and, 'FreeText', SE, fail),
    classes: texts(and, 'Class', 'AirSync', fail),
    collectionIds: texts(and, 'CollectionId', 'AirSync', fail),
    conversationId: conv ? (conv.opaque ?? new TextEncoder().encode(textOf(conv) ?? '')) : undefined,
    receivedAfter: gt ? reqText(gt, 'Value', SE, fail) : undefined,
    receivedBefore: lt ? reqText(lt, 'Value', SE, fail) : undefined,
    raw: q,
  });
}

function parseOptions(o: WbxmlElement | undefined, fail: Fail): SearchOptions {
  if (!o) return { deepTraversal: false, rebuildResults: false, bodyPreferences: [], bodyPartPreferences: [] };
  const range = optText(o, 'Range', SE, fail);
  const pic = child(o, 'Picture', SE);
  return compact({
    range: range !== undefined ? parseRange(range, fail) : undefined,
    userName: optText(o, 'UserName', SE, fail),
    password: optText(o, 'Password', SE, fail),
    deepTraversal: child(o, 'DeepTraversal', SE) !== undefined,
    rebuildResults: child(o, 'RebuildResults', SE) !== undefined,
    bodyPreferences: parseBodyPreferences(o, 'BodyPreference', fail),
    bodyPartPreferences: parseBodyPreferences(o, 'BodyPartPreference', fail),
    rightsManagementSupport: optBool(o, 'RightsManagementSupport', 'RightsManagement', fail),
    picture: pic ? compact({ maxSize: optInt(pic, 'MaxSize', SE, fail), maxPictures: optInt(pic, 'MaxPictures', SE, fail) }) : undefined,
  });
}

/** Parses a Search request; grammar errors are Status 2. The store name is kept as sent: an unknown store is the handler's Status. */
export function parseSearchRequest(root: WbxmlElement | undefined, _version: ProtocolVersion): SearchRequest {
  const fail = failWith('Search', SearchStatus.InvalidRequest);
  const r = expectRoot(root, SE, 'Search', fail);
  const store = child(r, 'Store', SE) ?? fail('Store is missing');
  const name = reqText(store, 'Name', SE, fail);
  const q = child(store, 'Query', SE) ?? fail('Query is missing');
  let query: SearchQuery;
  if (q.children?.length) query = parseMailboxQuery(q, fail);
  else {
    const text = textOf(q) ?? '';
    if (text.trim() === '') fail('Query is empty');
    query = { kind: 'text', text };
  }
  return { store: name, query, options: parseOptions(child(store, 'Options', SE), fail) };
}

/** Builds the gal:* Properties of one GAL hit, in MS-ASCMD 2.2.3.110.1 order; Picture only from 14.1. */
export function buildGalProperties(g: GalEntry, version: ProtocolVersion): WbxmlElement[] {
  const G = 'GAL';
  const pairs: [string, string | undefined][] = [
    ['DisplayName', g.displayName],
    ['Phone', g.phone],
    ['Office', g.office],
    ['Title', g.title],
    ['Company', g.company],
    ['Alias', g.alias],
    ['FirstName', g.firstName],
    ['LastName', g.lastName],
    ['HomePhone', g.homePhone],
    ['MobilePhone', g.mobilePhone],
    ['EmailAddress', g.emailAddress],
  ];
  const out = pairs.filter(([, v]) => v !== undefined).map(([n, v]) => el(G, n, v));
  if (g.picture && versionAtLeast(version, '14.1')) {
    out.push(el(G, 'Picture', [el(G, 'Status', g.picture.status), g.picture.data ? el(G, 'Data', Buffer.from(g.picture.data).toString('base64')) : undefined]));
  }
  return out;
}

/**
 * Builds a Search response (MS-ASCMD 2.2.1.16): Status, Response/Store
 * { Status, Result*, Range, Total }; each Result { Class, LongId,
 * CollectionId, Properties }. A Mailbox store with no hits gets one empty
 * Result, a GAL store none (MS-ASCMD 2.2.3.155.3).
 */
export function buildSearchResponse(res: SearchResponse, _version: ProtocolVersion): WbxmlElement {
  const s = res.store;
  return el(SE, 'Search', [
    el(SE, 'Status', res.status),
    s
      ? el(SE, 'Response', [
          el(SE, 'Store', [
            el(SE, 'Status', s.status),
            ...(s.results.length === 0
              ? s.name === SearchStore.Mailbox
                ? [el(SE, 'Result')]
                : []
              : s.results.map((x) =>
                  el(SE, 'Result', [
                    x.class !== undefined ? el('AirSync', 'Class', x.class) : undefined,
                    x.longId !== undefined ? el(SE, 'LongId', x.longId) : undefined,
                    x.collectionId !== undefined ? el('AirSync', 'CollectionId', x.collectionId) : undefined,
                    x.properties.length ? el(SE, 'Properties', [...x.properties]) : undefined,
                  ]),
                )),
            s.range ? el(SE, 'Range', `${s.range.start}-${s.range.end}`) : undefined,
            s.total !== undefined ? el(SE, 'Total', s.total) : undefined,
          ]),
        ])
      : undefined,
  ]);
}
