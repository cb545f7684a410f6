import type { Logger } from 'pino';
import type { UserSession } from '../../backends/types.ts';
import type { ClientSignal } from '../commands/types.ts';

/**
 * The change hub behind Ping (MS-ASCMD 2.2.1.13) and hanging Sync
 * (MS-ASCMD 2.2.3.182 Wait / 2.2.3.84.2 HeartbeatInterval): watchers publish
 * "folder changed", held requests subscribe and wait for the first of a
 * change, the heartbeat, the client going away, a newer request from the
 * same device, or server shutdown (STYLE habit 10).
 *
 * A held request costs one entry in two maps, one timer and one abort
 * listener: no thread, no IMAP connection, no database handle
 * (ARCHITECTURE "Scale"). Nothing here sleeps or polls.
 *
 * Keys are opaque strings chosen by the caller and the watchers together:
 * an IMAP folder path for mail (what `MailWatcher` reports), `dav:<href>`
 * for DAV collections (see src/push/watcher-manager.ts).
 */

/** Why a held request ended. `changed` carries the keys that have changes for this device. */
export type HoldResult =
  | { readonly reason: 'changed'; readonly changed: readonly string[] }
  | { readonly reason: 'timeout' | 'superseded' | 'aborted' | 'shutdown' };

export type HoldEndReason = HoldResult['reason'];

/** One request to hold (a Ping, or a Sync with Wait/HeartbeatInterval). */
export interface HoldRequest {
  readonly mailbox: string;
  readonly deviceId: string;
  /** Credentials for the mailbox's watcher; the newest hold's session is the one used on reconnect. */
  readonly session: UserSession;
  /** The folders to watch, as watcher keys (IMAP path or `dav:<href>`). */
  readonly keys: readonly string[];
  /** Heartbeat: answer `timeout` after this many milliseconds without changes. */
  readonly heartbeatMs: number;
  /** Aborted when the client disconnects; answers `aborted`. An AbortSignal, or the server's lighter ClientSignal. */
  readonly signal?: ClientSignal;
  /** For metrics and logs only. */
  readonly kind?: 'ping' | 'sync';
  /**
   * Which of `keys` really have changes this device has not received yet.
   * Called once right after the watcher is ready (so a change made before
   * the request arrived answers at once) and after every event on a watched
   * key. Returning [] keeps the request held: that is how a device's own
   * Sync does not wake its own Ping, and how false alarms are dropped.
   * Without it, any event on a watched key wakes the request.
   * A throw counts as "the triggering keys changed": the device then syncs
   * and meets the error where the Sync command can report it.
   */
  readonly hasChanges?: (keys: readonly string[]) => Promise<readonly string[]>;
}

/** What the hub needs from the watcher layer (src/push/watcher-manager.ts implements it). */
export interface WatchDriver {
  /**
   * The keys of `mailbox` that at least one held request watches changed to
   * `keys` ([] = none held any more; the driver may linger before it
   * disconnects). Resolves when watching `keys` has started (best effort).
   */
  update(mailbox: string, session: UserSession, keys: readonly string[]): Promise<void>;
  /** Stops every watcher at once (server shutdown). */
  closeAll(): Promise<void>;
}

/** Counters for GET /metrics (src/server/metrics.ts). */
export interface HubStats {
  readonly held: number;
  readonly heldPing: number;
  readonly heldSync: number;
  /** Folder-change events published by watchers. */
  readonly events: number;
  /** Held requests woken with changes. */
  readonly wakeups: number;
  /** Seconds from a watcher's event to the wake-up it caused, over the last `LATENCY_WINDOW` wake-ups: p50, p99, max. */
  readonly wakeLatency: { readonly p50: number; readonly p99: number; readonly max: number; readonly count: number };
  /** Held requests answered, by reason. */
  readonly answered: Readonly<Record<HoldEndReason, number>>;
}

export interface ChangeHubOptions {
  readonly driver?: WatchDriver;
  readonly log?: Logger;
  /** Upper bound on waiting for a new watcher before the first changes check. */
  readonly watcherReadyTimeoutMs?: number;
}

interface Entry {
  readonly req: HoldRequest;
  /** Deduplicated; an array, not a Set: a Ping watches a handful of folders and 10,000s are held at once. */
  readonly keys: readonly string[];
  readonly resolve: (r: HoldResult) => void;
  timer: NodeJS.Timeout | undefined;
  onAbort: (() => void) | undefined;
  /** Keys with events not yet checked; null when no check is due. */
  pending: Set<string> | null;
  /** When the first watcher event of the pending check arrived (ms, monotonic); undefined for the initial check. */
  eventAt: number | undefined;
  checking: boolean;
  done: boolean;
}

interface MailboxState {
  readonly entries: Set<Entry>;
  readonly keyCounts: Map<string, number>;
  session: UserSession;
}

/** See the module comment. One per server; `shutdown()` answers everything held. */
export class ChangeHub {
  readonly #mailboxes = new Map<string, MailboxState>();
  readonly #byDevice = new Map<string, Entry>();
  readonly #driver: WatchDriver | undefined;
  readonly #log: Logger | undefined;
  readonly #readyTimeoutMs: number;
  #closed = false;
  #events = 0;
  readonly #latency = new Float64Array(LATENCY_WINDOW);
  #latencyCount = 0;
  #wakeups = 0;
  #heldPing = 0;
  #heldSync = 0;
  readonly #answered: Record<HoldEndReason, number> = { changed: 0, timeout: 0, superseded: 0, aborted: 0, shutdown: 0 };

  constructor(opts: ChangeHubOptions = {}) {
    this.#driver = opts.driver;
    this.#log = opts.log;
    this.#readyTimeoutMs = opts.watcherReadyTimeoutMs ?? 10_000;
  }

  /**
   * Holds `req` until the first of: changes on one of its keys (per
   * `hasChanges`), the heartbeat, `signal` aborting, a newer hold of the same
   * (mailbox, deviceId), or `shutdown()`. A newer hold ends the older one at
   * once with `superseded` (MS-ASCMD 2.2.1.13: a new Ping replaces the old).
   * Never rejects.
   */
  hold(req: HoldRequest): Promise<HoldResult> {
    if (this.#closed) return Promise.resolve({ reason: 'shutdown' });
    if (req.signal?.aborted) return Promise.resolve({ reason: 'aborted' });
    const devKey = deviceKey(req.mailbox, req.deviceId);
    const older = this.#byDevice.get(devKey);
    if (older) this.#finish(older, { reason: 'superseded' });

    return new Promise<HoldResult>((resolve) => {
      const entry: Entry = { req, keys: req.keys.length > 1 ? [...new Set(req.keys)] : req.keys, resolve, timer: undefined, onAbort: undefined, pending: null, eventAt: undefined, checking: false, done: false };
      entry.timer = setTimeout(() => this.#finish(entry, { reason: 'timeout' }), Math.max(0, req.heartbeatMs));
      if (req.signal) {
        entry.onAbort = () => this.#finish(entry, { reason: 'aborted' });
        req.signal.addEventListener('abort', entry.onAbort, { once: true });
      }
      this.#byDevice.set(devKey, entry);
      let mb = this.#mailboxes.get(req.mailbox);
      if (!mb) {
        mb = { entries: new Set(), keyCounts: new Map(), session: req.session };
        this.#mailboxes.set(req.mailbox, mb);
      }
      mb.session = req.session;
      mb.entries.add(entry);
      let keysChanged = false;
      for (const k of entry.keys) {
        const n = mb.keyCounts.get(k) ?? 0;
        mb.keyCounts.set(k, n + 1);
        if (n === 0) keysChanged = true;
      }
      if (req.kind === 'sync') this.#heldSync++;
      else this.#heldPing++;
      this.#log?.debug({ event: 'ping.hold', mailbox: req.mailbox, device: req.deviceId, kind: req.kind ?? 'ping', folders: entry.keys.length, heartbeatMs: req.heartbeatMs });

      const ready = keysChanged || mb.entries.size === 1 ? this.#updateDriver(req.mailbox, mb) : Promise.resolve();
      // The first check runs only once the watcher is up, so that a change
      // landing between the check and the watcher's start cannot be missed.
      void withTimeout(ready, this.#readyTimeoutMs).then(() => {
        if (entry.done) return;
        if (req.hasChanges) this.#trigger(entry, entry.keys);
      });
    });
  }

  /**
   * A watcher saw `key` of `mailbox` change. Every held request of every
   * device of that mailbox that watches `key` checks for changes
   * (ARCHITECTURE "Watching").
   */
  publish(mailbox: string, key: string): void {
    this.#events++;
    this.#log?.debug({ event: 'push.folder-changed', mailbox, folder: key });
    const mb = this.#mailboxes.get(mailbox);
    if (!mb || !mb.keyCounts.has(key)) return;
    const one = [key];
    for (const entry of mb.entries) {
      if (!entry.keys.includes(key)) continue;
      entry.eventAt ??= performance.now();
      this.#trigger(entry, one);
    }
  }

  /** Answers every held request with `shutdown` and stops the watchers; later holds answer `shutdown` at once. */
  async shutdown(): Promise<void> {
    this.#closed = true;
    for (const entry of [...this.#byDevice.values()]) this.#finish(entry, { reason: 'shutdown' });
    await this.#driver?.closeAll();
  }

  /** Whether `deviceId` of `mailbox` has a request held now. */
  isHeld(mailbox: string, deviceId: string): boolean {
    return this.#byDevice.has(deviceKey(mailbox, deviceId));
  }

  /** Keys of `mailbox` watched by at least one held request. */
  watchedKeys(mailbox: string): string[] {
    return [...(this.#mailboxes.get(mailbox)?.keyCounts.keys() ?? [])];
  }

  stats(): HubStats {
    return {
      held: this.#byDevice.size,
      heldPing: this.#heldPing,
      heldSync: this.#heldSync,
      events: this.#events,
      wakeups: this.#wakeups,
      wakeLatency: this.#latencySummary(),
      answered: { ...this.#answered },
    };
  }

  #latencySummary(): HubStats['wakeLatency'] {
    const n = Math.min(this.#latencyCount, LATENCY_WINDOW);
    if (n === 0) return { p50: 0, p99: 0, max: 0, count: 0 };
    const v = this.#latency.slice(0, n).sort();
    const at = (p: number): number => v[Math.min(n - 1, Math.ceil(p * n) - 1)]!;
    return { p50: at(0.5), p99: at(0.99), max: v[n - 1]!, count: this.#latencyCount };
  }

  #trigger(entry: Entry, keys: Iterable<string>): void {
    if (entry.done) return;
    if (!entry.req.hasChanges) {
      this.#wake(entry, [...keys]);
      return;
    }
    entry.pending ??= new Set();
    for (const k of keys) entry.pending.add(k);
    if (!entry.checking) void this.#check(entry);
  }

  /** Runs `hasChanges` for the pending keys, again while events keep arriving during a check. */
  async #check(entry: Entry): Promise<void> {
    entry.checking = true;
    try {
      while (entry.pending && !entry.done) {
        const keys = [...entry.pending];
        entry.pending = null;
        let changed: readonly string[];
        try {
          changed = await entry.req.hasChanges!(keys);
        } catch (err) {
          this.#log?.warn({ event: 'ping.check-failed', mailbox: entry.req.mailbox, device: entry.req.deviceId, err });
          changed = keys;
        }
        if (entry.done) return;
        if (changed.length > 0) {
          this.#wake(entry, changed);
          return;
        }
        // Nothing for this device (its own change, or a false alarm): the next event starts a new measurement.
        entry.eventAt = undefined;
      }
    } finally {
      entry.checking = false;
    }
  }

  #wake(entry: Entry, changed: readonly string[]): void {
    if (entry.done) return;
    this.#wakeups++;
    if (entry.eventAt !== undefined) this.#latency[this.#latencyCount++ % LATENCY_WINDOW] = (performance.now() - entry.eventAt) / 1000;
    this.#log?.debug({ event: 'ping.wake', mailbox: entry.req.mailbox, device: entry.req.deviceId, kind: entry.req.kind ?? 'ping', changed });
    this.#finish(entry, { reason: 'changed', changed: [...new Set(changed)] });
  }

  #finish(entry: Entry, result: HoldResult): void {
    if (entry.done) return;
    entry.done = true;
    entry.pending = null;
    clearTimeout(entry.timer);
    if (entry.onAbort) entry.req.signal?.removeEventListener('abort', entry.onAbort);
    const devKey = deviceKey(entry.req.mailbox, entry.req.deviceId);
    if (this.#byDevice.get(devKey) === entry) this.#byDevice.delete(devKey);
    if (entry.req.kind === 'sync') this.#heldSync--;
    else this.#heldPing--;
    this.#answered[result.reason]++;

    const mb = this.#mailboxes.get(entry.req.mailbox);
    if (mb?.entries.delete(entry)) {
      let keysChanged = false;
      for (const k of entry.keys) {
        const n = (mb.keyCounts.get(k) ?? 1) - 1;
        if (n <= 0) {
          mb.keyCounts.delete(k);
          keysChanged = true;
        } else mb.keyCounts.set(k, n);
      }
      if (mb.entries.size === 0) this.#mailboxes.delete(entry.req.mailbox);
      // On shutdown the driver closes everything itself.
      if (keysChanged && !this.#closed) void this.#updateDriver(entry.req.mailbox, mb);
    }
    entry.resolve(result);
  }

  async #updateDriver(mailbox: string, mb: MailboxState): Promise<void> {
    if (!this.#driver) return;
    try {
      await this.#driver.update(mailbox, mb.session, [...mb.keyCounts.keys()]);
    } catch (err) {
      // Held requests stay held: the heartbeat still answers them.
      this.#log?.warn({ event: 'watcher.update-failed', mailbox, err });
    }
  }
}

/** How many recent wake-ups the latency summary covers. */
const LATENCY_WINDOW = 4096;

function deviceKey(mailbox: string, deviceId: string): string {
  return `${mailbox}\u0000${deviceId}`;
}

function withTimeout(p: Promise<void>, ms: number): Promise<void> {
  let t: NodeJS.Timeout | undefined;
  return Promise.race([p, new Promise<void>((r) => (t = setTimeout(r, ms)))]).finally(() => clearTimeout(t));
}
