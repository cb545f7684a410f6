/**
 * When the capture thread does its work: after a pause in the recorded
 * traffic, not while it flows. Building an exchange (decoding, redacting,
 * rendering, serialising: ~13 ms for a Sync window of 512 mails) competes
 * for the same cores as the requests, and nice 19 alone does not stop it
 * on a small machine (bench/capture.bench.ts measured 8-11% on the
 * initial sync of 10,000 mails on 2 cores). A phone works in bursts (an
 * initial sync, a Ping round) with idle time between them, so the work
 * waits until no new exchange came for quietMs. It runs anyway once what
 * waits reaches maxBytes or maxItems or its oldest part maxAgeMs, so that
 * memory stays well inside the recorder's in-flight bounds (recorder.ts)
 * and a device that never pauses is still written. What waits is lost if
 * the process is killed (a clean close runs it first, recorder.ts).
 */

export interface PauseQueueOptions {
  /** How long no new item must arrive before the queue runs. */
  readonly quietMs: number;
  /** Queued bytes at which it runs at once. */
  readonly maxBytes: number;
  /** Queued items at which it runs at once (a mailbox-wide recording of many devices, small exchanges). */
  readonly maxItems: number;
  /** Age of the oldest queued item at which it runs at once. */
  readonly maxAgeMs: number;
}

export const CAPTURE_PAUSE: PauseQueueOptions = { quietMs: 250, maxBytes: 16 * 1024 * 1024, maxItems: 200, maxAgeMs: 10_000 };

export class PauseQueue<T> {
  #items: T[] = [];
  #bytes = 0;
  #quiet: NodeJS.Timeout | undefined;
  #age: NodeJS.Timeout | undefined;

  constructor(
    private readonly run: (item: T) => void,
    private readonly opts: PauseQueueOptions = CAPTURE_PAUSE,
  ) {}

  /** Number of items waiting. */
  get size(): number {
    return this.#items.length;
  }

  push(item: T, bytes: number): void {
    this.#items.push(item);
    this.#bytes += bytes;
    if (this.#bytes >= this.opts.maxBytes || this.#items.length >= this.opts.maxItems) return this.flush();
    clearTimeout(this.#quiet);
    this.#quiet = setTimeout(() => this.flush(), this.opts.quietMs);
    this.#age ??= setTimeout(() => this.flush(), this.opts.maxAgeMs);
  }

  /** Runs everything waiting, in order, now. */
  flush(): void {
    clearTimeout(this.#quiet);
    clearTimeout(this.#age);
    this.#quiet = this.#age = undefined;
    const items = this.#items;
    this.#items = [];
    this.#bytes = 0;
    for (const item of items) this.run(item);
  }
}
