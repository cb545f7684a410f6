import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { buildItemOperationsResponse } from '../../protocol/commands/item-operations.ts';
import { decodeWbxml } from '../../protocol/wbxml/decoder.ts';
import { encodeWbxml } from '../../protocol/wbxml/encoder.ts';
import { child, childText, childrenNamed } from '../../protocol/wbxml/tree.ts';
import { byteWindow } from '../../src/commands/fetch/attachment.ts';
import { MultipartTooLargeError, buildMultipart, parseMultipart } from '../../src/commands/fetch/multipart.ts';
import { StreamedTexts, base64Chunks } from '../../src/commands/fetch/streamed-wbxml.ts';

async function collect(s: AsyncIterable<Buffer | string> | NodeJS.ReadableStream): Promise<Buffer> {
  const out: Buffer[] = [];
  for await (const c of s as AsyncIterable<Buffer | string>) out.push(typeof c === 'string' ? Buffer.from(c) : c);
  return Buffer.concat(out);
}

/** Splits `data` at the given cut points (any order, duplicates allowed): chunk boundaries a stream may have. */
async function* chunked(data: Buffer, cuts: number[]): AsyncGenerator<Buffer> {
  const at = [...new Set(cuts.map((c) => c % (data.length + 1)))].sort((a, b) => a - b);
  let from = 0;
  for (const c of [...at, data.length]) {
    if (c > from) yield data.subarray(from, c);
    from = Math.max(from, c);
  }
}

describe('base64 of a byte stream, chunk by chunk (MS-ASCMD 2.2.3.39.1 Data)', () => {
  it('equals the base64 of the whole, whatever the chunk boundaries', async () => {
    await fc.assert(
      fc.asyncProperty(fc.uint8Array({ maxLength: 300 }), fc.array(fc.nat(), { maxLength: 12 }), async (bytes, cuts) => {
        const data = Buffer.from(bytes);
        const got = await collect(base64Chunks(chunked(data, cuts)));
        expect(got.toString('latin1')).toBe(data.toString('base64'));
      }),
    );
  });
});

describe('byte window of a stream (ItemOperations Range, MS-ASCMD 2.2.3.143.2)', () => {
  it('yields exactly bytes start..end of the source', async () => {
    await fc.assert(
      fc.asyncProperty(fc.uint8Array({ minLength: 1, maxLength: 200 }), fc.array(fc.nat(), { maxLength: 10 }), fc.nat(), fc.nat(), async (bytes, cuts, a, b) => {
        const data = Buffer.from(bytes);
        const start = a % data.length;
        const end = start + (b % 250);
        const got = await collect(byteWindow(chunked(data, cuts), start, end));
        expect(got.equals(data.subarray(start, end + 1))).toBe(true);
      }),
    );
  });

  it('stops reading the source once the window is complete', async () => {
    let pulled = 0;
    async function* source(): AsyncGenerator<Buffer> {
      for (let i = 0; i < 100; i++) {
        pulled++;
        yield Buffer.alloc(10, i);
      }
    }
    const got = await collect(byteWindow(source(), 5, 24));
    expect(got.length).toBe(20);
    expect(pulled).toBe(3);
  });
});

describe('WBXML with streamed Data texts (STR_I, MS-ASWBXML 2.1.2.1)', () => {
  const response = (data: Buffer[]) =>
    buildItemOperationsResponse(
      {
        status: 1,
        results: data.map((d, i) => ({ kind: 'Fetch' as const, status: 1, fileReference: `1:${i + 1}:2`, file: { contentType: 'application/pdf', data: d } })),
      },
      '14.1',
    );

  it('writes each streamed text in place of its placeholder, in document order', async () => {
    const texts = new StreamedTexts();
    const one = Buffer.from('first attachment');
    const two = Buffer.from('second, longer attachment bytes');
    const p1 = texts.add(async () => base64Chunks(chunked(one, [3, 7])));
    const p2 = texts.add(async () => base64Chunks(chunked(two, [1])));
    const bytes = await collect(texts.encode(response([StreamedTexts.asData(p1), StreamedTexts.asData(p2)]), '14.1'));
    const fetches = childrenNamed(child(decodeWbxml(bytes), 'Response', 'ItemOperations')!, 'Fetch', 'ItemOperations');
    const data = fetches.map((f) => Buffer.from(childText(child(f, 'Properties', 'ItemOperations')!, 'Data', 'ItemOperations')!, 'base64'));
    expect(data).toEqual([one, two]);
    // Byte-identical to encoding the same tree with the data in memory.
    expect(bytes.equals(Buffer.from(encodeWbxml(response([one, two]), { version: '14.1' })))).toBe(true);
  });

  it('never opens a text whose placeholder is not in the document', async () => {
    const texts = new StreamedTexts();
    let opened = false;
    texts.add(async () => {
      opened = true;
      return base64Chunks(chunked(Buffer.from('x'), []));
    });
    const bytes = await collect(texts.encode(response([]), '14.1'));
    expect(opened).toBe(false);
    expect(bytes.equals(Buffer.from(encodeWbxml(response([]), { version: '14.1' })))).toBe(true);
  });

  it('makes placeholders that survive a base64 round trip unchanged', () => {
    const texts = new StreamedTexts();
    for (let i = 0; i < 12; i++) {
      const p = texts.add(async () => chunked(Buffer.alloc(0), []));
      expect(StreamedTexts.asData(p).toString('base64')).toBe(p);
    }
  });
});

describe('multipart parts opened on demand (MS-ASCMD 2.2.1.10.1.1)', () => {
  it('opens each lazy part only when the response reaches it, one at a time', async () => {
    const events: string[] = [];
    const lazy = (name: string, data: Buffer) => ({
      length: data.length,
      open: async () => {
        events.push(`open ${name}`);
        return (async function* () {
          yield data;
          events.push(`done ${name}`);
        })();
      },
    });
    const mp = buildMultipart([Uint8Array.from([3, 1, 106, 0]), lazy('a', Buffer.from('aaaa')), lazy('b', Buffer.from('bb'))]);
    expect(events).toEqual([]);
    const parts = parseMultipart(await collect(mp.stream));
    expect(parts.map((p) => p.toString('latin1'))).toEqual(['\x03\x01j\x00', 'aaaa', 'bb']);
    expect(events).toEqual(['open a', 'done a', 'open b', 'done b']);
  });

  it('fails the stream when a part is longer than announced', async () => {
    const mp = buildMultipart([{ length: 2, open: async () => chunked(Buffer.from('three'), []) }]);
    await expect(collect(mp.stream)).rejects.toThrow(/more than/);
  });

  it('refuses parts that do not fit the 32-bit offset table', () => {
    expect(() => buildMultipart([{ length: 0x7fffffff, open: async () => chunked(Buffer.alloc(0), []) }])).toThrow(MultipartTooLargeError);
  });
});
