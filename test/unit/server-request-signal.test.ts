import { EventEmitter } from 'node:events';
import type { ServerResponse } from 'node:http';
import { describe, expect, it } from 'vitest';
import { RequestSignals } from '../../src/server/request-signal.ts';

/** Just what RequestSignals reads of a ServerResponse: 'close' and writableFinished. */
function response(): ServerResponse & { finish(): void } {
  const r = new EventEmitter() as unknown as ServerResponse & { finish(): void; writableFinished: boolean };
  (r as { writableFinished: boolean }).writableFinished = false;
  r.finish = () => ((r as { writableFinished: boolean }).writableFinished = true);
  return r;
}

describe('request signals', () => {
  it('abort when the response closes before it was written, once, calling each listener once', () => {
    const signals = new RequestSignals(new AbortController().signal);
    const res = response();
    const s = signals.forResponse(res);
    const calls: string[] = [];
    const a = (): void => void calls.push('a');
    s.addEventListener('abort', a);
    s.addEventListener('abort', () => calls.push('b'));
    expect(s.aborted).toBe(false);
    expect(signals.size).toBe(1);
    res.emit('close');
    res.emit('close');
    expect(s.aborted).toBe(true);
    expect(calls).toEqual(['a', 'b']);
    expect(signals.size).toBe(0);
  });

  it('stay quiet when the response was written, and forget the request', () => {
    const signals = new RequestSignals(new AbortController().signal);
    const res = response();
    const s = signals.forResponse(res);
    let fired = false;
    s.addEventListener('abort', () => (fired = true));
    res.finish();
    res.emit('close');
    expect(s.aborted).toBe(false);
    expect(fired).toBe(false);
    expect(signals.size).toBe(0);
  });

  it('a removed listener is not called', () => {
    const signals = new RequestSignals(new AbortController().signal);
    const res = response();
    const s = signals.forResponse(res);
    let fired = 0;
    const l = (): void => void fired++;
    s.addEventListener('abort', l);
    s.removeEventListener('abort', l);
    res.emit('close');
    expect(s.aborted).toBe(true);
    expect(fired).toBe(0);
  });

  it('server shutdown aborts every live signal, and signals made afterwards start aborted', () => {
    const shutdown = new AbortController();
    const signals = new RequestSignals(shutdown.signal);
    const live = [signals.forResponse(response()), signals.forResponse(response())];
    const done = signals.forResponse(response());
    const doneRes = response();
    const finished = signals.forResponse(doneRes);
    doneRes.finish();
    doneRes.emit('close');
    let fired = 0;
    for (const s of [...live, done]) s.addEventListener('abort', () => void fired++);
    shutdown.abort();
    expect(live.every((s) => s.aborted) && done.aborted).toBe(true);
    expect(finished.aborted).toBe(false);
    expect(fired).toBe(3);
    expect(signals.forResponse(response()).aborted).toBe(true);
    expect(signals.size).toBe(0);
  });
});
