import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ImapFlow } from 'imapflow';
import type { ClientFolder, EasClient } from '../../src/client/index.ts';
import { useStack } from '../harness/use-stack.ts';
import { startTestServer, type TestServer } from './server-setup.ts';

const VERSIONS = ['12.1', '14.1', '16.1'] as const;
const userFor = (v: string): string => `v${v.replace('.', '')}@example.test`;
/** Calendar, Tasks, Contacts folder types (MS-ASCMD 2.2.3.186.3) and their user-created forms. */
const DAV_TYPES = new Set([7, 8, 9, 13, 14, 15]);
const stack = useStack({ users: VERSIONS.map((v) => ({ name: userFor(v), password: `pw-${v}` })) });
let server: TestServer;
beforeAll(async () => {
  server = await startTestServer(stack());
});
afterAll(async () => {
  await server?.stop();
  server?.cleanup();
});

async function imapPaths(imap: ImapFlow): Promise<string[]> {
  return (await imap.list()).map((f) => f.path).sort();
}

const byName = (folders: readonly ClientFolder[], name: string): ClientFolder | undefined => folders.find((f) => f.displayName === name);

describe.each(VERSIONS)('FolderSync and folder commands, protocol %s', (version) => {
  let c: EasClient;
  let imap: ImapFlow;
  let initial: ClientFolder[];
  let key: string;
  let previousKey: string;
  let firstChanges: { adds: ClientFolder[]; updates: ClientFolder[]; deletes: string[] };

  beforeAll(async () => {
    imap = await stack().imapClient(userFor(version));
    await imap.mailboxCreate('Old');
    await imap.mailboxCreate('Gone');
    c = server.client({ user: userFor(version), version });
    await c.provision();
  });
  afterAll(async () => {
    await imap?.logout();
  });

  it('initial FolderSync lists every IMAP folder with EAS default types and small ids', async () => {
    const res = await c.folderSync('0');
    expect(res.status).toBe(1);
    expect(res.syncKey).toMatch(/^[^0].*/);
    initial = res.adds;
    key = res.syncKey!;
    expect(byName(initial, 'INBOX')?.type).toBe(2);
    expect(byName(initial, 'Drafts')?.type).toBe(3);
    expect(byName(initial, 'Trash')?.type).toBe(4);
    expect(byName(initial, 'Sent')?.type).toBe(5);
    expect(byName(initial, 'Junk')?.type).toBe(12);
    expect(byName(initial, 'Old')?.type).toBe(12);
    expect(initial.every((f) => /^[1-9]\d?$/.test(f.serverId) && f.parentId === '0')).toBe(true);
    // The stack's CalDAV/CardDAV home gets Exchange's default Calendar, Tasks and Contacts (EAS_DAV_CREATE_DEFAULTS).
    const dav = initial.filter((f) => DAV_TYPES.has(f.type));
    expect(dav.map((f) => [f.displayName, f.type]).sort()).toEqual([['Calendar', 8], ['Contacts', 9], ['Tasks', 7]]);
    const mail = initial.filter((f) => !DAV_TYPES.has(f.type));
    // The Notes folder (created at FolderSync, EAS_NOTES_BACKEND=imap) is type 10 from 14.0; a 12.1 device does not see it.
    const notesShown = version !== '12.1';
    expect(byName(initial, 'Notes')?.type).toBe(notesShown ? 10 : undefined);
    expect(mail.map((f) => f.displayName).sort()).toEqual((await imapPaths(imap)).filter((p) => notesShown || p !== 'Notes').sort());
  });

  it('the current key with nothing changed: no changes, same key', async () => {
    const res = await c.folderSync(key);
    expect(res.status).toBe(1);
    expect(res.syncKey).toBe(key);
    expect(res.adds.length + res.updates.length + res.deletes.length).toBe(0);
  });

  it('changes made directly on IMAP arrive as Add (with ParentId), Update (same id) and Delete', async () => {
    await imap.mailboxCreate('Projects');
    await imap.mailboxCreate('Projects/Alpha');
    await imap.mailboxRename('Old', 'Renamed');
    await imap.mailboxDelete('Gone');
    const res = await c.folderSync(key);
    expect(res.status).toBe(1);
    expect(res.syncKey).not.toBe(key);
    const projects = byName(res.adds, 'Projects')!;
    const alpha = byName(res.adds, 'Alpha')!;
    expect(projects.parentId).toBe('0');
    expect(alpha.parentId).toBe(projects.serverId);
    expect(res.adds.indexOf(projects)).toBeLessThan(res.adds.indexOf(alpha));
    expect(res.updates).toEqual([{ ...byName(initial, 'Old')!, displayName: 'Renamed' }]);
    expect(res.deletes).toEqual([byName(initial, 'Gone')!.serverId]);
    firstChanges = { adds: res.adds, updates: res.updates, deletes: res.deletes };
    previousKey = key;
    key = res.syncKey!;
  });

  it('the previous key replays the same changes (a lost response costs nothing)', async () => {
    const res = await c.folderSync(previousKey);
    expect(res.status).toBe(1);
    expect({ adds: res.adds, updates: res.updates, deletes: res.deletes }).toEqual(firstChanges);
    key = res.syncKey!;
    expect((await c.folderSync(key)).adds).toEqual([]);
  });

  it('an unknown key is Status 9', async () => {
    expect((await c.folderSync('987654')).status).toBe(9);
    expect((await c.folderSync('garbage')).status).toBe(9);
  });

  it('FolderCreate creates the IMAP folder and moves the key on by just that change', async () => {
    const projects = (await c.folderSync('0')).adds.find((f) => f.displayName === 'Projects')!;
    key = (await c.folderSync('0')).syncKey!;
    const res = await c.folderCreate({ syncKey: key, parentId: projects.serverId, displayName: 'FromPhone' });
    expect(res.status).toBe(1);
    expect(res.serverId).toMatch(/^\d+$/);
    expect(res.syncKey).not.toBe(key);
    expect(await imapPaths(imap)).toContain('Projects/FromPhone');
    key = res.syncKey!;
    const after = await c.folderSync(key);
    expect(after.adds.length + after.updates.length + after.deletes.length).toBe(0);

    expect((await c.folderCreate({ syncKey: key, parentId: projects.serverId, displayName: 'FromPhone' })).status).toBe(2);
    expect((await c.folderCreate({ syncKey: key, parentId: '9999', displayName: 'Orphan' })).status).toBe(5);
    expect((await c.folderCreate({ syncKey: 'stale', parentId: '0', displayName: 'Whatever' })).status).toBe(9);
  });

  it('FolderUpdate renames and moves on IMAP, keeping the ServerId; default folders are refused', async () => {
    const all = (await c.folderSync('0')).adds;
    key = (await c.folderSync('0')).syncKey!;
    const made = byName(all, 'FromPhone')!;
    const res = await c.folderUpdate({ syncKey: key, serverId: made.serverId, parentId: '0', displayName: 'PhoneRenamed' });
    expect(res.status).toBe(1);
    key = res.syncKey!;
    const paths = await imapPaths(imap);
    expect(paths).toContain('PhoneRenamed');
    expect(paths).not.toContain('Projects/FromPhone');
    const again = await c.folderSync('0');
    expect(byName(again.adds, 'PhoneRenamed')?.serverId).toBe(made.serverId);
    key = again.syncKey!;

    const inbox = byName(all, 'INBOX')!;
    expect((await c.folderUpdate({ syncKey: key, serverId: inbox.serverId, parentId: '0', displayName: 'Nope' })).status).toBe(3);
    expect((await c.folderUpdate({ syncKey: key, serverId: '4242', parentId: '0', displayName: 'Nope' })).status).toBe(4);
    expect((await c.folderUpdate({ syncKey: key, serverId: made.serverId, parentId: '4242', displayName: 'Nope' })).status).toBe(5);
  });

  it('FolderDelete deletes on IMAP; default folders and unknown ids are refused', async () => {
    const all = (await c.folderSync('0')).adds;
    key = (await c.folderSync('0')).syncKey!;
    const target = byName(all, 'PhoneRenamed')!;
    const res = await c.folderDelete({ syncKey: key, serverId: target.serverId });
    expect(res.status).toBe(1);
    key = res.syncKey!;
    expect(await imapPaths(imap)).not.toContain('PhoneRenamed');
    expect((await c.folderSync(key)).deletes).toEqual([]);
    expect((await c.folderDelete({ syncKey: key, serverId: byName(all, 'Sent')!.serverId })).status).toBe(3);
    expect((await c.folderDelete({ syncKey: key, serverId: target.serverId })).status).toBe(4);
  });

  it('FolderSync 0 again (a device starting over) returns the same ServerIds', async () => {
    const once = (await c.folderSync('0')).adds;
    const twice = (await c.folderSync('0')).adds;
    expect(twice).toEqual(once);
    for (const f of initial) {
      const now = once.find((x) => x.serverId === f.serverId);
      if (f.displayName !== 'Gone') expect(now?.displayName).toBe(f.displayName === 'Old' ? 'Renamed' : f.displayName);
    }
  });
});

describe('restart', () => {
  it('a new server on the same database keeps devices, keys and folder ids', async () => {
    const user = userFor('14.1');
    const c = server.client({ user, version: '14.1' });
    await c.provision();
    const before = await c.folderSync('0');
    const devicesBefore = server.services.repos.devices.list().length;
    await server.stop();
    server = await startTestServer(stack(), { dbFile: server.dbFile, enable: [] });
    const c2 = server.client({ user, version: '14.1', deviceId: c.opts.deviceId });
    c2.policyKey = c.policyKey;
    const cont = await c2.folderSync(before.syncKey!);
    expect(cont.status).toBe(1);
    expect(cont.adds).toEqual([]);
    expect((await c2.folderSync('0')).adds).toEqual(before.adds);
    expect(server.services.repos.devices.list().length).toBe(devicesBefore);
    const other = server.client({ user, version: '16.1' });
    await other.provision();
    expect((await other.folderSync('0')).adds).toEqual(before.adds);
  });
});
