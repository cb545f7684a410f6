/**
 * When the capture thread works (src/capture/pause-queue.ts): after a
 * pause in the recorded traffic, or at once when too much waits.
 */
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { PauseQueue } from '../../src/capture/pause-queue.ts';

const OPTS = { quietMs: 250, maxBytes: 1000, maxItems: 5, maxAgeMs: 10_000 };

describe('PauseQueue', () => {
  let ran: number[];
  let q: PauseQueue<number>;
  beforeEach(() => {
    vi.useFakeTimers();
    ran = [];
    q = new PauseQueue((n) => ran.push(n), OPTS);
  });
  afterEach(() => vi.useRealTimers());

  it('holds items while they keep coming, and runs them in order once none came for quietMs', () => {
    for (let i = 1; i <= 4; i++) {
      q.push(i, 10);
      vi.advanceTimersByTime(200);
    }
    expect(ran).toEqual([]);
    vi.advanceTimersByTime(49);
    expect(ran).toEqual([]);
    vi.advanceTimersByTime(1);
    expect(ran).toEqual([1, 2, 3, 4]);
    expect(q.size).toBe(0);
  });

  it('runs at once when the bytes or the items waiting reach their bound', () => {
    q.push(1, 600);
    q.push(2, 400);
    expect(ran).toEqual([1, 2]);
    for (let i = 3; i <= 7; i++) q.push(i, 1);
    expect(ran).toEqual([1, 2, 3, 4, 5, 6, 7]);
  });

  it('traffic that never pauses is still run when its oldest item is maxAgeMs old', () => {
    const busy = new PauseQueue<number>((n) => ran.push(n), { ...OPTS, maxItems: 1000 });
    for (let t = 0; t < 9_800; t += 200) {
      busy.push(t, 1);
      vi.advanceTimersByTime(200);
    }
    expect(ran).toEqual([]);
    busy.push(9_800, 1);
    vi.advanceTimersByTime(200);
    expect(ran).toHaveLength(50);
    expect(ran[0]).toBe(0);
  });

  it('flush runs everything now and leaves no timer behind', () => {
    q.push(1, 1);
    q.flush();
    expect(ran).toEqual([1]);
    expect(vi.getTimerCount()).toBe(0);
  });
});
