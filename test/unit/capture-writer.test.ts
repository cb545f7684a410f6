/**
 * The capture file writer (src/capture/writer.ts) and the recordings table
 * with its in-memory view (src/capture/recordings.ts).
 */
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { open } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it, vi } from 'vitest';
import { CaptureWriter } from '../../src/capture/writer.ts';
import { CaptureRecordings, type Recording } from '../../src/capture/recordings.ts';
import { parseDuration } from '../../src/capture/admin-commands.ts';
import { openDatabase } from '../../src/state/db.ts';

const dir = (): string => mkdtempSync(join(tmpdir(), 'capture-w-'));
const header = { format: 'eas-capture/1', source: 'test', mailbox: 'm', deviceId: 'd', deviceType: 't', redaction: { bodies: false, addresses: 'hashed' } };

describe('capture writer', () => {
  it('creates the file, appends in order, and the file parses as JSON after every write', async () => {
    const failures: unknown[] = [];
    const w = new CaptureWriter((...a) => failures.push(a));
    const file = join(dir(), 'sub', 'a.json');
    w.append(file, header, JSON.stringify({ n: 0 }), 1);
    await w.idle();
    expect(JSON.parse(readFileSync(file, 'utf8'))).toEqual({ ...header, exchanges: [{ n: 0 }] });
    // Queued while a write is in flight: they go out together, in order.
    for (let n = 1; n <= 20; n++) w.append(file, header, JSON.stringify({ n, text: 'ä\n"' }), 1);
    await w.idle();
    const parsed = JSON.parse(readFileSync(file, 'utf8'));
    expect(parsed.exchanges.map((e: { n: number }) => e.n)).toEqual([...Array(21).keys()]);
    expect(parsed.exchanges[5].text).toBe('ä\n"');
    expect(failures).toEqual([]);
  });

  it('a new writer (a restarted server) appends to the file of the day', async () => {
    const file = join(dir(), 'b.json');
    const a = new CaptureWriter(() => undefined);
    a.append(file, header, '{"n":1}', 1);
    await a.idle();
    const b = new CaptureWriter(() => undefined);
    b.append(file, { ...header, source: 'other' }, '{"n":2}', 2);
    await b.idle();
    expect(JSON.parse(readFileSync(file, 'utf8'))).toMatchObject({ source: 'test', exchanges: [{ n: 1 }, { n: 2 }] });
  });

  it('a file it did not finish is left alone and the write reported as failed', async () => {
    const file = join(dir(), 'c.json');
    writeFileSync(file, '{"edited": "by hand"}');
    const failures: [readonly number[], string, NodeJS.ErrnoException][] = [];
    const w = new CaptureWriter((...a) => failures.push(a));
    w.append(file, header, '{"n":1}', 7);
    w.append(file, header, '{"n":2}', 8);
    await w.idle();
    expect(readFileSync(file, 'utf8')).toBe('{"edited": "by hand"}');
    expect(failures.flatMap(([owners]) => owners).sort()).toEqual([7, 8]);
    expect(failures[0]![2].code).toBe('EBADCAPTURE');
  });

  it('a full disk in the middle of an append: the file is as it was before it, and the failure has ENOSPC', async () => {
    const file = join(dir(), 'full.json');
    const failures: [readonly number[], string, NodeJS.ErrnoException][] = [];
    const w = new CaptureWriter((...a) => failures.push(a));
    w.append(file, header, '{"n":1}', 4);
    await w.idle();
    const before = readFileSync(file, 'utf8');
    // FileHandle is not exported; its prototype is that of any open handle. The first write of the
    // append gets some bytes out and then the disk is full (what write(2) does on ENOSPC).
    const probe = await open(file, 'r');
    const proto = Object.getPrototypeOf(probe) as { write: (...a: unknown[]) => Promise<{ bytesWritten: number }> };
    await probe.close();
    const real = proto.write;
    let calls = 0;
    const spy = vi.spyOn(proto, 'write').mockImplementation(function (this: unknown, ...args: unknown[]) {
      calls++;
      if (calls === 1) {
        const [buf, off] = args as [Buffer, number, number, number];
        return real.call(this, buf, off, 3, args[3]);
      }
      if (calls === 2) return Promise.reject(Object.assign(new Error('no space left on device'), { code: 'ENOSPC' }));
      return real.apply(this, args);
    });
    try {
      w.append(file, header, '{"n":2,"big":"' + 'x'.repeat(5000) + '"}', 5);
      await w.idle();
    } finally {
      spy.mockRestore();
    }
    expect(calls).toBeGreaterThanOrEqual(3);
    expect(failures.map(([owners, , err]) => [owners, err.code])).toEqual([[[5], 'ENOSPC']]);
    expect(readFileSync(file, 'utf8')).toBe(before);
    expect(JSON.parse(before).exchanges).toEqual([{ n: 1 }]);
  });

  it('an unwritable folder fails the write with its errno, and leaves no temporary file', async () => {
    const d = dir();
    writeFileSync(join(d, 'not-a-dir'), '');
    const failures: [readonly number[], string, NodeJS.ErrnoException][] = [];
    const w = new CaptureWriter((...a) => failures.push(a));
    w.append(join(d, 'not-a-dir', 'x.json'), header, '{}', 3);
    await w.idle();
    expect(failures).toHaveLength(1);
    expect(failures[0]![0]).toEqual([3]);
    expect(['ENOTDIR', 'EEXIST']).toContain(failures[0]![2].code);
  });
});

describe('recordings', () => {
  it('a device recording wins over the mailbox-wide one; stop NAME stops both', () => {
    const r = new CaptureRecordings(openDatabase(':memory:'));
    r.start({ mailbox: 'Alice@Example.test', bodies: false, startedBy: 'cli:t' }, 1000);
    r.start({ mailbox: 'alice@example.test', deviceId: 'D1', bodies: true, startedBy: 'cli:t' }, 1000);
    expect(r.active('alice@example.test', 'D1', 2000)?.bodies).toBe(true);
    expect(r.active('alice@example.test', 'D2', 2000)?.bodies).toBe(false);
    expect(r.active('bob@example.test', 'D1', 2000)).toBeUndefined();
    expect(r.stop('alice@example.test', 'D1').map((x) => x.deviceId)).toEqual(['D1']);
    expect(r.active('alice@example.test', 'D1', 2000)?.bodies).toBe(false);
    r.start({ mailbox: 'alice@example.test', deviceId: 'D1', bodies: true, startedBy: 'cli:t' }, 1000);
    expect(r.stop('alice@example.test')).toHaveLength(2);
    expect(r.snapshot(3000).size).toBe(0);
  });

  it('starting the same key again replaces it (one row per mailbox and device)', () => {
    const r = new CaptureRecordings(openDatabase(':memory:'));
    r.start({ mailbox: 'a', bodies: false, startedBy: 'x' }, 1);
    r.start({ mailbox: 'a', bodies: true, until: 5000, startedBy: 'x' }, 2);
    expect(r.list(3)).toMatchObject([{ mailbox: 'a', deviceId: null, bodies: true, until: 5000 }]);
  });

  it('past until a recording is off at once, its row deleted and the expiry reported', () => {
    const r = new CaptureRecordings(openDatabase(':memory:'));
    const expired: Recording[] = [];
    r.onExpired((x) => expired.push(x));
    r.start({ mailbox: 'a', deviceId: 'D', until: 10_000, bodies: false, startedBy: 'x' }, 0);
    expect(r.active('a', 'D', 9_999)).toBeDefined();
    expect(r.active('a', 'D', 10_000)).toBeUndefined();
    expect(r.snapshot(10_000).size).toBe(0);
    expect(expired.map((x) => x.deviceId)).toEqual(['D']);
    expect(r.list(10_001)).toEqual([]);
  });

  it('changes made by another process (eas-admin) are seen within refreshMs, not before', () => {
    const file = join(dir(), 'r.db');
    const server = new CaptureRecordings(openDatabase(file), 1000);
    const admin = new CaptureRecordings(openDatabase(file));
    expect(server.snapshot(0).size).toBe(0);
    admin.start({ mailbox: 'a', bodies: false, startedBy: 'x' }, 0);
    expect(server.snapshot(999).size).toBe(0);
    expect(server.snapshot(1000).size).toBe(1);
  });

  it('--for takes s, m, h and d, and refuses anything else or over 30 days', () => {
    expect(parseDuration('30m')).toBe(1_800_000);
    expect(parseDuration('2d')).toBe(172_800_000);
    expect(parseDuration('90s')).toBe(90_000);
    expect(() => parseDuration('1w')).toThrow(/--for/);
    expect(() => parseDuration('31d')).toThrow(/at most 30d/);
    expect(() => parseDuration('0h')).toThrow();
  });
});
