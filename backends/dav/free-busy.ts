/**
 * Free/busy of another user on our CalDAV server (EAS_CALDAV_URL), for
 * ResolveRecipients Availability (MS-ASCMD 2.2.3.16). For each calendar of
 * the recipient's home that is opaque (RFC 6638 schedule-calendar-transp):
 * a CALDAV:free-busy-query REPORT (RFC 4791 7.10), which needs only the
 * read-free-busy privilege and returns no event details; where the server
 * has no such report (Radicale before 3.2), a calendar-query with a
 * time-range (RFC 4791 7.8) whose events are reduced to busy times here
 * (backends/caldav/busy-times.ts). Nothing but times leaves this module.
 *
 * Who reads: the service login when one is configured, else the asking
 * user (a server whose ACLs let colleagues read each other's free/busy).
 * A recipient without a home here, or whose calendars we may not read,
 * has no data (undefined), which the handler sends as "4" slots.
 */
import { BackendError } from '../errors.ts';
import { busyFromEvents, busyFromVfreebusy, safeBusy, type BusyInterval } from '../caldav/busy-times.ts';
import type { UserSession } from '../types.ts';
import { componentNames, hasResourceType, parseMultistatus, textValue } from './dav-xml.ts';

export type { BusyInterval, BusyType } from '../caldav/busy-times.ts';

export interface FreeBusyOptions {
  /** The CalDAV server (EAS_CALDAV_URL); hrefs elsewhere are refused. */
  readonly caldavUrl: string;
  /** Reads with this login when set. */
  readonly service?: UserSession;
  /**
   * Path of a user's calendar home, from their login. Default: `<base path><login>/`,
   * Radicale's layout (and that of most servers whose principals are logins).
   */
  readonly homePath?: (login: string) => string;
  readonly timeoutMs?: number;
}

/** A period asked for, in ms since the epoch. */
export interface FreeBusyWindow {
  readonly start: number;
  readonly end: number;
}

const XML = '<?xml version="1.0" encoding="utf-8"?>';
const NS = 'xmlns:D="DAV:" xmlns:C="urn:ietf:params:xml:ns:caldav"';

/** RFC 5545 UTC DATE-TIME form. */
const icsUtc = (ms: number): string => new Date(ms).toISOString().replace(/[-:]/g, '').replace(/\.\d{3}/, '');

/** The recipient's busy times from their calendars on our CalDAV server. */
export class CalDavFreeBusy {
  readonly #opts: FreeBusyOptions;
  readonly #base: URL;

  constructor(opts: FreeBusyOptions) {
    this.#opts = opts;
    this.#base = new URL(opts.caldavUrl);
  }

  #home(login: string): string {
    if (this.#opts.homePath) return this.#opts.homePath(login);
    const base = this.#base.pathname.endsWith('/') ? this.#base.pathname : `${this.#base.pathname}/`;
    return `${base}${encodeURIComponent(login).replace(/%40/g, '@')}/`;
  }

  /**
   * Busy intervals of `login` (whose addresses are `emails`, for their own
   * PARTSTAT) within `window`; undefined when the server has no readable
   * calendar home for them. Throws BackendError BackendUnavailable.
   */
  async busy(session: UserSession, login: string, emails: readonly string[], window: FreeBusyWindow): Promise<BusyInterval[] | undefined> {
    const reader = this.#opts.service ?? session;
    const home = await this.#request(reader, 'PROPFIND', this.#home(login), {
      depth: '1',
      body: `${XML}<D:propfind ${NS}><D:prop><D:resourcetype/><C:supported-calendar-component-set/><C:schedule-calendar-transp/></D:prop></D:propfind>`,
    });
    if (home.status !== 207) return undefined;
    const calendars = parseMultistatus(home.text).responses.filter((r) => {
      if (!hasResourceType(r.props['resourcetype'], 'calendar')) return false;
      const comps = componentNames(r.props['supported-calendar-component-set']);
      if (comps && !comps.includes('VEVENT')) return false;
      return !hasResourceType(r.props['schedule-calendar-transp'], 'transparent');
    });
    if (calendars.length === 0) return undefined;
    const out: BusyInterval[] = [];
    let readable = false;
    for (const c of calendars) {
      const got = await this.#calendarBusy(reader, c.href, emails, window);
      if (got) {
        readable = true;
        out.push(...got);
      }
    }
    return readable ? out : undefined;
  }

  async #calendarBusy(reader: UserSession, href: string, emails: readonly string[], w: FreeBusyWindow): Promise<BusyInterval[] | undefined> {
    const range = `<C:time-range start="${icsUtc(w.start)}" end="${icsUtc(w.end)}"/>`;
    const fb = await this.#request(reader, 'REPORT', href, { depth: '1', body: `${XML}<C:free-busy-query ${NS}>${range}</C:free-busy-query>` });
    if (fb.status === 200 && /BEGIN:VFREEBUSY/i.test(fb.text)) return safeBusy(() => busyFromVfreebusy(fb.text, w));
    const q = await this.#request(reader, 'REPORT', href, {
      depth: '1',
      body: `${XML}<C:calendar-query ${NS}><D:prop><C:calendar-data/></D:prop><C:filter><C:comp-filter name="VCALENDAR"><C:comp-filter name="VEVENT">${range}</C:comp-filter></C:comp-filter></C:filter></C:calendar-query>`,
    });
    if (q.status !== 207) return undefined;
    return parseMultistatus(q.text).responses.flatMap((r) => {
      const data = textValue(r.props['calendar-data']);
      return data ? safeBusy(() => busyFromEvents(data, w, emails)) : [];
    });
  }

  async #request(session: UserSession, method: string, href: string, opts: { depth: string; body: string }): Promise<{ status: number; text: string }> {
    const url = new URL(href, this.#base);
    if (url.origin !== this.#base.origin) throw new BackendError('Forbidden', `free/busy href ${href} is not on the CalDAV server`);
    let res: Response;
    try {
      res = await fetch(url, {
        method,
        redirect: 'manual',
        headers: {
          authorization: `Basic ${Buffer.from(`${session.user}:${session.password}`).toString('base64')}`,
          'content-type': 'application/xml; charset=utf-8',
          depth: opts.depth,
        },
        body: opts.body,
        signal: AbortSignal.timeout(this.#opts.timeoutMs ?? 10_000),
      });
    } catch (err) {
      throw new BackendError('BackendUnavailable', `CalDAV server unreachable: ${(err as Error).message}`, { cause: err });
    }
    const text = await res.text().catch(() => '');
    if (res.status >= 500 && res.status !== 501) throw new BackendError('BackendUnavailable', `${method} ${url.pathname}: HTTP ${res.status}`);
    return { status: res.status, text };
  }
}
