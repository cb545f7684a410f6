/**
 * Issue 4 item 9: a Sync answers in time even when IMAP is slow. Dovecot is
 * put behind a proxy that releases its answers slowly; with a time budget of
 * a second the server answers with the items that are built (fewer than the
 * window, MoreAvailable), keeps the batches still being built for the next
 * request, and, when nothing at all is built by the hard deadline (4x the
 * budget), answers with no items and MoreAvailable. Either way the phone
 * ends with every message exactly once.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { seedMailbox, type SeedResult } from '../../src/devstack/seed.ts';
import { useStack } from '../harness/use-stack.ts';
import { startSlowProxy, type SlowProxy } from '../harness/slow-proxy.ts';
import { startTestServer, type TestServer } from './server-setup.ts';
import { bodyOptions, setUpPhone, syncOne } from './sync-helpers.ts';

const stack = useStack();
const USER = 'alice@example.test';
let seeded: SeedResult;
let proxy: SlowProxy;
let server: TestServer;

beforeAll(async () => {
  seeded = await seedMailbox(stack(), USER, { count: 300, folders: ['INBOX'], dav: false });
  proxy = await startSlowProxy(stack().imap, Number.POSITIVE_INFINITY);
  server = await startTestServer(stack(), { env: { EAS_IMAP_URL: `imap://${proxy.host}:${proxy.port}`, EAS_SYNC_TIME_BUDGET_MS: 1000 } });
}, 120_000);

afterAll(async () => {
  await server?.stop();
  server?.cleanup();
  await proxy?.close();
});

/** Syncs until MoreAvailable stops; every response's Add count, and all ServerIds and subjects. */
async function drain(c: ReturnType<TestServer['client']>, collectionId: string, syncKey: string) {
  const perResponse: number[] = [];
  const ids: string[] = [];
  const subjects: string[] = [];
  let key = syncKey;
  for (let round = 0; round < 100; round++) {
    const r = await syncOne(c, { collectionId, syncKey: key, windowSize: 300, options: bodyOptions(2, 4096) });
    expect(r.status).toBe(1);
    perResponse.push(r.changes.length);
    for (const x of r.changes) {
      expect(x.kind).toBe('Add');
      ids.push(x.serverId);
      subjects.push(x.email?.subject ?? '');
    }
    key = r.syncKey!;
    if (!r.moreAvailable) return { perResponse, ids, subjects };
  }
  throw new Error('MoreAvailable never stopped');
}

/** A new phone with its INBOX at SyncKey 0 done (the IMAP proxy at full speed). */
let phones = 0;
async function newPhone() {
  const deviceId = `budget${phones++}`;
  const c = server.client({ user: USER, version: '14.1', deviceId });
  const { byType } = await setUpPhone(c);
  const inbox = byType.get(2)!;
  const first = await syncOne(c, { collectionId: inbox, syncKey: '0', windowSize: 300, options: bodyOptions(2, 4096) });
  return { c, deviceId, inbox, first };
}

describe('Sync time budget with a slow IMAP server', () => {
  it('answers with the batches built in time and MoreAvailable, then delivers the rest exactly once', async () => {
    const { c, inbox, first } = await newPhone();
    // About 700 KB of FETCH answers at 150 KB/s: several seconds for the whole window.
    proxy.setRate(150_000);
    const { perResponse, ids, subjects } = await drain(c, inbox, first.syncKey!);
    proxy.setRate(Number.POSITIVE_INFINITY);
    expect(perResponse[0]).toBeGreaterThan(0);
    expect(perResponse[0]).toBeLessThan(300);
    expect(new Set(ids).size).toBe(ids.length);
    expect(subjects.sort()).toEqual(seeded.messages.map((m) => m.subject).sort());
  }, 120_000);

  it('answers with no items and MoreAvailable when nothing is built by the hard deadline, and loses nothing', async () => {
    const { c, inbox, first } = await newPhone();
    // 2 KB/s: no batch of 128 messages arrives within 4 s.
    proxy.setRate(2_000);
    const stalled = await syncOne(c, { collectionId: inbox, syncKey: first.syncKey!, windowSize: 300, options: bodyOptions(2, 4096) });
    proxy.setRate(Number.POSITIVE_INFINITY);
    expect(stalled.status).toBe(1);
    expect(stalled.changes).toEqual([]);
    expect(stalled.moreAvailable).toBe(true);
    // Nothing was sent, so the key stays; the batches kept building are used by the next request.
    expect(stalled.syncKey).toBe(first.syncKey);
    const rest = await drain(c, inbox, stalled.syncKey!);
    expect(new Set(rest.ids).size).toBe(rest.ids.length);
    expect(rest.subjects.sort()).toEqual(seeded.messages.map((m) => m.subject).sort());
  }, 120_000);

  it('IMAP connections cut while items are built: HTTP 503 with Retry-After, key and items unchanged, and the retry delivers everything once', async () => {
    const { c, deviceId, inbox, first } = await newPhone();
    const ref = { mailbox: USER, deviceId, collectionId: inbox };
    const repo = server.services.sync.repo;
    const keyBefore = repo.get(ref)!.syncKey;
    // Slow enough that the workers are still fetching when the connections are cut.
    proxy.setRate(20_000);
    const pending = c.sync({ collections: [{ syncKey: first.syncKey!, collectionId: inbox, windowSize: 300, options: bodyOptions(2, 4096), commands: [] }] });
    await new Promise((r) => setTimeout(r, 700));
    // Down for 2 s: a read cut once is retried on a fresh connection (and would succeed), so the retry must fail too.
    proxy.dropConnections(2_000);
    proxy.setRate(Number.POSITIVE_INFINITY);
    const cut = await pending;
    expect(cut.status).toBe(503);
    expect(Number(cut.headers['retry-after'])).toBeGreaterThan(0);
    expect(repo.get(ref)!.syncKey).toBe(keyBefore);
    expect(repo.itemCount(ref)).toBe(0);
    await new Promise((r) => setTimeout(r, 2_000));
    const rest = await drain(c, inbox, first.syncKey!);
    expect(new Set(rest.ids).size).toBe(rest.ids.length);
    expect(rest.subjects.sort()).toEqual(seeded.messages.map((m) => m.subject).sort());
  }, 120_000);
});
