/**
 * Issue 12, the parts built so far: access rules (allow / block /
 * quarantine by device type, model and user, the organisation default,
 * per-device overrides), quarantine with the notice, remote wipe pending ->
 * sent -> acknowledged, resync and remove, and the audit trail, on the real
 * stack with the project's EAS client and eas-admin on the same database.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { adminMain } from '../../src/cli/admin.ts';
import type { EasClient } from '../../src/client/index.ts';
import { syncOne } from '../../src/client/sync-session.ts';
import { childNumber, el } from '../../protocol/wbxml/tree.ts';
import type { ProtocolVersion } from '../../protocol/version.ts';
import { simpleMessage, useStack } from '../harness/use-stack.ts';
import { findBySubject, folderIds } from './mail-ops-helpers.ts';
import { startTestServer, type TestServer } from './server-setup.ts';

const stack = useStack();
const USER = 'alice@example.test';
let server: TestServer;

beforeAll(async () => {
  server = await startTestServer(stack());
  for (let i = 0; i < 5; i++) await stack().appendMessage(USER, 'INBOX', simpleMessage({ subject: `Operator test ${i}` }));
}, 60_000);

afterAll(async () => {
  await server?.stop();
  server?.cleanup();
});

/** eas-admin on the server's database; stdout and the audit log lines (stderr) are kept. */
function admin(...argv: string[]): { code: number; out: string; log: string } {
  let out = '';
  let log = '';
  const code = adminMain(['--db', server.dbFile, ...argv], (s) => (out += `${s}\n`), (s) => (log += `${s}\n`));
  return { code, out, log };
}

let n = 0;
function phone(version: ProtocolVersion, deviceType = 'TestPhone'): EasClient {
  return server.client({ user: USER, version, deviceType, deviceId: `op${n++}${deviceType.toLowerCase().replace(/\W/gu, '')}` });
}

/** Drains an initial Sync of a folder; returns the subjects. */
async function drain(c: EasClient, collectionId: string): Promise<{ subjects: string[]; syncKey: string }> {
  let key = (await syncOne(c, { collectionId, syncKey: '0' })).syncKey!;
  const subjects: string[] = [];
  for (let i = 0; i < 20; i++) {
    const r = await syncOne(c, { collectionId, syncKey: key, windowSize: 100 });
    expect(r.status).toBe(1);
    for (const x of r.changes) subjects.push(x.email?.subject ?? '');
    key = r.syncKey!;
    if (!r.moreAvailable) break;
  }
  return { subjects, syncKey: key };
}

describe('access rules', () => {
  it('a blocked device type gets HTTP 403 at 12.1 and Status 129 at 14.1 and 16.1; other types sync', async () => {
    expect(admin('rules', 'add', 'deviceType', 'Blocked*', 'block').code).toBe(0);
    try {
      const old = phone('12.1', 'BlockedPhone');
      expect((await old.folderSync('0')).response.status).toBe(403);
      for (const v of ['14.1', '16.1'] as const) {
        const c = phone(v, 'BlockedPhone');
        const p = await c.command('Provision', undefined);
        expect(p.status).toBe(200);
        const fs = await c.folderSync('0');
        expect([fs.response.status, fs.status]).toEqual([200, 129]);
      }
      const fine = phone('14.1', 'FinePhone');
      await fine.provision();
      expect((await fine.folderSync('0')).status).toBe(1);
    } finally {
      const id = JSON.parse(admin('--json', 'rules', 'list').out).rules.find((r: { pattern: string }) => r.pattern === 'Blocked*').id;
      expect(admin('rules', 'remove', String(id)).code).toBe(0);
    }
  });

  it('a per-device allow opens one device that a rule blocks; reset-access hands it back to the rules', async () => {
    admin('rules', 'add', 'user', 'alice@*', 'block');
    try {
      const c = phone('14.1');
      const first = await c.folderSync('0');
      expect(first.status).toBe(129);
      expect(admin('device', 'allow', USER, c.opts.deviceId).code).toBe(0);
      await c.provision();
      expect((await c.folderSync('0')).status).toBe(1);
      const shown = JSON.parse(admin('--json', 'device', 'show', USER, c.opts.deviceId).out);
      expect(shown).toMatchObject({ access: 'allowed', accessBy: 'operator' });
      admin('device', 'reset-access', USER, c.opts.deviceId);
      expect((await c.folderSync('0')).status).toBe(129);
    } finally {
      const id = JSON.parse(admin('--json', 'rules', 'list').out).rules.find((r: { pattern: string }) => r.pattern === 'alice@*').id;
      admin('rules', 'remove', String(id));
    }
  });

  it('a DeviceModel rule applies once the phone told its model (Settings DeviceInformation)', async () => {
    admin('rules', 'add', 'deviceModel', 'Pixel*', 'block');
    try {
      const c = phone('14.1');
      await c.provision();
      expect((await c.folderSync('0')).status).toBe(1);
      await c.settings({ deviceInformation: { model: 'Pixel 9', os: 'Android 15' } });
      expect((await c.folderSync('0')).status).toBe(129);
    } finally {
      const id = JSON.parse(admin('--json', 'rules', 'list').out).rules.find((r: { pattern: string }) => r.pattern === 'Pixel*').id;
      admin('rules', 'remove', String(id));
    }
  });
});

describe('quarantine', () => {
  it('a quarantined device lists its folders and sees only the notice; the user is told once by mail; once allowed it syncs fully', async () => {
    expect(admin('rules', 'default', 'quarantine').out).toBe('default: quarantined\n');
    const c = phone('14.1', 'NewPhone');
    let inbox: string;
    try {
      await c.provision();
      const { byType } = await folderIds(c);
      inbox = byType.get(2)!;
      const first = await syncOne(c, { collectionId: inbox, syncKey: '0' });
      expect([first.status, first.syncKey]).toEqual([1, 'Q1']);
      const notice = await syncOne(c, { collectionId: inbox, syncKey: 'Q1' });
      expect(notice.changes.map((x) => x.email?.subject)).toEqual(['Your device is waiting for access']);
      expect((await syncOne(c, { collectionId: inbox, syncKey: notice.syncKey! })).changes).toEqual([]);
      const drafts = byType.get(3)!;
      await syncOne(c, { collectionId: drafts, syncKey: '0' });
      expect((await syncOne(c, { collectionId: drafts, syncKey: 'Q1' })).changes).toEqual([]);
      // Anything else is refused as for a blocked device.
      const ping = await c.ping({ heartbeatInterval: 60, folders: [{ id: inbox, class: 'Email' }] });
      expect(childNumber(ping.body!, 'Status', 'Ping')).toBe(129);
      const send = await c.command('SendMail', el('ComposeMail', 'SendMail', [el('ComposeMail', 'ClientId', 'q1'), el('ComposeMail', 'Mime', Buffer.from('Subject: x\r\n\r\nx'))]));
      expect(childNumber(send.body!, 'Status', 'ComposeMail')).toBe(129);
      // Told by mail: one notice in the INBOX on the server, however many requests the device made.
      const told = await findBySubject(stack(), USER, 'INBOX', 'Your device is waiting for access');
      expect(told).toHaveLength(1);
      expect(told[0]!.source.toString()).toContain(c.opts.deviceId);
      const shown = JSON.parse(admin('--json', 'device', 'show', USER, c.opts.deviceId).out);
      expect(shown).toMatchObject({ access: 'quarantined', accessBy: 'default' });
      expect(shown.quarantineNotifiedAt).toBeGreaterThan(0);
    } finally {
      admin('rules', 'default', 'allow');
    }
    expect(admin('device', 'allow', USER, c.opts.deviceId).code).toBe(0);
    // The quarantine key is not a key of the sync engine: the phone starts the folder over and gets everything.
    expect((await syncOne(c, { collectionId: inbox!, syncKey: 'Q2' })).status).toBe(3);
    const all = await drain(c, inbox!);
    expect(all.subjects).toEqual(expect.arrayContaining(['Operator test 0', 'Operator test 4', 'Your device is waiting for access']));
    expect(all.subjects.filter((s) => s === 'Your device is waiting for access')).toHaveLength(1);
  });
});

describe('remote wipe end to end', () => {
  it.each(['14.1', '16.1'] as const)('%s: pending -> sent -> acknowledged with times, then the device is blocked; all in the audit', async (version) => {
    const c = phone(version);
    await c.provision();
    admin('device', 'wipe', USER, c.opts.deviceId);
    const show = () => JSON.parse(admin('--json', 'device', 'show', USER, c.opts.deviceId).out);
    expect(show()).toMatchObject({ wipe: 'pending', wipeSentAt: null });
    const p = await c.provision();
    expect(p.remoteWipe).toBe(true);
    const sent = show();
    expect(sent.wipe).toBe('sent');
    expect(sent.wipeSentAt).toBeGreaterThanOrEqual(sent.wipeRequestedAt);
    await c.acknowledgeWipe();
    const done = show();
    expect(done).toMatchObject({ wipe: 'acknowledged', access: 'blocked', accessBy: 'operator' });
    expect(done.wipeDoneAt).toBeGreaterThanOrEqual(sent.wipeSentAt);
    expect((await c.folderSync('0')).status).toBe(129);
    const trail = JSON.parse(admin('--json', 'audit', '--mailbox', USER).out).filter((r: { deviceId: string }) => r.deviceId === c.opts.deviceId);
    expect(trail.map((r: { action: string }) => r.action).reverse()).toEqual(['wipe.order', 'wipe.sent', 'wipe.acknowledged']);
    expect(trail.at(-1).actor).toMatch(/^cli:/u);
  });

  it('16.1 account-only wipe goes the same way', async () => {
    const c = phone('16.1');
    await c.provision();
    admin('device', 'wipe', USER, c.opts.deviceId, '--account-only');
    const p = await c.provision();
    expect(p.accountOnlyRemoteWipe).toBe(true);
    expect(JSON.parse(admin('--json', 'device', 'show', USER, c.opts.deviceId).out).wipe).toBe('account-only sent');
    await c.acknowledgeWipe(true);
    expect(JSON.parse(admin('--json', 'device', 'show', USER, c.opts.deviceId).out)).toMatchObject({ wipe: 'acknowledged', access: 'blocked' });
  });
});

describe('resync and remove', () => {
  it('resync makes the next FolderSync start over, with the same folder ids and no mail lost', async () => {
    const c = phone('14.1');
    await c.provision();
    const fs = await c.folderSync('0');
    const inbox = fs.adds.find((f) => f.type === 2)!.serverId;
    const before = await drain(c, inbox);
    const r = admin('device', 'resync', USER, c.opts.deviceId);
    expect(r.out).toContain('starts over');
    expect(r.log).toContain('"event":"audit.device.resync"');
    expect((await c.folderSync(fs.syncKey!)).status).toBe(9);
    expect((await syncOne(c, { collectionId: inbox, syncKey: before.syncKey })).status).toBe(3);
    const again = await c.folderSync('0');
    expect(again.adds.map((f) => [f.serverId, f.displayName])).toEqual(fs.adds.map((f) => [f.serverId, f.displayName]));
    const after = await drain(c, inbox);
    expect(after.subjects.sort()).toEqual(before.subjects.sort());
    expect(after.subjects.length).toBeGreaterThanOrEqual(5);
  });

  it('resync --folder starts only that folder over; the hierarchy key stays valid', async () => {
    const c = phone('14.1');
    await c.provision();
    const fs = await c.folderSync('0');
    const inbox = fs.adds.find((f) => f.type === 2)!.serverId;
    const before = await drain(c, inbox);
    admin('device', 'resync', USER, c.opts.deviceId, '--folder', inbox);
    expect((await c.folderSync(fs.syncKey!)).status).toBe(1);
    expect((await syncOne(c, { collectionId: inbox, syncKey: before.syncKey })).status).toBe(3);
  });

  it('remove forgets the device: it must provision again and is no longer listed', async () => {
    const c = phone('14.1');
    await c.provision();
    expect((await c.folderSync('0')).status).toBe(1);
    expect(admin('device', 'remove', USER, c.opts.deviceId).code).toBe(0);
    expect(admin('devices', 'list').out).not.toContain(c.opts.deviceId);
    // The policy key it holds belongs to the forgotten device: InvalidPolicyKey, so it provisions as a new one.
    expect((await c.folderSync('0')).status).toBe(144);
    await c.provision();
    expect((await c.folderSync('0')).status).toBe(1);
    expect(admin('device', 'remove', USER, 'no-such-device').code).toBe(2);
  });
});
