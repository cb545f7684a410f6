import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { ChangeHub, type HoldRequest, type WatchDriver } from '../../src/push/hub.ts';

const session = { user: 'alice', password: 'pw' };

function req(over: Partial<HoldRequest> = {}): HoldRequest {
  return { mailbox: 'alice', deviceId: 'dev1', session, keys: ['INBOX'], heartbeatMs: 60_000, ...over };
}

class FakeDriver implements WatchDriver {
  calls: Array<{ mailbox: string; keys: string[] }> = [];
  closed = 0;
  async update(mailbox: string, _s: unknown, keys: readonly string[]): Promise<void> {
    this.calls.push({ mailbox, keys: [...keys].sort() });
  }
  async closeAll(): Promise<void> {
    this.closed++;
  }
}

/** Lets pending promise callbacks run under fake timers. */
async function flush(): Promise<void> {
  for (let i = 0; i < 5; i++) await Promise.resolve();
}

describe('ChangeHub', () => {
  beforeEach(() => vi.useFakeTimers());
  afterEach(() => vi.useRealTimers());

  it('answers timeout when the heartbeat expires without events', async () => {
    const hub = new ChangeHub();
    const p = hub.hold(req({ heartbeatMs: 5_000 }));
    await vi.advanceTimersByTimeAsync(4_999);
    expect(hub.isHeld('alice', 'dev1')).toBe(true);
    await vi.advanceTimersByTimeAsync(1);
    await expect(p).resolves.toEqual({ reason: 'timeout' });
    expect(hub.stats().held).toBe(0);
  });

  it('wakes with the changed key when a watched folder changes and there is no changes check', async () => {
    const hub = new ChangeHub();
    const p = hub.hold(req({ keys: ['INBOX', 'Sent'] }));
    await flush();
    hub.publish('alice', 'Sent');
    await expect(p).resolves.toEqual({ reason: 'changed', changed: ['Sent'] });
    expect(hub.stats().wakeups).toBe(1);
  });

  it('ignores events for folders it does not watch and for other mailboxes', async () => {
    const hub = new ChangeHub();
    const p = hub.hold(req({ keys: ['INBOX'], heartbeatMs: 1_000 }));
    await flush();
    hub.publish('alice', 'Drafts');
    hub.publish('bob', 'INBOX');
    await vi.advanceTimersByTimeAsync(1_000);
    await expect(p).resolves.toEqual({ reason: 'timeout' });
  });

  it('a newer hold from the same device ends the older one at once with superseded', async () => {
    const hub = new ChangeHub();
    const first = hub.hold(req());
    const second = hub.hold(req({ heartbeatMs: 2_000 }));
    await expect(first).resolves.toEqual({ reason: 'superseded' });
    expect(hub.isHeld('alice', 'dev1')).toBe(true);
    await vi.advanceTimersByTimeAsync(2_000);
    await expect(second).resolves.toEqual({ reason: 'timeout' });
  });

  it('one event wakes every device of the mailbox that watches the folder', async () => {
    const hub = new ChangeHub();
    const a = hub.hold(req({ deviceId: 'a' }));
    const b = hub.hold(req({ deviceId: 'b' }));
    const c = hub.hold(req({ deviceId: 'c', keys: ['Other'], heartbeatMs: 1_000 }));
    await flush();
    hub.publish('alice', 'INBOX');
    await expect(a).resolves.toMatchObject({ reason: 'changed' });
    await expect(b).resolves.toMatchObject({ reason: 'changed' });
    await vi.advanceTimersByTimeAsync(1_000);
    await expect(c).resolves.toEqual({ reason: 'timeout' });
  });

  it('answers aborted when the client goes away, and at once when already aborted', async () => {
    const hub = new ChangeHub();
    const ac = new AbortController();
    const p = hub.hold(req({ signal: ac.signal }));
    ac.abort();
    await expect(p).resolves.toEqual({ reason: 'aborted' });
    await expect(hub.hold(req({ signal: ac.signal }))).resolves.toEqual({ reason: 'aborted' });
    expect(hub.stats().held).toBe(0);
  });

  it('shutdown answers every held request and refuses new ones', async () => {
    const driver = new FakeDriver();
    const hub = new ChangeHub({ driver });
    const a = hub.hold(req({ deviceId: 'a' }));
    const b = hub.hold(req({ mailbox: 'bob', deviceId: 'b' }));
    await hub.shutdown();
    await expect(a).resolves.toEqual({ reason: 'shutdown' });
    await expect(b).resolves.toEqual({ reason: 'shutdown' });
    await expect(hub.hold(req())).resolves.toEqual({ reason: 'shutdown' });
    expect(driver.closed).toBe(1);
  });

  it('checks for changes before holding and answers at once when there are some', async () => {
    const hub = new ChangeHub();
    const hasChanges = vi.fn(async (keys: readonly string[]) => keys.filter((k) => k === 'Sent'));
    const p = hub.hold(req({ keys: ['INBOX', 'Sent'], hasChanges }));
    await expect(p).resolves.toEqual({ reason: 'changed', changed: ['Sent'] });
    expect(hasChanges).toHaveBeenCalledWith(['INBOX', 'Sent']);
  });

  it('an event whose check finds nothing new keeps the request held (own changes, false alarms)', async () => {
    const hub = new ChangeHub();
    let pending: string[] = [];
    const p = hub.hold(req({ heartbeatMs: 10_000, hasChanges: async (keys) => keys.filter((k) => pending.includes(k)) }));
    await flush();
    hub.publish('alice', 'INBOX');
    await flush();
    expect(hub.isHeld('alice', 'dev1')).toBe(true);
    pending = ['INBOX'];
    hub.publish('alice', 'INBOX');
    await expect(p).resolves.toEqual({ reason: 'changed', changed: ['INBOX'] });
  });

  it('events during a running check trigger one more check after it', async () => {
    const hub = new ChangeHub();
    let release!: () => void;
    let calls = 0;
    const hasChanges = async (keys: readonly string[]): Promise<readonly string[]> => {
      calls++;
      if (calls === 2) {
        await new Promise<void>((r) => (release = r));
        return [];
      }
      return calls === 3 ? keys : [];
    };
    const p = hub.hold(req({ keys: ['INBOX', 'Sent'], hasChanges }));
    await flush(); // initial check (1) found nothing
    hub.publish('alice', 'INBOX'); // check 2 starts and blocks
    await flush();
    hub.publish('alice', 'Sent'); // arrives during check 2
    hub.publish('alice', 'Sent');
    release();
    await expect(p).resolves.toEqual({ reason: 'changed', changed: ['Sent'] });
    expect(calls).toBe(3);
  });

  it('a failing changes check wakes the request with the triggering keys', async () => {
    const hub = new ChangeHub();
    let fail = false;
    const p = hub.hold(req({ hasChanges: async () => (fail ? Promise.reject(new Error('imap down')) : []) }));
    await flush();
    fail = true;
    hub.publish('alice', 'INBOX');
    await expect(p).resolves.toEqual({ reason: 'changed', changed: ['INBOX'] });
  });

  it('tells the driver the union of watched keys, and [] when the last request ends', async () => {
    const driver = new FakeDriver();
    const hub = new ChangeHub({ driver });
    const a = hub.hold(req({ deviceId: 'a', keys: ['INBOX'], heartbeatMs: 1_000 }));
    const b = hub.hold(req({ deviceId: 'b', keys: ['INBOX', 'Sent'], heartbeatMs: 2_000 }));
    await flush();
    expect(driver.calls).toEqual([
      { mailbox: 'alice', keys: ['INBOX'] },
      { mailbox: 'alice', keys: ['INBOX', 'Sent'] },
    ]);
    await vi.advanceTimersByTimeAsync(1_000);
    await a;
    expect(driver.calls).toHaveLength(2); // INBOX still watched by b
    await vi.advanceTimersByTimeAsync(1_000);
    await b;
    expect(driver.calls.at(-1)).toEqual({ mailbox: 'alice', keys: [] });
    expect(hub.watchedKeys('alice')).toEqual([]);
  });

  it('waits for the watcher before the first check so no change falls between them', async () => {
    let ready!: () => void;
    const driver: WatchDriver = { update: () => new Promise<void>((r) => (ready = r)), closeAll: async () => undefined };
    const hub = new ChangeHub({ driver });
    const hasChanges = vi.fn(async () => [] as string[]);
    void hub.hold(req({ hasChanges }));
    await flush();
    expect(hasChanges).not.toHaveBeenCalled();
    ready();
    await flush();
    expect(hasChanges).toHaveBeenCalledTimes(1);
  });

  it('counts answers by reason and held requests by kind', async () => {
    const hub = new ChangeHub();
    void hub.hold(req({ deviceId: 'p', kind: 'ping' }));
    void hub.hold(req({ deviceId: 's', kind: 'sync' }));
    expect(hub.stats()).toMatchObject({ held: 2, heldPing: 1, heldSync: 1 });
    void hub.hold(req({ deviceId: 's', kind: 'ping' }));
    expect(hub.stats()).toMatchObject({ held: 2, heldPing: 2, heldSync: 0, answered: { superseded: 1 } });
  });
});

describe('ChangeHub wake latency', () => {
  it('measures event-to-wake time of wake-ups caused by events, not of initial checks', async () => {
    const hub = new ChangeHub();
    let pending = false;
    let release!: () => void;
    const p = hub.hold(req({ hasChanges: async (keys) => {
      if (!pending) return [];
      await new Promise<void>((r) => (release = r));
      return keys;
    } }));
    await flush();
    expect(hub.stats().wakeLatency.count).toBe(0);
    pending = true;
    hub.publish('alice', 'INBOX');
    await new Promise((r) => setTimeout(r, 30));
    release();
    await p;
    const l = hub.stats().wakeLatency;
    expect(l.count).toBe(1);
    expect(l.max).toBeGreaterThanOrEqual(0.025);
    expect(l.p50).toBe(l.max);
  });
});
