import type { ServerResponse } from 'node:http';
import type { ClientSignal } from '../commands/types.ts';

/**
 * Per-request "the client went away" signals (CommandContext.signal). An
 * AbortController per request, with a listener on the server's shutdown
 * signal, costs about a kilobyte of listener records, bound functions and
 * event-target maps; held for every open Ping that is most of the per-Ping
 * budget (issue 5). Here a request costs one small object and one entry in a
 * set: the response's 'close' fires it when the client disconnects before
 * the answer is written, and server shutdown fires every live one.
 */
export class RequestSignals {
  readonly #live = new Set<RequestSignal>();
  #shutdown = false;

  constructor(shutdown: AbortSignal) {
    const onShutdown = (): void => {
      this.#shutdown = true;
      for (const s of this.#live) s.abort();
      this.#live.clear();
    };
    if (shutdown.aborted) onShutdown();
    else shutdown.addEventListener('abort', onShutdown, { once: true });
  }

  /** A signal for the request answered by `res`. */
  forResponse(res: ServerResponse): ClientSignal {
    const s = new RequestSignal(this.#live);
    if (this.#shutdown) {
      s.abort();
      return s;
    }
    this.#live.add(s);
    (res as ServerResponse & { [SIGNAL]?: RequestSignal })[SIGNAL] = s;
    // One module-level listener, not a closure per request.
    res.on('close', onResponseClose);
    return s;
  }

  /** Requests in flight with a live signal (tests). */
  get size(): number {
    return this.#live.size;
  }
}

const SIGNAL = Symbol('eas.requestSignal');

function onResponseClose(this: ServerResponse & { [SIGNAL]?: RequestSignal }): void {
  const s = this[SIGNAL];
  if (!s) return;
  this[SIGNAL] = undefined;
  s.release();
  if (!this.writableFinished) s.abort();
}

class RequestSignal implements ClientSignal {
  aborted = false;
  /** Usually none or one (the hub's); an array only past one. */
  #listeners: (() => void) | (() => void)[] | undefined;

  constructor(readonly owner: Set<RequestSignal>) {}

  addEventListener(_type: 'abort', listener: () => void): void {
    const l = this.#listeners;
    this.#listeners = l === undefined ? listener : Array.isArray(l) ? [...l, listener] : [l, listener];
  }

  removeEventListener(_type: 'abort', listener: () => void): void {
    const l = this.#listeners;
    if (l === listener) this.#listeners = undefined;
    else if (Array.isArray(l)) this.#listeners = l.filter((x) => x !== listener);
  }

  release(): void {
    this.owner.delete(this);
  }

  /** Fires once; listeners are called once each (like `{ once: true }`), then forgotten. */
  abort(): void {
    if (this.aborted) return;
    this.aborted = true;
    this.release();
    const l = this.#listeners;
    this.#listeners = undefined;
    if (l === undefined) return;
    for (const fn of Array.isArray(l) ? l : [l]) fn();
  }
}
