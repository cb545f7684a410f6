/**
 * Initial mail sync through the real server and Dovecot (MS-ASCMD 2.2.1.21;
 * ARCHITECTURE rules 1 and 4): SyncKey 0, then windows of WindowSize until
 * MoreAvailable stops, every message exactly once, in 12.1, 14.1 and 16.1.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { seedMailbox, type SeedResult } from '../../src/devstack/seed.ts';
import type { ProtocolVersion } from '../../protocol/version.ts';
import { useStack } from '../harness/use-stack.ts';
import { useTestServer } from '../harness/use-test-server.ts';
import { bodyOptions, initialSync, setUpPhone, syncOne } from './sync-helpers.ts';

const stack = useStack();
let seeded: SeedResult;
const USER = 'alice@example.test';

beforeAll(async () => {
  seeded = await seedMailbox(stack(), USER, { count: 300, folders: ['INBOX', 'Archive'], dav: false });
}, 120_000);
const server = useTestServer(stack);

describe.each<ProtocolVersion>(['12.1', '14.1', '16.1'])('initial sync in %s', (version) => {
  it('delivers every INBOX message exactly once in windows of 50 until MoreAvailable stops', async () => {
    const c = server().client({ user: USER, version });
    const { byType } = await setUpPhone(c);
    const inbox = byType.get(2)!;
    const { changes, rounds } = await initialSync(c, inbox, { windowSize: 50, options: bodyOptions(2, 1024) });
    const expected = seeded.messages.filter((m) => m.folder === 'INBOX');
    expect(changes.every((x) => x.kind === 'Add')).toBe(true);
    const ids = changes.map((x) => x.serverId);
    expect(new Set(ids).size).toBe(ids.length);
    expect(ids.length).toBe(expected.length);
    expect(rounds).toBe(Math.ceil(expected.length / 50));
    // Each seeded subject appears as many times as it was seeded.
    const got = changes.map((x) => x.email?.subject ?? '').sort();
    expect(got).toEqual(expected.map((m) => m.subject).sort());
    for (const id of ids) expect(id).toMatch(new RegExp(`^${inbox}:\\d+$`));
  }, 120_000);

  it('answers a repeat of the final key with no changes and the same key', async () => {
    const c = server().client({ user: USER, version });
    const { byType } = await setUpPhone(c);
    const inbox = byType.get(2)!;
    const { syncKey } = await initialSync(c, inbox, { windowSize: 200 });
    const again = await syncOne(c, { collectionId: inbox, syncKey });
    expect(again.status).toBe(1);
    expect(again.changes).toEqual([]);
    expect(again.syncKey).toBe(syncKey);
  }, 120_000);
});

describe('sync keys', () => {
  it('answers Status 3 to a garbage key and to a key of another collection life', async () => {
    const c = server().client({ user: USER, version: '14.1' });
    const { byType } = await setUpPhone(c);
    const inbox = byType.get(2)!;
    const garbage = await syncOne(c, { collectionId: inbox, syncKey: 'not-a-key' });
    expect(garbage.status).toBe(3);
    const first = await syncOne(c, { collectionId: inbox, syncKey: '0' });
    await syncOne(c, { collectionId: inbox, syncKey: '0' });
    // The first life's key died with SyncKey 0.
    const stale = await syncOne(c, { collectionId: inbox, syncKey: first.syncKey! });
    expect(stale.status).toBe(3);
  }, 60_000);

  it('answers Status 12 for a collection id the mailbox does not have', async () => {
    const c = server().client({ user: USER, version: '14.1' });
    await setUpPhone(c);
    const r = await syncOne(c, { collectionId: '9999', syncKey: '0' });
    expect(r.status).toBe(12);
  }, 60_000);
});
