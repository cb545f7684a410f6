/**
 * One recorded request and its answer, from what the hooks collected to the
 * CaptureExchange of src/capture/format.ts, redacted (redact.ts). Runs off
 * the request path, after the response has gone out (recorder.ts).
 */
import type { IncomingHttpHeaders } from 'node:http';
import type { EasRequestLine } from '../../protocol/http/request-line.ts';
import { decodeWbxml } from '../../protocol/wbxml/decoder.ts';
import type { CaptureBody, CaptureExchange, CaptureRequestHeaders } from './format.ts';
import { hashAddresses, hashLogin, redactedXml, redactQuery } from './redact.ts';

/** What the hooks hold of one exchange until it is written. */
export interface RawExchange {
  readonly at: number;
  readonly method: 'POST' | 'OPTIONS';
  /** The query as sent, without "?". */
  readonly query: string;
  readonly line?: EasRequestLine;
  readonly requestHeaders: IncomingHttpHeaders;
  readonly requestBody?: Buffer;
  readonly status: number;
  readonly responseHeaders: Readonly<Record<string, unknown>>;
  /** The response body, or for a streamed one (ItemOperations, GetAttachment) its size and, when kept, its bytes. */
  readonly responseBody?: Buffer | { readonly streamedBytes: number; readonly kept?: Buffer };
  readonly durationMs: number;
}

const WBXML = /^\s*application\/vnd\.ms-sync\.wbxml/i;
const TEXTUAL = /^\s*(?:text\/|message\/|application\/(?:xml|json))/i;
const REQUEST_HEADERS = ['MS-ASProtocolVersion', 'X-MS-PolicyKey', 'User-Agent', 'Accept-Language', 'Content-Type', 'MS-ASAcceptMultiPart'] as const;
const RESPONSE_HEADERS = ['MS-ASProtocolVersions', 'MS-ASProtocolCommands', 'Retry-After', 'X-MS-Location', 'Content-Type'] as const;

/**
 * The request headers the recorder keeps (lower-case names, as Node has
 * them), taken before the exchange leaves the request: Authorization and
 * cookies never go further than the hooks.
 */
export function keptRequestHeaders(headers: IncomingHttpHeaders): IncomingHttpHeaders {
  const out: IncomingHttpHeaders = {};
  for (const h of REQUEST_HEADERS) {
    const k = h.toLowerCase();
    if (headers[k] !== undefined) out[k] = headers[k];
  }
  return out;
}

const first = (v: unknown): string | undefined => (Array.isArray(v) ? (v[0] === undefined ? undefined : String(v[0])) : v === undefined ? undefined : String(v));

/** The named headers of Node's lower-case map under their spelled names, the first value of each. */
function picked(headers: Readonly<Record<string, unknown>>, names: readonly string[]): Record<string, string> {
  const out: Record<string, string> = {};
  for (const h of names) {
    const v = first(headers[h.toLowerCase()]);
    if (v !== undefined) out[h] = v;
  }
  return out;
}

/** The exchange as the capture file holds it; `bodies` false applies the default redaction. */
export function buildExchange(raw: RawExchange, bodies: boolean): CaptureExchange {
  const requestHeaders = picked(raw.requestHeaders, REQUEST_HEADERS);
  const responseHeaders = picked(raw.responseHeaders, RESPONSE_HEADERS);
  const line = raw.line;
  const request = raw.requestBody ? captureBody(raw.requestBody, requestHeaders['Content-Type'], bodies) : undefined;
  const rb = raw.responseBody;
  const response = Buffer.isBuffer(rb) ? captureBody(rb, responseHeaders['Content-Type'], bodies) : rb ? streamedBody(rb, responseHeaders['Content-Type'], bodies) : undefined;
  return {
    at: new Date(raw.at).toISOString(),
    method: raw.method,
    query: bodies ? raw.query : redactQuery(raw.query),
    ...(line
      ? {
          decodedQuery: {
            form: line.form,
            command: line.command,
            ...(line.user !== undefined ? { user: bodies ? line.user : hashLogin(line.user) } : {}),
            deviceId: line.deviceId,
            deviceType: line.deviceType,
            params: Object.fromEntries(Object.entries(line.params).map(([k, v]) => [k, bodies ? (v ?? '') : hashAddresses(v ?? '')])),
          },
        }
      : {}),
    requestHeaders: requestHeaders as CaptureRequestHeaders,
    ...(request ? { request } : {}),
    response: { status: raw.status, headers: responseHeaders, ...(response ? { body: response } : {}) },
    durationMs: Math.round(raw.durationMs * 10) / 10,
  };
}

/**
 * A body as `xml` (+ `wbxml` when the XML hides nothing), or for anything
 * that is not WBXML (12.x SendMail message/rfc822, multipart ItemOperations,
 * attachments) its type and size, with the text only when bodies are kept.
 */
export function captureBody(bytes: Buffer, contentType: string | undefined, bodies: boolean): CaptureBody | undefined {
  if (bytes.length === 0) return undefined;
  const declaredOther = contentType !== undefined && contentType !== '' && !WBXML.test(contentType);
  // Every EAS WBXML body starts with the WBXML 1.3 version byte (MS-ASWBXML 2.1.2.1.1).
  if (!declaredOther && bytes[0] === 0x03) {
    let tree;
    try {
      // Our own answers may be larger than what a request may be; the other caps still apply.
      tree = decodeWbxml(bytes, { limits: { maxBodyBytes: Number.MAX_SAFE_INTEGER } });
    } catch {
      tree = undefined;
    }
    if (tree) {
      const { xml, changed } = redactedXml(tree, { bodies });
      return changed ? { xml } : { xml, wbxml: bytes.toString('base64') };
    }
    // Undecodable: nothing could be redacted, so the bytes go only where bodies are kept.
    return { contentType: contentType ?? 'application/vnd.ms-sync.wbxml', size: bytes.length, ...(bodies ? { wbxml: bytes.toString('base64') } : {}) };
  }
  // A body that is not WBXML and names no type is a 12.x MIME message (SendMail, SmartReply, SmartForward).
  const type = contentType || 'application/octet-stream';
  return { contentType: type, size: bytes.length, ...(bodies && (TEXTUAL.test(type) || !contentType) ? { text: bytes.toString('utf8') } : {}) };
}

function streamedBody(s: { streamedBytes: number; kept?: Buffer }, contentType: string | undefined, bodies: boolean): CaptureBody | undefined {
  if (s.kept && s.kept.length === s.streamedBytes) return captureBody(s.kept, contentType, bodies);
  return s.streamedBytes === 0 ? undefined : { contentType: contentType ?? 'application/octet-stream', size: s.streamedBytes };
}
