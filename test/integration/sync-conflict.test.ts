/**
 * The Conflict option (MS-ASCMD 2.2.3.34): the phone changes an item whose
 * flags another IMAP client changed since the phone's key. Server wins by
 * default (and with 1): the phone's change is dropped, its Change answers
 * Status 7 and the same response carries the server's version; with 0 the
 * phone's change is applied. Through the real server and Dovecot.
 */
import type { ImapFlow } from 'imapflow';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { SyncOptions } from '../../protocol/commands/sync.ts';
import { applicationData } from '../../protocol/types/email.ts';
import { el } from '../../protocol/wbxml/tree.ts';
import { simpleMessage, useStack } from '../harness/use-stack.ts';
import { startTestServer, type TestServer } from './server-setup.ts';
import { initialSync, setUpPhone, syncOne } from './sync-helpers.ts';

const stack = useStack();
let server: TestServer;
const USER = 'alice@example.test';

beforeAll(async () => {
  const s = stack();
  for (let i = 0; i < 3; i++) await s.appendMessage(USER, 'INBOX', simpleMessage({ subject: `filler ${i}` }));
  server = await startTestServer(s);
}, 120_000);
afterAll(async () => {
  await server?.stop();
  server?.cleanup();
});

async function withInbox<T>(fn: (c: ImapFlow) => Promise<T>): Promise<T> {
  const c = await stack().imapClient(USER);
  const lock = await c.getMailboxLock('INBOX');
  try {
    return await fn(c);
  } finally {
    lock.release();
    await c.logout();
  }
}

const flagsOf = (uid: number): Promise<string[]> =>
  withInbox(async (c) => {
    const m = await c.fetchOne(String(uid), { flags: true }, { uid: true });
    return m ? [...(m.flags ?? [])] : [];
  });

const options = (conflict: number | undefined): SyncOptions[] => [{ bodyPreferences: [{ type: 1, truncationSize: 100 }], bodyPartPreferences: [], ...(conflict !== undefined ? { conflict } : {}) }];

/**
 * A phone holds a read message; another IMAP client marks it unread after
 * the phone's key; the phone, not knowing, sends Read=1 for it (a change
 * made offline, e.g. unread and read again).
 */
async function conflictScenario(subject: string, conflict: number | undefined) {
  const { uid } = await stack().appendMessage(USER, 'INBOX', simpleMessage({ subject }), ['\\Seen']);
  const c = server.client({ user: USER, version: '14.1' });
  const { byType } = await setUpPhone(c);
  const inbox = byType.get(2)!;
  const r = await initialSync(c, inbox, { windowSize: 100, options: options(conflict) });
  const item = r.changes.find((x) => x.email?.subject === subject);
  expect(item?.email?.read).toBe(true);
  // Another client marks it unread after the phone's key.
  await withInbox((im) => im.messageFlagsRemove(String(uid), ['\\Seen'], { uid: true }));
  const res = await syncOne(c, {
    collectionId: inbox,
    syncKey: r.syncKey,
    options: options(conflict),
    commands: [{ kind: 'Change', serverId: item!.serverId, applicationData: applicationData([el('Email', 'Read', 1)]) }],
  });
  return { res, uid, serverId: item!.serverId, retry: () => syncOne(c, { collectionId: inbox, syncKey: r.syncKey, options: options(conflict), commands: [{ kind: 'Change', serverId: item!.serverId, applicationData: applicationData([el('Email', 'Read', 1)]) }] }) };
}

describe('Conflict (MS-ASCMD 2.2.3.34)', () => {
  it('server wins by default: the phone change is not applied, Status 7, and the server version comes back as a Change', async () => {
    const { res, uid, serverId } = await conflictScenario('conflict default', undefined);
    expect(res.status).toBe(1);
    expect(res.responses).toEqual([{ kind: 'Change', serverId, status: 7 }]);
    expect(await flagsOf(uid)).not.toContain('\\Seen');
    const back = res.changes.filter((x) => x.serverId === serverId);
    expect(back).toHaveLength(1);
    expect(back[0]!.kind).toBe('Change');
    expect(back[0]!.email!.read).toBe(false);
  }, 90_000);

  it('answers a retry of the conflicting request (previous key) the same way, without applying it', async () => {
    const { res, uid, serverId, retry } = await conflictScenario('conflict retried', undefined);
    const again = await retry();
    expect(again.status).toBe(1);
    expect(again.syncKey).toBeDefined();
    expect(again.responses).toEqual([{ kind: 'Change', serverId, status: 7 }]);
    expect(again.changes.find((x) => x.serverId === serverId)?.email?.read).toBe(false);
    expect(await flagsOf(uid)).not.toContain('\\Seen');
  }, 90_000);

  it('server wins with Conflict 1 the same way', async () => {
    const { res, uid, serverId } = await conflictScenario('conflict one', 1);
    expect(res.responses.map((r) => r.status)).toEqual([7]);
    expect(await flagsOf(uid)).not.toContain('\\Seen');
    expect(res.changes.find((x) => x.serverId === serverId)?.email?.read).toBe(false);
  }, 90_000);

  it('client wins with Conflict 0: the phone change is applied and nothing is sent back for the item', async () => {
    const { res, uid, serverId } = await conflictScenario('conflict zero', 0);
    expect(res.status).toBe(1);
    // A successful Change is not answered (MS-ASCMD 2.2.3.24.3).
    expect(res.responses).toEqual([]);
    expect(await flagsOf(uid)).toContain('\\Seen');
    expect(res.changes.filter((x) => x.serverId === serverId)).toEqual([]);
  }, 90_000);

  it('client wins keeps server changes the phone did not touch and sends them back', async () => {
    const subject = 'conflict merge';
    const { uid } = await stack().appendMessage(USER, 'INBOX', simpleMessage({ subject }));
    const c = server.client({ user: USER, version: '14.1' });
    const { byType } = await setUpPhone(c);
    const inbox = byType.get(2)!;
    const r = await initialSync(c, inbox, { windowSize: 100, options: options(0) });
    const item = r.changes.find((x) => x.email?.subject === subject)!;
    await withInbox((im) => im.messageFlagsAdd(String(uid), ['\\Flagged'], { uid: true }));
    const res = await syncOne(c, {
      collectionId: inbox,
      syncKey: r.syncKey,
      options: options(0),
      commands: [{ kind: 'Change', serverId: item.serverId, applicationData: applicationData([el('Email', 'Read', 1)]) }],
    });
    expect(res.responses).toEqual([]);
    const flags = await flagsOf(uid);
    expect(flags).toContain('\\Seen');
    expect(flags).toContain('\\Flagged');
    const back = res.changes.find((x) => x.serverId === item.serverId);
    expect(back?.kind).toBe('Change');
    expect(back?.email?.read).toBe(true);
    expect(back?.email?.flag?.status).toBe(2);
  }, 90_000);

  it('without a conflict the phone change is applied under server wins', async () => {
    const subject = 'no conflict';
    const { uid } = await stack().appendMessage(USER, 'INBOX', simpleMessage({ subject }));
    const c = server.client({ user: USER, version: '14.1' });
    const { byType } = await setUpPhone(c);
    const inbox = byType.get(2)!;
    const r = await initialSync(c, inbox, { windowSize: 100, options: options(1) });
    const item = r.changes.find((x) => x.email?.subject === subject)!;
    const res = await syncOne(c, {
      collectionId: inbox,
      syncKey: r.syncKey,
      commands: [{ kind: 'Change', serverId: item.serverId, applicationData: applicationData([el('Email', 'Read', 1)]) }],
    });
    expect(res.responses).toEqual([]);
    expect(await flagsOf(uid)).toContain('\\Seen');
    expect(res.changes.filter((x) => x.serverId === item.serverId)).toEqual([]);
  }, 90_000);
});
