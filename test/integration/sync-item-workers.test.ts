/**
 * The item workers (src/sync/item-workers.ts) against the real Dovecot: the
 * same job gives byte-identical items on the main thread and in a worker,
 * whatever the protocol version and body preference; vanished and filtered
 * messages are left out; failures cross the thread boundary as the same
 * BackendError codes; a worker that dies fails its jobs as retryable and is
 * replaced. End to end, an initial sync with the workers switched off
 * (EAS_SYNC_WORKERS=0) delivers the same items as with them.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import pino from 'pino';
import { isBackendError } from '../../backends/errors.ts';
import { ImapMailStore } from '../../backends/imap/index.ts';
import type { ProtocolVersion } from '../../protocol/version.ts';
import { seedMailbox, type SeedResult } from '../../src/devstack/seed.ts';
import type { BodyOptions } from '../../src/sync/body.ts';
import { WorkerItemBuilder } from '../../src/sync/item-workers.ts';
import { buildAll, inThreadBuilder, type NewItem, type NewItemsJob } from '../../src/sync/new-items.ts';
import { useStack } from '../harness/use-stack.ts';
import { startTestServer } from './server-setup.ts';
import { bodyOptions, initialSync, setUpPhone } from './sync-helpers.ts';

const stack = useStack();
const USER = 'alice@example.test';
let seeded: SeedResult;
let store: ImapMailStore;
let workers: WorkerItemBuilder;
const logLines: unknown[] = [];

beforeAll(async () => {
  seeded = await seedMailbox(stack(), USER, { count: 80, folders: ['INBOX'], dav: false });
  const endpoint = { host: stack().imap.host, port: stack().imap.port, secure: false };
  store = new ImapMailStore({ endpoint });
  const log = pino({ level: 'debug' }, { write: (line: string) => void logLines.push(JSON.parse(line)) });
  workers = new WorkerItemBuilder({ threads: 2, endpoint, maxPerUser: 2, maxTotal: 10, idleTimeoutMs: 10_000, log });
}, 120_000);

afterAll(async () => {
  await workers?.close();
  await store?.close();
});

function job(version: ProtocolVersion, body: BodyOptions, extra: Partial<NewItemsJob> = {}): NewItemsJob {
  const u = stack().user(USER);
  const uids = seeded.messages.map((m) => m.uid).sort((a, b) => b - a);
  return { session: { user: u.name, password: u.password }, path: 'INBOX', items: uids.map((uid, i) => ({ uid, serverId: `5:${i + 1}` })), version, body, ...extra };
}

const view = (items: readonly NewItem[]) =>
  items.map((i) => ({ uid: i.uid, serverId: i.serverId, flags: i.flags, internalDate: i.internalDate, endPage: i.applicationData.endPage, data: Buffer.from(i.applicationData.bytes).toString('hex') }));

const cases: [ProtocolVersion, string, BodyOptions][] = [
  ['12.1', 'plain text cut at 512', { bodyPreferences: [{ type: 1, truncationSize: 512 }] }],
  ['14.1', 'HTML cut at 5 KB with a preview', { bodyPreferences: [{ type: 2, truncationSize: 5120, preview: 100 }] }],
  ['16.1', 'MIME whole', { bodyPreferences: [{ type: 4 }], mimeSupport: 2 }],
];

describe('item workers', () => {
  it.each(cases)('build byte-identical items to the main thread (%s, %s)', async (version, _what, body) => {
    const j = job(version, body);
    const [here, there] = await Promise.all([buildAll(inThreadBuilder(store), j), buildAll(workers, j)]);
    expect(here).toHaveLength(seeded.messages.length);
    expect(here.every((i) => i.applicationData.bytes.length > 40 && i.applicationData.version === version)).toBe(true);
    expect(view(there)).toEqual(view(here));
  }, 60_000);

  it('leaves out a UID that does not exist and messages older than the filter, in the order asked', async () => {
    const base = job('14.1', { bodyPreferences: [{ type: 1, truncationSize: 200 }] });
    const dates = seeded.messages.map((m) => m.date.getTime()).sort((a, b) => a - b);
    const cut = dates[Math.floor(dates.length / 2)]!;
    const items = [{ uid: 999_999, serverId: '5:999' }, ...base.items];
    const got = await buildAll(workers, { ...base, items, sinceMs: cut });
    const want = seeded.messages.filter((m) => m.date.getTime() >= cut).map((m) => m.uid).sort((a, b) => b - a);
    expect(got.map((i) => i.uid)).toEqual(want);
    expect(got.every((i) => i.internalDate >= cut)).toBe(true);
    expect(got.some((i) => i.uid === 999_999)).toBe(false);
  }, 60_000);

  it('reports a refused login as AuthFailed and a missing folder as NotFound, like the main thread', async () => {
    const base = job('14.1', { bodyPreferences: [{ type: 1 }] });
    const wrong = buildAll(workers, { ...base, session: { user: USER, password: 'not-the-password' } });
    await expect(wrong).rejects.toSatisfy((e: unknown) => isBackendError(e, 'AuthFailed'));
    const missing = buildAll(workers, { ...base, path: 'No/Such/Folder' });
    await expect(missing).rejects.toSatisfy((e: unknown) => isBackendError(e, 'NotFound'));
    const hereMissing = buildAll(inThreadBuilder(store), { ...base, path: 'No/Such/Folder' });
    await expect(hereMissing).rejects.toSatisfy((e: unknown) => isBackendError(e, 'NotFound'));
  }, 60_000);

  it('fails the jobs of a worker that dies as BackendUnavailable, then starts new threads', async () => {
    const j = job('14.1', { bodyPreferences: [{ type: 2, truncationSize: 5120 }] });
    const doomed = buildAll(workers, j);
    expect(workers.stats().inFlight).toBe(1);
    await workers.terminate();
    await expect(doomed).rejects.toSatisfy((e: unknown) => isBackendError(e, 'BackendUnavailable'));
    expect(workers.stats()).toEqual({ threads: 0, inFlight: 0 });
    expect(logLines.some((l) => (l as { event?: string }).event === 'sync.item-worker-exit')).toBe(true);
    const again = await buildAll(workers, j);
    expect(again).toHaveLength(seeded.messages.length);
  }, 60_000);
});

describe('initial sync without item workers (EAS_SYNC_WORKERS=0)', () => {
  it('delivers the same items as with them', async () => {
    const runs = [];
    for (const threads of ['0', '2']) {
      const server = await startTestServer(stack(), { env: { EAS_SYNC_WORKERS: threads } });
      try {
        const c = server.client({ user: USER, version: '14.1' });
        const { byType } = await setUpPhone(c);
        const { changes } = await initialSync(c, byType.get(2)!, { windowSize: 30, options: bodyOptions(2, 2048) });
        runs.push(changes.map((x) => ({ serverId: x.serverId, data: x.data })));
      } finally {
        await server.stop();
        server.cleanup();
      }
    }
    expect(runs[0]).toHaveLength(seeded.messages.length);
    expect(runs[1]).toEqual(runs[0]);
  }, 120_000);
});
