import pino, { type Logger } from 'pino';
import { ImapAuthenticator } from '../../backends/imap/authenticator.ts';
import { ImapMailStore } from '../../backends/imap/index.ts';
import type { Authenticator } from '../../backends/types.ts';
import { AuthService } from '../auth/service.ts';
import { imapFolderProvider, type FolderProvider } from '../commands/folder-hierarchy.ts';
import type { Config } from '../config.ts';
import { createRepositories, openDatabase, type CoreRepositories, type Db } from '../state/index.ts';
import type { PushConfig } from '../push/config.ts';
import { createPush, type Push } from '../push/service.ts';
import { SyncEngine } from '../sync/engine.ts';
import { WorkerItemBuilder } from '../sync/item-workers.ts';
import { pendingChangesFn } from '../sync/push-bridge.ts';

/**
 * Everything a request may use, built once at start and passed down
 * explicitly (no module singletons, STYLE habit 8). Other parts add their
 * fields here (sync engine, mail submitter, push hub) and register what they
 * must close with `onClose`.
 */
export interface Services {
  readonly config: Config;
  readonly log: Logger;
  readonly db: Db;
  readonly repos: CoreRepositories;
  /** IMAP folders (and, via the sync engine's additions, messages). */
  readonly mail: ImapMailStore;
  readonly auth: AuthService;
  /** Sources of the folder hierarchy (IMAP now; CalDAV/CardDAV providers are appended here). */
  readonly folderProviders: readonly FolderProvider[];
  /** Ping and hanging Sync: the change hub, watchers, stored Ping parameters (src/push). */
  readonly push: Push;
  /** The mail Sync engine (src/sync): sync keys, windows, change detection, item ids. */
  readonly sync: SyncEngine;
  /** The engine's "has changes for this device" check, for Ping (src/commands/ping.ts). */
  readonly pendingChanges?: ReturnType<typeof pendingChangesFn>;
  /** Aborted when the server shuts down: held requests end early. */
  readonly shutdown: AbortSignal;
  /** Aborts `shutdown` so that held requests answer now; called before HTTP stops. */
  beginShutdown(): void;
  /** Registers work to run at shutdown, after HTTP has stopped (last registered runs first). */
  onClose(fn: () => void | Promise<void>): void;
  /** Aborts `shutdown`, runs the closers, closes pools and the database. Idempotent. */
  close(): Promise<void>;
}

/** Parts a caller (tests, demo) may supply instead of the defaults built from config. */
export interface ServiceOverrides {
  readonly log?: Logger;
  readonly db?: Db;
  readonly mail?: ImapMailStore;
  readonly authenticator?: Authenticator;
  /** Push settings beyond config.ping (STATUS poll interval, watcher linger; tests shorten them). */
  readonly push?: Partial<PushConfig>;
}

/** Opens the database (running migrations), the IMAP pool and the authenticator described by `config`. */
export function createServices(config: Config, overrides: ServiceOverrides = {}): Services {
  const log = overrides.log ?? createLogger(config);
  const db = overrides.db ?? openDatabase(config.db);
  const mail =
    overrides.mail ??
    new ImapMailStore({
      endpoint: config.imap,
      maxPerUser: config.imapPool.maxPerUser,
      maxTotal: config.imapPool.maxTotal,
      idleTimeoutMs: config.imapPool.idleTimeoutMs,
      log: log.child({ component: 'imap' }),
    });
  const auth = new AuthService(overrides.authenticator ?? new ImapAuthenticator(config.imap), config.auth);
  const push = createPush({
    db,
    imap: config.imap,
    davUrls: [config.caldavUrl, config.carddavUrl].filter((u): u is string => !!u),
    log: log.child({ component: 'push' }),
    config: { minHeartbeatSec: config.ping.minHeartbeatSeconds, maxHeartbeatSec: config.ping.maxHeartbeatSeconds, maxFolders: config.ping.maxFolders, ...overrides.push },
  });
  const repos = createRepositories(db);
  const syncLog = log.child({ component: 'sync' });
  const builder =
    config.syncWorkers.threads > 0
      ? new WorkerItemBuilder({
          threads: config.syncWorkers.threads,
          endpoint: config.imap,
          maxPerUser: config.syncWorkers.imapPerUser,
          // The worker pools together hold at most half of EAS_IMAP_MAX_TOTAL on top of the main pool.
          maxTotal: Math.max(config.syncWorkers.imapPerUser, Math.ceil(config.imapPool.maxTotal / (2 * config.syncWorkers.threads))),
          // Worker connections serve bursts (initial syncs): let them go sooner than the main pool's.
          idleTimeoutMs: Math.min(config.imapPool.idleTimeoutMs, 30_000),
          log: syncLog,
        })
      : undefined;
  const sync = new SyncEngine({ db, store: mail, ...(builder ? { builder } : {}), log: syncLog, folders: repos.folders });
  const abort = new AbortController();
  const closers: Array<() => void | Promise<void>> = [];
  let closing: Promise<void> | undefined;
  return {
    config,
    log,
    db,
    repos,
    mail,
    auth,
    folderProviders: [imapFolderProvider(mail)],
    push,
    sync,
    pendingChanges: pendingChangesFn(sync),
    shutdown: abort.signal,
    beginShutdown() {
      abort.abort();
      // Answers every held Ping / hanging Sync so that phones reconnect elsewhere.
      void push.shutdown();
    },
    onClose(fn) {
      closers.push(fn);
    },
    close() {
      closing ??= (async () => {
        abort.abort();
        for (const fn of closers.reverse()) {
          try {
            await fn();
          } catch (err) {
            log.warn({ event: 'server.close-error', err }, 'error while closing');
          }
        }
        await push.shutdown();
        await Promise.all([mail.close(), builder?.close()]);
        if (!overrides.db) db.close();
      })();
      return closing;
    },
  };
}

/**
 * The process logger: JSON lines, credentials redacted wherever they appear
 * in logged objects (STYLE habit 9).
 */
export function createLogger(config: Pick<Config, 'logLevel'>): Logger {
  return pino({
    level: config.logLevel,
    redact: {
      paths: ['req.headers.authorization', 'headers.authorization', 'password', '*.password', 'auth.pass'],
      censor: '[redacted]',
    },
  });
}
