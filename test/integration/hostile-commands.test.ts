/**
 * Hostile and wrong requests to the commands (ARCHITECTURE rule 9, CLAUDE
 * standards): wrong sync keys (MS-ASCMD 2.2.3.177.17 Sync Status 3,
 * 2.2.3.177.5 FolderSync Status 9), unknown collections (Sync 12,
 * GetItemEstimate 2, Ping 7), unknown items (per-item Sync 8, ItemOperations
 * 6/15, MoveItems 1), ids of another user's items (two users in one stack,
 * the same DeviceId on both), folder names that escape the hierarchy, and
 * IMAP down (503 + Retry-After). Each gets its status and a log line,
 * changes no stored state, never returns the other user's data, and the
 * server answers a good request right after.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { EasClient } from '../../src/client/index.ts';
import { child, childNumber, childrenNamed, childText, el, type WbxmlElement } from '../../protocol/wbxml/tree.ts';
import { simpleMessage, useStack } from '../harness/use-stack.ts';
import { snapshotState, startHostileServer, type HostileServer } from './hostile-setup.ts';
import { messageWithAttachment, syncFolder, withImap, type SyncedItem } from './mail-ops-helpers.ts';
import { readSync, setUpPhone, syncOne } from './sync-helpers.ts';

const stack = useStack();
const ALICE = 'alice@example.test';
const BOB = 'bob@example.test';
const SHARED_DEVICE = 'samephone1';
const IO = 'ItemOperations';
const GIE = 'GetItemEstimate';
const AS = 'AirSync';

let server: HostileServer;
let alice: EasClient;
let aliceInbox: string;
let aliceKey: string;
let aliceItems: SyncedItem[];
let bob: EasClient;
let bobInbox: string;
let bobItems: SyncedItem[];

beforeAll(async () => {
  const s = stack();
  for (let i = 0; i < 5; i++) await s.deliver(ALICE, simpleMessage({ subject: `ALICE-PRIVATE-${i}`, body: `alice secret body ${i}` }));
  await s.deliver(ALICE, messageWithAttachment({ subject: 'ALICE-PRIVATE-attachment', messageId: '<alice-att@example.test>', filename: 'secret.bin', data: Buffer.from('ALICE-PRIVATE-ATTACHMENT-BYTES') }));
  for (let i = 0; i < 2; i++) await s.deliver(BOB, simpleMessage({ subject: `BOB-ONLY-${i}`, to: BOB, body: `bob body ${i}` }));
  await withImap(s, ALICE, async (imap) => {
    await imap.mailboxCreate('Victim');
  });
  server = await startHostileServer(s, { EAS_IMAP_IDLE_SECONDS: 1 });

  alice = server.client({ user: ALICE, deviceId: SHARED_DEVICE });
  aliceInbox = (await setUpPhone(alice)).byType.get(2)!;
  const a = await syncFolder(alice, aliceInbox);
  aliceItems = a.items;
  aliceKey = a.syncKey;
  expect(aliceItems).toHaveLength(6);
  // Confirm the last key once, so that repeating it is a pure read.
  expect((await syncOne(alice, { collectionId: aliceInbox, syncKey: aliceKey })).status).toBe(1);

  // bob uses the very same DeviceId: ids must still resolve per mailbox.
  bob = server.client({ user: BOB, deviceId: SHARED_DEVICE });
  bobInbox = (await setUpPhone(bob)).byType.get(2)!;
  const b = await syncFolder(bob, bobInbox);
  bobItems = b.items;
  expect(bobItems).toHaveLength(2);
}, 120_000);

afterAll(async () => {
  await server?.stop();
});

/**
 * The request changes no table (but those in `allow`), logs no server
 * error; a good Sync of alice's INBOX works after it.
 */
async function unchanged<T>(send: () => Promise<T>, allow: readonly string[] = [], newKey?: (res: T) => string): Promise<T> {
  const strip = (snap: Record<string, unknown[]>): Record<string, unknown[]> => Object.fromEntries(Object.entries(snap).filter(([t]) => !allow.includes(t)));
  const before = strip(snapshotState(server.services.db));
  const from = server.logs.length;
  const res = await send();
  expect(strip(snapshotState(server.services.db))).toEqual(before);
  await new Promise((r) => setTimeout(r, 20));
  const lines = server.logs.slice(from);
  expect(lines.filter((l) => l.event === 'server.error')).toEqual([]);
  expect(lines.some((l) => l.event === 'request')).toBe(true);
  if (newKey) aliceKey = newKey(res);
  const good = await syncOne(alice, { collectionId: aliceInbox, syncKey: aliceKey });
  expect(good.status).toBe(1);
  expect(good.syncKey).toBe(aliceKey);
  return res;
}

function events(from: number): string[] {
  return server.logs.slice(from).map((l) => String(l.event));
}

const itemOps = (...ops: WbxmlElement[]): WbxmlElement => el(IO, 'ItemOperations', ops);
const fetchById = (collectionId: string, serverId: string): WbxmlElement =>
  el(IO, 'Fetch', [el(IO, 'Store', 'Mailbox'), el(AS, 'CollectionId', collectionId), el(AS, 'ServerId', serverId), el(IO, 'Options', [el('AirSyncBase', 'BodyPreference', [el('AirSyncBase', 'Type', 1)])])]);
const fetchByRef = (ref: string): WbxmlElement => el(IO, 'Fetch', [el(IO, 'Store', 'Mailbox'), el('AirSyncBase', 'FileReference', ref)]);
const moveItems = (src: string, from: string, to: string): WbxmlElement => el('Move', 'MoveItems', [el('Move', 'Move', [el('Move', 'SrcMsgId', src), el('Move', 'SrcFldId', from), el('Move', 'DstFldId', to)])]);

function fetchStatuses(body: WbxmlElement | undefined): number[] {
  const resp = body && child(body, 'Response', IO);
  return resp ? childrenNamed(resp, 'Fetch', IO).map((f) => childNumber(f, 'Status', IO) ?? 0) : [];
}

describe('the state snapshot sees real changes (so that "unchanged" means something)', () => {
  it('a Sync that delivers a new message changes the stored state', async () => {
    await stack().deliver(ALICE, simpleMessage({ subject: 'ALICE-PRIVATE-late' }));
    const before = snapshotState(server.services.db);
    const r = await syncOne(alice, { collectionId: aliceInbox, syncKey: aliceKey });
    expect(r.changes).toHaveLength(1);
    expect(snapshotState(server.services.db)).not.toEqual(before);
    aliceKey = r.syncKey!;
    aliceItems.push({ serverId: r.changes[0]!.serverId, subject: 'ALICE-PRIVATE-late', fileReferences: [] });
    expect((await syncOne(alice, { collectionId: aliceInbox, syncKey: aliceKey })).changes).toEqual([]);
  });
});

describe('wrong sync keys', () => {
  it.each([
    ['garbage', 'not-a-key'],
    ['an SQL string', "1' OR '1'='1"],
    ['a key of another collection life', 'deadbeef-2'],
    ['a key never issued', () => aliceKey.replace(/-\d+$/, '-99999')],
  ])('Sync with %s answers Status 3 and changes nothing', async (_what, key) => {
    const from = server.logs.length;
    const r = await unchanged(() => syncOne(alice, { collectionId: aliceInbox, syncKey: typeof key === 'function' ? key() : key }));
    expect(r.status).toBe(3);
    expect(events(from)).toContain('sync.bad-key');
  });

  it('Sync with a 10 KB key (over the 64 characters of MS-ASCMD 2.2.3.166.4) answers Status 4 and changes nothing', async () => {
    const from = server.logs.length;
    const r = await unchanged(() => syncOne(alice, { collectionId: aliceInbox, syncKey: 'k'.repeat(10 * 1024) }));
    expect(r.httpStatus).toBe(200);
    expect(r.topStatus).toBe(4);
    await new Promise((res) => setTimeout(res, 20));
    expect(server.logs.slice(from).some((l) => l.event === 'request' && l.eas === 4)).toBe(true);
  });

  it("Sync with a wrong key and other options does not replace the device's cached request", async () => {
    const from = server.logs.length;
    const r = await unchanged(() =>
      syncOne(alice, { collectionId: aliceInbox, syncKey: 'deadbeef-7', windowSize: 1, options: [{ filterType: 1, bodyPreferences: [{ type: 2, truncationSize: 10 }], bodyPartPreferences: [] }] }),
    );
    expect(r.status).toBe(3);
    expect(events(from)).toContain('sync.bad-key');
  });

  it.each([
    ['an unknown number', '424242'],
    ['garbage', 'x"; DELETE FROM folders;--'],
  ])('FolderSync with %s answers Status 9 and changes nothing', async (_what, key) => {
    const r = await unchanged(() => alice.folderSync(key));
    expect(r.status).toBe(9);
  });
});

describe('unknown collections', () => {
  it.each(['9999', '0', "1'--", '-1', '1:1'])('Sync of collection %j answers Status 12', async (id) => {
    const r = await unchanged(() => syncOne(alice, { collectionId: id, syncKey: aliceKey }));
    expect(r.status).toBe(12);
  });

  it('an empty Sync after a refused one still reuses the last good request (MS-ASCMD 2.2.3.124)', async () => {
    expect((await syncOne(alice, { collectionId: aliceInbox, syncKey: aliceKey })).status).toBe(1);
    expect((await syncOne(alice, { collectionId: '9999', syncKey: aliceKey })).status).toBe(12);
    const res = await alice.sync(undefined);
    expect(res.status).toBe(200);
    const r = readSync(res.status, res.body, res.raw);
    expect(r.status).toBeUndefined();
    expect(r.collections.map((c) => [c.collectionId, c.status])).toEqual([[aliceInbox, 1]]);
  });

  it('GetItemEstimate of an unknown collection answers Status 2', async () => {
    const res = await unchanged(() => alice.command('GetItemEstimate', el(GIE, 'GetItemEstimate', [el(GIE, 'Collections', [el(GIE, 'Collection', [el(AS, 'SyncKey', aliceKey), el(GIE, 'CollectionId', '9999')])])])));
    expect(res.status).toBe(200);
    const resp = res.body && child(res.body, 'Response', GIE);
    expect(resp && childNumber(resp, 'Status', GIE)).toBe(2);
  });

  it('Ping of an unknown folder answers Status 7 at once and keeps the stored Ping parameters', async () => {
    const t0 = Date.now();
    const res = await unchanged(() => alice.ping({ heartbeatInterval: 120, folders: [{ id: '9999', class: 'Email' }] }));
    expect(Date.now() - t0).toBeLessThan(5_000);
    expect(res.body && childNumber(res.body, 'Status', 'Ping')).toBe(7);
  });
});

describe('unknown items get their per-item status', () => {
  const missing = (): string => `${aliceInbox}:987654`;

  it.each([
    ['Change', () => ({ kind: 'Change' as const, serverId: missing(), applicationData: el(AS, 'ApplicationData', [el('Email', 'Read', 1)]) })],
    ['Delete', () => ({ kind: 'Delete' as const, serverId: missing() })],
    ['Fetch', () => ({ kind: 'Fetch' as const, serverId: missing() })],
    ['Delete of a malformed id', () => ({ kind: 'Delete' as const, serverId: "'); DROP TABLE sync_items;--" })],
  ])('Sync %s of an unknown ServerId answers Status 8 for that item and changes no item', async (_what, cmd) => {
    // The request itself is well-formed: its answer gets a new SyncKey and its per-item answers are kept for a
    // replay (ARCHITECTURE rules 1 and 3), and it becomes the cached request. What the device holds must not move.
    const r = await unchanged(() => syncOne(alice, { collectionId: aliceInbox, syncKey: aliceKey, commands: [cmd()], getChanges: false }), ['sync_collections', 'sync_requests'], (x) => x.syncKey!);
    expect(r.status).toBe(1);
    expect(r.responses.map((x) => x.status)).toEqual([8]);
  });

  it('ItemOperations Fetch of an unknown ServerId answers Status 6, of an unknown FileReference Status 15', async () => {
    const res = await unchanged(() => alice.command('ItemOperations', itemOps(fetchById(aliceInbox, missing()), fetchByRef(`${aliceInbox}:987654:2`), fetchByRef('../../etc/passwd'))));
    expect(res.status).toBe(200);
    expect(fetchStatuses(res.body)).toEqual([6, 15, 15]);
  });

  it('MoveItems of an unknown ServerId answers Status 1', async () => {
    const res = await unchanged(() => alice.command('MoveItems', moveItems(missing(), aliceInbox, aliceInbox === '1' ? '2' : '1')));
    const resp = res.body && child(res.body, 'Response', 'Move');
    expect(resp && childNumber(resp, 'Status', 'Move')).toBe(1);
  });
});

describe("another user's ids never reach that user's data", () => {
  const alicePrivate = /ALICE-PRIVATE|alice secret/;

  it('the two mailboxes share folder and item ids, so the test is sharp', () => {
    expect(bobInbox).toBe(aliceInbox);
    expect(bobItems.map((i) => i.serverId).some((id) => aliceItems.some((a) => a.serverId === id))).toBe(true);
  });

  it("ItemOperations Fetch of alice's ServerIds by bob (same DeviceId) gives bob's own message or not-found", async () => {
    const bobIds = new Set(bobItems.map((i) => i.serverId));
    const res = await unchanged(() => bob.command('ItemOperations', itemOps(...aliceItems.map((i) => fetchById(aliceInbox, i.serverId)))));
    expect(res.status).toBe(200);
    expect(res.raw.toString('utf8')).not.toMatch(alicePrivate);
    const statuses = fetchStatuses(res.body);
    expect(statuses).toEqual(aliceItems.map((i) => (bobIds.has(i.serverId) ? 1 : 6)));
  });

  it("ItemOperations Fetch of alice's attachment FileReference by bob answers Status 15 without the bytes", async () => {
    const refs = aliceItems.flatMap((i) => i.fileReferences);
    expect(refs.length).toBeGreaterThan(0);
    for (const c of [bob, server.client({ user: BOB, deviceId: 'bobotherphone' })]) {
      await c.provision();
      const res = await unchanged(() => c.command('ItemOperations', itemOps(...refs.map(fetchByRef))));
      expect(res.raw.toString('utf8')).not.toContain('ALICE-PRIVATE-ATTACHMENT-BYTES');
      expect(res.raw.toString('base64')).not.toContain(Buffer.from('ALICE-PRIVATE-ATTACHMENT-BYTES').toString('base64').slice(0, 20));
      expect(fetchStatuses(res.body)).toEqual(refs.map(() => 15));
    }
  });

  it("GetAttachment (12.1) of alice's FileReferences by bob answers HTTP 500 without the bytes", async () => {
    const c = server.client({ user: BOB, deviceId: 'bobphone121', version: '12.1' });
    await c.provision();
    for (const ref of [...aliceItems.flatMap((i) => i.fileReferences), '../../../etc/passwd', `${aliceInbox}:1:${'9.'.repeat(2000)}1`]) {
      const res = await unchanged(() => c.command('GetAttachment', undefined, { params: { AttachmentName: ref } }));
      expect(res.status).toBe(500);
      expect(res.raw.toString('utf8')).not.toContain('ALICE-PRIVATE');
    }
  });

  it("MoveItems of alice's ServerIds by bob answers Status 1 and leaves alice's mailbox as it was", async () => {
    const bobIds = new Set(bobItems.map((i) => i.serverId));
    const targets = aliceItems.filter((i) => !bobIds.has(i.serverId));
    expect(targets.length).toBeGreaterThan(0);
    const folders = await bob.folderSync('0');
    const dst = folders.adds.find((f) => f.type !== 2 && [1, 3, 4, 5, 6, 12].includes(f.type))!.serverId;
    const countAlice = (): Promise<number> =>
      withImap(stack(), ALICE, async (imap) => {
        const st = await imap.status('INBOX', { messages: true });
        return st && st.messages !== undefined ? st.messages : -1;
      });
    const n0 = await countAlice();
    for (const t of targets) {
      const res = await unchanged(() => bob.command('MoveItems', moveItems(t.serverId, aliceInbox, dst)));
      const resp = res.body && child(res.body, 'Response', 'Move');
      expect(resp && childNumber(resp, 'Status', 'Move')).toBe(1);
    }
    expect(await countAlice()).toBe(n0);
  });

  it("Sync Fetch of alice's ServerIds in bob's collection answers Status 8 or bob's own message", async () => {
    const bobIds = new Set(bobItems.map((i) => i.serverId));
    const key = (await syncFolder(bob, bobInbox, '0')).syncKey;
    const res = await bob.sync({
      collections: [{ syncKey: key, collectionId: bobInbox, getChanges: false, options: [], commands: aliceItems.map((i) => ({ kind: 'Fetch' as const, serverId: i.serverId })) }],
    });
    expect(res.raw.toString('utf8')).not.toMatch(alicePrivate);
    const r = readSync(res.status, res.body, res.raw).collections[0]!;
    expect(r.status).toBe(1);
    expect(r.responses.map((x) => x.status)).toEqual(aliceItems.map((i) => (bobIds.has(i.serverId) ? 1 : 8)));
  });
});

describe('folder names that escape the hierarchy are refused', () => {
  it.each([
    ['the IMAP hierarchy delimiter', 'evil/child'],
    ['a parent reference', '..'],
    ['a current-directory reference', '.'],
    ['a parent reference with a path', '../../etc'],
    ['IMAP wildcards', 'all*%'],
    ['a control character', 'bad\u0001name'],
  ])('FolderCreate with %s answers Status 10 and creates nothing', async (_what, name) => {
    const list = (): Promise<string[]> => withImap(stack(), ALICE, async (imap) => (await imap.list()).map((f) => f.path).sort());
    const fs = await alice.folderSync('0');
    const before = await list();
    const res = await unchanged(() => alice.folderCreate({ syncKey: fs.syncKey!, parentId: '0', displayName: name }));
    expect(res.status).toBe(10);
    expect(await list()).toEqual(before);
  });
});

describe('folder commands on ids that do not fit', () => {
  const list = (): Promise<string[]> => withImap(stack(), ALICE, async (imap) => (await imap.list()).map((f) => f.path).sort());

  it.each([
    ['the IMAP hierarchy delimiter', 'Victim/child', 10],
    ['a parent reference', '..', 10],
  ])('FolderUpdate renaming to a name with %s answers Status %i and renames nothing', async (_what, name, status) => {
    const fs = await alice.folderSync('0');
    const victim = fs.adds.find((f) => f.displayName === 'Victim')!.serverId;
    const before = await list();
    const res = await unchanged(() => alice.folderUpdate({ syncKey: fs.syncKey!, serverId: victim, parentId: '0', displayName: name }));
    expect(res.status).toBe(status);
    expect(await list()).toEqual(before);
  });

  it.each([
    ['FolderUpdate under an unknown parent', 5, (k: string, victim: string) => alice.folderUpdate({ syncKey: k, serverId: victim, parentId: '9999', displayName: 'Moved' })],
    ['FolderUpdate of an unknown folder', 4, (k: string) => alice.folderUpdate({ syncKey: k, serverId: '9999', parentId: '0', displayName: 'X' })],
    ['FolderDelete of an unknown folder', 4, (k: string) => alice.folderDelete({ syncKey: k, serverId: '9999' })],
    ['FolderDelete of the INBOX', 3, (k: string) => alice.folderDelete({ syncKey: k, serverId: aliceInbox })],
    ['FolderCreate under an unknown parent', 5, (k: string) => alice.folderCreate({ syncKey: k, parentId: '9999', displayName: 'Orphan' })],
  ])('%s answers Status %i and changes nothing', async (_what, status, send) => {
    const fs = await alice.folderSync('0');
    const victim = fs.adds.find((f) => f.displayName === 'Victim')!.serverId;
    const before = await list();
    const res = await unchanged(() => send(fs.syncKey!, victim));
    expect(res.status).toBe(status);
    expect(await list()).toEqual(before);
  });
});

describe('Ping parameters out of bounds', () => {
  it('a heartbeat below the minimum answers Status 5 with the limit and keeps the stored parameters', async () => {
    const res = await unchanged(() => alice.ping({ heartbeatInterval: 1, folders: [{ id: aliceInbox, class: 'Email' }] }));
    expect(res.body && childNumber(res.body, 'Status', 'Ping')).toBe(5);
    expect(res.body && childNumber(res.body, 'HeartbeatInterval', 'Ping')).toBeGreaterThan(1);
  });
});

describe('IMAP down', () => {
  it('Sync, FolderSync, GetItemEstimate and ItemOperations answer 503 with Retry-After, state stays, and all works again after', async () => {
    const s = stack();
    const estimate = (): Promise<{ status: number; headers: Record<string, unknown> }> =>
      alice.command('GetItemEstimate', el(GIE, 'GetItemEstimate', [el(GIE, 'Collections', [el(GIE, 'Collection', [el(AS, 'SyncKey', aliceKey), el(GIE, 'CollectionId', aliceInbox)])])]));
    const fsKey = (await alice.folderSync('0')).syncKey!;
    // Dovecot keeps open sessions alive when stopped: let the pool close its idle connections first (EAS_IMAP_IDLE_SECONDS=1).
    for (let i = 0; i < 50 && server.services.mail.pool.stats().total > 0; i++) await new Promise((r) => setTimeout(r, 100));
    expect(server.services.mail.pool.stats().total).toBe(0);
    await s.stopDovecot();
    try {
      const before = snapshotState(server.services.db);
      const from = server.logs.length;
      const sync = await syncOne(alice, { collectionId: aliceInbox, syncKey: aliceKey });
      const folderSync = await alice.folderSync(fsKey);
      const est = await estimate();
      const io = await alice.command('ItemOperations', itemOps(fetchById(aliceInbox, aliceItems[0]!.serverId)));
      // A password the login cache does not know cannot be checked either: 503, not a 401 that would make the phone ask the user.
      const unverifiable = await server.client({ user: ALICE, password: 'not-cached', deviceId: SHARED_DEVICE }).folderSync(fsKey);
      const answers = [sync.httpStatus, folderSync.response.status, est.status, io.status, unverifiable.response.status];
      expect(answers).toEqual([503, 503, 503, 503, 503]);
      for (const h of [folderSync.response.headers, est.headers, io.headers, unverifiable.response.headers]) expect(Number(h['retry-after'])).toBeGreaterThan(0);
      expect(snapshotState(server.services.db)).toEqual(before);
      await new Promise((r) => setTimeout(r, 20));
      expect(events(from).filter((e) => e === 'backend.unavailable').length).toBeGreaterThanOrEqual(4);
      expect(events(from)).not.toContain('server.error');
    } finally {
      await s.startDovecot();
    }
    const again = await syncOne(alice, { collectionId: aliceInbox, syncKey: aliceKey });
    expect(again.status).toBe(1);
    expect(again.changes).toEqual([]);
    expect((await alice.folderSync(fsKey)).status).toBe(1);
    const io = await alice.command('ItemOperations', itemOps(fetchById(aliceInbox, aliceItems[0]!.serverId)));
    expect(fetchStatuses(io.body)).toEqual([1]);
    expect(childText(child(child(io.body!, 'Response', IO)!, 'Fetch', IO)!, 'ServerId', AS)).toBe(aliceItems[0]!.serverId);
  }, 60_000);
});
