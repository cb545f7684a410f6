import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { DavPollWatcher } from '../../backends/dav/poll-watcher.ts';

const session = { user: 'alice', password: 'pw' };

describe('DavPollWatcher', () => {
  beforeEach(() => vi.useFakeTimers());
  afterEach(() => vi.useRealTimers());

  it('reports a collection whose token changed, and only that one', async () => {
    const tokens: Record<string, string> = { '/cal/': 'a1', '/card/': 'b1' };
    const seen: string[] = [];
    const w = new DavPollWatcher({ intervalMs: 1_000, token: async (_s, href) => tokens[href]! });
    const h = await w.watch(session, ['/cal/', '/card/'], (p) => seen.push(p));
    await vi.advanceTimersByTimeAsync(1_000);
    expect(seen).toEqual([]);
    tokens['/card/'] = 'b2';
    await vi.advanceTimersByTimeAsync(1_000);
    expect(seen).toEqual(['/card/']);
    await h.close();
    tokens['/cal/'] = 'a2';
    await vi.advanceTimersByTimeAsync(5_000);
    expect(seen).toEqual(['/card/']);
  });

  it('keeps the last token through server errors, so an outage reports no change', async () => {
    let fail = false;
    const errors: string[] = [];
    const seen: string[] = [];
    const w = new DavPollWatcher({ intervalMs: 1_000, token: async () => (fail ? Promise.reject(new Error('down')) : 't1'), onError: (h) => errors.push(h) });
    const h = await w.watch(session, ['/cal/'], (p) => seen.push(p));
    fail = true;
    await vi.advanceTimersByTimeAsync(3_000);
    expect(errors.length).toBeGreaterThan(0);
    fail = false;
    await vi.advanceTimersByTimeAsync(20_000);
    expect(seen).toEqual([]);
    await h.close();
  });

  it('takes a baseline for a collection added later instead of reporting it', async () => {
    const seen: string[] = [];
    const w = new DavPollWatcher({ intervalMs: 1_000, token: async (_s, href) => `tok-${href}` });
    const h = await w.watch(session, ['/cal/'], (p) => seen.push(p));
    h.setPaths(['/cal/', '/tasks/']);
    await vi.advanceTimersByTimeAsync(3_000);
    expect(seen).toEqual([]);
    await h.close();
  });
});
