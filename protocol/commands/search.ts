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
 * Mailbox query a tree of conditions (MS-ASCMD 2.2.3.138.2) as sent.
 */
export type SearchQuery =
  | { readonly kind: 'text'; readonly text: string }
  | { readonly kind: 'mailbox'; readonly condition: MailboxCondition; readonly raw: WbxmlElement };

/** The header an EqualTo condition names (an extension, see `condition`). */
export type MailboxField = 'from' | 'to' | 'cc' | 'subject';

/**
 * One node of a Mailbox query (MS-ASCMD 2.2.3.142.2). Class, CollectionId
 * and ConversationId say where to look; FreeText, EqualTo and the
 * DateReceived comparisons what to match; `unknown` keeps an element the
 * grammar does not allow there, for the handler's Status 2.
 */
export type MailboxCondition =
  | { readonly kind: 'and' | 'or'; readonly children: readonly MailboxCondition[] }
  | { readonly kind: 'freeText'; readonly text: string }
  | { readonly kind: 'equalTo'; readonly field: MailboxField; readonly text: string }
  | { readonly kind: 'class'; readonly value: string }
  | { readonly kind: 'collectionId'; readonly value: string }
  | { readonly kind: 'conversationId'; readonly value: Uint8Array }
  | { readonly kind: 'receivedAfter' | 'receivedBefore'; readonly value: string }
  | { readonly kind: 'unknown'; readonly name: string };

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

/** GreaterThan / LessThan hold email:DateReceived and a Value (MS-ASCMD 2.2.3.86, 2.2.3.96); nothing else is comparable. */
function comparison(e: WbxmlElement, kind: 'receivedAfter' | 'receivedBefore', fail: Fail): MailboxCondition {
  if (!child(e, 'DateReceived', 'Email')) return { kind: 'unknown', name: `${e.name} without email:DateReceived` };
  return { kind, value: reqText(e, 'Value', SE, fail) };
}

const EQUAL_TO_FIELDS: Readonly<Record<string, MailboxField>> = { From: 'from', To: 'to', Cc: 'cc', Subject: 'subject' };

/**
 * EqualTo names a property and a Value (MS-ASCMD 2.2.3.61). The spec uses
 * it for Document Library links only; here email:From, To, Cc or Subject
 * with a Value searches that header for the text (a substring, as IMAP
 * SEARCH does), so that clients and tools can narrow a search by sender.
 */
function equalTo(e: WbxmlElement, fail: Fail): MailboxCondition {
  const prop = (e.children ?? []).find((c) => c.ns === 'Email' && c.name in EQUAL_TO_FIELDS);
  if (!prop) return { kind: 'unknown', name: 'EqualTo without email:From, To, Cc or Subject' };
  return { kind: 'equalTo', field: EQUAL_TO_FIELDS[prop.name]!, text: reqText(e, 'Value', SE, fail) };
}

function condition(e: WbxmlElement, fail: Fail): MailboxCondition {
  const key = `${e.ns}:${e.name}`;
  switch (key) {
    case 'Search:And':
    case 'Search:Or':
      return { kind: e.name === 'And' ? 'and' : 'or', children: (e.children ?? []).map((c) => condition(c, fail)) };
    case 'Search:FreeText':
      return { kind: 'freeText', text: textOf(e) ?? '' };
    case 'Search:EqualTo':
      return equalTo(e, fail);
    case 'AirSync:Class':
      return { kind: 'class', value: textOf(e) ?? '' };
    case 'AirSync:CollectionId':
      return { kind: 'collectionId', value: textOf(e) ?? '' };
    case 'Search:ConversationId':
      return { kind: 'conversationId', value: e.opaque ?? new TextEncoder().encode(textOf(e) ?? '') };
    case 'Search:GreaterThan':
      return comparison(e, 'receivedAfter', fail);
    case 'Search:LessThan':
      return comparison(e, 'receivedBefore', fail);
    default:
      return { kind: 'unknown', name: key };
  }
}

function parseMailboxQuery(q: WbxmlElement, fail: Fail): SearchQuery {
  const top = (q.children ?? []).map((c) => condition(c, fail));
  return { kind: 'mailbox', condition: top.length === 1 ? top[0]! : { kind: 'and', children: top }, raw: q };
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
