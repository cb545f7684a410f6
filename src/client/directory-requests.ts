/**
 * The client side of Search (Store GAL) and ResolveRecipients, as a phone
 * sends and reads them (MS-ASCMD 2.2.1.16, 2.2.1.15): request trees and
 * plain readings of the answers, for the tests, the benchmark and the demo.
 */
import { child, childNumber, childrenNamed, childText, el, type WbxmlElement } from '../../protocol/wbxml/tree.ts';

const SE = 'Search';
const RR = 'ResolveRecipients';

/** A GAL Search request; `picture` adds the 14.1 Picture option. */
export function galSearchRequest(r: { query: string; range?: string; picture?: { maxSize?: number; maxPictures?: number } }): WbxmlElement {
  const options = [
    r.range !== undefined ? el(SE, 'Range', r.range) : undefined,
    r.picture
      ? el(SE, 'Picture', [r.picture.maxSize !== undefined ? el(SE, 'MaxSize', r.picture.maxSize) : undefined, r.picture.maxPictures !== undefined ? el(SE, 'MaxPictures', r.picture.maxPictures) : undefined])
      : undefined,
  ].filter((x): x is WbxmlElement => !!x);
  return el(SE, 'Search', [el(SE, 'Store', [el(SE, 'Name', 'GAL'), el(SE, 'Query', r.query), options.length ? el(SE, 'Options', options) : undefined])]);
}

/** A Search of another store with a plain query (to see the Store Status of an unsupported store). */
export function storeSearchRequest(store: string, query: string): WbxmlElement {
  return el(SE, 'Search', [el(SE, 'Store', [el(SE, 'Name', store), el(SE, 'Query', query)])]);
}

/** One GAL hit: gal:* property name -> text; `picture` when a gal:Picture came. */
export interface GalHit {
  readonly props: Readonly<Record<string, string>>;
  readonly picture?: { readonly status: number; readonly data?: Buffer };
}

/** The parts of a Search answer a phone looks at. */
export interface SearchAnswer {
  readonly status?: number;
  readonly storeStatus?: number;
  readonly hits: GalHit[];
  readonly range?: string;
  readonly total?: number;
}

/** Reads a Search answer. */
export function readSearch(body: WbxmlElement | undefined): SearchAnswer {
  const response = body ? child(body, 'Response', SE) : undefined;
  const store = response ? child(response, 'Store', SE) : undefined;
  const hits = (store ? childrenNamed(store, 'Result', SE) : []).map((r): GalHit => {
    const props: Record<string, string> = {};
    let picture: GalHit['picture'];
    for (const p of child(r, 'Properties', SE)?.children ?? []) {
      if (p.name === 'Picture') {
        const data = childText(p, 'Data', 'GAL');
        picture = { status: childNumber(p, 'Status', 'GAL') ?? 0, ...(data !== undefined ? { data: Buffer.from(data, 'base64') } : {}) };
      } else props[p.name] = childTextOf(p);
    }
    return { props, ...(picture ? { picture } : {}) };
  });
  const status = body ? childNumber(body, 'Status', SE) : undefined;
  const storeStatus = store ? childNumber(store, 'Status', SE) : undefined;
  const range = store ? childText(store, 'Range', SE) : undefined;
  const total = store ? childNumber(store, 'Total', SE) : undefined;
  return { hits, ...(status !== undefined ? { status } : {}), ...(storeStatus !== undefined ? { storeStatus } : {}), ...(range !== undefined ? { range } : {}), ...(total !== undefined ? { total } : {}) };
}

function childTextOf(e: WbxmlElement): string {
  return typeof e.text === 'string' ? e.text : '';
}

/** A ResolveRecipients request. Times are EAS date-times (2026-03-01T08:00:00.000Z). */
export function resolveRecipientsRequest(r: {
  to: readonly string[];
  certificateRetrieval?: number;
  maxAmbiguousRecipients?: number;
  availability?: { startTime: string; endTime: string };
  picture?: { maxSize?: number; maxPictures?: number };
}): WbxmlElement {
  const o = [
    r.certificateRetrieval !== undefined ? el(RR, 'CertificateRetrieval', r.certificateRetrieval) : undefined,
    r.maxAmbiguousRecipients !== undefined ? el(RR, 'MaxAmbiguousRecipients', r.maxAmbiguousRecipients) : undefined,
    r.availability ? el(RR, 'Availability', [el(RR, 'StartTime', r.availability.startTime), el(RR, 'EndTime', r.availability.endTime)]) : undefined,
    r.picture
      ? el(RR, 'Picture', [r.picture.maxSize !== undefined ? el(RR, 'MaxSize', r.picture.maxSize) : undefined, r.picture.maxPictures !== undefined ? el(RR, 'MaxPictures', r.picture.maxPictures) : undefined])
      : undefined,
  ].filter((x): x is WbxmlElement => !!x);
  return el(RR, 'ResolveRecipients', [...r.to.map((t) => el(RR, 'To', t)), o.length ? el(RR, 'Options', o) : undefined]);
}

/** One Recipient of an answer. */
export interface RecipientAnswer {
  readonly type?: number;
  readonly displayName?: string;
  readonly emailAddress?: string;
  readonly availability?: { readonly status?: number; readonly mergedFreeBusy?: string };
  readonly certificates?: { readonly status?: number; readonly count?: number };
  readonly picture?: { readonly status?: number; readonly data?: Buffer };
}

/** Reads a ResolveRecipients answer: the global Status and, per To, its Status and recipients. */
export function readResolveRecipients(body: WbxmlElement | undefined): { status?: number; responses: { to?: string; status?: number; count?: number; recipients: RecipientAnswer[] }[] } {
  if (!body) return { responses: [] };
  const responses = childrenNamed(body, 'Response', RR).map((r) => ({
    to: childText(r, 'To', RR),
    status: childNumber(r, 'Status', RR),
    count: childNumber(r, 'RecipientCount', RR),
    recipients: childrenNamed(r, 'Recipient', RR).map((x): RecipientAnswer => {
      const av = child(x, 'Availability', RR);
      const certs = child(x, 'Certificates', RR);
      const pic = child(x, 'Picture', RR);
      const data = pic ? childText(pic, 'Data', RR) : undefined;
      return {
        type: childNumber(x, 'Type', RR),
        displayName: childText(x, 'DisplayName', RR),
        emailAddress: childText(x, 'EmailAddress', RR),
        ...(av ? { availability: { status: childNumber(av, 'Status', RR), mergedFreeBusy: childText(av, 'MergedFreeBusy', RR) } } : {}),
        ...(certs ? { certificates: { status: childNumber(certs, 'Status', RR), count: childNumber(certs, 'CertificateCount', RR) } } : {}),
        ...(pic ? { picture: { status: childNumber(pic, 'Status', RR), ...(data !== undefined ? { data: Buffer.from(data, 'base64') } : {}) } } : {}),
      };
    }),
  }));
  return { status: childNumber(body, 'Status', RR), responses };
}
