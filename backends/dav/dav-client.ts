import { withoutPhotos } from '../carddav/vcard-photo.ts';
import { randomUUID } from 'node:crypto';
import { BackendError } from '../errors.ts';
import type { DavCollection, DavComponent, DavResource, DavResourceRef, DavStore, DavSyncDelta, UserSession } from '../types.ts';
import { componentNames, hasResourceType, hrefIn, parseMultistatus, textValue, xmlText, type MultistatusResponse } from './dav-xml.ts';

/**
 * CalDAV (RFC 4791) and CardDAV (RFC 6352) for the sync engine, over
 * Node's fetch. Not tsdav: the engine needs what tsdav hides: the HTTP
 * status of each step (a refused sync token, 412 on If-Match, 507
 * truncation), exact ETags, and hrefs pinned to the configured origins so a
 * user's password never follows a hostile href or redirect elsewhere.
 */
export interface DavClientOptions {
  readonly caldavUrl?: string;
  readonly carddavUrl?: string;
  /** Per request (ms). */
  readonly timeoutMs?: number;
  /** Resources larger than this are skipped by multiget (an event of thousands of exceptions, a contact with a huge photo). */
  readonly maxResourceBytes?: number;
  readonly log?: { warn(o: object, msg?: string): void; debug(o: object, msg?: string): void };
}

type Kind = 'caldav' | 'carddav';

const NS = 'xmlns:D="DAV:" xmlns:C="urn:ietf:params:xml:ns:caldav" xmlns:CR="urn:ietf:params:xml:ns:carddav" xmlns:CS="http://calendarserver.org/ns/"';
const XML = '<?xml version="1.0" encoding="utf-8"?>';
/** How long a user's discovered home is reused. */
const HOME_TTL_MS = 5 * 60_000;
/** hrefs per multiget REPORT. */
const MULTIGET_BATCH = 100;

export class DavClient implements DavStore {
  readonly #opts: DavClientOptions;
  readonly #homes = new Map<string, { href: string; at: number }>();

  constructor(opts: DavClientOptions) {
    this.#opts = opts;
  }

  #base(kind: Kind): URL {
    const u = kind === 'caldav' ? this.#opts.caldavUrl : this.#opts.carddavUrl;
    if (!u) throw new BackendError('NotFound', `no ${kind} server configured`);
    return new URL(u);
  }

  /** The URL of `href` on the kind's server; anything on another origin is refused before any request. */
  #url(kind: Kind, href: string): URL {
    const base = this.#base(kind);
    const url = new URL(href, base);
    if (url.origin !== base.origin) throw new BackendError('Forbidden', `DAV href ${href} is not on the configured ${kind} server`);
    return url;
  }

  async #request(session: UserSession, kind: Kind, method: string, href: string, opts: { body?: string; headers?: Record<string, string>; what?: 'collection' | 'resource' } = {}): Promise<{ status: number; text: string; headers: Headers }> {
    const url = this.#url(kind, href);
    let res: Response;
    try {
      res = await fetch(url, {
        method,
        redirect: 'manual',
        headers: {
          authorization: `Basic ${Buffer.from(`${session.user}:${session.password}`).toString('base64')}`,
          ...(opts.body !== undefined && !opts.headers?.['content-type'] ? { 'content-type': 'application/xml; charset=utf-8' } : {}),
          ...opts.headers,
        },
        ...(opts.body !== undefined ? { body: opts.body } : {}),
        signal: AbortSignal.timeout(this.#opts.timeoutMs ?? 15_000),
      });
    } catch (err) {
      throw new BackendError('BackendUnavailable', `DAV server unreachable: ${(err as Error).message}`, { cause: err });
    }
    const text = await res.text().catch((err: unknown) => {
      throw new BackendError('BackendUnavailable', `DAV answer cut: ${(err as Error).message}`, { cause: err });
    });
    const where = `${method} ${url.pathname}: HTTP ${res.status}`;
    if (res.status === 401) throw new BackendError('AuthFailed', where);
    if (res.status === 403 && opts.what !== 'resource') throw new BackendError('AuthFailed', where);
    if (res.status >= 500 && res.status !== 501 && res.status !== 507) throw new BackendError('BackendUnavailable', where);
    return { status: res.status, text, headers: res.headers };
  }

  async #propfind(session: UserSession, kind: Kind, href: string, depth: '0' | '1', props: string): Promise<MultistatusResponse[]> {
    const r = await this.#request(session, kind, 'PROPFIND', href, { headers: { depth }, body: `${XML}<D:propfind ${NS}><D:prop>${props}</D:prop></D:propfind>` });
    if (r.status === 404) throw new BackendError('NotFound', `no DAV collection ${href}`);
    if (r.status !== 207) throw new BackendError('Invalid', `PROPFIND ${href}: HTTP ${r.status}`);
    return parseMultistatus(r.text).responses;
  }

  /** RFC 5397 current-user-principal, then the home set (RFC 4791 6.2.1, RFC 6352 7.1.1); the well-known URI (RFC 6764) when the base has no principal. */
  async #home(session: UserSession, kind: Kind): Promise<string> {
    const key = `${kind}\u0000${session.user}`;
    const hit = this.#homes.get(key);
    if (hit && Date.now() - hit.at < HOME_TTL_MS) return hit.href;
    const base = this.#base(kind);
    let principal: string | undefined;
    for (const start of [base.pathname, `/.well-known/${kind}`]) {
      try {
        const r = await this.#propfind(session, kind, start, '0', '<D:current-user-principal/>');
        principal = hrefIn(r[0]?.props['current-user-principal']);
      } catch (e) {
        if ((e as BackendError).code === 'AuthFailed' || (e as BackendError).code === 'BackendUnavailable') throw e;
      }
      if (principal) break;
    }
    if (!principal) throw new BackendError('NotFound', `${kind} server names no principal for ${session.user}`);
    const prop = kind === 'caldav' ? 'C:calendar-home-set' : 'CR:addressbook-home-set';
    const r = await this.#propfind(session, kind, principal, '0', `<${prop}/>`);
    const home = hrefIn(r[0]?.props[kind === 'caldav' ? 'calendar-home-set' : 'addressbook-home-set']) ?? principal;
    const path = this.#url(kind, home).pathname;
    this.#homes.set(key, { href: path, at: Date.now() });
    return path;
  }

  async listCollections(session: UserSession, kind: Kind): Promise<DavCollection[]> {
    const home = await this.#home(session, kind);
    const rs = await this.#propfind(session, kind, home, '1', '<D:resourcetype/><D:displayname/><C:supported-calendar-component-set/><D:sync-token/><CS:getctag/>');
    const out: DavCollection[] = [];
    for (const r of rs) {
      const href = this.#url(kind, r.href).pathname;
      const type = r.props['resourcetype'];
      const components = collectionComponents(kind, type, r.props['supported-calendar-component-set']);
      if (!components.length) continue;
      const syncToken = textValue(r.props['sync-token'])?.trim();
      const ctag = textValue(r.props['getctag'])?.trim();
      out.push({ href, displayName: textValue(r.props['displayname'])?.trim() ?? '', components, ...(syncToken ? { syncToken } : {}), ...(ctag ? { ctag } : {}) });
    }
    return out;
  }

  async collectionState(session: UserSession, kind: Kind, href: string): Promise<{ syncToken?: string; ctag?: string }> {
    const r = await this.#propfind(session, kind, href, '0', '<D:sync-token/><CS:getctag/>');
    const syncToken = textValue(r[0]?.props['sync-token'])?.trim();
    const ctag = textValue(r[0]?.props['getctag'])?.trim();
    return { ...(syncToken ? { syncToken } : {}), ...(ctag ? { ctag } : {}) };
  }

  async listMembers(session: UserSession, kind: Kind, href: string): Promise<DavResourceRef[]> {
    const self = this.#url(kind, href).pathname;
    const rs = await this.#propfind(session, kind, href, '1', '<D:getetag/><D:resourcetype/>');
    return rs
      .map((r) => ({ href: this.#url(kind, r.href).pathname, etag: textValue(r.props['getetag'])?.trim() ?? '', collection: hasResourceType(r.props['resourcetype'], 'collection') }))
      .filter((r) => r.href !== self && !r.collection && r.etag !== '')
      .map(({ href: h, etag }) => ({ href: h, etag }));
  }

  async syncCollection(session: UserSession, kind: Kind, href: string, token: string): Promise<DavSyncDelta> {
    const self = this.#url(kind, href).pathname;
    const body = `${XML}<D:sync-collection ${NS}><D:sync-token>${xmlText(token)}</D:sync-token><D:sync-level>1</D:sync-level><D:prop><D:getetag/></D:prop></D:sync-collection>`;
    const r = await this.#request(session, kind, 'REPORT', href, { headers: { depth: '0' }, body, what: 'resource' });
    if (r.status === 403 || r.status === 409) {
      if (token !== '' || /valid-sync-token/.test(r.text)) throw new BackendError('InvalidToken', `sync token refused for ${href}`);
      throw new BackendError('AuthFailed', `REPORT ${href}: HTTP ${r.status}`);
    }
    if (r.status === 404) throw new BackendError('NotFound', `no DAV collection ${href}`);
    if (r.status === 400 || r.status === 405 || r.status === 501 || /supported-report/.test(r.text)) throw new BackendError('Unsupported', `no sync-collection on ${href}`);
    if (r.status !== 207) throw new BackendError('Invalid', `REPORT ${href}: HTTP ${r.status}`);
    const ms = parseMultistatus(r.text);
    const changed: DavResourceRef[] = [];
    const removed: string[] = [];
    let truncated = false;
    for (const m of ms.responses) {
      const h = this.#url(kind, m.href).pathname;
      if (h === self) {
        if (m.status === 507) truncated = true;
        continue;
      }
      if (m.status === 404) removed.push(h);
      else {
        const etag = textValue(m.props['getetag'])?.trim();
        if (etag) changed.push({ href: h, etag });
      }
    }
    if (!ms.syncToken) throw new BackendError('Invalid', `sync-collection of ${href} without a sync token`);
    return { token: ms.syncToken, changed, removed, truncated };
  }

  async multiget(session: UserSession, kind: Kind, collectionHref: string, hrefs: readonly string[]): Promise<DavResource[]> {
    const out: DavResource[] = [];
    const max = this.#opts.maxResourceBytes ?? 4 * 1024 * 1024;
    for (let i = 0; i < hrefs.length; i += MULTIGET_BATCH) {
      const batch = hrefs.slice(i, i + MULTIGET_BATCH);
      const [root, data] = kind === 'caldav' ? ['C:calendar-multiget', 'C:calendar-data'] : ['CR:addressbook-multiget', 'CR:address-data'];
      const body = `${XML}<${root} ${NS}><D:prop><D:getetag/><${data}/></D:prop>${batch.map((h) => `<D:href>${xmlText(this.#url(kind, h).pathname)}</D:href>`).join('')}</${root}>`;
      const r = await this.#request(session, kind, 'REPORT', collectionHref, { headers: { depth: '1' }, body });
      if (r.status === 404) throw new BackendError('NotFound', `no DAV collection ${collectionHref}`);
      if (r.status !== 207) throw new BackendError('Invalid', `multiget ${collectionHref}: HTTP ${r.status}`);
      for (const m of parseMultistatus(r.text).responses) {
        const text = textValue(m.props[kind === 'caldav' ? 'calendar-data' : 'address-data']);
        const etag = textValue(m.props['getetag'])?.trim();
        if (text === undefined || !etag) continue;
        let data = text;
        if (Buffer.byteLength(text) > max) {
          // Almost always a huge contact photo: the card goes out without it rather than not at all.
          const slim = kind === 'carddav' ? withoutPhotos(text) : undefined;
          if (slim === undefined || Buffer.byteLength(slim) > max) {
            this.#opts.log?.warn({ event: 'dav.resource-too-large', href: m.href, bytes: Buffer.byteLength(text) }, 'DAV resource over the size limit skipped');
            continue;
          }
          this.#opts.log?.warn({ event: 'dav.photo-dropped', href: m.href, bytes: Buffer.byteLength(text) }, 'vCard over the size limit read without its PHOTO');
          data = slim;
        }
        out.push({ href: this.#url(kind, m.href).pathname, etag, data });
      }
    }
    return out;
  }

  async get(session: UserSession, kind: Kind, href: string): Promise<DavResource> {
    const r = await this.#request(session, kind, 'GET', href, { what: 'resource' });
    if (r.status === 404 || r.status === 410) throw new BackendError('NotFound', `no DAV resource ${href}`);
    if (r.status === 403) throw new BackendError('Forbidden', `GET ${href}: HTTP 403`);
    if (r.status !== 200) throw new BackendError('Invalid', `GET ${href}: HTTP ${r.status}`);
    return { href: this.#url(kind, href).pathname, etag: r.headers.get('etag') ?? (await this.#etag(session, kind, href)), data: r.text };
  }

  async #etag(session: UserSession, kind: Kind, href: string): Promise<string> {
    const r = await this.#propfind(session, kind, href, '0', '<D:getetag/>');
    const etag = textValue(r[0]?.props['getetag'])?.trim();
    if (!etag) throw new BackendError('Invalid', `${href} has no ETag`);
    return etag;
  }

  async put(session: UserSession, kind: Kind, href: string, data: string, cond: { ifMatch?: string; ifNoneMatch?: boolean }): Promise<{ etag: string }> {
    const r = await this.#request(session, kind, 'PUT', href, {
      body: data,
      what: 'resource',
      headers: {
        'content-type': kind === 'caldav' ? 'text/calendar; charset=utf-8' : 'text/vcard; charset=utf-8',
        ...(cond.ifMatch !== undefined ? { 'if-match': cond.ifMatch } : {}),
        ...(cond.ifNoneMatch ? { 'if-none-match': '*' } : {}),
      },
    });
    if (r.status === 412) throw new BackendError('Conflict', `PUT ${href}: precondition failed`);
    if (r.status === 413 || r.status === 507) throw new BackendError('TooLarge', `PUT ${href}: HTTP ${r.status}`);
    if (r.status === 403) throw new BackendError('Forbidden', `PUT ${href}: HTTP 403`);
    if (r.status === 404 || r.status === 409) throw new BackendError('NotFound', `PUT ${href}: HTTP ${r.status}`);
    if (r.status === 400 || r.status === 415) throw new BackendError('Invalid', `PUT ${href}: HTTP ${r.status} ${r.text.slice(0, 200)}`);
    if (r.status !== 201 && r.status !== 204 && r.status !== 200) throw new BackendError('Invalid', `PUT ${href}: HTTP ${r.status}`);
    // Some servers send no ETag for a PUT whose stored form differs from the body (RFC 4791 5.3.4).
    return { etag: r.headers.get('etag') ?? (await this.#etag(session, kind, href)) };
  }

  async delete(session: UserSession, kind: Kind, href: string, ifMatch?: string): Promise<void> {
    const r = await this.#request(session, kind, 'DELETE', href, { what: 'resource', headers: ifMatch !== undefined ? { 'if-match': ifMatch } : {} });
    if (r.status === 404 || r.status === 410) throw new BackendError('NotFound', `no DAV resource ${href}`);
    if (r.status === 412) throw new BackendError('Conflict', `DELETE ${href}: precondition failed`);
    if (r.status === 403) throw new BackendError('Forbidden', `DELETE ${href}: HTTP 403`);
    if (r.status !== 200 && r.status !== 204) throw new BackendError('Invalid', `DELETE ${href}: HTTP ${r.status}`);
  }

  async createCollection(session: UserSession, kind: Kind, displayName: string, components: readonly DavComponent[]): Promise<DavCollection> {
    const home = await this.#home(session, kind);
    const href = `${home.endsWith('/') ? home : `${home}/`}${randomUUID()}/`;
    const dn = `<D:displayname>${xmlText(displayName)}</D:displayname>`;
    const body =
      kind === 'caldav'
        ? `${XML}<C:mkcalendar ${NS}><D:set><D:prop>${dn}<C:supported-calendar-component-set>${components.map((c) => `<C:comp name="${c}"/>`).join('')}</C:supported-calendar-component-set></D:prop></D:set></C:mkcalendar>`
        : `${XML}<D:mkcol ${NS}><D:set><D:prop><D:resourcetype><D:collection/><CR:addressbook/></D:resourcetype>${dn}</D:prop></D:set></D:mkcol>`;
    const r = await this.#request(session, kind, kind === 'caldav' ? 'MKCALENDAR' : 'MKCOL', href, { body });
    if (r.status === 405) throw new BackendError('AlreadyExists', `${href} exists`);
    if (r.status !== 201) throw new BackendError('Invalid', `creating ${href}: HTTP ${r.status}`);
    return { href, displayName, components };
  }

  async renameCollection(session: UserSession, kind: Kind, href: string, displayName: string): Promise<void> {
    const body = `${XML}<D:propertyupdate ${NS}><D:set><D:prop><D:displayname>${xmlText(displayName)}</D:displayname></D:prop></D:set></D:propertyupdate>`;
    const r = await this.#request(session, kind, 'PROPPATCH', href, { body });
    if (r.status === 404) throw new BackendError('NotFound', `no DAV collection ${href}`);
    if (r.status !== 207 && r.status !== 200) throw new BackendError('Invalid', `PROPPATCH ${href}: HTTP ${r.status}`);
  }

  async deleteCollection(session: UserSession, kind: Kind, href: string): Promise<void> {
    const r = await this.#request(session, kind, 'DELETE', href);
    if (r.status === 404) throw new BackendError('NotFound', `no DAV collection ${href}`);
    if (r.status !== 200 && r.status !== 204) throw new BackendError('Invalid', `DELETE ${href}: HTTP ${r.status}`);
  }
}

/**
 * What a listed collection holds: VEVENT/VTODO/VJOURNAL per its component set
 * (absent = VEVENT and VTODO, RFC 4791 5.2.3: VJOURNAL only when listed), VCARD for address books.
 */
function collectionComponents(kind: Kind, type: unknown, comps: unknown): DavComponent[] {
  if (kind === 'carddav') return hasResourceType(type, 'addressbook') ? ['VCARD'] : [];
  if (!hasResourceType(type, 'calendar')) return [];
  const names = componentNames(comps) ?? ['VEVENT', 'VTODO'];
  return (['VEVENT', 'VTODO', 'VJOURNAL'] as const).filter((c) => names.includes(c));
}
