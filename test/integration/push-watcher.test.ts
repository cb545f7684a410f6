import { afterEach, describe, expect, it } from 'vitest';
import { ImapMailWatcher, type ImapWatcherEvent } from '../../backends/imap/watcher.ts';
import { ChangeHub } from '../../src/push/hub.ts';
import { WatcherManager } from '../../src/push/watcher-manager.ts';
import { simpleMessage, useStack } from '../harness/use-stack.ts';

/**
 * The IMAP watcher and the hub against a real Dovecot, without the HTTP
 * server: IDLE wake-ups, STATUS polling, reconnect after a restart.
 */
const stack = useStack();
const ALICE = 'alice@example.test';

type Handle = Awaited<ReturnType<ImapMailWatcher['watch']>>;
const open: Handle[] = [];
afterEach(async () => {
  await Promise.all(open.splice(0).map((h) => h.close()));
});

function makeWatcher(events: ImapWatcherEvent[] = []): ImapMailWatcher {
  const s = stack();
  return new ImapMailWatcher({
    endpoint: { host: s.imap.host, port: s.imap.port, secure: false },
    statusPollMs: 300,
    reconnectMinMs: 100,
    reconnectMaxMs: 1_000,
    onEvent: (e) => events.push(e),
  });
}

/** Resolves with the first path reported, or rejects after `ms`. */
function nextChange(): { seen: string[]; wait(path: string, ms: number): Promise<number> ; onChange(p: string): void } {
  const seen: string[] = [];
  const waiters: Array<() => void> = [];
  return {
    seen,
    onChange(p) {
      seen.push(p);
      for (const w of waiters.splice(0)) w();
    },
    async wait(path, ms) {
      const t0 = Date.now();
      while (!seen.includes(path)) {
        const left = ms - (Date.now() - t0);
        if (left <= 0) throw new Error(`no change of ${path} within ${ms} ms (saw ${seen.join(',')})`);
        await new Promise<void>((r) => {
          const timer = setTimeout(r, left);
          waiters.push(() => {
            clearTimeout(timer);
            r();
          });
        });
      }
      return Date.now() - t0;
    },
  };
}

describe('ImapMailWatcher', () => {
  it('reports an LMTP delivery to the INBOX within a second through IDLE', async () => {
    const c = nextChange();
    open.push(await makeWatcher().watch({ user: ALICE, password: stack().user(ALICE).password }, ['INBOX'], c.onChange));
    await new Promise((r) => setTimeout(r, 200)); // let IDLE start
    await stack().deliver(ALICE, simpleMessage({ subject: 'push me' }));
    const ms = await c.wait('INBOX', 2_000);
    expect(ms).toBeLessThan(1_500);
  });

  it('reports a flag change made by another IMAP client', async () => {
    const s = stack();
    await s.deliver(ALICE, simpleMessage({ subject: 'to flag' }));
    const c = nextChange();
    open.push(await makeWatcher().watch({ user: ALICE, password: s.user(ALICE).password }, ['INBOX'], c.onChange));
    await new Promise((r) => setTimeout(r, 200));
    const other = await s.imapClient(ALICE);
    try {
      await other.mailboxOpen('INBOX');
      await other.messageFlagsAdd('*', ['\\Flagged']);
    } finally {
      await other.logout();
    }
    await c.wait('INBOX', 3_000);
  });

  it('reports a change in a non-INBOX folder by STATUS polling, and nothing when idle', async () => {
    const s = stack();
    const c = nextChange();
    open.push(await makeWatcher().watch({ user: ALICE, password: s.user(ALICE).password }, ['INBOX', 'Archive'], c.onChange));
    await new Promise((r) => setTimeout(r, 800)); // two quiet poll rounds
    expect(c.seen).not.toContain('Archive');
    await s.appendMessage(ALICE, 'Archive', simpleMessage({ subject: 'archived' }));
    await c.wait('Archive', 2_000);
  });

  it('reconnects after Dovecot restarts and still reports deliveries', async () => {
    const s = stack();
    const events: ImapWatcherEvent[] = [];
    const c = nextChange();
    open.push(await makeWatcher(events).watch({ user: ALICE, password: s.user(ALICE).password }, ['INBOX'], c.onChange));
    await s.restartDovecot();
    const t0 = Date.now();
    // Bounded, and generous: on a loaded CI machine Dovecot's imap processes can take seconds to go.
    while (!events.includes('reconnect') && Date.now() - t0 < 20_000) await new Promise((r) => setTimeout(r, 100));
    expect(events, `watcher events: ${events.join(', ')}`).toContain('reconnect');
    await new Promise((r) => setTimeout(r, 300));
    c.seen.length = 0;
    await s.deliver(ALICE, simpleMessage({ subject: 'after restart' }));
    await c.wait('INBOX', 3_000);
  }, 45_000);
});

describe('ChangeHub with WatcherManager', () => {
  it('wakes held requests of two devices of one mailbox on one delivery, with one watcher', async () => {
    const s = stack();
    let starts = 0;
    const watcher = makeWatcher();
    const counting = {
      watch: (...args: Parameters<ImapMailWatcher['watch']>) => {
        starts++;
        return watcher.watch(...args);
      },
    };
    let hub!: ChangeHub;
    const manager = new WatcherManager({ mail: counting, publish: (m, k) => hub.publish(m, k), lingerMs: 200 });
    hub = new ChangeHub({ driver: manager });
    const session = { user: ALICE, password: s.user(ALICE).password };
    const a = hub.hold({ mailbox: ALICE, deviceId: 'phone-a', session, keys: ['INBOX'], heartbeatMs: 10_000 });
    const b = hub.hold({ mailbox: ALICE, deviceId: 'phone-b', session, keys: ['INBOX', 'Drafts'], heartbeatMs: 10_000 });
    await new Promise((r) => setTimeout(r, 500));
    expect(manager.size).toBe(1);
    await s.deliver(ALICE, simpleMessage({ subject: 'for both' }));
    await expect(a).resolves.toEqual({ reason: 'changed', changed: ['INBOX'] });
    await expect(b).resolves.toEqual({ reason: 'changed', changed: ['INBOX'] });
    expect(starts).toBe(1);
    // Stopped after the linger once nothing is held.
    await new Promise((r) => setTimeout(r, 600));
    expect(manager.size).toBe(0);
    await hub.shutdown();
  });
});
