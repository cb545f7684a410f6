import type { Logger } from 'pino';
import type { MailWatcher, UserSession } from '../../backends/types.ts';
import type { WatchDriver } from './hub.ts';

/** Prefix of hub keys that name a DAV collection rather than an IMAP folder path. */
export const DAV_KEY_PREFIX = 'dav:';

/** A watcher handle as `MailWatcher.watch` returns it. */
export interface WatchHandle {
  setPaths(paths: readonly string[]): void;
  close(): Promise<void>;
}

/** Anything that watches keys of one mailbox: `MailWatcher` for IMAP, `DavPollWatcher` for DAV collections. */
export type KeyWatcher = MailWatcher;

export interface WatcherManagerOptions {
  /** IMAP folders: keys without the `dav:` prefix, passed through as paths. */
  readonly mail: KeyWatcher;
  /** DAV collections: keys with the `dav:` prefix, passed without it. Absent: DAV keys are not watched. */
  readonly dav?: KeyWatcher;
  /** Where changes go: the hub's `publish`. */
  readonly publish: (mailbox: string, key: string) => void;
  /** Keep a mailbox's watchers this long after its last held request (ms). */
  readonly lingerMs: number;
  readonly log?: Logger;
}

interface Slot {
  handle: Promise<WatchHandle | undefined> | undefined;
  paths: readonly string[];
}

interface MailboxWatch {
  mail: Slot;
  dav: Slot;
  linger: NodeJS.Timeout | undefined;
}

/**
 * Starts one watcher per mailbox (per backend) when the first request of that
 * mailbox is held, changes its folders as requests come and go, and stops it
 * `lingerMs` after the last one ended (ARCHITECTURE "Watching"). Implements
 * the hub's `WatchDriver`.
 */
export class WatcherManager implements WatchDriver {
  readonly #opts: WatcherManagerOptions;
  readonly #watches = new Map<string, MailboxWatch>();

  constructor(opts: WatcherManagerOptions) {
    this.#opts = opts;
  }

  /** Number of mailboxes with a watcher (connected, connecting or lingering). */
  get size(): number {
    return this.#watches.size;
  }

  async update(mailbox: string, session: UserSession, keys: readonly string[]): Promise<void> {
    let w = this.#watches.get(mailbox);
    if (keys.length === 0) {
      if (w && !w.linger) {
        w.linger = setTimeout(() => void this.#stop(mailbox), this.#opts.lingerMs);
        w.linger.unref?.();
      }
      return;
    }
    if (!w) {
      w = { mail: { handle: undefined, paths: [] }, dav: { handle: undefined, paths: [] }, linger: undefined };
      this.#watches.set(mailbox, w);
    }
    if (w.linger) {
      clearTimeout(w.linger);
      w.linger = undefined;
    }
    const mailPaths = keys.filter((k) => !k.startsWith(DAV_KEY_PREFIX));
    const davPaths = keys.filter((k) => k.startsWith(DAV_KEY_PREFIX)).map((k) => k.slice(DAV_KEY_PREFIX.length));
    await Promise.all([
      this.#apply(mailbox, session, w.mail, this.#opts.mail, mailPaths, ''),
      this.#opts.dav ? this.#apply(mailbox, session, w.dav, this.#opts.dav, davPaths, DAV_KEY_PREFIX) : undefined,
    ]);
  }

  async closeAll(): Promise<void> {
    await Promise.all([...this.#watches.keys()].map((m) => this.#stop(m)));
  }

  async #apply(mailbox: string, session: UserSession, slot: Slot, watcher: KeyWatcher, paths: readonly string[], prefix: string): Promise<void> {
    // Paths only ever grow while requests are held; shrinking waits for the
    // linger so that a Ping cycle does not re-STATUS its folders each time.
    const merged = [...new Set([...slot.paths, ...paths])];
    const grew = merged.length !== slot.paths.length;
    slot.paths = merged;
    if (!slot.handle) {
      if (merged.length === 0) return;
      this.#opts.log?.info({ event: 'watcher.start', mailbox, kind: prefix ? 'dav' : 'imap', folders: merged.length });
      const publish = this.#opts.publish;
      slot.handle = watcher
        .watch(session, merged, (path) => publish(mailbox, prefix + path))
        .catch((err: unknown) => {
          this.#opts.log?.warn({ event: 'watcher.start-failed', mailbox, err });
          slot.handle = undefined;
          return undefined;
        });
      await slot.handle;
      return;
    }
    if (grew) (await slot.handle)?.setPaths(merged);
    else await slot.handle;
  }

  async #stop(mailbox: string): Promise<void> {
    const w = this.#watches.get(mailbox);
    if (!w) return;
    this.#watches.delete(mailbox);
    clearTimeout(w.linger);
    this.#opts.log?.info({ event: 'watcher.stop', mailbox });
    await Promise.all(
      [w.mail, w.dav].map(async (slot) => {
        const h = await slot.handle;
        await h?.close().catch(() => undefined);
      }),
    );
  }
}
