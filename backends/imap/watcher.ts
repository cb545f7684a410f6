import { ImapFlow } from 'imapflow';
import type { Logger } from 'pino';
import type { MailWatcher, UserSession } from '../types.ts';
import type { ImapEndpoint } from './pool.ts';

/** Events a watcher reports for metrics (counted by the push layer). */
export type ImapWatcherEvent = 'connect' | 'reconnect' | 'disconnect' | 'change';

export interface ImapWatcherOptions {
  readonly endpoint: ImapEndpoint;
  /** STATUS polling interval of watched folders other than the IDLE one (ms). */
  readonly statusPollMs: number;
  /** Reconnect backoff: first delay and cap (ms). */
  readonly reconnectMinMs: number;
  readonly reconnectMaxMs: number;
  /** TCP connect + greeting timeout (ms). */
  readonly connectTimeoutMs?: number;
  readonly log?: Logger;
  readonly onEvent?: (event: ImapWatcherEvent, user: string) => void;
}

interface Counters {
  readonly uidValidity?: bigint;
  readonly uidNext?: number;
  readonly messages?: number;
  readonly highestModseq?: bigint;
}

/**
 * `MailWatcher` over one dedicated IMAP connection per mailbox
 * (ARCHITECTURE "Watching"): IDLE (RFC 2177) on the INBOX, or on the first
 * watched folder when the INBOX is not watched, and STATUS polling of the
 * other folders comparing UIDVALIDITY, UIDNEXT, MESSAGES and HIGHESTMODSEQ
 * (RFC 7162), which moves on any new, expunged or re-flagged message.
 *
 * NOTIFY (RFC 5465) would cover every folder on the one connection, but
 * imapflow does not parse the untagged STATUS it produces, so we poll.
 *
 * A dropped connection (server restart, network) is reconnected with
 * exponential backoff; after a reconnect every watched folder is reported
 * changed once, since events may have been missed meanwhile: the push layer
 * then checks for real changes and drops the false alarms.
 */
export class ImapMailWatcher implements MailWatcher {
  readonly #opts: ImapWatcherOptions;

  constructor(opts: ImapWatcherOptions) {
    this.#opts = opts;
  }

  /** Resolves once the first connection attempt finished (connected or failed; it keeps retrying). */
  async watch(session: UserSession, paths: readonly string[], onChange: (path: string) => void): Promise<{ setPaths(paths: readonly string[]): void; close(): Promise<void> }> {
    const w = new MailboxWatch(this.#opts, session, paths, onChange);
    await w.start();
    return { setPaths: (p) => w.setPaths(p), close: () => w.close() };
  }
}

class MailboxWatch {
  #paths: string[];
  #client: ImapFlow | undefined;
  #idlePath: string | undefined;
  readonly #baseline = new Map<string, Counters>();
  #pollTimer: NodeJS.Timeout | undefined;
  #retryTimer: NodeJS.Timeout | undefined;
  #backoff: number;
  #closed = false;
  /** Set when a connection attempt failed or a connection dropped: events may have been missed since. */
  #missed = false;
  #polling = false;

  constructor(
    private readonly opts: ImapWatcherOptions,
    private readonly session: UserSession,
    paths: readonly string[],
    private readonly onChange: (path: string) => void,
  ) {
    this.#paths = [...new Set(paths)];
    this.#backoff = opts.reconnectMinMs;
  }

  async start(): Promise<void> {
    await this.#connect();
  }

  setPaths(paths: readonly string[]): void {
    const before = this.#idlePath;
    this.#paths = [...new Set(paths)];
    for (const p of [...this.#baseline.keys()]) if (!this.#paths.includes(p)) this.#baseline.delete(p);
    if (!this.#client?.usable) return;
    if (pickIdlePath(this.#paths) !== before) {
      // The INBOX joined (or the IDLE folder left): reconnecting is the
      // simplest way to move IDLE, and rare.
      this.#client.close();
      return;
    }
    void this.#takeBaselines();
  }

  async close(): Promise<void> {
    this.#closed = true;
    clearTimeout(this.#pollTimer);
    clearTimeout(this.#retryTimer);
    const c = this.#client;
    this.#client = undefined;
    if (!c) return;
    try {
      await Promise.race([c.logout(), new Promise((r) => setTimeout(r, 2000).unref())]);
    } catch {
      // gone already
    }
    c.close();
  }

  async #connect(): Promise<void> {
    if (this.#closed) return;
    const { endpoint, log } = this.opts;
    const user = this.session.user;
    const client = new ImapFlow({
      host: endpoint.host,
      port: endpoint.port,
      secure: endpoint.secure,
      auth: { user, pass: this.session.password },
      tls: { rejectUnauthorized: endpoint.verifyTls !== false },
      logger: false,
      connectionTimeout: this.opts.connectTimeoutMs ?? 10_000,
      greetingTimeout: this.opts.connectTimeoutMs ?? 10_000,
      // IDLE as soon as the connection is quiet: it is all this connection does.
      autoIdleDelay: 50,
      clientInfo: { name: 'eas-server-push' },
    });
    this.#client = client;
    client.on('error', (err: Error) => log?.debug({ event: 'watcher.connection-error', mailbox: user, err: err.message }));
    client.on('close', () => this.#onClose(client));
    const idleChanged = (): void => {
      if (this.#idlePath && this.#client === client) this.#emit(this.#idlePath);
    };
    client.on('exists', idleChanged);
    client.on('expunge', idleChanged);
    client.on('flags', idleChanged);
    client.on('highestModseq', idleChanged);
    try {
      await client.connect();
      const idlePath = pickIdlePath(this.#paths);
      if (idlePath) await client.mailboxOpen(idlePath, { readOnly: true });
      this.#idlePath = idlePath;
      await this.#takeBaselines();
      const reconnected = this.#missed;
      this.#missed = false;
      this.#backoff = this.opts.reconnectMinMs;
      this.opts.onEvent?.(reconnected ? 'reconnect' : 'connect', user);
      if (reconnected) {
        log?.info({ event: 'watcher.reconnect', mailbox: user });
        for (const p of this.#paths) this.#emit(p);
      }
      this.#schedulePoll();
    } catch (err) {
      log?.warn({ event: 'watcher.connect-failed', mailbox: user, err: (err as Error).message });
      client.close();
      // 'close' may not fire for a connection that never opened.
      this.#onClose(client);
    }
  }

  #onClose(client: ImapFlow): void {
    if (this.#client !== client) return;
    this.#client = undefined;
    clearTimeout(this.#pollTimer);
    if (this.#closed) return;
    this.#missed = true;
    this.opts.onEvent?.('disconnect', this.session.user);
    const delay = this.#backoff;
    this.#backoff = Math.min(this.#backoff * 2, this.opts.reconnectMaxMs);
    clearTimeout(this.#retryTimer);
    this.#retryTimer = setTimeout(() => void this.#connect(), delay);
  }

  #emit(path: string): void {
    if (this.#closed) return;
    this.opts.onEvent?.('change', this.session.user);
    this.onChange(path);
  }

  #schedulePoll(): void {
    clearTimeout(this.#pollTimer);
    if (this.#closed || this.#paths.every((p) => p === this.#idlePath)) return;
    this.#pollTimer = setTimeout(() => void this.#poll(), this.opts.statusPollMs);
  }

  /** Records the counters of polled folders that have none yet, without reporting them. */
  async #takeBaselines(): Promise<void> {
    const client = this.#client;
    for (const p of this.#paths) {
      if (p === this.#idlePath || this.#baseline.has(p) || !client?.usable) continue;
      const c = await statusOf(client, p);
      if (c) this.#baseline.set(p, c);
    }
  }

  async #poll(): Promise<void> {
    const client = this.#client;
    if (this.#polling || !client?.usable) return;
    this.#polling = true;
    try {
      for (const p of this.#paths) {
        if (p === this.#idlePath || this.#closed || this.#client !== client) continue;
        const now = await statusOf(client, p);
        if (!now) continue;
        const before = this.#baseline.get(p);
        this.#baseline.set(p, now);
        if (before && !sameCounters(before, now)) this.#emit(p);
      }
    } finally {
      this.#polling = false;
      if (this.#client === client) this.#schedulePoll();
    }
  }
}

/** IDLE where new mail lands; any watched folder otherwise. */
function pickIdlePath(paths: readonly string[]): string | undefined {
  return paths.find((p) => p.toUpperCase() === 'INBOX') ?? paths[0];
}

async function statusOf(client: ImapFlow, path: string): Promise<Counters | undefined> {
  try {
    const s = await client.status(path, { uidValidity: true, uidNext: true, messages: true, highestModseq: true });
    if (!s) return undefined;
    return { uidValidity: s.uidValidity, uidNext: s.uidNext, messages: s.messages, highestModseq: s.highestModseq };
  } catch {
    // A folder deleted meanwhile: the device learns it through FolderSync.
    return undefined;
  }
}

function sameCounters(a: Counters, b: Counters): boolean {
  return a.uidValidity === b.uidValidity && a.uidNext === b.uidNext && a.messages === b.messages && a.highestModseq === b.highestModseq;
}
