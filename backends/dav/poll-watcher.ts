import type { MailWatcher, UserSession } from '../types.ts';

/**
 * Returns the current change token of one DAV collection: its sync token
 * (RFC 6578 DAV:sync-token) where the server has one, its ctag otherwise.
 * Any change of the string counts as a change of the collection.
 */
export type CollectionTokenFn = (session: UserSession, href: string) => Promise<string>;

export interface DavPollWatcherOptions {
  readonly token: CollectionTokenFn;
  /** How often each watched collection's token is read (ms). */
  readonly intervalMs: number;
  /** Cap of the backoff while the server fails (ms); the interval doubles up to it. */
  readonly maxBackoffMs?: number;
  readonly onError?: (href: string, err: unknown) => void;
}

/**
 * Watches CalDAV / CardDAV collections by polling a token
 * (ARCHITECTURE "Watching": DAV collections are polled by token). Same shape
 * as `MailWatcher` so that the push layer treats both alike; paths are
 * collection hrefs. One timer per mailbox, collections polled one after the
 * other; a failing server keeps the last token and backs off, so an outage
 * never reports a change by itself.
 */
export class DavPollWatcher implements MailWatcher {
  readonly #opts: DavPollWatcherOptions;

  constructor(opts: DavPollWatcherOptions) {
    this.#opts = opts;
  }

  /** Resolves once the first tokens are read (or failed to be read). */
  async watch(session: UserSession, paths: readonly string[], onChange: (path: string) => void): Promise<{ setPaths(paths: readonly string[]): void; close(): Promise<void> }> {
    const opts = this.#opts;
    const tokens = new Map<string, string>();
    let hrefs = [...new Set(paths)];
    let timer: NodeJS.Timeout | undefined;
    let closed = false;
    let delay = opts.intervalMs;

    const round = async (report: boolean): Promise<void> => {
      let failed = false;
      for (const href of hrefs) {
        if (closed) return;
        try {
          const t = await opts.token(session, href);
          const before = tokens.get(href);
          tokens.set(href, t);
          if (report && before !== undefined && before !== t && !closed) onChange(href);
        } catch (err) {
          failed = true;
          opts.onError?.(href, err);
        }
      }
      delay = failed ? Math.min(delay * 2, opts.maxBackoffMs ?? opts.intervalMs * 8) : opts.intervalMs;
    };
    const schedule = (): void => {
      if (closed) return;
      timer = setTimeout(() => void round(true).finally(schedule), delay);
    };

    await round(false);
    schedule();
    return {
      setPaths(p) {
        hrefs = [...new Set(p)];
        for (const h of [...tokens.keys()]) if (!hrefs.includes(h)) tokens.delete(h);
      },
      async close() {
        closed = true;
        clearTimeout(timer);
      },
    };
  }
}
