/**
 * WBXML bytes -> element tree, as EAS uses WBXML 1.3 (MS-ASWBXML 2.1.1, 2.1.2).
 *
 * Supported: the header, SWITCH_PAGE, END, STR_I, OPAQUE, tags with and
 * without content. Everything else WBXML allows (attributes, string tables,
 * STR_T, entities, EXT_*, PI, LITERAL) never occurs in EAS and is refused with
 * a `WbxmlError` naming the byte offset. Whatever the input, the decoder
 * throws nothing but `WbxmlError`, and it consumes at least one byte per step
 * so it cannot loop. Any token that some protocol version defines is
 * accepted: checking versions is the command layer's business, not the wire's.
 */
import { Buffer, isUtf8 } from 'node:buffer';
import { DECODE_TABLE } from '../codepages/index.ts';
import { WbxmlError } from '../errors.ts';
import { resolveLimits, type WbxmlLimits } from '../limits.ts';
import type { WbxmlElement } from './tree.ts';
import { CHARSET_UTF8, END, OPAQUE, STR_I, SWITCH_PAGE, TAG_ATTRIBUTES, TAG_CONTENT, globalTokenName } from './tokens.ts';

/** Options of `decodeWbxml` / `decodeWbxmlFragment`. */
export interface DecodeOptions {
  /** Overrides of the hostile-input caps in `protocol/limits.ts`. */
  limits?: Partial<WbxmlLimits>;
}

const NAMES = DECODE_TABLE.names;
const NAMESPACES = DECODE_TABLE.namespaces;

/**
 * Decodes one whole WBXML document (header + exactly one root element), as
 * carried in an EAS request or response body (MS-ASWBXML 2.1.1).
 */
export function decodeWbxml(bytes: Uint8Array, opts?: DecodeOptions): WbxmlElement {
  const limits = resolveLimits(opts?.limits);
  checkInput(bytes, limits);
  const start = readHeader(bytes);
  const roots = decodeBody(bytes, start, limits, true);
  if (roots.length === 0) throw new WbxmlError('Truncated', 'document has no root element', bytes.length);
  return roots[0]!;
}

/**
 * Decodes a header-less body fragment that starts on code page 0: zero or
 * more sibling elements (the form Horde's fixtures and some logs use).
 */
export function decodeWbxmlFragment(bytes: Uint8Array, opts?: DecodeOptions): WbxmlElement[] {
  const limits = resolveLimits(opts?.limits);
  checkInput(bytes, limits);
  return decodeBody(bytes, 0, limits, false);
}

function checkInput(bytes: Uint8Array, limits: WbxmlLimits): void {
  if (!(bytes instanceof Uint8Array)) throw new WbxmlError('BadHeader', 'input is not a byte array', 0);
  if (bytes.length > limits.maxBodyBytes) {
    throw new WbxmlError('TooLarge', `body of ${bytes.length} bytes exceeds ${limits.maxBodyBytes}`, limits.maxBodyBytes);
  }
}

/** Reads a WBXML mb_u_int32 (WAP-192-WBXML 5.1): 7 bits per byte, high bit = more. Returns [value, next offset]. */
function readMbUint32(bytes: Uint8Array, pos: number, what: string, overflow: 'BadHeader' | 'TooLarge' = 'BadHeader'): [number, number] {
  let value = 0;
  const start = pos;
  for (let i = 0; i < 5; i++) {
    if (pos >= bytes.length) throw new WbxmlError('Truncated', `input ends inside ${what}`, pos);
    const b = bytes[pos++]!;
    value = value * 128 + (b & 0x7f);
    if ((b & 0x80) === 0) {
      if (value > 0xffffffff) break;
      return [value, pos];
    }
  }
  throw new WbxmlError(overflow, `${what} does not fit an mb_u_int32`, start);
}

/** Checks the header and returns the offset of the body. */
function readHeader(bytes: Uint8Array): number {
  if (bytes.length === 0) throw new WbxmlError('Truncated', 'empty body', 0);
  const version = bytes[0]!;
  // EAS sends 0x03 (WBXML 1.3); 1.1 and 1.2 differ only in features EAS does not use.
  if (version < 0x01 || version > 0x03) {
    throw new WbxmlError('BadHeader', `unsupported WBXML version byte 0x${version.toString(16)}`, 0);
  }
  const [publicId, afterId] = readMbUint32(bytes, 1, 'public id');
  let pos = afterId;
  // Any other public id is accepted: EAS sends 1 ("unknown"), libwbxml may send a registered one.
  if (publicId === 0) {
    // Public id 0 means "the id is a string in the string table", which EAS never uses.
    throw new WbxmlError('Unsupported', 'public id given by string table reference', 1);
  }
  const charsetAt = pos;
  let charset: number;
  [charset, pos] = readMbUint32(bytes, pos, 'charset');
  // 0 means "unknown"; treat it as the UTF-8 every EAS peer uses.
  if (charset !== CHARSET_UTF8 && charset !== 0) {
    throw new WbxmlError('BadHeader', `charset MIBenum ${charset} is not UTF-8 (106)`, charsetAt);
  }
  const tableAt = pos;
  let tableLength: number;
  [tableLength, pos] = readMbUint32(bytes, pos, 'string table length');
  if (tableLength !== 0) throw new WbxmlError('Unsupported', `string table of ${tableLength} bytes`, tableAt);
  return pos;
}

function decodeBody(bytes: Uint8Array, start: number, limits: WbxmlLimits, single: boolean): WbxmlElement[] {
  const buf = Buffer.isBuffer(bytes) ? bytes : Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const len = bytes.length;
  const { maxDepth, maxElements, maxStringBytes, maxOpaqueBytes } = limits;
  const roots: WbxmlElement[] = [];
  const stack: WbxmlElement[] = [];
  let cur: WbxmlElement | undefined;
  let names = NAMES[0]!;
  let ns = NAMESPACES[0]!;
  let count = 0;
  let pos = start;

  while (pos < len) {
    const b = bytes[pos]!;
    const token = b & 0x3f;
    if (token >= 0x05) {
      if ((b & TAG_ATTRIBUTES) !== 0) throw new WbxmlError('Unsupported', 'tag with attributes', pos);
      const name = names[token];
      if (name === undefined) {
        throw new WbxmlError('UnknownToken', `token 0x${token.toString(16)} is not defined on code page ${ns}`, pos);
      }
      if (++count > maxElements) throw new WbxmlError('TooManyElements', `more than ${maxElements} elements`, pos);
      const e: WbxmlElement = { ns, name };
      if (cur === undefined) {
        if (single && roots.length > 0) throw new WbxmlError('TrailingData', 'second root element', pos);
        roots.push(e);
      } else {
        if (cur.text !== undefined || cur.opaque !== undefined) {
          throw new WbxmlError('MixedContent', `${cur.name} mixes text and elements`, pos);
        }
        if (cur.children === undefined) cur.children = [e];
        else cur.children.push(e);
      }
      if ((b & TAG_CONTENT) !== 0) {
        if (stack.length + (cur === undefined ? 0 : 1) >= maxDepth) throw new WbxmlError('TooDeep', `nesting deeper than ${maxDepth}`, pos);
        if (cur !== undefined) stack.push(cur);
        cur = e;
      } else if (cur === undefined && single) {
        pos++;
        if (pos < len) throw new WbxmlError('TrailingData', `${len - pos} bytes after the root element`, pos);
        return roots;
      }
      pos++;
      continue;
    }
    switch (b) {
      case SWITCH_PAGE: {
        if (pos + 1 >= len) throw new WbxmlError('Truncated', 'input ends inside SWITCH_PAGE', pos);
        const page = bytes[pos + 1]!;
        const pageNames = NAMES[page];
        if (pageNames === undefined) throw new WbxmlError('UnknownCodePage', `code page ${page} is not defined`, pos + 1);
        names = pageNames;
        ns = NAMESPACES[page]!;
        pos += 2;
        break;
      }
      case END: {
        if (cur === undefined) throw new WbxmlError('TrailingData', 'END without an open element', pos);
        // Content bit set but nothing inside: keep it visible so re-encoding is byte-exact (see tree.ts).
        if (cur.children === undefined && cur.text === undefined && cur.opaque === undefined) cur.children = [];
        cur = stack.pop();
        pos++;
        if (cur === undefined && single) {
          if (pos < len) throw new WbxmlError('TrailingData', `${len - pos} bytes after the root element`, pos);
          return roots;
        }
        break;
      }
      case STR_I: {
        if (cur === undefined) throw new WbxmlError('Unsupported', 'text outside any element', pos);
        const from = pos + 1;
        const end = bytes.indexOf(0, from);
        if (end < 0) throw new WbxmlError('Truncated', 'input ends inside a string', pos);
        // Counted with any earlier STR_I of the same element, so splitting a string does not dodge the cap.
        const size = end - from + (cur.text === undefined ? 0 : cur.text.length);
        if (size > maxStringBytes) {
          throw new WbxmlError('StringTooLong', `string of ${size} bytes exceeds ${maxStringBytes}`, pos);
        }
        if (cur.children !== undefined || cur.opaque !== undefined) {
          throw new WbxmlError('MixedContent', `${cur.name} mixes text with other content`, pos);
        }
        const s = decodeString(bytes, buf, from, end);
        // Several STR_I in one element are one string in XML terms; EAS encoders never split, so concatenating is enough.
        cur.text = cur.text === undefined ? s : cur.text + s;
        pos = end + 1;
        break;
      }
      case OPAQUE: {
        if (cur === undefined) throw new WbxmlError('Unsupported', 'opaque data outside any element', pos);
        const [n, from] = readMbUint32(bytes, pos + 1, 'opaque length', 'TooLarge');
        if (n > maxOpaqueBytes) throw new WbxmlError('TooLarge', `opaque block of ${n} bytes exceeds ${maxOpaqueBytes}`, pos);
        if (from + n > len) throw new WbxmlError('Truncated', 'input ends inside opaque data', pos);
        if (cur.children !== undefined || cur.text !== undefined) {
          throw new WbxmlError('MixedContent', `${cur.name} mixes opaque data with other content`, pos);
        }
        // A copy, not a view: Buffer#slice would alias the request body and keep it alive.
        const data = new Uint8Array(bytes.subarray(from, from + n));
        if (cur.opaque === undefined) cur.opaque = data;
        else {
          const joined = new Uint8Array(cur.opaque.length + n);
          joined.set(cur.opaque);
          joined.set(data, cur.opaque.length);
          cur.opaque = joined;
        }
        pos = from + n;
        break;
      }
      default:
        throw new WbxmlError('Unsupported', `WBXML token ${globalTokenName(b)} is not used by EAS`, pos);
    }
  }
  if (cur !== undefined) throw new WbxmlError('Truncated', `input ends inside ${cur.name}`, len);
  if (single && roots.length === 0) throw new WbxmlError('Truncated', 'document has no root element', len);
  return roots;
}

/** Short ASCII strings (ids, numbers, dates: most EAS text) skip the UTF-8 validator and decoder calls. */
const SHORT_STRING = 32;

function decodeString(bytes: Uint8Array, buf: Buffer, from: number, end: number): string {
  if (from === end) return '';
  if (end - from <= SHORT_STRING) {
    let ascii = true;
    for (let i = from; i < end; i++) {
      if (bytes[i]! >= 0x80) {
        ascii = false;
        break;
      }
    }
    if (ascii) return buf.toString('latin1', from, end);
  }
  if (!isUtf8(bytes.subarray(from, end))) throw new WbxmlError('InvalidUtf8', 'string is not valid UTF-8', from);
  // Buffer's decoder keeps a leading U+FEFF, unlike TextDecoder, so text round-trips exactly.
  return buf.toString('utf8', from, end);
}
