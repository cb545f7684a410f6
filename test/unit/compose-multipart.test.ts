import { Readable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { buildMultipart, parseMultipart } from '../../src/commands/fetch/multipart.ts';

async function collect(s: NodeJS.ReadableStream): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const c of s as AsyncIterable<Buffer>) chunks.push(c);
  return Buffer.concat(chunks);
}

describe('ItemOperations MultiPartResponse (MS-ASCMD 2.2.1.10.1.1)', () => {
  it('lays out count, little-endian offset/length pairs and the parts', async () => {
    const wbxml = Uint8Array.from([3, 1, 106, 0]);
    const data = Buffer.from('attachment bytes');
    const mp = buildMultipart([wbxml, { length: data.length, stream: Readable.from([data.subarray(0, 5), data.subarray(5)]) }]);
    const body = await collect(mp.stream);
    expect(body.length).toBe(mp.length);
    expect(body.readInt32LE(0)).toBe(2);
    expect(body.readInt32LE(4)).toBe(20); // 4 + 2 * 8
    expect(body.readInt32LE(8)).toBe(4);
    expect(body.readInt32LE(12)).toBe(24);
    expect(body.readInt32LE(16)).toBe(data.length);
    const parts = parseMultipart(body);
    expect(parts[0]!.equals(Buffer.from(wbxml))).toBe(true);
    expect(parts[1]!.equals(data)).toBe(true);
  });

  it('fails the stream when a part is shorter than announced', async () => {
    const mp = buildMultipart([{ length: 10, stream: Readable.from([Buffer.from('short')]) }]);
    await expect(collect(mp.stream)).rejects.toThrow(/announced/);
  });

  it('refuses metadata that points outside the body', () => {
    const b = Buffer.alloc(12);
    b.writeInt32LE(1, 0);
    b.writeInt32LE(12, 4);
    b.writeInt32LE(5, 8);
    expect(() => parseMultipart(b)).toThrow(/outside/);
  });
});
