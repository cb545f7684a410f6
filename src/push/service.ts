import type { Logger } from 'pino';
import type { ImapEndpoint } from '../../backends/imap/pool.ts';
import { ImapMailWatcher, type ImapWatcherEvent } from '../../backends/imap/watcher.ts';
import type { MailWatcher } from '../../backends/types.ts';
import { davCollectionToken } from '../../backends/dav/collection-token.ts';
import { DavPollWatcher } from '../../backends/dav/poll-watcher.ts';
import type { Db } from '../state/db.ts';
import type { MetricFamily } from '../server/metrics.ts';
import { resolvePushConfig, type PushConfig } from './config.ts';
import { ChangeHub } from './hub.ts';
import { PingParamsRepository } from './ping-store.ts';
import { WatcherManager } from './watcher-manager.ts';

/**
 * Everything push needs at run time, built once per server: the hub, the
 * watchers behind it, the stored Ping parameters and the settings. The Ping
 * handler (src/commands/ping.ts) and the hanging Sync take it from
 * `services.push`.
 */
export interface Push {
  readonly config: Readonly<PushConfig>;
  readonly hub: ChangeHub;
  readonly pingParams: PingParamsRepository;
  /** Mailboxes with a watcher (connected, reconnecting or lingering). */
  watchers(): number;
  /** Watcher connection events so far, by kind. */
  watcherEvents(): Readonly<Record<ImapWatcherEvent, number>>;
  /** The families GET /metrics shows for push. */
  metricFamilies(): MetricFamily[];
  /** Answers every held request (phones reconnect) and closes the watchers. */
  shutdown(): Promise<void>;
}

export interface CreatePushOptions {
  readonly db: Db;
  readonly imap: ImapEndpoint;
  readonly config?: Partial<PushConfig>;
  readonly log?: Logger;
  /** CalDAV / CardDAV base URLs: collections (keys `dav:<href>`) are then watched by polling their sync token or ctag. */
  readonly davUrls?: readonly string[];
  /** Replaces the DAV watcher (tests). */
  readonly davWatcher?: MailWatcher;
  /** Replaces the IMAP watcher (tests). */
  readonly mailWatcher?: MailWatcher;
}

/** Builds the push layer (ARCHITECTURE "Push", "Watching"). */
export function createPush(opts: CreatePushOptions): Push {
  const config = resolvePushConfig(opts.config);
  const log = opts.log;
  const events: Record<ImapWatcherEvent, number> = { connect: 0, reconnect: 0, disconnect: 0, change: 0 };
  const mail =
    opts.mailWatcher ??
    new ImapMailWatcher({
      endpoint: opts.imap,
      statusPollMs: config.statusPollMs,
      reconnectMinMs: config.reconnectMinMs,
      reconnectMaxMs: config.reconnectMaxMs,
      log,
      onEvent: (e) => events[e]++,
    });
  const dav =
    opts.davWatcher ??
    (opts.davUrls?.length
      ? new DavPollWatcher({
          token: davCollectionToken({ baseUrls: opts.davUrls }),
          intervalMs: config.davPollMs,
          onError: (href, err) => log?.debug({ event: 'watcher.dav-poll-failed', collection: href, err: (err as Error).message }),
        })
      : undefined);
  let hub!: ChangeHub;
  const manager = new WatcherManager({ mail, dav, publish: (m, k) => hub.publish(m, k), lingerMs: config.watcherLingerMs, log });
  hub = new ChangeHub({ driver: manager, log, watcherReadyTimeoutMs: config.watcherReadyTimeoutMs });
  const pingParams = new PingParamsRepository(opts.db);

  return {
    config,
    hub,
    pingParams,
    watchers: () => manager.size,
    watcherEvents: () => ({ ...events }),
    metricFamilies: () => [
      { name: 'eas_push_held_requests', help: 'Requests held now (Ping and hanging Sync).', type: 'gauge', collect: () => {
        const s = hub.stats();
        return [{ labels: { kind: 'ping' }, value: s.heldPing }, { labels: { kind: 'sync' }, value: s.heldSync }];
      } },
      { name: 'eas_push_watchers', help: 'Mailboxes with a backend watcher (connected, reconnecting or lingering).', type: 'gauge', collect: () => manager.size },
      { name: 'eas_push_folder_events_total', help: 'Folder-change events published by watchers.', type: 'counter', collect: () => hub.stats().events },
      { name: 'eas_push_wakeups_total', help: 'Held requests woken because a watched folder had changes.', type: 'counter', collect: () => hub.stats().wakeups },
      { name: 'eas_push_wake_latency_seconds', help: 'Watcher event to wake-up of a held request, recent wake-ups (the changes check included).', type: 'gauge', collect: () => {
        const l = hub.stats().wakeLatency;
        return [{ labels: { quantile: '0.5' }, value: l.p50 }, { labels: { quantile: '0.99' }, value: l.p99 }, { labels: { quantile: '1' }, value: l.max }];
      } },
      { name: 'eas_push_answered_total', help: 'Held requests answered, by reason.', type: 'counter', collect: () =>
        Object.entries(hub.stats().answered).map(([reason, value]) => ({ labels: { reason }, value })) },
      { name: 'eas_push_watcher_events_total', help: 'IMAP watcher connection events.', type: 'counter', collect: () =>
        (['connect', 'reconnect', 'disconnect'] as const).map((event) => ({ labels: { event }, value: events[event] })) },
    ],
    shutdown: () => hub.shutdown(),
  };
}
