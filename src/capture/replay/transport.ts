/**
 * One HTTP exchange with the replayed server: Basic auth, the headers the
 * step carries, the body as bytes; the answer read whole and its WBXML
 * decoded. Separate from EasClient (src/client) because replay sends what
 * the recording says (its User-Agent, its query form, its policy key
 * header or none), not what a well-behaved client would.
 */
import { request as httpRequest } from 'node:http';
import { request as httpsRequest } from 'node:https';
import { decodeWbxml } from '../../../protocol/wbxml/decoder.ts';
import type { StepBody } from './steps.ts';

export interface HttpTarget {
  /** e.g. https://mail.example.org (the EAS path is added per request). */
  readonly baseUrl: string;
  readonly user: string;
  readonly password: string;
  /** Accept self-signed certificates (--insecure). */
  readonly insecure?: boolean;
}

export interface HttpAnswer {
  readonly status: number;
  /** Lower-case names, first value of each. */
  readonly headers: Readonly<Record<string, string>>;
  readonly raw: Buffer;
  readonly body: StepBody;
}

const WBXML = /vnd\.ms-sync\.wbxml/i;

/** Reads a received body into the form compare.ts judges. */
export function answerBody(raw: Buffer, contentType: string | undefined): StepBody {
  if (raw.length === 0) return { kind: 'none' };
  if (WBXML.test(contentType ?? '') || (!contentType && raw[0] === 0x03)) {
    try {
      return { kind: 'wbxml', tree: decodeWbxml(raw, { limits: { maxBodyBytes: Number.MAX_SAFE_INTEGER } }) };
    } catch (e) {
      return { kind: 'other', contentType: `undecodable WBXML (${(e as Error).message})`, size: raw.length };
    }
  }
  return { kind: 'other', contentType: contentType ?? 'application/octet-stream', size: raw.length };
}

/** Sends one request; rejects on network errors and after `timeoutMs`. */
export function sendHttp(
  target: HttpTarget,
  req: { method: string; path: string; headers: Readonly<Record<string, string>>; body?: Uint8Array; timeoutMs: number },
): Promise<HttpAnswer> {
  const url = new URL(req.path, target.baseUrl);
  const headers: Record<string, string> = {
    ...req.headers,
    Authorization: `Basic ${Buffer.from(`${target.user}:${target.password}`).toString('base64')}`,
  };
  const payload = req.body ? Buffer.from(req.body) : undefined;
  headers['Content-Length'] = String(payload?.length ?? 0);
  const doRequest = url.protocol === 'https:' ? httpsRequest : httpRequest;
  return new Promise<HttpAnswer>((resolve, reject) => {
    const r = doRequest(
      url,
      {
        method: req.method,
        headers,
        timeout: req.timeoutMs,
        ...(url.protocol === 'https:' && target.insecure ? { rejectUnauthorized: false } : {}),
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('error', reject);
        res.on('end', () => {
          const raw = Buffer.concat(chunks);
          const out: Record<string, string> = {};
          for (const [k, v] of Object.entries(res.headers)) if (v !== undefined) out[k.toLowerCase()] = Array.isArray(v) ? v.join(', ') : String(v);
          resolve({ status: res.statusCode ?? 0, headers: out, raw, body: answerBody(raw, out['content-type']) });
        });
      },
    );
    r.on('timeout', () => r.destroy(new Error(`no answer within ${req.timeoutMs} ms`)));
    r.on('error', reject);
    r.end(payload);
  });
}
