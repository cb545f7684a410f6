import { createHash } from 'node:crypto';
import { ImapFlow } from 'imapflow';
import type { Logger } from 'pino';
import { BackendError, isBackendError } from '../errors.ts';
import type { UserSession } from '../types.ts';

/** Where the IMAP server is (from EAS_IMAP_URL: imap:// = cleartext or STARTTLS, imaps:// = TLS). */
export interface ImapEndpoint {
  readonly host: string;
  readonly port: number;
  readonly secure: boolean;
  /** false accepts self-signed server certificates (test and demo stacks). Default true. */
  readonly verifyTls?: boolean;
}

/**
 * Limits of the pool. One mailbox is served by a few long-lived connections
 * shared by all its devices and requests (ARCHITECTURE "one IMAP connection
 * per active mailbox"), not one LOGIN per request.
 */
export interface ImapPoolOptions {
  readonly endpoint: ImapEndpoint;
  /** Connections one user may hold at once; more requests queue. */
  readonly maxPerUser?: number;
  /** Connections across all users; an idle one of another user is closed to make room. */
  readonly maxTotal?: number;
  /** An unused connection is logged out after this long. */
  readonly idleTimeoutMs?: number;
  /** How long a request waits for a free connection before BackendUnavailable. */
  readonly acquireTimeoutMs?: number;
  /** TCP connect + greeting timeout. */
  readonly connectTimeoutMs?: number;
  readonly log?: Logger;
}

const DEFAULTS = {
  maxPerUser: 3,
  maxTotal: 500,
  idleTimeoutMs: 120_000,
  acquireTimeoutMs: 30_000,
  connectTimeoutMs: 10_000,
};

interface Entry {
  readonly user: string;
  readonly cred: string;
  readonly client: ImapFlow;
  busy: boolean;
  /** Lent for something other than STATUS: it may have selected a folder (see `WithImapOptions.statusOnly`). */
  selects: boolean;
  idleTimer?: NodeJS.Timeout;
}

/** How a borrower will use the connection. */
export interface WithImapOptions {
  /**
   * The callback only sends STATUS (and LIST-like commands), never SELECT.
   * Such calls prefer a connection that has never selected a folder: Dovecot
   * answers STATUS from its mailbox list index in a session that has not
   * opened the folder, but re-reads the folder (for maildir, every file name
   * in it) in one that has, even after CLOSE: 0.4 ms against 5 ms for a
   * 10,000-message INBOX. Ping checks and no-change Syncs are STATUS only.
   */
  readonly statusOnly?: boolean;
  /**
   * The callback only reads (STATUS, SELECT, SEARCH, FETCH), so running it
   * twice is harmless. When the pooled connection turns out to be dead
   * (Dovecot closes every session that had a folder selected when that
   * folder is deleted, and the pool learns it only at the next command), the
   * call is run once more on a fresh connection instead of failing the
   * request with BackendUnavailable. Writes never retry: an APPEND whose
   * answer was lost may have happened.
   */
  readonly readOnly?: boolean;
}

const NETWORK_CODES = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'ETIMEDOUT',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'ENOTFOUND',
  'EAI_AGAIN',
  'EPIPE',
  'NoConnection',
  'ClosedAfterConnectTLS',
  'ClosedAfterConnectText',
  'CONNECT_TIMEOUT',
  'GREETING_TIMEOUT',
  'UPGRADE_TIMEOUT',
  'ETIMEOUT',
  'ProxyError',
]);

/**
 * Turns anything imapflow throws into a BackendError (backends/errors.ts):
 * refused LOGIN → AuthFailed, network trouble → BackendUnavailable, and the
 * RFC 5530 response codes of a tagged NO → their domain codes. Errors that
 * are not IMAP errors (programming faults) are returned unchanged so that the
 * server logs them as what they are.
 */
export function mapImapError(err: unknown): unknown {
  if (isBackendError(err) || !(err instanceof Error)) return err;
  const e = err as Error & {
    authenticationFailed?: boolean;
    code?: string;
    serverResponseCode?: string;
    responseStatus?: string;
    responseText?: string;
  };
  if (e.authenticationFailed) return new BackendError('AuthFailed', 'IMAP login refused', { cause: err });
  if (e.code && NETWORK_CODES.has(e.code)) {
    return new BackendError('BackendUnavailable', `IMAP server unreachable: ${e.code}`, { cause: err });
  }
  switch (e.serverResponseCode) {
    case 'ALREADYEXISTS':
      return new BackendError('AlreadyExists', 'IMAP: already exists', { cause: err });
    case 'NONEXISTENT':
      return new BackendError('NotFound', 'IMAP: no such mailbox', { cause: err });
    case 'NOPERM':
    case 'CANNOT':
      return new BackendError('Forbidden', `IMAP refused: ${e.serverResponseCode}`, { cause: err });
    case 'TOOBIG':
    case 'LIMIT':
    case 'OVERQUOTA':
    case 'APPENDLIMIT':
      return new BackendError('TooLarge', `IMAP refused: ${e.serverResponseCode}`, { cause: err });
    case 'UNAVAILABLE':
    case 'SERVERBUG':
    case 'INUSE':
      return new BackendError('BackendUnavailable', `IMAP: ${e.serverResponseCode}`, { cause: err });
  }
  if (e.responseStatus === 'NO' || e.responseStatus === 'BAD') {
    return new BackendError('Invalid', `IMAP ${e.responseStatus}: ${e.responseText ?? e.message}`, { cause: err });
  }
  if (e.responseStatus === 'BYE') return new BackendError('BackendUnavailable', 'IMAP server said BYE', { cause: err });
  return err;
}

/** The credentials a connection was opened with, as a hash, so a changed password never reuses it. */
function credentialKey(session: UserSession): string {
  return createHash('sha256').update(session.user).update('\0').update(session.password).digest('base64url');
}

/** A read on a pooled connection the server had closed; `mapped` is what the caller sees if the retry fails too. */
class DeadConnection extends Error {
  constructor(readonly mapped: unknown) {
    super('pooled IMAP connection closed by the server');
  }
}

/**
 * A pool of authenticated ImapFlow connections keyed by user. `withImap`
 * lends one connection to one callback at a time; a connection that dropped
 * is discarded and the next call opens a fresh one. All errors leave as
 * BackendError (AuthFailed, BackendUnavailable, ...).
 */
export class ImapPool {
  private readonly users = new Map<string, Entry[]>();
  private waiters: Array<() => void> = [];
  private total = 0;
  private closed = false;
  private readonly opts: Required<Omit<ImapPoolOptions, 'log'>> & { log?: Logger };

  constructor(options: ImapPoolOptions) {
    this.opts = { ...DEFAULTS, ...options };
  }

  /** Runs `fn` with a connection logged in as `session.user`; the connection goes back to the pool afterwards. */
  async withImap<T>(session: UserSession, fn: (client: ImapFlow) => Promise<T>, opts: WithImapOptions = {}): Promise<T> {
    if (!opts.readOnly) return this.withImapOnce(session, fn, opts);
    try {
      return await this.withImapOnce(session, fn, opts);
    } catch (err) {
      if (!(err instanceof DeadConnection)) throw err;
      this.opts.log?.info({ event: 'imap.retry-dead-connection', user: session.user }, 'pooled IMAP connection was closed by the server: read retried on a fresh one');
      return this.withImapOnce(session, fn, opts).catch((e: unknown) => {
        throw e instanceof DeadConnection ? e.mapped : e;
      });
    }
  }

  private async withImapOnce<T>(session: UserSession, fn: (client: ImapFlow) => Promise<T>, opts: WithImapOptions): Promise<T> {
    const entry = await this.acquire(session, opts.statusOnly === true);
    if (!opts.statusOnly) entry.selects = true;
    let broken = false;
    try {
      return await fn(entry.client);
    } catch (err) {
      broken = !entry.client.usable;
      const mapped = mapImapError(err);
      if (opts.readOnly && broken && isBackendError(mapped, 'BackendUnavailable')) throw new DeadConnection(mapped);
      throw mapped;
    } finally {
      this.release(entry, broken);
    }
  }

  /** Opens a fresh connection outside the pool (push watchers that IDLE for a long time); the caller logs it out. */
  async connectDedicated(session: UserSession): Promise<ImapFlow> {
    const client = this.newClient(session);
    try {
      await client.connect();
      return client;
    } catch (err) {
      client.close();
      throw mapImapError(err);
    }
  }

  /** Connection counts, for /healthz and tests. */
  stats(): { total: number; users: number; busy: number } {
    let busy = 0;
    for (const list of this.users.values()) busy += list.filter((e) => e.busy).length;
    return { total: this.total, users: this.users.size, busy };
  }

  /** Logs out every connection; later calls fail with BackendUnavailable. */
  async close(): Promise<void> {
    this.closed = true;
    const all = [...this.users.values()].flat();
    this.users.clear();
    this.total = 0;
    this.wake();
    await Promise.all(
      all.map(async (e) => {
        clearTimeout(e.idleTimer);
        try {
          await Promise.race([e.client.logout(), new Promise((r) => setTimeout(r, 2000).unref())]);
        } catch {
          // already gone
        }
        e.client.close();
      }),
    );
  }

  /**
   * A free connection of the user: for STATUS-only use one that never
   * selected, for other use one that may have; else a new one while under
   * the cap, else any free one. So a mailbox's first connection stays its
   * STATUS connection as long as the cap allows a second.
   */
  private async acquire(session: UserSession, statusOnly: boolean): Promise<Entry> {
    const cred = credentialKey(session);
    const deadline = Date.now() + this.opts.acquireTimeoutMs;
    for (;;) {
      if (this.closed) throw new BackendError('BackendUnavailable', 'IMAP pool is closed');
      const list = this.users.get(session.user) ?? [];
      for (const e of list.filter((x) => !x.busy && (x.cred !== cred || !x.client.usable))) this.discard(e);
      const free = (this.users.get(session.user) ?? []).filter((e) => !e.busy);
      const preferred = free.find((e) => e.selects !== statusOnly);
      const count = this.users.get(session.user)?.length ?? 0;
      const canOpen = count < this.opts.maxPerUser;
      const idle = preferred ?? (canOpen ? undefined : free[0]);
      if (idle) {
        idle.busy = true;
        clearTimeout(idle.idleTimer);
        return idle;
      }
      if (canOpen) {
        if (this.total >= this.opts.maxTotal) this.evictOneIdle();
        if (this.total < this.opts.maxTotal) return this.open(session, cred);
      }
      await this.waitForRelease(deadline);
    }
  }

  private async open(session: UserSession, cred: string): Promise<Entry> {
    const entry: Entry = { user: session.user, cred, client: this.newClient(session), busy: true, selects: false };
    const list = this.users.get(session.user) ?? [];
    list.push(entry);
    this.users.set(session.user, list);
    this.total++;
    entry.client.on('close', () => {
      if (!entry.busy) this.discard(entry);
    });
    try {
      await entry.client.connect();
      return entry;
    } catch (err) {
      this.discard(entry);
      throw mapImapError(err);
    }
  }

  private newClient(session: UserSession): ImapFlow {
    const { endpoint, connectTimeoutMs, log } = this.opts;
    const client = new ImapFlow({
      host: endpoint.host,
      port: endpoint.port,
      secure: endpoint.secure,
      auth: { user: session.user, pass: session.password },
      tls: { rejectUnauthorized: endpoint.verifyTls !== false },
      logger: false,
      connectionTimeout: connectTimeoutMs,
      greetingTimeout: connectTimeoutMs,
      // Pooled connections are used by one request at a time; IDLE in between
      // would cost two round trips per command for nothing.
      disableAutoIdle: true,
      // QRESYNC (RFC 7162): UID FETCH ... (CHANGEDSINCE m VANISHED) for sync change detection (backends/imap/changes.ts).
      qresync: true,
      clientInfo: { name: 'eas-server' },
    });
    // An 'error' event without a listener would crash the process.
    client.on('error', (err: Error) => log?.warn({ event: 'imap.connection-error', user: session.user, err: err.message }));
    return client;
  }

  private release(entry: Entry, broken: boolean): void {
    entry.busy = false;
    if (broken || !entry.client.usable || this.closed) {
      this.discard(entry);
      return;
    }
    entry.idleTimer = setTimeout(() => this.discard(entry), this.opts.idleTimeoutMs);
    entry.idleTimer.unref();
    this.wake();
  }

  private discard(entry: Entry): void {
    clearTimeout(entry.idleTimer);
    const list = this.users.get(entry.user);
    const i = list?.indexOf(entry) ?? -1;
    if (list && i >= 0) {
      list.splice(i, 1);
      this.total--;
      if (list.length === 0) this.users.delete(entry.user);
      if (entry.client.usable) entry.client.logout().catch(() => entry.client.close());
      else entry.client.close();
    }
    this.wake();
  }

  private evictOneIdle(): void {
    for (const list of this.users.values()) {
      const idle = list.find((e) => !e.busy);
      if (idle) {
        this.discard(idle);
        return;
      }
    }
  }

  private wake(): void {
    const w = this.waiters;
    this.waiters = [];
    for (const f of w) f();
  }

  private waitForRelease(deadline: number): Promise<void> {
    const left = deadline - Date.now();
    if (left <= 0) return Promise.reject(new BackendError('BackendUnavailable', 'no IMAP connection free in time'));
    return new Promise((resolve, reject) => {
      const t = setTimeout(() => {
        this.waiters = this.waiters.filter((f) => f !== done);
        reject(new BackendError('BackendUnavailable', 'no IMAP connection free in time'));
      }, left);
      const done = (): void => {
        clearTimeout(t);
        resolve();
      };
      this.waiters.push(done);
    });
  }
}
