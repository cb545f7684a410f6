import pino, { type Logger } from 'pino';
import { ImapAuthenticator } from '../../backends/imap/authenticator.ts';
import { ImapMailStore } from '../../backends/imap/index.ts';
import { DavClient } from '../../backends/dav/dav-client.ts';
import { ManageSieveVacationStore, type VacationStore } from '../../backends/sieve/index.ts';
import type { Authenticator, DavStore } from '../../backends/types.ts';
import { AuthService } from '../auth/service.ts';
import { davFolderProvider } from '../commands/dav-folders.ts';
import { imapFolderProvider, type FolderProvider } from '../commands/folder-hierarchy.ts';
import type { Config } from '../config.ts';
import { RequestStats } from './request-stats.ts';
import { createRepositories, openDatabase, type CoreRepositories, type Db } from '../state/index.ts';
import type { PushConfig } from '../push/config.ts';
import { createPush, type Push } from '../push/service.ts';
import { SyncEngine } from '../sync/engine.ts';
import type { OnDeviceWrite } from '../sync/dav/client-ops.ts';
import { sendInvitations } from '../sync/dav/invitations.ts';
import { extrasOf } from '../commands/compose/deps.ts';
import { mailboxAddress } from '../commands/settings.ts';
import type { FolderRow } from '../state/folders.ts';
import { ContactBookMerge } from '../sync/dav/book-merge.ts';
import { calendarClass, makeContactClass, taskClass } from '../sync/dav/classes.ts';
import { DavMembers } from '../sync/dav/members.ts';
import { DavSource } from '../sync/dav/source.ts';
import type { CollectionSource } from '../sync/collection-source.ts';
import { ImapNotesSource } from '../sync/notes/source.ts';
import { noteClass } from '../sync/dav/note-class.ts';
import { WorkerItemBuilder } from '../sync/item-workers.ts';
import { pendingChangesFn } from '../sync/push-bridge.ts';
import { createDirectoryServices, type DirectoryServices } from './directory-services.ts';

/**
 * Everything a request may use, built once at start and passed down
 * explicitly (no module singletons, STYLE habit 8). Other parts add their
 * fields here (sync engine, mail submitter, push hub) and register what they
 * must close with `onClose`.
 */
export interface Services extends DirectoryServices {
  readonly config: Config;
  readonly log: Logger;
  readonly db: Db;
  readonly repos: CoreRepositories;
  /** IMAP folders (and, via the sync engine's additions, messages). */
  readonly mail: ImapMailStore;
  readonly auth: AuthService;
  /** CalDAV / CardDAV (calendars, tasks, contacts), when EAS_CALDAV_URL or EAS_CARDDAV_URL is set. */
  readonly dav?: DavStore;
  /** Out of Office (Settings Oof) as a Sieve vacation, when EAS_MANAGESIEVE_URL is set. */
  readonly vacation?: VacationStore;
  /** The integer ids of DAV member hrefs (src/sync/dav/members.ts). */
  readonly davMembers: DavMembers;
  /** Which devices get every address book in their default Contacts folder (src/sync/dav/book-merge.ts). */
  readonly contactBooks: ContactBookMerge;
  /** Sources of the folder hierarchy: IMAP, then CalDAV and CardDAV where configured. */
  readonly folderProviders: readonly FolderProvider[];
  /** Ping and hanging Sync: the change hub, watchers, stored Ping parameters (src/push). */
  readonly push: Push;
  /** Counters of answered requests (request-log.ts feeds them; /metrics and eas-admin top read them). */
  readonly requests: RequestStats;
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
  readonly dav?: DavStore;
  /** Out of Office store instead of the ManageSieve one of config (tests). */
  readonly vacation?: VacationStore;
  /** Push settings beyond config.ping (STATUS poll interval, watcher linger; tests shorten them). */
  readonly push?: Partial<PushConfig>;
  /** Directory, contacts and free/busy sources instead of those built from config (tests). */
  readonly directory?: DirectoryServices;
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
    config: { minHeartbeatSec: config.ping.minHeartbeatSeconds, maxHeartbeatSec: config.ping.maxHeartbeatSeconds, maxFolders: config.ping.maxFolders, davPollMs: config.ping.davPollSeconds * 1000, ...overrides.push },
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
  const dav =
    overrides.dav ??
    (config.caldavUrl || config.carddavUrl
      ? new DavClient({ ...(config.caldavUrl ? { caldavUrl: config.caldavUrl } : {}), ...(config.carddavUrl ? { carddavUrl: config.carddavUrl } : {}), log: log.child({ component: 'dav' }) })
      : undefined);
  const vacation = overrides.vacation ?? (config.managesieve ? new ManageSieveVacationStore(config.managesieve) : undefined);
  const members = new DavMembers(db);
  const notesDav = config.notes.backend === 'caldav' && !!config.caldavUrl;
  const davClasses = [...(config.caldavUrl ? [calendarClass, taskClass] : []), ...(notesDav ? [noteClass] : []), ...(config.carddavUrl ? [makeContactClass({ maxPictureBytes: config.contactPictureMaxBytes })] : [])];
  // Meetings organised on the phone mail their attendees through the same SMTP submitter as SendMail.
  let self: Services | undefined;
  const invite: OnDeviceWrite = (run, w) =>
    sendInvitations({ submit: (session, m) => extrasOf(self!).submitter.submit(session, m), log: syncLog }, run.caller.session, mailboxAddress(run.caller.mailbox, repos.mailboxes.get(run.caller.mailbox)?.email ?? null), w);
  const contactBooks = new ContactBookMerge(config.contactsMergeDeviceTypes, repos.devices, repos.folders);
  const booksOf = (caller: { mailbox: string; deviceId: string }, f: FolderRow) => contactBooks.booksOf(caller.mailbox, caller.deviceId, f);
  const sources: CollectionSource[] = dav ? davClasses.map((c) => new DavSource(dav, c, members, c === calendarClass ? invite : undefined, c.kind === 'carddav' ? booksOf : undefined)) : [];
  // Notes (MS-ASNOTE) in an IMAP folder, Apple Notes style (src/sync/notes).
  const notesImap = config.notes.backend === 'imap';
  if (notesImap) sources.push(new ImapNotesSource(mail));
  const folderProviders: FolderProvider[] = [
    imapFolderProvider(mail, notesImap ? { path: config.notes.folder, create: config.notes.createFolder } : undefined, log.child({ component: 'folders' })),
  ];
  const createDefaults = { createDefaults: config.davCreateDefaults };
  if (dav && config.caldavUrl) folderProviders.push(davFolderProvider(dav, 'caldav', repos.folders, { ...createDefaults, notes: notesDav }));
  if (dav && config.carddavUrl) folderProviders.push(davFolderProvider(dav, 'carddav', repos.folders, { ...createDefaults, ...(config.carddavDefaultBook ? { defaultBook: config.carddavDefaultBook } : {}) }));
  const sync = new SyncEngine({ db, store: mail, ...(builder ? { builder } : {}), sources, log: syncLog, folders: repos.folders });
  const directory = overrides.directory ?? createDirectoryServices(config, dav, log);
  const abort = new AbortController();
  const closers: Array<() => void | Promise<void>> = [];
  let closing: Promise<void> | undefined;
  self = {
    config,
    log,
    db,
    repos,
    mail,
    auth,
    ...(dav ? { dav } : {}),
    ...(vacation ? { vacation } : {}),
    ...directory,
    davMembers: members,
    contactBooks,
    folderProviders,
    push,
    requests: new RequestStats(),
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
        await Promise.all([mail.close(), builder?.close(), directory.directory?.close?.()]);
        if (!overrides.db) db.close();
      })();
      return closing;
    },
  };
  return self;
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
