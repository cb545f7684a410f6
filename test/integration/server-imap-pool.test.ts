import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ImapMailStore, ImapPool } from '../../backends/imap/index.ts';
import { useStack } from '../harness/use-stack.ts';

const stack = useStack();
let pool: ImapPool;
const endpoint = () => ({ host: stack().imap.host, port: stack().imap.port, secure: false });
beforeAll(() => {
  pool = new ImapPool({ endpoint: endpoint(), maxPerUser: 2, acquireTimeoutMs: 5_000 });
});
afterAll(async () => {
  await pool?.close();
});

const alice = () => ({ user: stack().user('alice@example.test').name, password: stack().user('alice@example.test').password });

describe('ImapPool', () => {
  it('keeps STATUS-only work on a connection that never selected a folder, while the cap allows a second', async () => {
    const p = new ImapPool({ endpoint: endpoint(), maxPerUser: 2 });
    try {
      const selecting = await p.withImap(alice(), async (c) => {
        const lock = await c.getMailboxLock('INBOX');
        lock.release();
        return c;
      });
      const [statusClient, selected] = await p.withImap(alice(), async (c) => [c, c.mailbox] as const, { statusOnly: true });
      expect(statusClient).not.toBe(selecting);
      expect(selected).toBeFalsy();
      // Other work goes back to the connection that selects, STATUS work to the clean one.
      expect(await p.withImap(alice(), async (c) => c)).toBe(selecting);
      expect(await p.withImap(alice(), async (c) => c, { statusOnly: true })).toBe(statusClient);
      expect(p.stats().total).toBe(2);
    } finally {
      await p.close();
    }
  });

  it('with one connection per user, STATUS-only work shares it', async () => {
    const p = new ImapPool({ endpoint: endpoint(), maxPerUser: 1 });
    try {
      const a = await p.withImap(alice(), async (c) => c);
      expect(await p.withImap(alice(), async (c) => c, { statusOnly: true })).toBe(a);
      expect(p.stats().total).toBe(1);
    } finally {
      await p.close();
    }
  });

  it('reuses one connection for sequential calls', async () => {
    const ids = new Set<unknown>();
    for (let i = 0; i < 3; i++) await pool.withImap(alice(), async (c) => void ids.add(c));
    expect(ids.size).toBe(1);
    expect(pool.stats()).toMatchObject({ total: 1, busy: 0 });
  });

  it('never opens more than maxPerUser connections for one user; extra callers wait', async () => {
    let active = 0;
    let peak = 0;
    await Promise.all(
      Array.from({ length: 5 }, () =>
        pool.withImap(alice(), async (c) => {
          active++;
          peak = Math.max(peak, active);
          await c.noop();
          await new Promise((r) => setTimeout(r, 50));
          active--;
        }),
      ),
    );
    expect(peak).toBe(2);
    expect(pool.stats().total).toBeLessThanOrEqual(2);
  });

  it('a refused login is AuthFailed, an unreachable server BackendUnavailable', async () => {
    await expect(pool.withImap({ user: 'alice@example.test', password: 'wrong' }, async () => 1)).rejects.toMatchObject({ name: 'BackendError', code: 'AuthFailed' });
    const dead = new ImapPool({ endpoint: { host: '127.0.0.1', port: 1, secure: false } });
    await expect(dead.withImap(alice(), async () => 1)).rejects.toMatchObject({ name: 'BackendError', code: 'BackendUnavailable' });
    await dead.close();
  });

  it('folder operations map IMAP refusals to domain errors', async () => {
    const store = new ImapMailStore(pool);
    const created = await store.createFolder(alice(), null, 'PoolTest');
    expect(created.path).toBe('PoolTest');
    await expect(store.createFolder(alice(), null, 'PoolTest')).rejects.toMatchObject({ code: 'AlreadyExists' });
    await expect(store.createFolder(alice(), 'NoSuchParent', 'X')).rejects.toMatchObject({ code: 'NotFound' });
    await expect(store.renameFolder(alice(), 'INBOX', null, 'Inbox2')).rejects.toMatchObject({ code: 'Forbidden' });
    await expect(store.deleteFolder(alice(), 'Sent')).rejects.toMatchObject({ code: 'Forbidden' });
    await store.createFolder(alice(), 'PoolTest', 'Child');
    await store.deleteFolder(alice(), 'PoolTest');
    const paths = (await store.listFolders(alice())).map((f) => f.path);
    expect(paths).not.toContain('PoolTest');
    expect(paths).not.toContain('PoolTest/Child');
  });

  it('lists SPECIAL-USE roles once each, with UIDVALIDITY', async () => {
    const folders = await new ImapMailStore(pool).listFolders(alice());
    const roles = folders.map((f) => f.specialUse).filter(Boolean);
    expect(new Set(roles).size).toBe(roles.length);
    expect(folders.find((f) => f.path === 'INBOX')?.specialUse).toBe('inbox');
    expect(folders.every((f) => !f.selectable || typeof f.uidValidity === 'number')).toBe(true);
  });
});
