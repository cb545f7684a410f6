import { XMLParser } from 'fast-xml-parser';

/**
 * WebDAV multistatus answers (RFC 4918 13, RFC 6578 3.2) read into plain
 * records. Namespace prefixes vary by server (`D:`, `d:`, a default
 * namespace), so they are stripped: the element names EAS needs are unique
 * across DAV, CalDAV, CardDAV and CalendarServer.
 */
export interface MultistatusResponse {
  readonly href: string;
  /** The response-level status (a removed member in sync-collection: 404). */
  readonly status?: number;
  /** Properties found with 200, by local name; text values, or the raw object for structured ones. */
  readonly props: Readonly<Record<string, unknown>>;
}

const parser = new XMLParser({
  removeNSPrefix: true,
  ignoreAttributes: false,
  attributeNamePrefix: '@',
  parseTagValue: false,
  trimValues: false,
  // Servers escape the CR of iCalendar's CRLF as &#13; (Radicale does): numeric references must be decoded.
  htmlEntities: true,
  isArray: (name) => name === 'response' || name === 'propstat' || name === 'href' || name === 'comp',
});

const statusCode = (s: unknown): number | undefined => {
  const m = typeof s === 'string' ? /\s(\d{3})\s?/.exec(s) : null;
  return m ? Number(m[1]) : undefined;
};

/** Text of an element that fast-xml-parser may give as a string or as { '#text': ... }. */
export function textValue(v: unknown): string | undefined {
  if (typeof v === 'string') return v;
  if (v && typeof v === 'object' && '#text' in v) return String((v as Record<string, unknown>)['#text']);
  return undefined;
}

/** The `<response>` elements of a multistatus and, for sync-collection, its `<sync-token>`. */
export function parseMultistatus(xml: string): { responses: MultistatusResponse[]; syncToken?: string } {
  const doc = parser.parse(xml) as { multistatus?: { response?: unknown[]; 'sync-token'?: unknown } };
  const ms = doc.multistatus;
  if (!ms) return { responses: [] };
  const responses: MultistatusResponse[] = [];
  for (const raw of ms.response ?? []) {
    const r = raw as { href?: unknown[]; status?: unknown; propstat?: { status?: unknown; prop?: Record<string, unknown> }[] };
    const href = textValue(r.href?.[0])?.trim();
    if (!href) continue;
    const props: Record<string, unknown> = {};
    for (const ps of r.propstat ?? []) {
      const code = statusCode(ps.status);
      if (code !== undefined && code !== 200) continue;
      for (const [k, v] of Object.entries(ps.prop ?? {})) props[k] = v;
    }
    const status = statusCode(r.status);
    responses.push({ href, ...(status !== undefined ? { status } : {}), props });
  }
  const token = textValue(ms['sync-token'])?.trim();
  return { responses, ...(token ? { syncToken: token } : {}) };
}

/** The first href inside a property such as current-user-principal or calendar-home-set. */
export function hrefIn(prop: unknown): string | undefined {
  if (!prop || typeof prop !== 'object') return undefined;
  const h = (prop as { href?: unknown[] }).href;
  return textValue(h?.[0])?.trim();
}

/** Whether a resourcetype property holds `name` (collection, calendar, addressbook, principal...). */
export function hasResourceType(prop: unknown, name: string): boolean {
  return !!prop && typeof prop === 'object' && name in (prop as object);
}

/** The component names of a supported-calendar-component-set (RFC 4791 5.2.3). */
export function componentNames(prop: unknown): string[] | undefined {
  if (!prop || typeof prop !== 'object') return undefined;
  const comps = (prop as { comp?: unknown[] }).comp ?? [];
  return comps.map((c) => String((c as Record<string, unknown>)['@name'] ?? '').toUpperCase()).filter(Boolean);
}

/** Escapes text for an XML element body. */
export function xmlText(s: string): string {
  return s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}
