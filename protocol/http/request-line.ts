import { isProtocolVersion, type ProtocolVersion } from '../version.ts';
import {
  commandForCode,
  isEasCommandName,
  OPTION_FLAGS,
  PARAMETER_TAGS,
  type EasCommandName,
} from './command-codes.ts';
import { HttpRequestError } from './errors.ts';

/**
 * Per-command URI parameters under their MS-ASHTTP names
 * (2.2.1.1.1.2.5 plain form, 2.2.1.1.1.1.3 base64 form). The base64 Options
 * bitmask is unfolded into SaveInSent/AcceptMultiPart "T" so that handlers
 * read one shape whichever form the device used.
 */
export interface EasRequestParams {
  readonly AttachmentName?: string;
  readonly CollectionId?: string;
  readonly ItemId?: string;
  readonly LongId?: string;
  readonly ParentId?: string;
  readonly Occurrence?: string;
  readonly SaveInSent?: string;
  readonly AcceptMultiPart?: string;
  readonly [name: string]: string | undefined;
}

/**
 * Everything the request URI says (MS-ASHTTP 2.2.1.1.1), in one shape for
 * both query forms. `protocolVersion` and `policyKey` are present in the
 * base64 form; for the plain form they come from headers (see
 * `parseEasRequest`).
 */
export interface EasRequestLine {
  readonly form: 'plain' | 'base64';
  readonly command: EasCommandName;
  readonly user?: string;
  readonly deviceId: string;
  readonly deviceType: string;
  readonly protocolVersion?: ProtocolVersion;
  readonly policyKey?: number;
  /** Windows LCID from the base64 form (e.g. 0x0409 en-US). */
  readonly locale?: number;
  readonly params: EasRequestParams;
  /** SaveInSent=T (plain) or the Options 0x01 flag (base64). */
  readonly saveInSent: boolean;
  /** The Options 0x02 flag (base64); the header form is merged in by `parseEasRequest`. */
  readonly acceptMultiPart: boolean;
}

/** Parameter names of the plain query that we pass through, keyed by lower case (names are matched case-insensitively). */
const PLAIN_PARAMS = new Map(
  ['AttachmentName', 'CollectionId', 'ItemId', 'LongId', 'ParentId', 'Occurrence', 'SaveInSent', 'AcceptMultiPart'].map(
    (n) => [n.toLowerCase(), n],
  ),
);

/**
 * DeviceId "MUST NOT contain commas or special characters" (MS-ASHTTP
 * 2.2.1.1.1.2.3). Letters and digits are the norm; '-' and '_' are accepted
 * because deployed clients use them. The id ends up in state keys and logs,
 * so anything else is refused rather than escaped.
 */
const DEVICE_ID_RE = /^[A-Za-z0-9_-]{1,64}$/;
/** DeviceType is free text in practice ("iPhone", "WindowsOutlook15", "SAMSUNG SM-G991B"). */
const DEVICE_TYPE_RE = /^[A-Za-z0-9 ._-]{1,64}$/;

function checkDeviceId(id: string | undefined): string {
  if (id === undefined || id === '') throw new HttpRequestError('MissingDeviceId', 'DeviceId is missing');
  if (!DEVICE_ID_RE.test(id)) throw new HttpRequestError('BadDeviceId', 'DeviceId has characters outside [A-Za-z0-9_-] or is over 64 long');
  return id;
}

function checkDeviceType(t: string | undefined): string {
  if (t === undefined || t === '') throw new HttpRequestError('MissingDeviceType', 'DeviceType is missing');
  if (!DEVICE_TYPE_RE.test(t)) throw new HttpRequestError('BadDeviceType', 'DeviceType has unexpected characters or is over 64 long');
  return t;
}

/**
 * Whether a query string is the plain form. Base64 can hold '=' only as
 * trailing padding and never '&', so any other '=' or '&' means name=value
 * pairs; this way a plain query that lacks Cmd is reported as such, not as
 * bad base64.
 */
export function isPlainQuery(query: string): boolean {
  const core = stripQuestionMark(query).replace(/(=|%3D)+$/i, '');
  return /[=&]/.test(core);
}

function stripQuestionMark(q: string): string {
  return q.startsWith('?') ? q.slice(1) : q;
}

/**
 * Parses the plain text query value (MS-ASHTTP 2.2.1.1.1.2):
 * `Cmd=Sync&User=jdoe&DeviceId=ABC123&DeviceType=iPhone[&CollectionId=...]`.
 * Parameter names are matched without regard to case because some clients
 * send `deviceId`.
 */
export function parsePlainQuery(query: string): EasRequestLine {
  const search = new URLSearchParams(stripQuestionMark(query));
  let cmd: string | undefined;
  let user: string | undefined;
  let deviceId: string | undefined;
  let deviceType: string | undefined;
  const params: Record<string, string> = {};
  for (const [rawName, value] of search) {
    const name = rawName.toLowerCase();
    if (name === 'cmd') cmd = value;
    else if (name === 'user') user = value;
    else if (name === 'deviceid') deviceId = value;
    else if (name === 'devicetype') deviceType = value;
    else {
      const canonical = PLAIN_PARAMS.get(name);
      if (canonical) params[canonical] = value;
    }
  }
  if (cmd === undefined || cmd === '') throw new HttpRequestError('MissingCommand', 'Cmd is missing');
  if (!isEasCommandName(cmd)) throw new HttpRequestError('UnknownCommand', `unknown command ${JSON.stringify(cmd.slice(0, 40))}`);
  const saveInSent = params.SaveInSent;
  if (saveInSent !== undefined && !/^[TF]$/i.test(saveInSent)) {
    throw new HttpRequestError('BadParameter', 'SaveInSent must be T or F');
  }
  return {
    form: 'plain',
    command: cmd,
    ...(user !== undefined && user !== '' ? { user } : {}),
    deviceId: checkDeviceId(deviceId),
    deviceType: checkDeviceType(deviceType),
    params,
    saveInSent: saveInSent?.toUpperCase() === 'T',
    acceptMultiPart: params.AcceptMultiPart?.toUpperCase() === 'T',
  };
}

/** Reads the base64 query value into bytes; accepts URL-encoded and URL-safe alphabets since clients differ. */
function decodeBase64Query(query: string): Uint8Array {
  let s: string;
  try {
    s = decodeURIComponent(stripQuestionMark(query));
  } catch {
    throw new HttpRequestError('BadBase64', 'query is not valid percent-encoding');
  }
  s = s.replace(/-/g, '+').replace(/_/g, '/');
  if (s.length === 0 || !/^[A-Za-z0-9+/]+={0,2}$/.test(s) || s.replace(/=+$/, '').length % 4 === 1) {
    throw new HttpRequestError('BadBase64', 'query is neither plain nor base64');
  }
  return new Uint8Array(Buffer.from(s, 'base64'));
}

/**
 * A device id in the base64 form is "a string or a GUID" (MS-ASHTTP
 * 2.2.1.1.1.1.1): printable ids are kept, binary ones become upper-case hex
 * so that the same device gets the same id in logs and state.
 */
function deviceIdFromBytes(b: Uint8Array): string {
  const ascii = String.fromCharCode(...b);
  if (DEVICE_ID_RE.test(ascii)) return ascii;
  return Buffer.from(b).toString('hex').toUpperCase();
}

/**
 * Parses the base64-encoded query value (MS-ASHTTP 2.2.1.1.1.1): protocol
 * version byte (e.g. 141 = 14.1), command code byte, locale (uint16 LE),
 * device id (length byte + bytes), policy key (length byte 0 or 4 + uint32
 * LE), device type (length byte + string), then tag/length/value command
 * parameters.
 */
export function parseBase64Query(query: string): EasRequestLine {
  const bytes = decodeBase64Query(query);
  let pos = 0;
  const need = (n: number, what: string): void => {
    if (pos + n > bytes.length) throw new HttpRequestError('BadBase64', `base64 query ends inside ${what}`);
  };
  const u8 = (what: string): number => {
    need(1, what);
    return bytes[pos++]!;
  };
  const take = (n: number, what: string): Uint8Array => {
    need(n, what);
    const out = bytes.subarray(pos, pos + n);
    pos += n;
    return out;
  };
  const utf8 = (b: Uint8Array): string => new TextDecoder().decode(b);

  const versionByte = u8('protocol version');
  const version = `${Math.floor(versionByte / 10)}.${versionByte % 10}`;
  if (!isProtocolVersion(version)) throw new HttpRequestError('BadProtocolVersion', `unsupported protocol version byte ${versionByte}`);
  const code = u8('command code');
  const command = commandForCode(code);
  if (!command) throw new HttpRequestError('UnknownCommand', `unknown command code ${code}`);
  const locale = u8('locale') | (u8('locale') << 8);
  const deviceIdLen = u8('device id length');
  if (deviceIdLen === 0) throw new HttpRequestError('MissingDeviceId', 'device id length is 0');
  const deviceId = checkDeviceId(deviceIdFromBytes(take(deviceIdLen, 'device id')));
  const policyKeyLen = u8('policy key length');
  let policyKey: number | undefined;
  if (policyKeyLen === 4) {
    const k = take(4, 'policy key');
    policyKey = (k[0]! | (k[1]! << 8) | (k[2]! << 16) | (k[3]! << 24)) >>> 0;
  } else if (policyKeyLen !== 0) {
    throw new HttpRequestError('BadBase64', `policy key length ${policyKeyLen} is neither 0 nor 4`);
  }
  const deviceType = checkDeviceType(utf8(take(u8('device type length'), 'device type')));

  const params: Record<string, string> = {};
  let user: string | undefined;
  let options = 0;
  while (pos < bytes.length) {
    const tag = u8('parameter tag');
    const value = take(u8('parameter length'), 'parameter value');
    const name = (PARAMETER_TAGS as Record<number, string>)[tag];
    if (name === 'Options') options = value[0] ?? 0;
    else if (name === 'User') user = utf8(value);
    else if (name) params[name] = utf8(value);
  }
  if (options & OPTION_FLAGS.SaveInSent) params.SaveInSent = 'T';
  if (options & OPTION_FLAGS.AcceptMultiPart) params.AcceptMultiPart = 'T';
  return {
    form: 'base64',
    command,
    ...(user !== undefined && user !== '' ? { user } : {}),
    deviceId,
    deviceType,
    protocolVersion: version,
    ...(policyKey !== undefined ? { policyKey } : {}),
    locale,
    params,
    saveInSent: (options & OPTION_FLAGS.SaveInSent) !== 0,
    acceptMultiPart: (options & OPTION_FLAGS.AcceptMultiPart) !== 0,
  };
}

/** Parses either query form (MS-ASHTTP 2.2.1.1.1), telling them apart with `isPlainQuery`. */
export function parseQuery(query: string): EasRequestLine {
  const q = stripQuestionMark(query);
  if (q === '') throw new HttpRequestError('MissingCommand', 'empty query');
  return isPlainQuery(q) ? parsePlainQuery(q) : parseBase64Query(q);
}
