import { randomBytes } from 'node:crypto';
import { Readable } from 'node:stream';
import { encodeWbxml } from '../../../protocol/wbxml/encoder.ts';
import type { WbxmlElement } from '../../../protocol/wbxml/tree.ts';
import type { ProtocolVersion } from '../../../protocol/version.ts';
import type { ByteSource } from './multipart.ts';

/**
 * Texts of a WBXML document that are streamed in rather than held in the
 * tree: the inline base64 `ItemOperations:Data` of a fetched attachment
 * (MS-ASCMD 2.2.3.39.1). Text is STR_I, terminated by 0x00 with no length
 * prefix (MS-ASWBXML 2.1.2.1, WBXML 1.3 5.8.4.1), so the document can be
 * encoded with a unique placeholder in its place and written as the bytes
 * before it, the streamed text, and the bytes after it.
 *
 * Placeholders are base64 alphabet only, a multiple of 4 characters long
 * with no padding: `Buffer.from(p, 'base64').toString('base64') === p`, so a
 * response builder that base64-encodes `data` (FetchedFile.data) writes the
 * placeholder exactly.
 */
export class StreamedTexts {
  private readonly nonce = randomBytes(12).toString('hex');
  private readonly sources = new Map<string, () => Promise<ByteSource>>();

  /** Registers a text opened when the response reaches it; returns its placeholder. */
  add(open: () => Promise<ByteSource>): string {
    let p = `EASSTREAM${this.nonce}N${this.sources.size}`;
    while (p.length % 4) p += 'x';
    this.sources.set(p, open);
    return p;
  }

  /** The placeholder as the bytes a base64-encoding builder turns back into it. */
  static asData(placeholder: string): Buffer {
    return Buffer.from(placeholder, 'base64');
  }

  get size(): number {
    return this.sources.size;
  }

  /**
   * Encodes `root` and streams it with every placeholder replaced by its
   * source's text, opened in document order, one at a time. The source must
   * yield text that STR_I can carry (no 0x00 byte): base64 does.
   */
  encode(root: WbxmlElement, version: ProtocolVersion): NodeJS.ReadableStream {
    const bytes = Buffer.from(encodeWbxml(root, { version }));
    const pieces: (Buffer | (() => Promise<ByteSource>))[] = [];
    let at = 0;
    // A text whose operation failed after registering it is not in the tree: it is simply not opened.
    const found = [...this.sources]
      .map(([p, open]) => ({ p, open, i: bytes.indexOf(p, 0, 'latin1') }))
      .filter((f) => f.i >= 0)
      .sort((a, b) => a.i - b.i);
    for (const { p, open, i } of found) {
      pieces.push(bytes.subarray(at, i), open);
      at = i + p.length;
    }
    pieces.push(bytes.subarray(at));
    async function* chunks(): AsyncGenerator<Buffer> {
      for (const piece of pieces) {
        if (Buffer.isBuffer(piece)) {
          if (piece.length) yield piece;
          continue;
        }
        for await (const c of await piece()) yield typeof c === 'string' ? Buffer.from(c, 'latin1') : c;
      }
    }
    return Readable.from(chunks(), { objectMode: false });
  }
}

/**
 * Base64-encodes a byte source chunk by chunk (RFC 4648 section 4, no line
 * breaks, as ItemOperations Data carries it): a remainder of 1 or 2 bytes
 * waits for the next chunk so the output equals encoding the whole at once.
 */
export async function* base64Chunks(source: ByteSource): AsyncGenerator<Buffer> {
  let carry = Buffer.alloc(0);
  for await (const c of source) {
    const b = typeof c === 'string' ? Buffer.from(c) : c;
    const all = carry.length ? Buffer.concat([carry, b]) : b;
    const whole = all.length - (all.length % 3);
    if (whole) yield Buffer.from(all.subarray(0, whole).toString('base64'), 'latin1');
    carry = Buffer.from(all.subarray(whole));
  }
  if (carry.length) yield Buffer.from(carry.toString('base64'), 'latin1');
}
