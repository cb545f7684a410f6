import type { ProtocolVersion } from '../version.ts';
import { readAcceptMultiPart, readPolicyKey, readProtocolVersion, readUserAgent, type HeaderBag } from './headers.ts';
import { parseQuery, type EasRequestLine } from './request-line.ts';

export * from './command-codes.ts';
export * from './errors.ts';
export * from './headers.ts';
export * from './options.ts';
export * from './request-line.ts';

/** A request line with the header-borne fields merged in (MS-ASHTTP 2.2.1.1.1 + 2.2.1.1.2). */
export interface EasRequest extends EasRequestLine {
  readonly userAgent?: string;
}

/**
 * Reads a POST's query and headers into one typed request. The base64 form
 * carries version and policy key in its bytes and takes precedence ("the
 * header SHOULD NOT be used" with it, MS-ASHTTP 2.2.1.1.2.6); the plain form
 * takes them from MS-ASProtocolVersion and X-MS-PolicyKey (also read when a
 * base64 query omits its policy key, as some clients do). AcceptMultiPart
 * is true when either the Options flag or the header asks for it. Throws
 * `HttpRequestError` (HTTP 400) for anything malformed.
 */
export function parseEasRequest(query: string, headers: HeaderBag): EasRequest {
  const line = parseQuery(query);
  const protocolVersion: ProtocolVersion | undefined = line.protocolVersion ?? readProtocolVersion(headers);
  const policyKey = line.policyKey ?? readPolicyKey(headers);
  const acceptMultiPart = line.acceptMultiPart || readAcceptMultiPart(headers);
  const userAgent = readUserAgent(headers);
  return {
    ...line,
    ...(protocolVersion !== undefined ? { protocolVersion } : {}),
    ...(policyKey !== undefined ? { policyKey } : {}),
    acceptMultiPart,
    params: acceptMultiPart && !line.params.AcceptMultiPart ? { ...line.params, AcceptMultiPart: 'T' } : line.params,
    ...(userAgent !== undefined ? { userAgent } : {}),
  };
}
