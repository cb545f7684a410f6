import { Readable } from 'node:stream';

/** Bytes of a part as they arrive; Buffer chunks (strings are UTF-8 encoded). */
export type ByteSource = AsyncIterable<Buffer | string>;

/**
 * One part of a multipart response: bytes in memory, a stream, or a source
 * opened only when the response reaches it (so an IMAP download, which holds
 * a pooled connection until drained, starts when its bytes are wanted). The
 * length of a streamed part must be known up front: it goes into the table.
 */
export type MultipartPart =
  | Uint8Array
  | { readonly length: number; readonly stream: NodeJS.ReadableStream }
  | { readonly length: number; readonly open: () => Promise<ByteSource> };

/** Content type of a multipart ItemOperations response (MS-ASCMD 2.2.1.10.1, MS-ASHTTP 2.2.2.1.2). */
export const MULTIPART_CONTENT_TYPE = 'application/vnd.ms-sync.multipart';

/** Offsets and lengths are signed 32-bit integers (MS-ASCMD 2.2.1.10.1.1.1): the whole structure must stay below 2 GiB. */
export const MAX_MULTIPART_BYTES = 0x7fffffff;

/** Thrown by `buildMultipart` when the parts do not fit the 32-bit table. */
export class MultipartTooLargeError extends Error {
  override readonly name = 'MultipartTooLargeError';
}

/**
 * Lays out a MultiPartResponse (MS-ASCMD 2.2.1.10.1.1): PartsCount, then an
 * (Offset, Length) PartMetaData pair per part (2.2.1.10.1.1.1), then the parts.
 * All integers are 32-bit little-endian; offsets count from the start of the
 * structure. Part 0 is the WBXML response; `<Part>n</Part>` in it points at
 * part n. Streamed parts are piped chunk by chunk with backpressure, never
 * held whole in memory; a part that streams more or fewer bytes than its
 * announced length fails the stream (every later offset would be wrong).
 */
export function buildMultipart(parts: readonly MultipartPart[]): { readonly length: number; readonly stream: NodeJS.ReadableStream } {
  const head = Buffer.alloc(4 + 8 * parts.length);
  head.writeInt32LE(parts.length, 0);
  let offset = head.length;
  parts.forEach((p, i) => {
    if (offset + p.length > MAX_MULTIPART_BYTES) throw new MultipartTooLargeError(`multipart response over ${MAX_MULTIPART_BYTES} bytes`);
    head.writeInt32LE(offset, 4 + 8 * i);
    head.writeInt32LE(p.length, 8 + 8 * i);
    offset += p.length;
  });
  const total = offset;
  async function* chunks(): AsyncGenerator<Buffer> {
    yield head;
    for (const p of parts) {
      if (p instanceof Uint8Array) {
        yield Buffer.from(p.buffer, p.byteOffset, p.byteLength);
        continue;
      }
      const source: ByteSource = 'open' in p ? await p.open() : (p.stream as AsyncIterable<Buffer | string>);
      let sent = 0;
      for await (const c of source) {
        const b = typeof c === 'string' ? Buffer.from(c) : c;
        sent += b.length;
        if (sent > p.length) throw new Error(`multipart part streamed more than the ${p.length} bytes announced`);
        yield b;
      }
      if (sent !== p.length) throw new Error(`multipart part streamed ${sent} bytes, ${p.length} announced`);
    }
  }
  return { length: total, stream: Readable.from(chunks(), { objectMode: false }) };
}

/** Reads a MultiPartResponse back into its parts (tests and the EAS client). */
export function parseMultipart(body: Uint8Array): Buffer[] {
  const b = Buffer.from(body.buffer, body.byteOffset, body.byteLength);
  if (b.length < 4) throw new Error('multipart body shorter than its PartsCount');
  const n = b.readInt32LE(0);
  if (n < 0 || 4 + 8 * n > b.length) throw new Error(`multipart PartsCount ${n} does not fit the body`);
  const out: Buffer[] = [];
  for (let i = 0; i < n; i++) {
    const off = b.readInt32LE(4 + 8 * i);
    const len = b.readInt32LE(8 + 8 * i);
    if (off < 0 || len < 0 || off + len > b.length) throw new Error(`multipart part ${i} lies outside the body`);
    out.push(b.subarray(off, off + len));
  }
  return out;
}
