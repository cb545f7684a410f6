/**
 * Incremental mail sync through the real server and Dovecot: changes made
 * by another IMAP client reach the phone, the phone's changes reach IMAP,
 * and retries are safe (ARCHITECTURE protocol rules 1-4; MS-ASCMD 2.2.1.21).
 */
import type { ImapFlow } from 'imapflow';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { el } from '../../protocol/wbxml/tree.ts';
import { applicationData } from '../../protocol/types/email.ts';
import { simpleMessage, useStack } from '../harness/use-stack.ts';
import { startTestServer, type TestServer } from './server-setup.ts';
import { initialSync, readSync, setUpPhone, syncOne } from './sync-helpers.ts';

const stack = useStack();
let server: TestServer;
const USER = 'alice@example.test';

beforeAll(async () => {
  const s = stack();
  for (let i = 0; i < 12; i++) await s.appendMessage(USER, 'INBOX', simpleMessage({ subject: `base ${i}` }), i % 2 ? ['\\Seen'] : []);
  server = await startTestServer(s);
}, 120_000);
afterAll(async () => {
  await server?.stop();
  server?.cleanup();
});

async function withImap<T>(fn: (c: ImapFlow) => Promise<T>): Promise<T> {
  const c = await stack().imapClient(USER);
  try {
    return await fn(c);
  } finally {
    await c.logout();
  }
}

async function flagsOf(folder: string, uid: number): Promise<string[] | undefined> {
  return withImap(async (c) => {
    const lock = await c.getMailboxLock(folder);
    try {
      const m = await c.fetchOne(String(uid), { flags: true }, { uid: true });
      return m ? [...(m.flags ?? [])] : undefined;
    } finally {
      lock.release();
    }
  });
}

async function subjectsIn(folder: string): Promise<string[]> {
  return withImap(async (c) => {
    const lock = await c.getMailboxLock(folder);
    try {
      const out: string[] = [];
      if (!c.mailbox || c.mailbox.exists === 0) return out;
      for await (const m of c.fetch('1:*', { envelope: true })) out.push(m.envelope?.subject ?? '');
      return out;
    } finally {
      lock.release();
    }
  });
}

/** A phone with a fully synced INBOX, plus the ServerIds of the named subjects. */
async function syncedPhone(version: '12.1' | '14.1' | '16.1' = '14.1') {
  const c = server.client({ user: USER, version });
  const folders = await setUpPhone(c);
  const inbox = folders.byType.get(2)!;
  const r = await initialSync(c, inbox, { windowSize: 100 });
  const idOf = new Map(r.changes.map((x) => [x.email?.subject ?? '', x.serverId]));
  return { c, inbox, syncKey: r.syncKey, idOf, folders };
}

const readChange = (read: boolean) => applicationData([el('Email', 'Read', read)]);

describe('changes made on the IMAP server', () => {
  it('reports new mail as Add, a flag set elsewhere as Change, expunged and moved-away mail as Delete', async () => {
    const s = stack();
    const a = await s.appendMessage(USER, 'INBOX', simpleMessage({ subject: 'srv flag me' }));
    const b = await s.appendMessage(USER, 'INBOX', simpleMessage({ subject: 'srv expunge me' }));
    const d = await s.appendMessage(USER, 'INBOX', simpleMessage({ subject: 'srv move me' }));
    const { c, inbox, syncKey, idOf } = await syncedPhone();
    await s.deliver(USER, simpleMessage({ subject: 'srv fresh delivery' }));
    await withImap(async (x) => {
      const lock = await x.getMailboxLock('INBOX');
      try {
        await x.messageFlagsAdd(String(a.uid), ['\\Flagged'], { uid: true });
        await x.messageDelete(String(b.uid), { uid: true });
        await x.messageMove(String(d.uid), 'Archive', { uid: true }).catch(async () => {
          await x.mailboxCreate('Archive');
          await x.messageMove(String(d.uid), 'Archive', { uid: true });
        });
      } finally {
        lock.release();
      }
    });
    const r = await syncOne(c, { collectionId: inbox, syncKey });
    expect(r.status).toBe(1);
    const byKind = (k: string) => r.changes.filter((x) => x.kind === k);
    expect(byKind('Add').map((x) => x.email?.subject)).toEqual(['srv fresh delivery']);
    expect(byKind('Change').map((x) => x.serverId)).toEqual([idOf.get('srv flag me')]);
    expect(byKind('Change')[0]!.email?.flag?.status).toBe(2);
    expect(byKind('Delete').map((x) => x.serverId).sort()).toEqual([idOf.get('srv expunge me'), idOf.get('srv move me')].sort());
    expect(r.syncKey).not.toBe(syncKey);
    // Nothing new: same key, no changes.
    const again = await syncOne(c, { collectionId: inbox, syncKey: r.syncKey! });
    expect(again.changes).toEqual([]);
    expect(again.syncKey).toBe(r.syncKey);
  }, 60_000);
});

describe('changes made on the phone', () => {
  it('writes Read and Flag to IMAP flags, moves a Delete to Deleted Items, and echoes none of it back', async () => {
    const s = stack();
    const a = await s.appendMessage(USER, 'INBOX', simpleMessage({ subject: 'ph read me' }));
    const b = await s.appendMessage(USER, 'INBOX', simpleMessage({ subject: 'ph flag me' }));
    await s.appendMessage(USER, 'INBOX', simpleMessage({ subject: 'ph delete me' }));
    const { c, inbox, syncKey, idOf } = await syncedPhone();
    const r = await syncOne(c, {
      collectionId: inbox,
      syncKey,
      commands: [
        { kind: 'Change', serverId: idOf.get('ph read me')!, applicationData: readChange(true) },
        { kind: 'Change', serverId: idOf.get('ph flag me')!, applicationData: applicationData([el('Email', 'Flag', [el('Email', 'Status', 2), el('Email', 'FlagType', 'Flag for follow up')])]) },
        { kind: 'Delete', serverId: idOf.get('ph delete me')! },
        { kind: 'Change', serverId: `${inbox}:987654`, applicationData: readChange(true) },
      ],
    });
    expect(r.status).toBe(1);
    // Only the failed one is answered (MS-ASCMD 2.2.3.24.3): the others succeeded.
    expect(r.responses).toEqual([{ kind: 'Change', serverId: `${inbox}:987654`, status: 8 }]);
    expect(await flagsOf('INBOX', a.uid)).toContain('\\Seen');
    expect(await flagsOf('INBOX', b.uid)).toContain('\\Flagged');
    expect(await subjectsIn('INBOX')).not.toContain('ph delete me');
    expect(await subjectsIn('Trash')).toContain('ph delete me');
    const next = await syncOne(c, { collectionId: inbox, syncKey: r.syncKey! });
    expect(next.changes).toEqual([]);
  }, 60_000);

  it('expunges on Delete when DeletesAsMoves is 0', async () => {
    const s = stack();
    await s.appendMessage(USER, 'INBOX', simpleMessage({ subject: 'ph expunge me' }));
    const { c, inbox, syncKey, idOf } = await syncedPhone();
    const r = await syncOne(c, { collectionId: inbox, syncKey, deletesAsMoves: false, commands: [{ kind: 'Delete', serverId: idOf.get('ph expunge me')! }] });
    expect(r.status).toBe(1);
    expect(await subjectsIn('INBOX')).not.toContain('ph expunge me');
    expect(await subjectsIn('Trash')).not.toContain('ph expunge me');
  }, 60_000);

  it('answers a Change of a message deleted meanwhile on the server with Status 8', async () => {
    const s = stack();
    const gone = await s.appendMessage(USER, 'INBOX', simpleMessage({ subject: 'ph vanishing' }));
    const { c, inbox, syncKey, idOf } = await syncedPhone();
    await withImap(async (x) => {
      const lock = await x.getMailboxLock('INBOX');
      try {
        await x.messageDelete(String(gone.uid), { uid: true });
      } finally {
        lock.release();
      }
    });
    const id = idOf.get('ph vanishing')!;
    const r = await syncOne(c, { collectionId: inbox, syncKey, commands: [{ kind: 'Change', serverId: id, applicationData: readChange(true) }] });
    expect(r.status).toBe(1);
    // The STORE on a vanished UID is silently a no-op in IMAP; either way the item is then deleted on the device.
    expect(r.changes.filter((x) => x.kind === 'Delete').map((x) => x.serverId)).toEqual([id]);
  }, 60_000);
});

describe('retries', () => {
  it('gives a request retried with the previous key the same changes, and forgets the lost key', async () => {
    const s = stack();
    const { c, inbox, syncKey } = await syncedPhone();
    for (const n of [1, 2, 3]) await s.deliver(USER, simpleMessage({ subject: `retry ${n}` }));
    const lost = await syncOne(c, { collectionId: inbox, syncKey, windowSize: 2 });
    expect(lost.changes).toHaveLength(2);
    expect(lost.moreAvailable).toBe(true);
    const retry = await syncOne(c, { collectionId: inbox, syncKey, windowSize: 2 });
    expect(retry.changes.map((x) => [x.kind, x.serverId === undefined, x.email?.subject])).toEqual(lost.changes.map((x) => [x.kind, false, x.email?.subject]));
    expect(retry.moreAvailable).toBe(true);
    const rest = await syncOne(c, { collectionId: inbox, syncKey: retry.syncKey!, windowSize: 2 });
    expect(rest.changes.map((x) => x.email?.subject)).toEqual(['retry 1']);
    expect(rest.moreAvailable).toBe(false);
    // The key of the lost response is neither current nor previous any more.
    const stale = await syncOne(c, { collectionId: inbox, syncKey: lost.syncKey! });
    expect(stale.status).toBe(3);
  }, 60_000);

  it('creates one draft for a 16.1 Add retried with the same ClientId', async () => {
    const c = server.client({ user: USER, version: '16.1' });
    const { byType } = await setUpPhone(c);
    const drafts = byType.get(3)!;
    const { syncKey } = await initialSync(c, drafts);
    const add = {
      kind: 'Add' as const,
      clientId: 'draft-client-1',
      applicationData: applicationData([
        el('Email', 'To', 'bob@example.test'),
        el('Email', 'Subject', 'Draft über alles'),
        el('AirSyncBase', 'Body', [el('AirSyncBase', 'Type', 1), el('AirSyncBase', 'Data', 'Draft body')]),
      ]),
    };
    const first = await syncOne(c, { collectionId: drafts, syncKey, commands: [add] });
    expect(first.responses[0]).toMatchObject({ kind: 'Add', clientId: 'draft-client-1', status: 1 });
    const again = await syncOne(c, { collectionId: drafts, syncKey, commands: [add] });
    expect(again.responses[0]).toMatchObject({ kind: 'Add', clientId: 'draft-client-1', status: 1, serverId: first.responses[0]!.serverId });
    const draftsPath = server.services.repos.folders.getByServerId(USER, drafts)!.path;
    expect((await subjectsIn(draftsPath)).filter((x) => x === 'Draft über alles')).toHaveLength(1);
    // The device's own draft is not sent back to it as a server Add.
    const next = await syncOne(c, { collectionId: drafts, syncKey: again.syncKey! });
    expect(next.changes).toEqual([]);
  }, 60_000);

  it('does not move a second message when a Delete is retried', async () => {
    const s = stack();
    await s.appendMessage(USER, 'INBOX', simpleMessage({ subject: 'retry delete' }));
    const { c, inbox, syncKey, idOf } = await syncedPhone();
    const before = (await subjectsIn('Trash')).length;
    const del = [{ kind: 'Delete' as const, serverId: idOf.get('retry delete')! }];
    const first = await syncOne(c, { collectionId: inbox, syncKey, commands: del });
    const again = await syncOne(c, { collectionId: inbox, syncKey, commands: del });
    expect(first.status).toBe(1);
    expect(again.status).toBe(1);
    expect(again.responses).toEqual([]);
    expect((await subjectsIn('Trash')).length).toBe(before + 1);
  }, 60_000);
});

describe('GetItemEstimate, FilterType, empty requests, UIDVALIDITY', () => {
  const GIE = 'GetItemEstimate';
  const estimateBody = (collectionId: string, syncKey: string) =>
    el(GIE, 'GetItemEstimate', [el(GIE, 'Collections', [el(GIE, 'Collection', [el('AirSync', 'SyncKey', syncKey), el(GIE, 'CollectionId', collectionId)])])]);
  const readEstimate = (body: ReturnType<typeof el> | undefined) => {
    const resp = body?.children?.[0];
    const status = Number(resp?.children?.find((x) => x.name === 'Status')?.text);
    const col = resp?.children?.find((x) => x.name === 'Collection');
    const est = col?.children?.find((x) => x.name === 'Estimate')?.text;
    return { status, estimate: est === undefined ? undefined : Number(est) };
  };

  it('estimates the pending changes and answers 2, 3 and 4 for unknown collection, unprimed state and bad key', async () => {
    const s = stack();
    const { c, inbox, syncKey } = await syncedPhone();
    await s.deliver(USER, simpleMessage({ subject: 'estimate 1' }));
    await s.deliver(USER, simpleMessage({ subject: 'estimate 2' }));
    expect(readEstimate((await c.command('GetItemEstimate', estimateBody(inbox, syncKey))).body)).toEqual({ status: 1, estimate: 2 });
    expect(readEstimate((await c.command('GetItemEstimate', estimateBody('9999', syncKey))).body).status).toBe(2);
    expect(readEstimate((await c.command('GetItemEstimate', estimateBody(inbox, '0'))).body).status).toBe(3);
    expect(readEstimate((await c.command('GetItemEstimate', estimateBody(inbox, 'bogus'))).body).status).toBe(4);
  }, 60_000);

  it('leaves out mail older than the FilterType window', async () => {
    const s = stack();
    await withImap((x) => x.mailboxCreate('Filtered').then(() => undefined));
    await s.appendMessage(USER, 'Filtered', simpleMessage({ subject: 'old one' }), [], new Date(Date.now() - 30 * 86_400_000));
    await s.appendMessage(USER, 'Filtered', simpleMessage({ subject: 'new one' }), [], new Date(Date.now() - 3600_000));
    const c = server.client({ user: USER, version: '14.1' });
    const { byName } = await setUpPhone(c);
    const id = byName.get('Filtered')!;
    const r = await initialSync(c, id, { options: [{ filterType: 3, bodyPreferences: [{ type: 1 }], bodyPartPreferences: [] }] });
    expect(r.changes.map((x) => x.email?.subject)).toEqual(['new one']);
  }, 60_000);

  it('reuses the last request for an empty Sync body in 12.1+, and answers 13 when there is none', async () => {
    const s = stack();
    const fresh = server.client({ user: USER, version: '14.1' });
    await setUpPhone(fresh);
    const none = await fresh.sync(undefined);
    expect(readSync(none.status, none.body, none.raw).status).toBe(13);
    const { c } = await syncedPhone('14.1');
    await s.deliver(USER, simpleMessage({ subject: 'via empty sync' }));
    const res = await c.sync(undefined);
    const got = readSync(res.status, res.body, res.raw);
    expect(got.collections[0]!.changes.map((x) => x.email?.subject)).toEqual(['via empty sync']);
  }, 60_000);

  it('answers Status 3 when the folder UIDVALIDITY changed, and syncs again from key 0', async () => {
    const s = stack();
    await withImap((x) => x.mailboxCreate('Volatile').then(() => undefined));
    await s.appendMessage(USER, 'Volatile', simpleMessage({ subject: 'first life' }));
    const c = server.client({ user: USER, version: '14.1' });
    const { byName } = await setUpPhone(c);
    const id = byName.get('Volatile')!;
    const first = await initialSync(c, id);
    expect(first.changes).toHaveLength(1);
    await withImap(async (x) => {
      await x.mailboxDelete('Volatile');
      await x.mailboxCreate('Volatile');
    });
    await s.appendMessage(USER, 'Volatile', simpleMessage({ subject: 'second life' }));
    const r = await syncOne(c, { collectionId: id, syncKey: first.syncKey });
    expect(r.status).toBe(3);
    const again = await initialSync(c, id);
    expect(again.changes.map((x) => x.email?.subject)).toEqual(['second life']);
  }, 60_000);
});

describe('hanging Sync (MS-ASCMD 2.2.3.84.2 HeartbeatInterval)', () => {
  it('holds a quiet Sync until new mail arrives, then answers with it', async () => {
    const s = stack();
    const { c, inbox, syncKey } = await syncedPhone();
    const started = Date.now();
    const pending = c.sync({ heartbeatInterval: 60, collections: [{ syncKey, collectionId: inbox, options: [], commands: [] }] });
    await new Promise((r) => setTimeout(r, 700));
    await s.deliver(USER, simpleMessage({ subject: 'wakes the hanging sync' }));
    const res = await pending;
    const got = readSync(res.status, res.body, res.raw);
    expect(got.collections[0]!.changes.map((x) => x.email?.subject)).toEqual(['wakes the hanging sync']);
    expect(Date.now() - started).toBeGreaterThanOrEqual(700);
    expect(Date.now() - started).toBeLessThan(30_000);
  }, 60_000);

  it('answers Status 14 with the allowed Limit for a HeartbeatInterval out of bounds', async () => {
    const { c, inbox, syncKey } = await syncedPhone();
    const res = await c.sync({ heartbeatInterval: 5, collections: [{ syncKey, collectionId: inbox, options: [], commands: [] }] });
    const got = readSync(res.status, res.body, res.raw);
    expect(got.status).toBe(14);
    expect(res.body?.children?.find((x) => x.name === 'Limit')?.text).toBe('60');
  }, 60_000);
});
