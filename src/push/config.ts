/**
 * Push settings (ARCHITECTURE "Push", "Watching"; MS-ASCMD 2.2.1.13 Ping).
 * One typed object with its defaults here (STYLE habit 8); the server config
 * carries a `push` part that is merged over these and frozen at start.
 */
export interface PushConfig {
  /**
   * Shortest HeartbeatInterval a Ping or hanging Sync may ask for, in seconds.
   * Exchange's default minimum is 60 s (MS-ASCMD 2.2.3.84.1); shorter ones
   * would only turn push into polling. Tests lower it to see Status 1 quickly.
   */
  readonly minHeartbeatSec: number;
  /**
   * Longest HeartbeatInterval, in seconds. 3540 s (59 min) is the MS-ASCMD
   * limit (2.2.3.84.1) and stays under the idle timeouts of most proxies only
   * when operators raise those; devices adapt when answered with Status 5.
   */
  readonly maxHeartbeatSec: number;
  /** Most folders one Ping may watch; more gets Status 6 with this value (MS-ASCMD 2.2.3.100). */
  readonly maxFolders: number;
  /**
   * How often the watcher polls the STATUS of watched folders other than the
   * one it IDLEs on, in milliseconds. IDLE watches one folder per connection;
   * the others cost one STATUS each per interval.
   */
  readonly statusPollMs: number;
  /** How often each watched CalDAV / CardDAV collection's sync token (or ctag) is read, in milliseconds. */
  readonly davPollMs: number;
  /**
   * How long a mailbox's watcher stays connected after its last held request
   * ended, in milliseconds. Phones re-Ping within a second of an answer, so a
   * linger avoids a LOGIN + SELECT per Ping cycle.
   */
  readonly watcherLingerMs: number;
  /** How long a new hold waits for its watcher to be connected before it checks for changes anyway. */
  readonly watcherReadyTimeoutMs: number;
  /** Reconnect backoff of a dropped watcher connection: first delay, doubled up to `reconnectMaxMs`. */
  readonly reconnectMinMs: number;
  readonly reconnectMaxMs: number;
}

/** Defaults: Exchange's heartbeat bounds, 200 folders, 30 s STATUS and DAV polling, 60 s linger. */
export const DEFAULT_PUSH_CONFIG: Readonly<PushConfig> = Object.freeze({
  minHeartbeatSec: 60,
  maxHeartbeatSec: 3540,
  maxFolders: 200,
  statusPollMs: 30_000,
  davPollMs: 30_000,
  watcherLingerMs: 60_000,
  watcherReadyTimeoutMs: 10_000,
  reconnectMinMs: 500,
  reconnectMaxMs: 30_000,
});

/**
 * Merges `overrides` over the defaults, rejects unknown keys and impossible
 * values, and freezes the result (STYLE habit 8).
 */
export function resolvePushConfig(overrides: Partial<PushConfig> = {}): Readonly<PushConfig> {
  for (const k of Object.keys(overrides)) {
    if (!(k in DEFAULT_PUSH_CONFIG)) throw new Error(`push config: unknown key "${k}"`);
  }
  const c: PushConfig = { ...DEFAULT_PUSH_CONFIG, ...overrides };
  for (const [k, v] of Object.entries(c)) {
    if (typeof v !== 'number' || !Number.isFinite(v) || v < 0) throw new Error(`push config: ${k} must be a non-negative number`);
  }
  if (c.minHeartbeatSec > c.maxHeartbeatSec) throw new Error('push config: minHeartbeatSec > maxHeartbeatSec');
  if (c.maxFolders < 1) throw new Error('push config: maxFolders must be at least 1');
  if (c.reconnectMinMs > c.reconnectMaxMs) throw new Error('push config: reconnectMinMs > reconnectMaxMs');
  return Object.freeze(c);
}
