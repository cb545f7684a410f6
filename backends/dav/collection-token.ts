import { XMLParser } from 'fast-xml-parser';
import { BackendError } from '../errors.ts';
import type { UserSession } from '../types.ts';
import type { CollectionTokenFn } from './poll-watcher.ts';

/**
 * The change token of one CalDAV / CardDAV collection, for the push poll
 * watcher (poll-watcher.ts): one `PROPFIND` with Depth 0 asking for
 * `DAV:sync-token` (RFC 6578 section 4) and the CalendarServer `getctag`
 * (which Radicale, SOGo, Nextcloud, Baïkal and iCloud have). The sync token
 * wins where both exist; either changes whenever a member is added, changed
 * or removed.
 *
 * `href` is the collection's full URL, or its path on the first of
 * `baseUrls`; a URL on any other origin is refused, so that the user's
 * credentials are never sent elsewhere.
 */
export interface DavTokenOptions {
  /** The CalDAV and CardDAV base URLs (EAS_CALDAV_URL, EAS_CARDDAV_URL). */
  readonly baseUrls: readonly string[];
  /** Per request (ms); a server that does not answer counts as unavailable. */
  readonly timeoutMs?: number;
}

const BODY =
  '<?xml version="1.0" encoding="utf-8"?>' +
  '<D:propfind xmlns:D="DAV:" xmlns:CS="http://calendarserver.org/ns/"><D:prop><D:sync-token/><CS:getctag/></D:prop></D:propfind>';

const parser = new XMLParser({ removeNSPrefix: true, ignoreAttributes: true, parseTagValue: false, isArray: (name) => name === 'response' || name === 'propstat' });

interface PropStat {
  status?: string;
  prop?: { 'sync-token'?: unknown; getctag?: unknown };
}

export function davCollectionToken(opts: DavTokenOptions): CollectionTokenFn {
  const bases = opts.baseUrls.map((u) => new URL(u));
  if (bases.length === 0) throw new Error('davCollectionToken needs a base URL');
  const origins = new Set(bases.map((b) => b.origin));
  return async (session: UserSession, href: string): Promise<string> => {
    const url = new URL(href, bases[0]);
    if (!origins.has(url.origin)) throw new BackendError('Forbidden', `DAV collection ${href} is not on the configured DAV servers`);
    let res: Response;
    try {
      res = await fetch(url, {
        method: 'PROPFIND',
        headers: {
          authorization: `Basic ${Buffer.from(`${session.user}:${session.password}`).toString('base64')}`,
          depth: '0',
          'content-type': 'application/xml; charset=utf-8',
        },
        body: BODY,
        signal: AbortSignal.timeout(opts.timeoutMs ?? 10_000),
      });
    } catch (err) {
      throw new BackendError('BackendUnavailable', `DAV server unreachable: ${(err as Error).message}`, { cause: err });
    }
    const text = await res.text();
    if (res.status === 401 || res.status === 403) throw new BackendError('AuthFailed', `DAV PROPFIND ${url.pathname}: HTTP ${res.status}`);
    if (res.status === 404) throw new BackendError('NotFound', `no DAV collection ${url.pathname}`);
    if (res.status >= 500) throw new BackendError('BackendUnavailable', `DAV PROPFIND ${url.pathname}: HTTP ${res.status}`);
    if (res.status !== 207) throw new BackendError('Invalid', `DAV PROPFIND ${url.pathname}: HTTP ${res.status}`);
    const token = tokenOf(text);
    if (token === undefined) throw new BackendError('Invalid', `DAV collection ${url.pathname} has neither sync-token nor getctag`);
    return token;
  };
}

/** The sync-token, else the getctag, of the first response of a multistatus (Depth 0 has one). */
export function tokenOf(multistatus: string): string | undefined {
  let doc: { multistatus?: { response?: { propstat?: PropStat[] }[] } };
  try {
    doc = parser.parse(multistatus) as typeof doc;
  } catch {
    return undefined;
  }
  const found = (doc.multistatus?.response?.[0]?.propstat ?? []).filter((p) => !p.status || / 200 /.test(p.status));
  const text = (v: unknown): string | undefined => (typeof v === 'string' && v.trim() !== '' ? v.trim() : undefined);
  for (const p of found) {
    const t = text(p.prop?.['sync-token']);
    if (t) return t;
  }
  for (const p of found) {
    const t = text(p.prop?.getctag);
    if (t) return t;
  }
  return undefined;
}
