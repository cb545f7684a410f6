import { dateEl } from '../types/values.ts';
import { child, el, opt, textOf, type WbxmlElement } from '../wbxml/tree.ts';
import type { ProtocolVersion } from '../version.ts';
import { parseRange, type ByteRange } from './item-operations.ts';
import { compact, expectRoot, failWith, optInt, optText, reqText, texts, type Fail } from './util.ts';

/** Find Status values (MS-ASCMD 2.2.3.177.2); other failures use the common codes. */
export const FindStatus = { Success: 1, InvalidRequest: 2 } as const;

/** Find options (MS-ASCMD 2.2.3.125.1). */
export interface FindOptions {
  readonly range?: ByteRange;
  readonly deepTraversal: boolean;
  readonly picture?: { readonly maxSize?: number; readonly maxPictures?: number };
}

/** What to find: a mailbox search with class/folder/free text, or a GAL search by text (16.1, MS-ASCMD 2.2.1.2). */
export type FindCriterion =
  | { readonly kind: 'mailbox'; readonly freeText: string; readonly classes: readonly string[]; readonly collectionIds: readonly string[]; readonly options: FindOptions }
  | { readonly kind: 'gal'; readonly query: string; readonly options: FindOptions };

/** The Email properties of a mailbox hit (MS-ASCMD 2.2.3.139.1), in the order written. */
export interface FindEmailProperties {
  readonly subject?: string;
  readonly dateReceived?: Date;
  readonly displayTo?: string;
  readonly displayCc?: string;
  readonly displayBcc?: string;
  readonly importance?: number;
  readonly read?: boolean;
  readonly isDraft?: boolean;
  /** Up to 255 characters of the text body (MS-ASCMD 2.2.3.137). */
  readonly preview?: string;
  readonly hasAttachments?: boolean;
  readonly from?: string;
}

/** A Find request. */
export interface FindRequest {
  readonly searchId: string;
  readonly criterion: FindCriterion;
}

/** One hit: class, ServerId, CollectionId and class properties (Email:Subject, Find:Preview, ...). */
export interface FindResult {
  readonly class?: string;
  readonly serverId?: string;
  readonly collectionId?: string;
  readonly properties: readonly WbxmlElement[];
}

/** A Find response; the Response part is sent with global Status 1 only. */
export interface FindResponse {
  readonly status: number;
  readonly response?: { readonly status: number; readonly results: readonly FindResult[]; readonly range?: ByteRange; readonly total?: number };
}

const F = 'Find';

function parseOptions(o: WbxmlElement | undefined, fail: Fail): FindOptions {
  if (!o) return { deepTraversal: false };
  const range = optText(o, 'Range', F, fail);
  const pic = child(o, 'Picture', F);
  return compact({
    range: range !== undefined ? parseRange(range, fail) : undefined,
    deepTraversal: child(o, 'DeepTraversal', F) !== undefined,
    picture: pic ? compact({ maxSize: optInt(pic, 'MaxSize', F, fail), maxPictures: optInt(pic, 'MaxPictures', F, fail) }) : undefined,
  });
}

/** Parses a Find request; grammar errors are Status 2. */
export function parseFindRequest(root: WbxmlElement | undefined, _version: ProtocolVersion): FindRequest {
  const fail = failWith('Find', FindStatus.InvalidRequest);
  const r = expectRoot(root, F, 'Find', fail);
  const searchId = reqText(r, 'SearchId', F, fail);
  const exec = child(r, 'ExecuteSearch', F) ?? fail('ExecuteSearch is missing');
  const mb = child(exec, 'MailBoxSearchCriterion', F);
  // MS-ASCMD 2.2.3.82 spells it GALSearchCriterion, but the token table (MS-ASWBXML 2.1.2.1.26,
  // 0x19) names it GalSearchCriterion, and the token is what travels: the decoder gives that name.
  const gal = child(exec, 'GalSearchCriterion', F);
  let criterion: FindCriterion;
  if (mb) {
    const q = child(mb, 'Query', F) ?? fail('Query is missing');
    criterion = {
      kind: 'mailbox',
      freeText: reqText(q, 'FreeText', F, fail),
      classes: texts(q, 'Class', 'AirSync', fail),
      collectionIds: texts(q, 'CollectionId', 'AirSync', fail),
      options: parseOptions(child(mb, 'Options', F), fail),
    };
  } else if (gal) {
    const q = child(gal, 'Query', F) ?? fail('Query is missing');
    // The GAL query is text; some clients wrap it in FreeText like the mailbox form.
    const text = q.children?.length ? reqText(q, 'FreeText', F, fail) : (textOf(q) ?? '');
    if (text.trim() === '') fail('Query is empty');
    criterion = { kind: 'gal', query: text, options: parseOptions(child(gal, 'Options', F), fail) };
  } else {
    return fail('ExecuteSearch without a criterion');
  }
  return { searchId, criterion };
}

/** The find:Properties children of a mailbox hit (MS-ASCMD 2.2.3.139.1). */
export function buildFindEmailProperties(p: FindEmailProperties): WbxmlElement[] {
  const out = [
    opt('Email', 'Subject', p.subject),
    dateEl('Email', 'DateReceived', p.dateReceived),
    opt('Email', 'DisplayTo', p.displayTo),
    opt(F, 'DisplayCc', p.displayCc),
    opt(F, 'DisplayBcc', p.displayBcc),
    opt('Email', 'Importance', p.importance),
    opt('Email', 'Read', p.read),
    opt('Email2', 'IsDraft', p.isDraft),
    opt(F, 'Preview', p.preview),
    opt(F, 'HasAttachments', p.hasAttachments),
    opt('Email', 'From', p.from),
  ];
  return out.filter((x): x is WbxmlElement => !!x);
}

/** Builds a Find response (MS-ASCMD 2.2.1.2): Status, Response { Store, Status, Result*, Range, Total }; Result { Class, ServerId, CollectionId, Properties }. */
export function buildFindResponse(res: FindResponse, _version: ProtocolVersion): WbxmlElement {
  const r = res.response;
  return el(F, 'Find', [
    el(F, 'Status', res.status),
    r
      ? el(F, 'Response', [
          // The store searched; MS-ASCMD 2.2.3.153.2 and the Find schema put it first, and iOS 16 expects it.
          el('ItemOperations', 'Store', 'Mailbox'),
          el(F, 'Status', r.status),
          ...r.results.map((x) =>
            el(F, 'Result', [
              x.class !== undefined ? el('AirSync', 'Class', x.class) : undefined,
              x.serverId !== undefined ? el('AirSync', 'ServerId', x.serverId) : undefined,
              x.collectionId !== undefined ? el('AirSync', 'CollectionId', x.collectionId) : undefined,
              x.properties.length ? el(F, 'Properties', [...x.properties]) : undefined,
            ]),
          ),
          r.range ? el(F, 'Range', `${r.range.start}-${r.range.end}`) : undefined,
          r.total !== undefined ? el(F, 'Total', r.total) : undefined,
        ])
      : undefined,
  ]);
}
