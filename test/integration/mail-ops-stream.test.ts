/**
 * ItemOperations Fetch of large attachments is streamed (issue 4: "Fetch of
 * an attachment by FileReference, streamed, large attachments included"):
 * byte-identical in both answer forms (MS-ASCMD 2.2.1.10 inline base64 and
 * 2.2.1.10.1 multipart), Range windows of a large part, and a server whose
 * memory does not grow by the attachment's size while it answers.
 */
import { createHash, randomBytes, type Hash } from 'node:crypto';
import { request } from 'node:http';
import v8 from 'node:v8';
import vm from 'node:vm';
import { describe, expect, it } from 'vitest';
import { plainQuery, type EasClient } from '../../src/client/index.ts';
import { parseMultipart } from '../../src/commands/fetch/multipart.ts';
import { decodeWbxml } from '../../protocol/wbxml/decoder.ts';
import { encodeWbxml } from '../../protocol/wbxml/encoder.ts';
import { child, childNumber, childText, childrenNamed, el, type WbxmlElement } from '../../protocol/wbxml/tree.ts';
import { useStack } from '../harness/use-stack.ts';
import { folderIds, messageWithAttachment, syncFolder } from './mail-ops-helpers.ts';
import { useTestServer } from '../harness/use-test-server.ts';

const stack = useStack();
const server = useTestServer(stack);

const IO = 'ItemOperations';
const MB = 1024 * 1024;
const sha = (b: Buffer): string => createHash('sha256').update(b).digest('hex');

/** One 20 MB attachment delivered once and synced by one 16.1 device, shared by the tests below. */
let big: { data: Buffer; c: EasClient; ref: string } | undefined;
async function bigAttachment(): Promise<NonNullable<typeof big>> {
  if (big) return big;
  const data = randomBytes(20 * MB + 5);
  const subject = `stream-20mb-${Date.now()}`;
  await stack().deliver('alice@example.test', messageWithAttachment({ subject, messageId: `<${subject}@example.test>`, filename: 'big.bin', data }));
  const c = server().client({ user: 'alice@example.test', version: '16.1' });
  await c.provision();
  const inbox = (await folderIds(c)).byType.get(2)!;
  const item = (await syncFolder(c, inbox)).items.find((i) => i.subject === subject);
  if (!item) throw new Error(`${subject} not synced`);
  big = { data, c, ref: item.fileReferences[0]! };
  return big;
}

function fetchRequest(ref: string, range?: string): WbxmlElement {
  return el(IO, 'ItemOperations', [
    el(IO, 'Fetch', [el(IO, 'Store', 'Mailbox'), el('AirSyncBase', 'FileReference', ref), range ? el(IO, 'Options', [el(IO, 'Range', range)]) : undefined]),
  ]);
}

function properties(body: WbxmlElement): WbxmlElement {
  const f = childrenNamed(child(body, 'Response', IO)!, 'Fetch', IO)[0]!;
  expect(childNumber(f, 'Status', IO)).toBe(1);
  return child(f, 'Properties', IO)!;
}

describe('ItemOperations Fetch of a 20 MB attachment', () => {
  it('is byte-identical (SHA-256) as a multipart part', async () => {
    const { data, c, ref } = await bigAttachment();
    const res = await c.command('ItemOperations', fetchRequest(ref), { headers: { 'MS-ASAcceptMultiPart': 'T' } });
    expect(res.status).toBe(200);
    expect(String(res.headers['content-type'])).toContain('application/vnd.ms-sync.multipart');
    expect(Number(res.headers['content-length'])).toBe(res.raw.length);
    const parts = parseMultipart(res.raw);
    expect(parts).toHaveLength(2);
    const props = properties(decodeWbxml(parts[0]!));
    expect(childNumber(props, 'Part', IO)).toBe(1);
    expect(parts[1]!.length).toBe(data.length);
    expect(sha(parts[1]!)).toBe(sha(data));
  }, 120_000);

  it('is byte-identical (SHA-256) inline as base64 Data', async () => {
    const { data, c, ref } = await bigAttachment();
    // 27 MB of base64 text is over the decoder's default string cap, which the test client applies.
    const res = await fetchStreaming(c, fetchRequest(ref), {}, Infinity, true);
    expect(res.status).toBe(200);
    expect(res.contentType).toContain('application/vnd.ms-sync.wbxml');
    const props = properties(decodeWbxml(res.body!, { limits: { maxStringBytes: 64 * MB } }));
    expect(childText(props, 'ContentType', 'AirSyncBase')).toBe('application/octet-stream');
    const got = Buffer.from(childText(props, 'Data', IO)!, 'base64');
    expect(got.length).toBe(data.length);
    expect(sha(got)).toBe(sha(data));
  }, 120_000);

  it('answers a Range window deep inside the part, inline and as a part, with the decoded Total', async () => {
    const { data, c, ref } = await bigAttachment();
    const start = 15 * MB + 3;
    const end = start + MB + 10;
    const inline = properties((await c.command('ItemOperations', fetchRequest(ref, `${start}-${end}`))).body!);
    expect(childText(inline, 'Range', IO)).toBe(`${start}-${end}`);
    expect(childNumber(inline, 'Total', IO)).toBe(data.length);
    expect(sha(Buffer.from(childText(inline, 'Data', IO)!, 'base64'))).toBe(sha(data.subarray(start, end + 1)));

    // A window running past the end is cut at the last byte (MS-ASCMD 2.2.3.143.2).
    const tail = await c.command('ItemOperations', fetchRequest(ref, `${data.length - 100}-${data.length + 5000}`), { headers: { 'MS-ASAcceptMultiPart': 'T' } });
    const parts = parseMultipart(tail.raw);
    const props = properties(decodeWbxml(parts[0]!));
    expect(childText(props, 'Range', IO)).toBe(`${data.length - 100}-${data.length - 1}`);
    expect(childNumber(props, 'Total', IO)).toBe(data.length);
    expect(parts[childNumber(props, 'Part', IO)!]!.equals(data.subarray(data.length - 100))).toBe(true);
  }, 120_000);
});

// `global.gc` without restarting the worker with --expose-gc: the flag takes effect for new contexts.
v8.setFlagsFromString('--expose-gc');
const gc = vm.runInNewContext('gc') as () => void;

/**
 * Live (not yet collectable) heap and ArrayBuffer bytes of this process,
 * which is also the server's. ArrayBuffer backing stores are released by a
 * sweeper after the collection, so it collects and waits a few times.
 */
async function liveBytes(): Promise<number> {
  for (let i = 0; i < 3; i++) {
    gc();
    await new Promise((r) => setTimeout(r, 10));
  }
  const m = process.memoryUsage();
  return m.heapUsed + m.arrayBuffers;
}

/**
 * POSTs an ItemOperations request and hashes the answer as it arrives, never
 * holding it (unless `keep`), so that the only large memory in the process would be the
 * server's. Every `sampleEvery` bytes received, the live memory is sampled.
 */
function fetchStreaming(c: EasClient, body: WbxmlElement, headers: Record<string, string>, sampleEvery: number, keep = false, abortAfter = Infinity) {
  const query = plainQuery({ command: 'ItemOperations', user: c.opts.user, deviceId: c.opts.deviceId, deviceType: c.opts.deviceType, version: c.opts.version, policyKey: c.policyKey });
  const bytes = Buffer.from(encodeWbxml(body, { version: c.opts.version }));
  const url = new URL(`/Microsoft-Server-ActiveSync?${query}`, server().url);
  return new Promise<{ status: number; contentType: string; received: number; hash: Hash; head: Buffer; samples: number[]; body?: Buffer }>((resolve, reject) => {
    const req = request(url, {
      method: 'POST',
      headers: {
        ...headers,
        Authorization: `Basic ${Buffer.from(`${c.opts.user}:${c.opts.password}`).toString('base64')}`,
        'Content-Type': 'application/vnd.ms-sync.wbxml',
        'Content-Length': String(bytes.length),
        'MS-ASProtocolVersion': c.opts.version,
        'X-MS-PolicyKey': String(c.policyKey),
      },
    });
    req.on('error', reject);
    req.on('response', (res) => {
      const hash = createHash('sha256');
      const samples: number[] = [];
      let head = Buffer.alloc(0);
      let received = 0;
      let next = sampleEvery;
      const kept: Buffer[] = [];
      res.on('data', (chunk: Buffer) => {
        hash.update(chunk);
        if (keep) kept.push(chunk);
        // The first 64 KB hold the multipart table and the WBXML part.
        if (head.length < 64 * 1024) head = Buffer.concat([head, chunk.subarray(0, 64 * 1024 - head.length)]);
        received += chunk.length;
        if (received >= abortAfter) {
          // The phone gives up mid-download: the connection closes under the server().
          req.destroy();
          resolve({ status: res.statusCode ?? 0, contentType: String(res.headers['content-type']), received, hash, head, samples });
          return;
        }
        if (received >= next) {
          next += sampleEvery;
          // Paused, the server is held mid-stream (backpressure) while the sample is taken.
          res.pause();
          void liveBytes().then((b) => {
            samples.push(b);
            res.resume();
          }, reject);
        }
      });
      res.on('error', reject);
      res.on('end', () =>
        resolve({ status: res.statusCode ?? 0, contentType: String(res.headers['content-type']), received, hash, head, samples, ...(keep ? { body: Buffer.concat(kept) } : {}) }),
      );
    });
    req.end(bytes);
  });
}

describe('memory while streaming a 20 MB attachment', () => {
  it('does not grow the server process by the attachment size during a multipart fetch', async () => {
    const { data, c, ref } = await bigAttachment();
    const before = await liveBytes();
    const got = await fetchStreaming(c, fetchRequest(ref), { 'MS-ASAcceptMultiPart': 'T' }, 2 * MB);
    expect(got.status).toBe(200);
    expect(got.contentType).toContain('application/vnd.ms-sync.multipart');
    // The whole body is the table, the WBXML part and the attachment: hash the attachment's share.
    const table = parseMultipartTable(got.head);
    expect(table).toHaveLength(2);
    expect(table[1]!.length).toBe(data.length);
    expect(got.received).toBe(table[1]!.offset + data.length);
    expect(got.hash.digest('hex')).toBe(sha(Buffer.concat([got.head.subarray(0, table[1]!.offset), data])));
    expect(got.samples.length).toBeGreaterThanOrEqual(8);
    const peak = Math.max(...got.samples) - before;
    // A buffered answer holds at least the 20 MB; a streamed one holds a few chunks.
    expect(peak).toBeLessThan(0.5 * data.length);
  }, 120_000);

  it('does not grow the server process by the attachment size during an inline fetch either', async () => {
    const { data, c, ref } = await bigAttachment();
    const before = await liveBytes();
    const got = await fetchStreaming(c, fetchRequest(ref), {}, 2 * MB);
    expect(got.status).toBe(200);
    expect(got.received).toBeGreaterThan((data.length * 4) / 3);
    expect(got.samples.length).toBeGreaterThanOrEqual(8);
    expect(Math.max(...got.samples) - before).toBeLessThan(0.5 * data.length);
  }, 120_000);
});

describe('a phone that drops the connection mid-download', () => {
  it('frees the IMAP connection: more aborted downloads than pooled connections, then a whole one', async () => {
    const { data, c, ref } = await bigAttachment();
    // 3 pooled connections per user (EAS_IMAP_MAX_PER_USER); a leaked download would hold one for good.
    for (const multipart of [true, false, true, false]) {
      const cut = await fetchStreaming(c, fetchRequest(ref), multipart ? { 'MS-ASAcceptMultiPart': 'T' } : {}, Infinity, false, 2 * MB);
      expect(cut.status).toBe(200);
      expect(cut.received).toBeLessThan(data.length);
    }
    const whole = await fetchStreaming(c, fetchRequest(ref), { 'MS-ASAcceptMultiPart': 'T' }, Infinity);
    expect(whole.status).toBe(200);
    const table = parseMultipartTable(whole.head);
    expect(whole.hash.digest('hex')).toBe(sha(Buffer.concat([whole.head.subarray(0, table[1]!.offset), data])));
  }, 120_000);
});

/** The (Offset, Length) pairs of a MultiPartResponse head (MS-ASCMD 2.2.1.10.1.1.1). */
function parseMultipartTable(head: Buffer): { offset: number; length: number }[] {
  const n = head.readInt32LE(0);
  return Array.from({ length: n }, (_, i) => ({ offset: head.readInt32LE(4 + 8 * i), length: head.readInt32LE(8 + 8 * i) }));
}
