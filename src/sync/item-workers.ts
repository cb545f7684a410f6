import { Worker } from 'node:worker_threads';
import type { Logger } from 'pino';
import { BackendError } from '../../backends/errors.ts';
import type { ImapEndpoint } from '../../backends/imap/pool.ts';
import type { ItemWorkerData } from './item-worker.ts';
import type { WorkerReply, WorkerRequest } from './item-worker-messages.ts';
import { SUB_BATCH, batchOf, batches, type NewItem, type NewItemBuilder, type NewItemsBatch, type NewItemsJob } from './new-items.ts';

/**
 * New items built in worker threads (src/sync/item-worker.ts). An initial
 * sync spends most of its CPU parsing IMAP FETCH responses and building
 * items; on the event loop that would delay every held Ping and every other
 * phone's request for as long as a window takes, and would leave the
 * machine's other cores idle. Here each job is cut into sub-batches that go
 * to the least busy worker; each worker has its own IMAP connections (at
 * most `maxPerUser` per mailbox, closed when idle), so one window's batches
 * are fetched and parsed in parallel.
 *
 * Workers start on the first job and are restarted after a crash; a job
 * whose worker died fails with BackendUnavailable, which the Sync handler
 * answers as retryable, leaving the device's state as it was.
 */
export interface ItemWorkerOptions {
  readonly threads: number;
  readonly endpoint: ImapEndpoint;
  /** IMAP connections per mailbox in each worker. */
  readonly maxPerUser: number;
  readonly maxTotal: number;
  readonly idleTimeoutMs: number;
  readonly log: Logger;
}

interface Pending {
  readonly resolve: (items: NewItem[]) => void;
  readonly reject: (err: Error) => void;
}

interface Slot {
  readonly worker: Worker;
  readonly pending: Map<number, Pending>;
  closing?: Promise<void>;
}

const BOOT = new URL('./item-worker-boot.mjs', import.meta.url);
const LEVELS = new Map<number, 'trace' | 'debug' | 'info' | 'warn' | 'error' | 'fatal'>([[10, 'trace'], [20, 'debug'], [30, 'info'], [40, 'warn'], [50, 'error'], [60, 'fatal']]);

export class WorkerItemBuilder implements NewItemBuilder {
  private readonly slots: (Slot | undefined)[];
  private nextId = 1;
  private closed = false;

  constructor(private readonly opts: ItemWorkerOptions) {
    if (!(opts.threads >= 1)) throw new Error('WorkerItemBuilder needs at least one thread');
    this.slots = new Array<Slot | undefined>(opts.threads).fill(undefined);
  }

  start(job: NewItemsJob): NewItemsBatch[] {
    return batches(job.items, SUB_BATCH).map((items) =>
      batchOf(items, this.closed ? Promise.reject(new BackendError('BackendUnavailable', 'item workers are shut down')) : this.run({ ...job, items })),
    );
  }

  /** Threads running now and jobs in flight (metrics, tests). */
  stats(): { threads: number; inFlight: number } {
    let threads = 0;
    let inFlight = 0;
    for (const s of this.slots) {
      if (!s) continue;
      threads++;
      inFlight += s.pending.size;
    }
    return { threads, inFlight };
  }

  /** Ends every thread at once; jobs in flight fail with BackendUnavailable and the next job starts new threads. */
  async terminate(): Promise<void> {
    await Promise.all(this.slots.map((s) => s?.worker.terminate()));
  }

  /** Lets every worker log out of IMAP, then ends the threads. */
  async close(): Promise<void> {
    this.closed = true;
    await Promise.all(this.slots.map((s) => (s ? this.stop(s) : undefined)));
  }

  private run(job: NewItemsJob): Promise<NewItem[]> {
    const slot = this.pick();
    const id = this.nextId++;
    return new Promise<NewItem[]>((resolve, reject) => {
      slot.pending.set(id, { resolve, reject });
      const m: WorkerRequest = { type: 'build', id, job };
      slot.worker.postMessage(m);
    });
  }

  /** The worker with the fewest jobs in flight, started if its slot is empty. */
  private pick(): Slot {
    let best = -1;
    let load = Number.POSITIVE_INFINITY;
    for (let i = 0; i < this.slots.length; i++) {
      const s = this.slots[i];
      const n = s ? s.pending.size : 0;
      if (n < load) {
        best = i;
        load = n;
      }
      if (!s) break;
    }
    return this.slots[best] ?? this.spawn(best);
  }

  private spawn(index: number): Slot {
    const { endpoint, maxPerUser, maxTotal, idleTimeoutMs, log } = this.opts;
    const workerData: ItemWorkerData = { endpoint, maxPerUser, maxTotal, idleTimeoutMs, logLevel: log.level };
    const worker = new Worker(BOOT, { workerData, name: `eas-items-${index}` });
    // An idle worker must not keep the process alive (tests, CLI tools); in-flight jobs hold promises, not the loop.
    worker.unref();
    const slot: Slot = { worker, pending: new Map() };
    this.slots[index] = slot;
    worker.on('message', (m: WorkerReply) => this.onReply(slot, m));
    const gone = (why: string): void => {
      if (this.slots[index] === slot) this.slots[index] = undefined;
      for (const p of slot.pending.values()) p.reject(new BackendError('BackendUnavailable', `item worker stopped: ${why}`));
      slot.pending.clear();
    };
    worker.on('error', (err) => {
      log.error({ event: 'sync.item-worker-error', err }, 'item worker failed');
      gone(err.message);
    });
    worker.on('exit', (code) => {
      if (!slot.closing) log.warn({ event: 'sync.item-worker-exit', code }, 'item worker exited');
      gone(`exit ${code}`);
    });
    return slot;
  }

  private onReply(slot: Slot, m: WorkerReply): void {
    if (m.type === 'log') return this.relayLog(m.line);
    if (m.type === 'closed') return;
    const p = slot.pending.get(m.id);
    if (!p) return;
    slot.pending.delete(m.id);
    if (m.type === 'failed') {
      const e = m.error;
      p.reject(e.code ? new BackendError(e.code, e.message) : Object.assign(new Error(e.message), { name: e.name }));
      return;
    }
    p.resolve([...m.items]);
  }

  /** A worker's pino line, written again through the server's logger. */
  private relayLog(line: string): void {
    try {
      const { level, msg, time: _t, pid: _p, hostname: _h, ...rest } = JSON.parse(line) as { level: number; msg?: string; time?: unknown; pid?: unknown; hostname?: unknown };
      const name = LEVELS.get(level) ?? 'info';
      this.opts.log[name](rest, msg);
    } catch {
      this.opts.log.warn({ event: 'sync.item-worker-log', line: line.slice(0, 200) }, 'unreadable item worker log line');
    }
  }

  private stop(slot: Slot): Promise<void> {
    slot.closing ??= new Promise<void>((resolve) => {
      const done = (): void => {
        clearTimeout(timer);
        resolve();
      };
      // Logging out of IMAP is bounded by the pool (2 s per connection); past that, end the thread anyway.
      const timer = setTimeout(() => void slot.worker.terminate(), 5_000);
      slot.worker.once('exit', done);
      const m: WorkerRequest = { type: 'close' };
      slot.worker.postMessage(m);
    });
    return slot.closing;
  }
}
