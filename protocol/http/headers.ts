import { isProtocolVersion, PROTOCOL_VERSIONS, type ProtocolVersion } from '../version.ts';
import { HttpRequestError } from './errors.ts';

/** Request headers as Node and Fastify hand them over: lower-case names, repeated headers as arrays. */
export type HeaderBag = Readonly<Record<string, string | readonly string[] | undefined>>;

/** First value of a header, looked up by lower-case name; repeated headers keep the first. */
export function headerValue(headers: HeaderBag, name: string): string | undefined {
  const v = headers[name.toLowerCase()];
  const s = Array.isArray(v) ? v[0] : (v as string | undefined);
  const t = s?.trim();
  return t === undefined || t === '' ? undefined : t;
}

/**
 * MS-ASProtocolVersion (MS-ASHTTP 2.2.1.1.2.6): the version the request is
 * written in. Absent → undefined (the server chooses a fallback); present but
 * not one we speak → `BadProtocolVersion`.
 */
export function readProtocolVersion(headers: HeaderBag): ProtocolVersion | undefined {
  const v = headerValue(headers, 'MS-ASProtocolVersion');
  if (v === undefined) return undefined;
  if (!isProtocolVersion(v)) {
    throw new HttpRequestError('BadProtocolVersion', `MS-ASProtocolVersion ${JSON.stringify(v.slice(0, 20))} is not one of ${PROTOCOL_VERSIONS.join(',')}`);
  }
  return v;
}

/**
 * X-MS-PolicyKey (MS-ASHTTP 2.2.1.1.2.8): an unsigned 32-bit integer in
 * decimal. Absent → undefined; "0" is kept as 0 (a device that has not been
 * provisioned yet sends it).
 */
export function readPolicyKey(headers: HeaderBag): number | undefined {
  const v = headerValue(headers, 'X-MS-PolicyKey');
  if (v === undefined) return undefined;
  if (!/^\d{1,10}$/.test(v) || Number(v) > 0xffffffff) {
    throw new HttpRequestError('BadPolicyKey', 'X-MS-PolicyKey is not an unsigned 32-bit integer');
  }
  return Number(v);
}

/** User-Agent (MS-ASHTTP 2.2.1.1.2.7); kept verbatim for device records and quirk detection. */
export function readUserAgent(headers: HeaderBag): string | undefined {
  return headerValue(headers, 'User-Agent');
}

/**
 * MS-ASAcceptMultiPart (MS-ASHTTP 2.2.1.1.2.5): "T" asks for an
 * ItemOperations response in multipart form. Anything else, or absent, is
 * false; clients also send "1", which we read as true.
 */
export function readAcceptMultiPart(headers: HeaderBag): boolean {
  const v = headerValue(headers, 'MS-ASAcceptMultiPart');
  return v !== undefined && /^(t|true|1)$/i.test(v);
}
