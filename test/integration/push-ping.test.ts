import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { childNumber, childText, childrenNamed, child, el } from '../../protocol/wbxml/tree.ts';
import type { EasClient, EasResponse } from '../../src/client/index.ts';
import { simpleMessage, useStack } from '../harness/use-stack.ts';
import { folderSync, startPushServer, until, type PushTestServer } from './push-server.ts';

/**
 * Ping (MS-ASCMD 2.2.1.13) end to end: EAS client → server → hub → IMAP
 * watcher → real Dovecot, with LMTP deliveries and other IMAP clients making
 * the changes.
 */
const USERS = Array.from({ length: 12 }, (_, i) => ({ name: `p${i}@example.test`, password: `secret-${i}` }));
const stack = useStack({ users: USERS });
let server: PushTestServer;

beforeAll(async () => {
  server = await startPushServer(stack());
}, 60_000);
afterAll(async () => {
  await server?.stop();
});

const P = 'Ping';
function pingStatus(r: EasResponse): number | undefined {
  return r.body ? childNumber(r.body, 'Status', P) : undefined;
}
function pingFolders(r: EasResponse): string[] {
  const f = r.body && child(r.body, 'Folders', P);
  return f ? childrenNamed(f, 'Folder', P).map((e) => e.text as string) : [];
}

/**
 * A device that has done FolderSync and synced its INBOX (and `more`
 * folders) up to date, as a phone has before it starts to Ping.
 */
async function primedDevice(user: string, deviceId: string, more: string[] = []): Promise<{ c: EasClient; ids: Map<string, string>; inbox: Synced }> {
  const c = server.client(user, deviceId);
  const folders = await folderSync(c);
  const ids = new Map<string, string>();
  for (const [name, f] of folders) ids.set(name, f.serverId);
  ids.set('INBOX', [...folders.values()].find((f) => f.type === 2)!.serverId);
  const inbox = await syncToEnd(c, ids.get('INBOX')!);
  for (const name of more) await syncToEnd(c, ids.get(name)!);
  return { c, ids, inbox };
}

interface Synced {
  key: string;
  /** ServerIds of the items the device received. */
  serverIds: string[];
}

/** Syncs a collection from SyncKey 0 until nothing more is pending. */
async function syncToEnd(c: EasClient, collectionId: string): Promise<Synced> {
  const out: Synced = { key: '0', serverIds: [] };
  for (let i = 0; i < 10; i++) {
    const r = await c.sync({ collections: [{ syncKey: out.key, collectionId, commands: [], options: [], ...(out.key === '0' ? {} : { getChanges: true, windowSize: 100 }) }] });
    if (r.status !== 200) throw new Error(`Sync HTTP ${r.status}`);
    if (!r.body) return out;
    const col = child(child(r.body, 'Collections', 'AirSync') ?? r.body, 'Collection', 'AirSync');
    out.key = (col && childText(col, 'SyncKey', 'AirSync')) ?? out.key;
    const cmds = col && child(col, 'Commands', 'AirSync');
    if (cmds) for (const a of childrenNamed(cmds, 'Add', 'AirSync')) out.serverIds.push(childText(a, 'ServerId', 'AirSync')!);
    if (i > 0 && col && !child(col, 'MoreAvailable', 'AirSync')) return out;
  }
  return out;
}

function held(user: string, deviceId: string): () => boolean {
  return () => server.services.push.hub.isHeld(user, deviceId);
}

describe('Ping wake-ups', () => {
  it('answers Status 2 with the INBOX within a second of an LMTP delivery', async () => {
    const user = USERS[0]!.name;
    const { c, ids } = await primedDevice(user, 'dev-a');
    const ping = c.ping({ heartbeatInterval: 60, folders: [{ id: ids.get('INBOX')!, class: 'Email' }] });
    await until(held(user, 'dev-a'), 5_000, 'Ping held');
    await new Promise((r) => setTimeout(r, 300)); // watcher IDLEs
    const t0 = Date.now();
    await stack().deliver(user, simpleMessage({ subject: 'push', to: user }));
    const r = await ping;
    const ms = Date.now() - t0;
    expect(pingStatus(r)).toBe(2);
    expect(pingFolders(r)).toEqual([ids.get('INBOX')]);
    expect(ms).toBeLessThan(1_000);
  });

  it('is woken by a flag another IMAP client changes', async () => {
    const user = USERS[1]!.name;
    await stack().deliver(user, simpleMessage({ subject: 'flag me', to: user }));
    const { c, ids } = await primedDevice(user, 'dev-a');
    const ping = c.ping({ heartbeatInterval: 60, folders: [{ id: ids.get('INBOX')!, class: 'Email' }] });
    await until(held(user, 'dev-a'), 5_000, 'Ping held');
    await new Promise((r) => setTimeout(r, 300));
    const other = await stack().imapClient(user);
    try {
      await other.mailboxOpen('INBOX');
      await other.messageFlagsAdd('1:*', ['\\Seen']);
    } finally {
      await other.logout();
    }
    const r = await ping;
    expect(pingStatus(r)).toBe(2);
    expect(pingFolders(r)).toEqual([ids.get('INBOX')]);
  });

  it('is woken for a non-INBOX folder by STATUS polling', async () => {
    const user = USERS[2]!.name;
    const { c, ids } = await primedDevice(user, 'dev-a', ['Archive']);
    const ping = c.ping({ heartbeatInterval: 60, folders: [{ id: ids.get('INBOX')!, class: 'Email' }, { id: ids.get('Archive')!, class: 'Email' }] });
    await until(held(user, 'dev-a'), 5_000, 'Ping held');
    await new Promise((r) => setTimeout(r, 500));
    await stack().appendMessage(user, 'Archive', simpleMessage({ subject: 'filed', to: user }));
    const r = await ping;
    expect(pingStatus(r)).toBe(2);
    expect(pingFolders(r)).toEqual([ids.get('Archive')]);
  });

  it('answers Status 1 when the heartbeat expires without changes', async () => {
    const user = USERS[3]!.name;
    const { c, ids } = await primedDevice(user, 'dev-a');
    const t0 = Date.now();
    const r = await c.ping({ heartbeatInterval: 2, folders: [{ id: ids.get('INBOX')!, class: 'Email' }] });
    expect(pingStatus(r)).toBe(1);
    expect(Date.now() - t0).toBeGreaterThanOrEqual(1_900);
  });

  it('a second Ping from the same device ends the first at once with Status 1', async () => {
    const user = USERS[4]!.name;
    const { c, ids } = await primedDevice(user, 'dev-a');
    const folders = [{ id: ids.get('INBOX')!, class: 'Email' }];
    const first = c.ping({ heartbeatInterval: 60, folders });
    await until(held(user, 'dev-a'), 5_000, 'first Ping held');
    const t0 = Date.now();
    const second = c.ping({ heartbeatInterval: 60, folders });
    const r1 = await first;
    expect(pingStatus(r1)).toBe(1);
    expect(Date.now() - t0).toBeLessThan(1_000);
    await until(held(user, 'dev-a'), 5_000, 'second Ping held');
    await stack().deliver(user, simpleMessage({ subject: 'for the second', to: user }));
    expect(pingStatus(await second)).toBe(2);
  });

  it('one delivery wakes the Pings of two devices of the mailbox', async () => {
    const user = USERS[5]!.name;
    const a = await primedDevice(user, 'dev-a');
    const b = await primedDevice(user, 'dev-b');
    const pa = a.c.ping({ heartbeatInterval: 60, folders: [{ id: a.ids.get('INBOX')!, class: 'Email' }] });
    const pb = b.c.ping({ heartbeatInterval: 60, folders: [{ id: b.ids.get('INBOX')!, class: 'Email' }] });
    await until(() => held(user, 'dev-a')() && held(user, 'dev-b')(), 5_000, 'both held');
    await new Promise((r) => setTimeout(r, 300));
    await stack().deliver(user, simpleMessage({ subject: 'for both', to: user }));
    const [ra, rb] = await Promise.all([pa, pb]);
    expect(pingStatus(ra)).toBe(2);
    expect(pingStatus(rb)).toBe(2);
  });

  it("a device's own Sync change does not wake its own Ping, but wakes another device's", async () => {
    const user = USERS[11]!.name;
    await stack().deliver(user, simpleMessage({ subject: 'read me', to: user }));
    const a = await primedDevice(user, 'dev-a');
    const b = await primedDevice(user, 'dev-b');
    expect(a.inbox.serverIds).toHaveLength(1);
    const inboxId = a.ids.get('INBOX')!;
    const pa = a.c.ping({ heartbeatInterval: 4, folders: [{ id: inboxId, class: 'Email' }] });
    const pb = b.c.ping({ heartbeatInterval: 60, folders: [{ id: inboxId, class: 'Email' }] });
    await until(() => held(user, 'dev-a')() && held(user, 'dev-b')(), 5_000, 'both held');
    await new Promise((r) => setTimeout(r, 300));
    // Device A marks the message read through its own Sync (MS-ASEMAIL Read).
    const change = await a.c.sync({
      collections: [{ syncKey: a.inbox.key, collectionId: inboxId, options: [], commands: [{ kind: 'Change', serverId: a.inbox.serverIds[0]!, applicationData: el('AirSync', 'ApplicationData', [el('Email', 'Read', 1)]) }] }],
    });
    expect(change.status).toBe(200);
    const rb = await pb;
    expect(pingStatus(rb)).toBe(2);
    // A stays held until its 4 s heartbeat: Status 1, not 2.
    const ra = await pa;
    expect(pingStatus(ra)).toBe(1);
  });

  it('an empty Ping reuses the folders and heartbeat of the last one', async () => {
    const user = USERS[6]!.name;
    const { c, ids } = await primedDevice(user, 'dev-a');
    const r1 = await c.ping({ heartbeatInterval: 1, folders: [{ id: ids.get('INBOX')!, class: 'Email' }] });
    expect(pingStatus(r1)).toBe(1);
    const t0 = Date.now();
    const r2 = await c.ping(); // no body at all
    expect(pingStatus(r2)).toBe(1);
    expect(Date.now() - t0).toBeGreaterThanOrEqual(900); // held for the stored 1 s heartbeat
    const p3 = c.ping(undefined);
    await until(held(user, 'dev-a'), 5_000, 'empty Ping held');
    await stack().deliver(user, simpleMessage({ subject: 'stored folders', to: user }));
    const r3 = await p3;
    expect(pingStatus(r3)).toBe(2);
    expect(pingFolders(r3)).toEqual([ids.get('INBOX')]);
  });

  it('a held Ping survives a Dovecot restart and is woken by a delivery after it', async () => {
    const user = USERS[7]!.name;
    const { c, ids } = await primedDevice(user, 'dev-a');
    const events = () => server.services.push.watcherEvents();
    const connects = events().connect;
    const ping = c.ping({ heartbeatInterval: 90, folders: [{ id: ids.get('INBOX')!, class: 'Email' }] });
    await until(held(user, 'dev-a'), 5_000, 'Ping held');
    await until(() => events().connect > connects, 10_000, 'watcher connected');
    const before = events().reconnect;
    let answered = false;
    void ping.then(() => (answered = true));
    await stack().restartDovecot();
    await until(() => events().reconnect > before, 15_000, 'watcher reconnect');
    await new Promise((r) => setTimeout(r, 500));
    if (server.services.pendingChanges) {
      // With the sync engine's check, the reconnect's re-check finds nothing new: still held.
      expect(answered).toBe(false);
    }
    if (!answered) await stack().deliver(user, simpleMessage({ subject: 'after restart', to: user }));
    const r = await ping;
    expect(pingStatus(r)).toBe(2);
  }, 60_000);
});

describe('hanging Sync through the same hub', () => {
  it('a hanging Sync answers with the delivered message, and a Ping from the same device ends a held one', async () => {
    const user = USERS[10]!.name;
    const { c, ids, inbox } = await primedDevice(user, 'dev-h');
    const collectionId = ids.get('INBOX')!;
    const hanging = (key: string) => c.sync({ collections: [{ syncKey: key, collectionId, commands: [], options: [], getChanges: true }], heartbeatInterval: 60 });
    // 1. Woken by a delivery: the answer carries the new message.
    const s1 = hanging(inbox.key);
    await until(held(user, 'dev-h'), 5_000, 'hanging Sync held');
    await new Promise((r) => setTimeout(r, 300));
    await stack().deliver(user, simpleMessage({ subject: 'hanging', to: user }));
    const r1 = await s1;
    expect(r1.status).toBe(200);
    const col = child(child(r1.body!, 'Collections', 'AirSync')!, 'Collection', 'AirSync')!;
    expect(childrenNamed(child(col, 'Commands', 'AirSync')!, 'Add', 'AirSync')).toHaveLength(1);
    // 2. Superseded by a Ping of the same device: answered at once, empty.
    const s2 = hanging(childText(col, 'SyncKey', 'AirSync')!);
    await until(held(user, 'dev-h'), 5_000, 'second hanging Sync held');
    const t0 = Date.now();
    const ping = c.ping({ heartbeatInterval: 1, folders: [{ id: collectionId, class: 'Email' }] });
    const r2 = await s2;
    expect(Date.now() - t0).toBeLessThan(1_000);
    expect(r2.status).toBe(200);
    expect(r2.body).toBeUndefined();
    expect(pingStatus(await ping)).toBe(1);
  });
});

describe('Ping statuses', () => {
  it('Status 3 for an empty Ping from a device with nothing stored', async () => {
    const { c } = await primedDevice(USERS[8]!.name, 'fresh');
    expect(pingStatus(await c.ping())).toBe(3);
  });

  it('Status 4 for a malformed Ping body', async () => {
    const { c } = await primedDevice(USERS[8]!.name, 'bad-body');
    // <Folders/> without any <Folder> is not valid Ping grammar.
    const r = await c.ping({ heartbeatInterval: 60, folders: [] });
    expect(pingStatus(r)).toBe(4);
  });

  it('Status 5 with the allowed bound for a heartbeat out of bounds', async () => {
    const { c, ids } = await primedDevice(USERS[8]!.name, 'hb');
    const folders = [{ id: ids.get('INBOX')!, class: 'Email' }];
    const low = await c.ping({ heartbeatInterval: 0, folders });
    expect(pingStatus(low)).toBe(5);
    expect(childNumber(low.body!, 'HeartbeatInterval', P)).toBe(1);
    const high = await c.ping({ heartbeatInterval: 3000, folders });
    expect(pingStatus(high)).toBe(5);
    expect(childNumber(high.body!, 'HeartbeatInterval', P)).toBe(120);
  });

  it('Status 6 with MaxFolders for too many folders', async () => {
    const { c, ids } = await primedDevice(USERS[8]!.name, 'many');
    const folders = ['INBOX', 'Drafts', 'Sent', 'Trash'].map((n) => ({ id: ids.get(n)!, class: 'Email' }));
    const r = await c.ping({ heartbeatInterval: 60, folders });
    expect(pingStatus(r)).toBe(6);
    expect(childNumber(r.body!, 'MaxFolders', P)).toBe(3);
  });

  it('Status 7 for a folder id the device does not know, and for a device without FolderSync', async () => {
    const { c } = await primedDevice(USERS[8]!.name, 'stale');
    expect(pingStatus(await c.ping({ heartbeatInterval: 60, folders: [{ id: '999', class: 'Email' }] }))).toBe(7);
    const never = server.client(USERS[8]!.name, 'never-synced');
    expect(pingStatus(await never.ping({ heartbeatInterval: 60, folders: [{ id: '1', class: 'Email' }] }))).toBe(7);
  });
});

describe('push observability and shutdown', () => {
  it('GET /metrics shows held Pings, watchers and wake-ups', async () => {
    const user = USERS[9]!.name;
    const { c, ids } = await primedDevice(user, 'dev-m');
    const ping = c.ping({ heartbeatInterval: 60, folders: [{ id: ids.get('INBOX')!, class: 'Email' }] });
    await until(held(user, 'dev-m'), 5_000, 'Ping held');
    const res = await fetch(`${server.url}/metrics`);
    expect(res.headers.get('content-type')).toContain('text/plain');
    const text = await res.text();
    expect(text).toMatch(/^eas_push_held_requests\{kind="ping"\} [1-9]\d*$/m);
    expect(text).toMatch(/^eas_push_watchers [1-9]\d*$/m);
    await stack().deliver(user, simpleMessage({ subject: 'metrics', to: user }));
    expect(pingStatus(await ping)).toBe(2);
    const after = await (await fetch(`${server.url}/metrics`)).text();
    expect(after).toMatch(/^eas_push_wakeups_total [1-9]\d*$/m);
    expect(after).toMatch(/^eas_push_answered_total\{reason="changed"\} [1-9]\d*$/m);
  });

  it('server shutdown answers held Pings with Status 1 at once', async () => {
    const own = await startPushServer(stack());
    try {
      const user = USERS[10]!.name;
      const c = own.client(user, 'dev-s');
      const folders = await folderSync(c);
      const inbox = [...folders.values()].find((f) => f.type === 2)!;
      const ping = c.ping({ heartbeatInterval: 100, folders: [{ id: inbox.serverId, class: 'Email' }] });
      await until(() => own.services.push.hub.isHeld(user, 'dev-s'), 5_000, 'Ping held');
      const t0 = Date.now();
      const closing = own.stop();
      const r = await ping;
      expect(pingStatus(r)).toBe(1);
      expect(Date.now() - t0).toBeLessThan(3_000);
      await closing;
    } catch (e) {
      await own.stop().catch(() => undefined);
      throw e;
    }
  });
});
