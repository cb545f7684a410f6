/**
 * Radicale seen from the test side, for the sync-calendar / sync-tasks /
 * sync-contacts tests: raw PUT, GET, DELETE and PROPPATCH as another CalDAV
 * client (a desktop calendar) would do them, with the stack user's login.
 */
import { textOf, type WbxmlElement } from '../../protocol/wbxml/tree.ts';
import type { Stack } from '../harness/use-stack.ts';

export interface DavSide {
  put(url: string, body: string, contentType?: string): Promise<string>;
  get(url: string): Promise<{ status: number; body: string; etag: string | null }>;
  del(url: string): Promise<number>;
  rename(collection: string, displayName: string): Promise<number>;
  /** Every member href of a collection (PROPFIND Depth 1). */
  members(collection: string): Promise<string[]>;
}

export function davSide(stack: () => Stack, user: string): DavSide {
  const auth = (): string => `Basic ${Buffer.from(`${user}:${stack().user(user).password}`).toString('base64')}`;
  return {
    async put(url, body, contentType = 'text/calendar; charset=utf-8') {
      const res = await fetch(url, { method: 'PUT', headers: { authorization: auth(), 'content-type': contentType }, body });
      await res.arrayBuffer();
      if (res.status !== 201 && res.status !== 204) throw new Error(`PUT ${url}: ${res.status}`);
      return res.headers.get('etag') ?? '';
    },
    async get(url) {
      const res = await fetch(url, { headers: { authorization: auth() } });
      return { status: res.status, body: await res.text(), etag: res.headers.get('etag') };
    },
    async del(url) {
      const res = await fetch(url, { method: 'DELETE', headers: { authorization: auth() } });
      await res.arrayBuffer();
      return res.status;
    },
    async rename(collection, displayName) {
      const body = `<?xml version="1.0" encoding="utf-8"?><D:propertyupdate xmlns:D="DAV:"><D:set><D:prop><D:displayname>${displayName}</D:displayname></D:prop></D:set></D:propertyupdate>`;
      const res = await fetch(collection, { method: 'PROPPATCH', headers: { authorization: auth(), 'content-type': 'application/xml' }, body });
      await res.arrayBuffer();
      return res.status;
    },
    async members(collection) {
      const res = await fetch(collection, { method: 'PROPFIND', headers: { authorization: auth(), depth: '1', 'content-type': 'application/xml' }, body: '<?xml version="1.0"?><D:propfind xmlns:D="DAV:"><D:prop><D:getetag/></D:prop></D:propfind>' });
      const text = await res.text();
      const path = decodeURIComponent(new URL(collection).pathname);
      return [...text.matchAll(/<(?:\w+:)?href>([^<]+)<\/(?:\w+:)?href>/g)].map((m) => m[1]!).filter((h) => decodeURIComponent(h) !== path);
    },
  };
}

/** A VCALENDAR around `lines` (CRLF, as RFC 5545 wants). */
export function vcal(lines: readonly string[]): string {
  return ['BEGIN:VCALENDAR', 'VERSION:2.0', 'PRODID:-//test//EN', ...lines, 'END:VCALENDAR', ''].join('\r\n');
}

/** A simple UTC VEVENT. */
export function vevent(uid: string, summary: string, start: string, end: string, extra: readonly string[] = []): string {
  return vcal(['BEGIN:VEVENT', `UID:${uid}`, 'DTSTAMP:20260101T000000Z', `DTSTART:${start}`, `DTEND:${end}`, `SUMMARY:${summary}`, ...extra, 'END:VEVENT']);
}

/** iCalendar UTC form of a date. */
export const icsUtc = (d: Date): string => d.toISOString().replace(/[-:]/g, '').replace(/\.\d{3}/, '');

/** The text of the first element named `name` anywhere in a tree. */
export function findText(e: WbxmlElement | undefined, name: string): string | undefined {
  if (!e) return undefined;
  if (e.name === name) return textOf(e);
  for (const c of e.children ?? []) {
    const t = findText(c, name);
    if (t !== undefined) return t;
  }
  return undefined;
}
