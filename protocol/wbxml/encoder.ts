/**
 * Element tree -> WBXML bytes, as EAS uses WBXML 1.3 (MS-ASWBXML 2.1.1, 2.1.2).
 *
 * Writes the EAS header (03 01 6A 00), switches code page only when a tag's
 * page differs from the current one (END does not depend on the page), and
 * writes text as STR_I and bytes as OPAQUE. It refuses, with a `WbxmlError`,
 * any tag that no code page defines ('UnknownTag') and any tag that does not
 * exist in the protocol version being written ('TokenNotInVersion'), so a
 * response never carries a token the device cannot read (ARCHITECTURE rule 8).
 */
import { Buffer } from 'node:buffer';
import { ENCODE_TABLE, versionBit, type TagInfo } from '../codepages/index.ts';
import { WbxmlError } from '../errors.ts';
import type { ProtocolVersion } from '../version.ts';
import type { EncodedElement, WbxmlElement } from './tree.ts';
import { EAS_HEADER, END, OPAQUE, STR_I, SWITCH_PAGE, TAG_CONTENT } from './tokens.ts';

/** Options of `encodeWbxml` / `encodeWbxmlFragment`. */
export interface EncodeOptions {
  /** The protocol version the peer speaks; every tag written must exist in it. */
  version: ProtocolVersion;
}

/** Deeper than any EAS document; only a cyclic or runaway tree reaches it. */
const MAX_ENCODE_DEPTH = 256;

/** Encodes one whole document: EAS header + `root`. */
export function encodeWbxml(root: WbxmlElement, opts: EncodeOptions): Uint8Array {
  const w = new Writer(opts.version);
  w.ensure(4);
  for (const b of EAS_HEADER) w.buf[w.pos++] = b;
  w.element(root, 0);
  return w.result();
}

/** Encodes header-less sibling elements starting on code page 0 (the counterpart of `decodeWbxmlFragment`). */
export function encodeWbxmlFragment(elements: readonly WbxmlElement[], opts: EncodeOptions): Uint8Array {
  const w = new Writer(opts.version);
  for (const e of elements) w.element(e, 0);
  return w.result();
}

/**
 * Encodes one element for later splicing into a document (`WbxmlElement.encoded`):
 * starts on code page 0, like a fragment, and records the page it ends on.
 * The bytes are a copy the size of the element, in a buffer of their own
 * (so that they can be transferred between threads).
 */
export function encodeElement(e: WbxmlElement, opts: EncodeOptions): EncodedElement {
  const w = new Writer(opts.version, scratch);
  w.element(e, 0);
  // Items are encoded one after another by the thousand: the writer's (grown) buffer serves the next one.
  scratch = w.buf.length <= MAX_SCRATCH_BYTES ? w.buf : undefined;
  return { bytes: new Uint8Array(w.result()), endPage: w.currentPage, version: opts.version };
}

/** The work buffer `encodeElement` reuses; synchronous use only, so one per thread is enough. */
let scratch: Buffer | undefined;
/** A larger buffer (an item with a whole MIME body) is not kept. */
const MAX_SCRATCH_BYTES = 1 << 20;

class Writer {
  buf: Buffer;
  pos = 0;
  private page = 0;
  private readonly bit: number;
  private lastNs: string | undefined;
  private lastTable: ReadonlyMap<string, TagInfo> | undefined;

  constructor(
    readonly version: ProtocolVersion,
    buf: Buffer = Buffer.allocUnsafe(16 * 1024),
  ) {
    this.buf = buf;
    this.bit = versionBit(version);
    if (!this.bit) throw new WbxmlError('TokenNotInVersion', `unknown protocol version ${String(version)}`);
  }

  ensure(n: number): void {
    if (this.pos + n <= this.buf.length) return;
    let size = this.buf.length * 2;
    while (size < this.pos + n) size *= 2;
    const next = Buffer.allocUnsafe(size);
    this.buf.copy(next, 0, 0, this.pos);
    this.buf = next;
  }

  result(): Uint8Array {
    return this.buf.subarray(0, this.pos);
  }

  get currentPage(): number {
    return this.page;
  }

  /** An element encoded earlier: its bytes start on page 0 and end on `endPage`. */
  private spliced(enc: EncodedElement, e: WbxmlElement): void {
    if (enc.version !== this.version) {
      throw new WbxmlError('TokenNotInVersion', `${e.ns}:${e.name} was encoded for protocol ${enc.version}, not ${this.version}`);
    }
    this.ensure(enc.bytes.length + 2);
    if (this.page !== 0) {
      this.buf[this.pos++] = SWITCH_PAGE;
      this.buf[this.pos++] = 0;
    }
    this.buf.set(enc.bytes, this.pos);
    this.pos += enc.bytes.length;
    this.page = enc.endPage;
  }

  private tag(e: WbxmlElement): TagInfo {
    let table = this.lastTable;
    if (e.ns !== this.lastNs) {
      table = ENCODE_TABLE.get(e.ns);
      if (table === undefined) throw new WbxmlError('UnknownTag', `no code page has namespace ${String(e.ns)}`);
      this.lastNs = e.ns;
      this.lastTable = table;
    }
    const info = table!.get(e.name);
    if (info === undefined) throw new WbxmlError('UnknownTag', `${e.ns}:${String(e.name)} is not a tag of code page ${e.ns}`);
    if ((info.versionMask & this.bit) === 0) {
      throw new WbxmlError('TokenNotInVersion', `${e.ns}:${e.name} does not exist in protocol ${this.version}`);
    }
    return info;
  }

  element(e: WbxmlElement, depth: number): void {
    if (depth > MAX_ENCODE_DEPTH) throw new WbxmlError('TooDeep', `tree deeper than ${MAX_ENCODE_DEPTH}`);
    if (e.encoded !== undefined) return this.spliced(e.encoded, e);
    const info = this.tag(e);
    this.ensure(3);
    const buf = this.buf;
    if (info.page !== this.page) {
      buf[this.pos++] = SWITCH_PAGE;
      buf[this.pos++] = info.page;
      this.page = info.page;
    }
    const { text, opaque, children } = e;
    const mixed = (text !== undefined ? 1 : 0) + (opaque !== undefined ? 1 : 0) + (children !== undefined && children.length > 0 ? 1 : 0);
    if (mixed > 1) throw new WbxmlError('MixedContent', `${e.ns}:${e.name} has more than one kind of content`);
    if (text !== undefined) {
      buf[this.pos++] = info.token | TAG_CONTENT;
      this.string(text, e);
      this.buf[this.pos++] = END;
    } else if (opaque !== undefined) {
      buf[this.pos++] = info.token | TAG_CONTENT;
      this.opaque(opaque);
      this.buf[this.pos++] = END;
    } else if (children !== undefined) {
      // An empty array keeps the content bit: decoded "<Tag> END" re-encodes byte-exact (tree.ts).
      buf[this.pos++] = info.token | TAG_CONTENT;
      for (let i = 0; i < children.length; i++) this.element(children[i]!, depth + 1);
      this.ensure(1);
      this.buf[this.pos++] = END;
    } else {
      buf[this.pos++] = info.token;
    }
  }

  /** STR_I: UTF-8 bytes then a 0x00 terminator, so text must not contain U+0000. Leaves room for the END that follows. */
  private string(s: string, e: WbxmlElement): void {
    if (typeof s !== 'string') throw new WbxmlError('InvalidString', `${e.ns}:${e.name} text is not a string`);
    const n = s.length;
    this.ensure(n * 3 + 3);
    const buf = this.buf;
    let p = this.pos;
    buf[p++] = STR_I;
    if (n <= 64) {
      // Short ids, numbers and dates are ASCII: a byte loop beats the native encoder's call overhead.
      let i = 0;
      for (; i < n; i++) {
        const c = s.charCodeAt(i);
        if (c >= 0x80 || c === 0) break;
        buf[p++] = c;
      }
      if (i === n) {
        buf[p++] = 0;
        this.pos = p;
        return;
      }
      p = this.pos + 1;
    }
    if (s.indexOf('\u0000') !== -1) throw new WbxmlError('InvalidString', `${e.ns}:${e.name} text contains U+0000, which STR_I cannot carry`);
    p += buf.write(s, p, 'utf8');
    buf[p++] = 0;
    this.pos = p;
  }

  /** OPAQUE: mb_u_int32 length then the bytes (WAP-192-WBXML 5.8.4.6). Leaves room for the END that follows. */
  private opaque(data: Uint8Array): void {
    const n = data.length;
    this.ensure(n + 7);
    const buf = this.buf;
    buf[this.pos++] = OPAQUE;
    // mb_u_int32: most significant 7-bit group first, continuation bit on all but the last.
    let groups = 1;
    while (groups < 5 && n >= 2 ** (7 * groups)) groups++;
    for (let g = groups - 1; g >= 0; g--) {
      const v = Math.floor(n / 2 ** (7 * g)) & 0x7f;
      buf[this.pos++] = g > 0 ? v | 0x80 : v;
    }
    buf.set(data, this.pos);
    this.pos += n;
  }
}
