/**
 * The client side of a mailbox search as phones send it: Search with
 * Store Mailbox (MS-ASCMD 2.2.1.16; iOS "search all mailboxes", older
 * Outlook) and Find (2.2.1.2, 16.1; Outlook mobile, iOS 16+). Request trees
 * and plain readings of the answers, for the tests, the benchmark and the CLI.
 */
import { child, childNumber, childrenNamed, childText, el, type WbxmlElement } from '../../protocol/wbxml/tree.ts';

const SE = 'Search';
const F = 'Find';
const AS = 'AirSync';

/** Search query conditions (MS-ASCMD 2.2.3.138.2). */
export const searchCondition = {
  freeText: (text: string): WbxmlElement => el(SE, 'FreeText', text),
  /** email:From/To/Cc/Subject contains `value` (this server's EqualTo on a header). */
  header: (field: 'From' | 'To' | 'Cc' | 'Subject', value: string): WbxmlElement => el(SE, 'EqualTo', [el('Email', field), el(SE, 'Value', value)]),
  receivedAfter: (iso: string): WbxmlElement => el(SE, 'GreaterThan', [el('Email', 'DateReceived'), el(SE, 'Value', iso)]),
  receivedBefore: (iso: string): WbxmlElement => el(SE, 'LessThan', [el('Email', 'DateReceived'), el(SE, 'Value', iso)]),
  collection: (id: string): WbxmlElement => el(AS, 'CollectionId', id),
  emailClass: (): WbxmlElement => el(AS, 'Class', 'Email'),
  and: (children: WbxmlElement[]): WbxmlElement => el(SE, 'And', children),
  or: (children: WbxmlElement[]): WbxmlElement => el(SE, 'Or', children),
};

export interface MailboxSearchOptions {
  readonly range?: string;
  readonly deepTraversal?: boolean;
  readonly rebuildResults?: boolean;
  readonly bodyPreference?: { readonly type: number; readonly truncationSize?: number };
}

/** A Search of the mailbox: the conditions go inside one And, as iOS sends them (Class, CollectionId, FreeText, ...). */
export function mailboxSearchRequest(conditions: WbxmlElement[], o: MailboxSearchOptions = {}): WbxmlElement {
  const options = [
    o.range !== undefined ? el(SE, 'Range', o.range) : undefined,
    o.deepTraversal ? el(SE, 'DeepTraversal') : undefined,
    o.rebuildResults ? el(SE, 'RebuildResults') : undefined,
    o.bodyPreference
      ? el('AirSyncBase', 'BodyPreference', [el('AirSyncBase', 'Type', o.bodyPreference.type), o.bodyPreference.truncationSize !== undefined ? el('AirSyncBase', 'TruncationSize', o.bodyPreference.truncationSize) : undefined])
      : undefined,
  ].filter((x): x is WbxmlElement => !!x);
  return el(SE, 'Search', [el(SE, 'Store', [el(SE, 'Name', 'Mailbox'), el(SE, 'Query', [el(SE, 'And', conditions)]), options.length ? el(SE, 'Options', options) : undefined])]);
}

/** One mailbox hit, as a phone lists it. */
export interface MailboxHit {
  readonly class?: string;
  /** Search: the LongId; Find: the ServerId. */
  readonly id?: string;
  readonly collectionId?: string;
  readonly subject?: string;
  readonly from?: string;
  readonly to?: string;
  readonly dateReceived?: string;
  /** airsyncbase:Body/Data (Search) or find:Preview (Find). */
  readonly text?: string;
  /** Every property element name -> its text, for the rest. */
  readonly props: Readonly<Record<string, string>>;
}

export interface MailboxSearchAnswer {
  readonly status?: number;
  readonly storeStatus?: number;
  readonly hits: MailboxHit[];
  readonly range?: string;
  readonly total?: number;
}

function textOfEl(e: WbxmlElement | undefined): string | undefined {
  return e && typeof e.text === 'string' ? e.text : undefined;
}

function readHit(r: WbxmlElement, ns: string, idName: 'LongId' | 'ServerId'): MailboxHit {
  const props: Record<string, string> = {};
  const p = child(r, 'Properties', ns);
  for (const x of p?.children ?? []) if (typeof x.text === 'string') props[x.name] = x.text;
  const body = p ? child(p, 'Body', 'AirSyncBase') : undefined;
  const text = body ? childText(body, 'Data', 'AirSyncBase') : p ? textOfEl(child(p, 'Preview', F)) : undefined;
  const id = idName === 'LongId' ? childText(r, 'LongId', SE) : childText(r, 'ServerId', AS);
  const out: Record<string, unknown> = { props };
  const put = (k: string, v: string | undefined): void => {
    if (v !== undefined) out[k] = v;
  };
  put('class', childText(r, 'Class', AS));
  put('id', id);
  put('collectionId', childText(r, 'CollectionId', AS));
  put('subject', props['Subject']);
  put('from', props['From']);
  put('to', props['To'] ?? props['DisplayTo']);
  put('dateReceived', props['DateReceived']);
  put('text', text);
  return out as unknown as MailboxHit;
}

function answerOf(status: number | undefined, store: WbxmlElement | undefined, ns: string, hits: MailboxHit[]): MailboxSearchAnswer {
  const storeStatus = store ? childNumber(store, 'Status', ns) : undefined;
  const range = store ? childText(store, 'Range', ns) : undefined;
  const total = store ? childNumber(store, 'Total', ns) : undefined;
  return { hits, ...(status !== undefined ? { status } : {}), ...(storeStatus !== undefined ? { storeStatus } : {}), ...(range !== undefined ? { range } : {}), ...(total !== undefined ? { total } : {}) };
}

/** Reads a Search Store Mailbox answer; an empty Result (no hits) reads as none. */
export function readMailboxSearch(body: WbxmlElement | undefined): MailboxSearchAnswer {
  const store = body ? child(child(body, 'Response', SE) ?? body, 'Store', SE) : undefined;
  const hits = (store ? childrenNamed(store, 'Result', SE) : []).filter((r) => r.children?.length).map((r) => readHit(r, SE, 'LongId'));
  return answerOf(body ? childNumber(body, 'Status', SE) : undefined, store, SE, hits);
}

/** A Find of the mailbox with a KQL query (16.1). */
export function findRequest(r: { searchId?: string; query: string; collectionIds?: readonly string[]; range?: string; deepTraversal?: boolean }): WbxmlElement {
  const options = [r.range !== undefined ? el(F, 'Range', r.range) : undefined, r.deepTraversal ? el(F, 'DeepTraversal') : undefined].filter((x): x is WbxmlElement => !!x);
  return el(F, 'Find', [
    el(F, 'SearchId', r.searchId ?? 'search-1'),
    el(F, 'ExecuteSearch', [
      el(F, 'MailBoxSearchCriterion', [
        el(F, 'Query', [el(AS, 'Class', 'Email'), ...(r.collectionIds ?? []).map((id) => el(AS, 'CollectionId', id)), el(F, 'FreeText', r.query)]),
        options.length ? el(F, 'Options', options) : undefined,
      ]),
    ]),
  ]);
}

/** Reads a Find answer: the Response plays the part of Search's Store. */
export function readFind(body: WbxmlElement | undefined): MailboxSearchAnswer {
  const response = body ? child(body, 'Response', F) : undefined;
  const hits = (response ? childrenNamed(response, 'Result', F) : []).map((r) => readHit(r, F, 'ServerId'));
  return answerOf(body ? childNumber(body, 'Status', F) : undefined, response, F, hits);
}
