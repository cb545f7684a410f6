import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { MailWatcher } from '../../backends/types.ts';
import { WatcherManager } from '../../src/push/watcher-manager.ts';

const session = { user: 'alice', password: 'pw' };

function fakeWatcher() {
  const log: string[] = [];
  const listeners: Array<(p: string) => void> = [];
  const w: MailWatcher = {
    async watch(_s, paths, onChange) {
      log.push(`start ${paths.join(',')}`);
      listeners.push(onChange);
      return { setPaths: (p) => log.push(`set ${p.join(',')}`), close: async () => void log.push('close') };
    },
  };
  return { w, log, fire: (p: string) => listeners.forEach((l) => l(p)) };
}

describe('WatcherManager', () => {
  beforeEach(() => vi.useFakeTimers());
  afterEach(() => vi.useRealTimers());

  it('starts one watcher per mailbox, grows its folders, and stops it after the linger', async () => {
    const mail = fakeWatcher();
    const m = new WatcherManager({ mail: mail.w, publish: () => undefined, lingerMs: 1_000 });
    await m.update('alice', session, ['INBOX']);
    await m.update('alice', session, ['INBOX', 'Sent']);
    await m.update('alice', session, []);
    expect(m.size).toBe(1);
    await vi.advanceTimersByTimeAsync(999);
    expect(mail.log).toEqual(['start INBOX', 'set INBOX,Sent']);
    await vi.advanceTimersByTimeAsync(1);
    expect(mail.log.at(-1)).toBe('close');
    expect(m.size).toBe(0);
  });

  it('a request arriving during the linger keeps the same watcher', async () => {
    const mail = fakeWatcher();
    const m = new WatcherManager({ mail: mail.w, publish: () => undefined, lingerMs: 1_000 });
    await m.update('alice', session, ['INBOX']);
    await m.update('alice', session, []);
    await vi.advanceTimersByTimeAsync(500);
    await m.update('alice', session, ['INBOX']);
    await vi.advanceTimersByTimeAsync(5_000);
    expect(mail.log).toEqual(['start INBOX']);
  });

  it('routes dav: keys to the DAV watcher and publishes with the prefix back', async () => {
    const mail = fakeWatcher();
    const dav = fakeWatcher();
    const published: string[] = [];
    const m = new WatcherManager({ mail: mail.w, dav: dav.w, publish: (mb, k) => published.push(`${mb} ${k}`), lingerMs: 10 });
    await m.update('alice', session, ['INBOX', 'dav:/alice/cal/']);
    expect(mail.log).toEqual(['start INBOX']);
    expect(dav.log).toEqual(['start /alice/cal/']);
    dav.fire('/alice/cal/');
    mail.fire('INBOX');
    expect(published).toEqual(['alice dav:/alice/cal/', 'alice INBOX']);
    await m.closeAll();
    expect(mail.log.at(-1)).toBe('close');
    expect(dav.log.at(-1)).toBe('close');
  });

  it('retries a watcher whose start failed on the next update', async () => {
    let fail = true;
    const w: MailWatcher = {
      async watch() {
        if (fail) throw new Error('refused');
        return { setPaths: () => undefined, close: async () => undefined };
      },
    };
    const m = new WatcherManager({ mail: w, publish: () => undefined, lingerMs: 10 });
    await m.update('alice', session, ['INBOX']);
    fail = false;
    const spy = vi.spyOn(w, 'watch');
    await m.update('alice', session, ['INBOX']);
    expect(spy).toHaveBeenCalledTimes(1);
  });
});
