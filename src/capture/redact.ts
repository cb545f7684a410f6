/**
 * What a recorded session may keep (issue 11). By default a capture file
 * can be attached to a bug report: passwords, message bodies and MIME,
 * attachment data and photos read "[redacted N bytes]", and every email
 * address becomes `u-<8 hex of sha256>@redacted.invalid`, the same for the
 * same address wherever it appears (XML text, the query's User, the file's
 * mailbox), so that a replay can still tell the owner from a recipient.
 * With `bodies` (eas-admin capture start --bodies) only passwords go.
 * The Authorization header is never recorded at all (recorder.ts picks
 * the request headers it keeps).
 */
import { createHash } from 'node:crypto';
import { base64Query } from '../client/query.ts';
import { parseBase64Query, isPlainQuery } from '../../protocol/http/request-line.ts';
import { redactSecrets } from '../../protocol/xml/index.ts';
import { renderXml } from './xml.ts';
import type { WbxmlElement } from '../../protocol/wbxml/tree.ts';
import type { ProtocolVersion } from '../../protocol/version.ts';

/** Passwords (MS-ASCMD Settings DevicePassword, ItemOperations and Search Options): gone even with bodies kept. */
const PASSWORDS: ReadonlySet<string> = new Set(['Settings:Password', 'Settings:DevicePassword', 'ItemOperations:Password', 'Search:Password']);
/**
 * Tag names of every element in PASSWORDS, CONTENT and redactSecrets'
 * list: the per-element test looks at the name alone first, so that the
 * thousands of other elements of a Sync window cost one Set lookup.
 */
const CANDIDATE_NAMES: ReadonlySet<string> = new Set(['Password', 'DevicePassword', 'Data', 'MIMEData', 'Body', 'Mime', 'Certificate', 'MiniCertificate', 'Picture', 'Preview', 'CompressedRTF']);

/**
 * Content that protocol/xml/redact.ts leaves to logs but a shared capture
 * must not carry: photos (MS-ASCNTC Picture, GAL and ResolveRecipients
 * picture Data), body previews (MS-ASAIRS Preview, Find Preview) and 2.5
 * compressed RTF bodies.
 */
const CONTENT: ReadonlySet<string> = new Set([
  'Contacts:Picture',
  'GAL:Data',
  'ResolveRecipients:Data',
  'AirSyncBase:Preview',
  'Find:Preview',
  'Calendar:CompressedRTF',
  'Tasks:CompressedRTF',
]);

/**
 * An address as it occurs in headers and EAS text fields. The domain needs
 * no dot (`alice@localhost` is a login on small installs); addresses already
 * hashed are left alone so that redacting twice changes nothing.
 */
const ADDRESS = /[A-Za-z0-9.!#$%&'*+/=?^_`{|}~-]+@[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?(?:\.[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?)*/g;
const HASHED_DOMAIN = '@redacted.invalid';

const hex8 = (s: string): string => createHash('sha256').update(s.toLowerCase(), 'utf8').digest('hex').slice(0, 8);

/** Recent addresses and their hashes: a Sync window names the same few people hundreds of times. */
const hashCache = new Map<string, string>();
const HASH_CACHE_MAX = 10_000;

/** `u-<8 hex of sha256(lower-case address)>@redacted.invalid`. */
export function hashAddress(address: string): string {
  const known = hashCache.get(address);
  if (known !== undefined) return known;
  const h = address.toLowerCase().endsWith(HASHED_DOMAIN) ? address : `u-${hex8(address)}${HASHED_DOMAIN}`;
  if (hashCache.size >= HASH_CACHE_MAX) hashCache.clear();
  hashCache.set(address, h);
  return h;
}

/** A login as the file's mailbox or the query's User: an address hashes as an address, a bare login as `user-<8 hex>`. */
export function hashLogin(login: string): string {
  if (login.includes('@')) return hashAddress(login);
  return /^user-[0-9a-f]{8}$/.test(login) ? login : `user-${hex8(login)}`;
}

/** Recent texts and their hashed form: a Sync window repeats the same From and To lines. */
const textCache = new Map<string, string>();

/** The text with every address in it hashed. */
export function hashAddresses(text: string): string {
  if (!text.includes('@')) return text;
  const known = textCache.get(text);
  if (known !== undefined) return known;
  const h = text.replace(ADDRESS, (a) => hashAddress(a));
  // Long texts seldom repeat: not kept.
  if (text.length <= 512) {
    if (textCache.size >= HASH_CACHE_MAX) textCache.clear();
    textCache.set(text, h);
  }
  return h;
}

const sizeOf = (e: WbxmlElement): number => (e.opaque ? e.opaque.length : e.text !== undefined ? Buffer.byteLength(e.text, 'utf8') : 0);
const redacted = (e: WbxmlElement): string => `[redacted ${sizeOf(e)} bytes]`;

/**
 * A decoded body as the capture's XML. `changed` is true when the XML says
 * less than the bytes did: the caller must then leave the WBXML out, since
 * it would carry what was redacted.
 */
export function redactedXml(tree: WbxmlElement, opts: { bodies: boolean }): { xml: string; changed: boolean } {
  let changed = false;
  const redact = (e: WbxmlElement): string | undefined => {
    // Containers (12.0+ Provision:Data, GAL:Picture) keep their structure; their leaves are looked at in turn.
    if (e.children && e.children.length > 0) return undefined;
    if (CANDIDATE_NAMES.has(e.name)) {
      const key = `${e.ns}:${e.name}`;
      if (PASSWORDS.has(key)) {
        changed = true;
        return redacted(e);
      }
      if (opts.bodies) return undefined;
      const secret = redactSecrets(e) ?? (CONTENT.has(key) ? redacted(e) : undefined);
      if (secret !== undefined) {
        changed = true;
        return secret;
      }
    } else if (opts.bodies) return undefined;
    // Some clients send strings as OPAQUE; an address in them is an address all the same.
    const text = e.text ?? (e.opaque && e.opaque.includes(0x40) ? Buffer.from(e.opaque).toString('utf8') : undefined);
    if (text === undefined || !text.includes('@')) return undefined;
    const hashed = hashAddresses(text);
    if (hashed === text) return undefined;
    changed = true;
    return hashed;
  };
  const xml = renderXml(tree, redact);
  return { xml, changed };
}

/**
 * The query string with the User and any address in a parameter hashed.
 * The plain form is rewritten pair by pair; the base64 form is decoded and
 * encoded again (MS-ASHTTP 2.2.1.1.1.1). A base64 query that does not parse
 * is kept only when it holds no '@'.
 */
export function redactQuery(query: string): string {
  if (query === '') return query;
  if (isPlainQuery(query)) {
    const p = new URLSearchParams(query);
    let changed = false;
    const out = new URLSearchParams();
    for (const [k, v] of p) {
      const nv = k.toLowerCase() === 'user' && v !== '' ? hashLogin(v) : hashAddresses(v);
      if (nv !== v) changed = true;
      out.append(k, nv);
    }
    return changed ? out.toString() : query;
  }
  try {
    const line = parseBase64Query(query);
    const params = Object.fromEntries(Object.entries(line.params).map(([k, v]) => [k, hashAddresses(v ?? '')]));
    const user = line.user !== undefined ? hashLogin(line.user) : undefined;
    if (user === line.user && Object.entries(params).every(([k, v]) => line.params[k] === v)) return query;
    // base64Query always writes a User; a query without one has nothing of a person in it but the params.
    return base64Query({
      command: line.command,
      user: user ?? '',
      deviceId: line.deviceId,
      deviceType: line.deviceType,
      version: line.protocolVersion as ProtocolVersion,
      policyKey: line.policyKey ?? 0,
      params,
      ...(line.locale !== undefined ? { locale: line.locale } : {}),
    });
  } catch {
    let raw: Buffer;
    try {
      raw = Buffer.from(decodeURIComponent(query), 'base64');
    } catch {
      return '';
    }
    return raw.includes(0x40) ? '' : query;
  }
}
