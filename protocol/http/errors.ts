/**
 * Why a request line or header was refused. Every one of these is answered
 * with HTTP 400 (MS-ASHTTP 3.2.5.1: the request is malformed and retrying it
 * unchanged fails the same way); the code is for the log line.
 */
export type HttpRequestErrorCode =
  | 'MissingCommand' // no Cmd= (plain) or no command byte (base64)
  | 'UnknownCommand' // Cmd= or the command code names no command we know
  | 'MissingDeviceId'
  | 'BadDeviceId' // characters outside the allowed set, or too long
  | 'MissingDeviceType'
  | 'BadDeviceType'
  | 'BadBase64' // not base64, or the byte sequence ends inside a field
  | 'BadProtocolVersion' // a version we do not speak (header or base64 byte)
  | 'BadPolicyKey' // X-MS-PolicyKey not an unsigned 32-bit integer
  | 'BadParameter'; // a command parameter with an unusable value

/** A malformed HTTP request line or header (MS-ASHTTP 2.2.1.1). */
export class HttpRequestError extends Error {
  override readonly name = 'HttpRequestError';
  /** Always 400: MS-ASHTTP 3.2.5.1 "Bad Request". */
  readonly httpStatus = 400;
  constructor(
    readonly code: HttpRequestErrorCode,
    message: string,
  ) {
    super(message);
  }
}

/** Type guard that survives errors crossing module copies. */
export function isHttpRequestError(e: unknown): e is HttpRequestError {
  return e instanceof Error && e.name === 'HttpRequestError';
}
