/**
 * `eas-replay import FILE.har`: a HAR 1.2 export of an EAS session (browser
 * devtools, mitmproxy, Charles, Fiddler) as a capture file. Only requests to
 * /Microsoft-Server-ActiveSync (any case) of the first device seen are
 * taken; each becomes the exchange the recorder would have written
 * (src/capture/exchange.ts buildExchange with the default redaction:
 * addresses hashed, passwords, bodies and photos redacted). The
 * Authorization header is never kept; its user name only names the
 * mailbox, hashed, when the query has no User.
 *
 * Bodies: HAR stores binary content as base64 with `encoding: "base64"`
 * (content, and postData in mitmproxy and Fiddler exports); some tools put
 * base64 in postData.text without saying so, others the bytes as a
 * one-char-per-byte string. All three are read.
 */
import { basename } from 'node:path';
import { parseQuery, type EasRequestLine } from '../../../protocol/http/request-line.ts';
import { CAPTURE_FORMAT, type CaptureExchange, type CaptureFile } from '../format.ts';
import { buildExchange } from '../exchange.ts';
import { hashLogin } from '../redact.ts';

/** Why a HAR file cannot be imported (eas-replay exits 2). */
export class HarInputError extends Error {
  override name = 'HarInputError';
}

interface HarHeader {
  readonly name: string;
  readonly value: string;
}

interface HarEntry {
  readonly startedDateTime?: string;
  readonly time?: number;
  readonly request?: {
    readonly method?: string;
    readonly url?: string;
    readonly headers?: readonly HarHeader[];
    readonly postData?: { readonly mimeType?: string; readonly text?: string; readonly encoding?: string };
  };
  readonly response?: {
    readonly status?: number;
    readonly headers?: readonly HarHeader[];
    readonly content?: { readonly mimeType?: string; readonly text?: string; readonly encoding?: string; readonly size?: number };
  };
}

export interface HarImport {
  readonly capture: CaptureFile;
  readonly imported: number;
  readonly skippedNotEas: number;
  readonly skippedOtherDevice: number;
  readonly skippedBroken: number;
}

const EAS_PATH = /^\/microsoft-server-activesync\/?$/i;

const isUtf8 = (b: Uint8Array): boolean => {
  try {
    new TextDecoder('utf-8', { fatal: true }).decode(b);
    return true;
  } catch {
    return false;
  }
};

/** The bytes of a HAR body in whichever of the forms exporters use. */
export function harBytes(text: string | undefined, encoding: string | undefined): Buffer | undefined {
  if (text === undefined || text === '') return undefined;
  if (encoding?.toLowerCase() === 'base64') return Buffer.from(text, 'base64');
  // Every EAS WBXML body starts with the version byte 0x03 (MS-ASWBXML 2.1.2.1.1).
  if (text.charCodeAt(0) === 0x03) {
    // One char per byte, or the bytes decoded as UTF-8 by the exporter. EAS strings are UTF-8 and
    // tags are below 0x80, so the right reading is the one that is valid UTF-8 (latin1 when both are).
    const latin1 = Buffer.from(text, 'latin1');
    if (/[^\u0000-\u00ff]/.test(text)) return Buffer.from(text, 'utf8');
    const utf8 = Buffer.from(text, 'utf8');
    return isUtf8(latin1) || !isUtf8(utf8) ? latin1 : utf8;
  }
  if (/^[A-Za-z0-9+/\r\n]+={0,2}\s*$/.test(text) && text.length >= 8) {
    const b = Buffer.from(text, 'base64');
    if (b[0] === 0x03) return b;
  }
  return Buffer.from(text, 'utf8');
}

const headerBag = (hs: readonly HarHeader[] | undefined): Record<string, string> => {
  const out: Record<string, string> = {};
  for (const h of hs ?? []) if (typeof h?.name === 'string') out[h.name.toLowerCase()] ??= String(h.value ?? '');
  return out;
};

/** The user of a Basic Authorization header (never the password), for naming the mailbox. */
function basicUser(auth: string | undefined): string | undefined {
  const m = /^\s*basic\s+(\S+)/i.exec(auth ?? '');
  if (!m) return undefined;
  const decoded = Buffer.from(m[1]!, 'base64').toString('utf8');
  const colon = decoded.indexOf(':');
  return colon > 0 ? decoded.slice(0, colon) : undefined;
}

/** Converts parsed HAR JSON; `name` is the file name for the source field and messages. */
export function importHar(har: unknown, name: string): HarImport {
  const entries = (har as { log?: { entries?: unknown } })?.log?.entries;
  if (!Array.isArray(entries)) throw new HarInputError(`${name}: not a HAR 1.2 file (no log.entries)`);
  const creator = (har as { log: { creator?: { name?: string; version?: string } } }).log.creator;
  let skippedNotEas = 0;
  let skippedOtherDevice = 0;
  let skippedBroken = 0;
  let deviceId: string | undefined;
  let deviceType: string | undefined;
  let user: string | undefined;
  const exchanges: CaptureExchange[] = [];
  for (const raw of entries as HarEntry[]) {
    let url: URL;
    try {
      url = new URL(raw?.request?.url ?? '');
    } catch {
      skippedBroken++;
      continue;
    }
    const method = (raw.request?.method ?? '').toUpperCase();
    if (!EAS_PATH.test(url.pathname) || (method !== 'POST' && method !== 'OPTIONS')) {
      skippedNotEas++;
      continue;
    }
    const query = url.search.replace(/^\?/, '');
    let line: EasRequestLine | undefined;
    if (method === 'POST') {
      try {
        line = parseQuery(query);
      } catch {
        line = undefined;
      }
    }
    const reqHeaders = headerBag(raw.request?.headers);
    const optionsDevice = method === 'OPTIONS' ? new URLSearchParams(query).get('DeviceId') ?? undefined : undefined;
    const thisDevice = line?.deviceId ?? optionsDevice;
    if (thisDevice !== undefined) {
      deviceId ??= thisDevice;
      if (thisDevice !== deviceId) {
        skippedOtherDevice++;
        continue;
      }
    }
    deviceType ??= line?.deviceType;
    user ??= line?.user ?? basicUser(reqHeaders.authorization);
    const started = Date.parse(raw.startedDateTime ?? '');
    const response = raw.response ?? {};
    const resHeaders = headerBag(response.headers);
    const content = response.content ?? {};
    if (content.mimeType && !resHeaders['content-type']) resHeaders['content-type'] = content.mimeType;
    const reqBody = harBytes(raw.request?.postData?.text, raw.request?.postData?.encoding);
    if (reqBody && raw.request?.postData?.mimeType && !reqHeaders['content-type']) reqHeaders['content-type'] = raw.request.postData.mimeType;
    const resBody = harBytes(content.text, content.encoding);
    exchanges.push(
      buildExchange(
        {
          at: Number.isFinite(started) ? started : 0,
          method: method as 'POST' | 'OPTIONS',
          query,
          ...(line ? { line } : {}),
          requestHeaders: reqHeaders,
          ...(reqBody ? { requestBody: reqBody } : {}),
          status: typeof response.status === 'number' && response.status >= 100 ? response.status : 0,
          responseHeaders: resHeaders,
          // A HAR that left the content out (size only) still says how big the answer was.
          ...(resBody ? { responseBody: resBody } : content.size ? { responseBody: { streamedBytes: content.size } } : {}),
          durationMs: typeof raw.time === 'number' && raw.time >= 0 ? raw.time : 0,
        },
        false,
      ),
    );
  }
  if (exchanges.length === 0) {
    throw new HarInputError(`${name}: no EAS exchanges (${entries.length} entries, none to /Microsoft-Server-ActiveSync)`);
  }
  const bad = exchanges.findIndex((x) => x.response.status < 100);
  if (bad >= 0) throw new HarInputError(`${name}: entry for exchange ${bad + 1} has no HTTP status (an aborted request?)`);
  const capture: CaptureFile = {
    format: CAPTURE_FORMAT,
    source: `imported from HAR ${basename(name)}`,
    description: `${exchanges.length} EAS exchanges exported by ${creator?.name ?? 'an unknown tool'}${creator?.version ? ` ${creator.version}` : ''}`,
    mailbox: user ? hashLogin(user) : 'unknown',
    deviceId: deviceId ?? 'unknown',
    deviceType: deviceType ?? 'unknown',
    redaction: { bodies: false, addresses: 'hashed' },
    exchanges,
  };
  return { capture, imported: exchanges.length, skippedNotEas, skippedOtherDevice, skippedBroken };
}
