import { accessSync, constants, readFileSync } from 'node:fs';
import type { ImapEndpoint } from '../backends/imap/pool.ts';
import type { ManageSieveEndpoint } from '../backends/sieve/client.ts';
import { isProtocolVersion, type ProtocolVersion } from '../protocol/version.ts';

/**
 * Device security policy sent by Provision (MS-ASPROV 2.2.2.18 EASProvisionDoc).
 * Defaults ask nothing of the device: phones then add the account without
 * forcing a screen lock, which is what a self-hosted mail server wants by default.
 */
export interface PolicyConfig {
  /** false lets devices skip Provision (no 449/142); true sends the policy and enforces the handshake. */
  readonly enforce: boolean;
  readonly devicePasswordEnabled: boolean;
  readonly alphanumericDevicePasswordRequired: boolean;
  readonly allowSimpleDevicePassword: boolean;
  readonly minDevicePasswordLength: number;
  /** Seconds of inactivity before the device locks; 0 = not set. */
  readonly maxInactivityTimeDeviceLock: number;
  /** Wrong passwords before the device wipes itself; 0 = not set. */
  readonly maxDevicePasswordFailedAttempts: number;
  /** Days; 0 = never. */
  readonly devicePasswordExpiration: number;
  readonly requireDeviceEncryption: boolean;
  readonly attachmentsEnabled: boolean;
}

/**
 * Each policy setting with its EAS_POLICY_* variable and, for numbers, its
 * range: config parsing and the policy sets of eas-admin (`policy set NAME
 * PASSWORD_MIN_LENGTH=6`, named by the variable without EAS_POLICY_) read
 * the same table, so a set cannot hold a value the global setting refuses.
 */
export const POLICY_SETTINGS: readonly { readonly field: keyof PolicyConfig; readonly env: `EAS_POLICY_${string}` & ConfigKey; readonly min?: number; readonly max?: number }[] = [
  { field: 'enforce', env: 'EAS_POLICY_ENFORCE' },
  { field: 'devicePasswordEnabled', env: 'EAS_POLICY_PASSWORD_REQUIRED' },
  { field: 'alphanumericDevicePasswordRequired', env: 'EAS_POLICY_PASSWORD_ALPHANUMERIC' },
  { field: 'allowSimpleDevicePassword', env: 'EAS_POLICY_PASSWORD_ALLOW_SIMPLE' },
  { field: 'minDevicePasswordLength', env: 'EAS_POLICY_PASSWORD_MIN_LENGTH', min: 1, max: 16 },
  { field: 'maxInactivityTimeDeviceLock', env: 'EAS_POLICY_MAX_INACTIVITY_SECONDS', min: 0, max: 9999 },
  { field: 'maxDevicePasswordFailedAttempts', env: 'EAS_POLICY_MAX_FAILED_ATTEMPTS', min: 0, max: 16 },
  { field: 'devicePasswordExpiration', env: 'EAS_POLICY_PASSWORD_EXPIRATION_DAYS', min: 0, max: 730 },
  { field: 'requireDeviceEncryption', env: 'EAS_POLICY_REQUIRE_ENCRYPTION' },
  { field: 'attachmentsEnabled', env: 'EAS_POLICY_ATTACHMENTS_ENABLED' },
];

/** A protocol ceiling for the devices whose DeviceType matches `pattern` (case-insensitive glob). */
export interface VersionCeiling {
  readonly pattern: string;
  readonly version: ProtocolVersion;
}

/** Log-in protection (issue 3 item 4). */
export interface AuthConfig {
  /** How long a successful IMAP login is trusted without asking again. */
  readonly cacheTtlMs: number;
  /** Failures (per user or per client address) in the window after which we answer 429 without asking IMAP. */
  readonly maxFailures: number;
  readonly failureWindowMs: number;
  /** First failure delay; doubles per failure up to maxDelayMs. */
  readonly baseDelayMs: number;
  readonly maxDelayMs: number;
}

/** The whole server configuration: one typed, validated, frozen object (STYLE habit 8). */
export interface Config {
  readonly listen: { readonly host: string; readonly port: number };
  /** The admin HTTP API's listener and token file (src/admin/http-api.ts); absent = off. */
  readonly admin?: { readonly listen: { readonly host: string; readonly port: number }; readonly tokensFile: string };
  /** PEM file paths; absent = plain HTTP (behind a TLS-terminating proxy). */
  readonly tls?: { readonly certFile: string; readonly keyFile: string };
  readonly imap: ImapEndpoint;
  readonly imapPool: { readonly maxPerUser: number; readonly maxTotal: number; readonly idleTimeoutMs: number };
  /** Item worker threads of the sync engine (src/sync/item-workers.ts); 0 builds items on the event loop. */
  readonly syncWorkers: { readonly threads: number; readonly imapPerUser: number };
  /** When a Sync stops waiting for items (issue 4 item 9): soft, then 4x that at most. */
  readonly syncBudgetMs: number;
  readonly smtpUrl: string;
  readonly caldavUrl?: string;
  readonly carddavUrl?: string;
  /** Out of Office as a Sieve vacation (EAS_MANAGESIEVE_*); absent = Oof Get says off, Set is refused. */
  readonly managesieve?: ManageSieveEndpoint;
  /**
   * Make a "Calendar", "Tasks" or "Contacts" collection for a user who has
   * none (EAS_DAV_CREATE_DEFAULTS): phones expect the default folders an
   * Exchange mailbox always has, and a new Radicale user has only a principal.
   */
  readonly davCreateDefaults: boolean;
  /**
   * Where Notes (MS-ASNOTE, 14.0+) live (EAS_NOTES_BACKEND): `imap` = an IMAP
   * folder of Apple-style note messages (EAS_NOTES_FOLDER), `caldav` = VJOURNAL
   * in CalDAV collections that support it (needs EAS_CALDAV_URL), `off` = no Notes folder.
   */
  readonly notes: { readonly backend: 'imap' | 'caldav' | 'off'; readonly folder: string; readonly createFolder: boolean };
  /** PEM bundle of the roots ValidateCert trusts instead of Node's built-in store (EAS_VALIDATE_CERT_CA_FILE). */
  readonly validateCertCaFile?: string;
  /** Largest contact Picture sent to a device, decoded bytes (bigger JPEGs are scaled down). */
  readonly contactPictureMaxBytes: number;
  /** EAS_CONTACTS_MERGE_DEVICE_TYPES: DeviceType prefixes of clients that show one contact folder only, which get every book in it (src/sync/dav/book-merge.ts). */
  readonly contactsMergeDeviceTypes: readonly string[];
  /** EAS_CARDDAV_DEFAULT_BOOK: which address book is the default Contacts folder (path segment or display name). */
  readonly carddavDefaultBook?: string;
  /** The GAL for Search and ResolveRecipients (EAS_GAL_*); absent = no directory. */
  readonly directory?: DirectoryConfig;
  /** EAS_GAL_USER / EAS_GAL_PASSWORD_FILE: the DAV login that reads the GAL book and other users' free/busy. */
  readonly directoryService?: { readonly user: string; readonly passwordFile: string };
  /** How often the user's own address books are checked for changes when resolving recipients (s). */
  readonly directoryRefreshSeconds: number;
  /** GAL queries shorter than this get Status 1 and no results, as Exchange's MinGALSearchLength. */
  readonly galMinQueryLength: number;
  /** A mailbox Search or Find still waiting on IMAP after this long is abandoned: Search Status 10, Find 111 (ms). */
  readonly searchTimeoutMs: number;
  /** SQLite file of device state. */
  readonly db: string;
  readonly logLevel: 'fatal' | 'error' | 'warn' | 'info' | 'debug' | 'trace' | 'silent';
  /** Log decoded bodies unredacted at debug level (EAS_LOG_BODIES=1). */
  readonly logBodies: boolean;
  /** Folder of recorded device sessions (eas-admin capture start; src/capture/recorder.ts). */
  readonly captureDir: string;
  /** Base URL phones reach us at (Autodiscover); absent = derived from Host and scheme. */
  readonly publicUrl?: string;
  /** Fastify trustProxy: false, true, a hop count, or addresses/CIDRs. */
  readonly trustProxy: boolean | number | string;
  readonly limits: { readonly maxBodyBytes: number; readonly maxMailBytes: number };
  readonly ping: { readonly minHeartbeatSeconds: number; readonly maxHeartbeatSeconds: number; readonly maxFolders: number; readonly davPollSeconds: number };
  readonly policy: PolicyConfig;
  /** EAS_MAX_VERSION_BY_TYPE, first match wins; empty = every device may use every version. */
  readonly maxVersionByType: readonly VersionCeiling[];
  readonly auth: AuthConfig;
}

/** A setting that is missing or unusable; its message is the one line printed at start. */
export class ConfigError extends Error {
  override readonly name = 'ConfigError';
  constructor(
    readonly key: string,
    reason: string,
  ) {
    super(`configuration ${key}: ${reason}`);
  }
}

type Raw = string | number | boolean;

const REQUIRED = Symbol('required');
/** Every setting, its default (undefined = optional, REQUIRED = must be given) and meaning; the one place defaults live. */
export const CONFIG_KEYS = {
  EAS_LISTEN: { default: '0.0.0.0:8080', help: 'host:port to listen on' },
  EAS_TLS_CERT: { default: undefined, help: 'PEM certificate file; with EAS_TLS_KEY serves HTTPS' },
  EAS_ADMIN_LISTEN: { default: undefined, help: 'host:port of the admin HTTP API (src/admin/openapi.json); unset = off. Keep it on loopback or a management network' },
  EAS_ADMIN_TOKENS_FILE: { default: undefined, help: 'bearer tokens of the admin API, one per line: TOKEN [label=NAME] [tenant=DOMAIN]; required with EAS_ADMIN_LISTEN, re-read when it changes' },
  EAS_TLS_KEY: { default: undefined, help: 'PEM private key file' },
  EAS_IMAP_URL: { default: REQUIRED, help: 'imap://host:143 (STARTTLS when offered) or imaps://host:993' },
  EAS_IMAP_TLS_VERIFY: { default: true, help: 'verify the IMAP server certificate' },
  EAS_IMAP_MAX_PER_USER: { default: 3, help: 'pooled IMAP connections per mailbox' },
  EAS_IMAP_MAX_TOTAL: { default: 500, help: 'pooled IMAP connections in all' },
  EAS_IMAP_IDLE_SECONDS: { default: 120, help: 'close an unused pooled IMAP connection after this' },
  EAS_SYNC_WORKERS: { default: 2, help: 'threads that fetch and build new mail items for Sync; 0 = on the main thread' },
  EAS_SYNC_WORKER_IMAP_PER_USER: { default: 2, help: 'IMAP connections per mailbox in each sync worker thread' },
  EAS_SYNC_TIME_BUDGET_MS: { default: 5000, help: 'a Sync answers with the items built by then (MoreAvailable for the rest); it waits up to 4x this for a first item' },
  EAS_SMTP_URL: { default: REQUIRED, help: 'smtp://host:587 or smtps://host:465 for sending' },
  EAS_CALDAV_URL: { default: undefined, help: 'CalDAV base URL (calendars, tasks)' },
  EAS_CARDDAV_URL: { default: undefined, help: 'CardDAV base URL (contacts)' },
  EAS_MANAGESIEVE_URL: { default: undefined, help: 'sieve://host:4190 of the ManageSieve server (RFC 5804) that keeps Out of Office as a Sieve vacation; unset = no Out of Office' },
  EAS_MANAGESIEVE_STARTTLS: { default: 'auto', help: 'auto (STARTTLS when offered) | required | off' },
  EAS_MANAGESIEVE_TLS_VERIFY: { default: true, help: 'verify the ManageSieve server certificate' },
  EAS_CARDDAV_DEFAULT_BOOK: { default: undefined, help: 'the address book that is the default Contacts folder (its last path segment or display name); unset = contacts/default/personal/addressbook, else the first' },
  EAS_CONTACTS_MERGE_DEVICE_TYPES: {
    default: 'iPhone,iPad,iPod,Android,SAMSUNG',
    help: 'DeviceType prefixes (comma-separated, any case) of clients that show only the default Contacts folder: they get every address book merged into it; empty = one folder per book for all',
  },
  EAS_CONTACT_PICTURE_MAX_BYTES: { default: 48 * 1024, help: 'largest contact photo sent to a phone (decoded bytes; a bigger JPEG is scaled down, other formats left out; Exchange: 48 KB)' },
  EAS_DAV_CREATE_DEFAULTS: { default: true, help: 'create a Calendar, Tasks and Contacts collection for users who have none' },
  EAS_NOTES_BACKEND: { default: 'imap', help: 'imap (an IMAP folder of Apple Notes style messages) | caldav (VJOURNAL in CalDAV; needs EAS_CALDAV_URL) | off' },
  EAS_NOTES_FOLDER: { default: 'Notes', help: 'IMAP folder that holds the notes (Apple Notes uses "Notes")' },
  EAS_NOTES_CREATE_FOLDER: { default: true, help: 'create the Notes IMAP folder at FolderSync when it is missing' },
  EAS_VALIDATE_CERT_CA_FILE: { default: undefined, help: 'PEM bundle of trusted roots for ValidateCert; unset = Node\'s built-in root store' },
  EAS_GAL_CARDDAV_URL: { default: undefined, help: 'full URL of a shared CardDAV address book used as the GAL' },
  EAS_GAL_USER: { default: undefined, help: 'service login that reads the GAL book (and free/busy); unset = each user reads with their own login' },
  EAS_GAL_PASSWORD_FILE: { default: undefined, help: 'file holding the password of EAS_GAL_USER' },
  EAS_GAL_REFRESH_SECONDS: { default: 60, help: 'how often the GAL book and users\' address books are checked for changes (sync-token); 0 = on every request' },
  EAS_GAL_LDAP_URL: { default: undefined, help: 'ldap://host:389 or ldaps://host:636 of an LDAP directory used as the GAL' },
  EAS_GAL_LDAP_BASE: { default: undefined, help: 'LDAP search base of the GAL, e.g. ou=people,dc=example,dc=org' },
  EAS_GAL_LDAP_BIND_DN: { default: undefined, help: 'DN to bind as; unset = anonymous' },
  EAS_GAL_LDAP_PASSWORD_FILE: { default: undefined, help: 'file holding the password of EAS_GAL_LDAP_BIND_DN' },
  EAS_GAL_LDAP_SIZE_LIMIT: { default: 1000, help: 'most entries one LDAP search returns' },
  EAS_GAL_MIN_QUERY_LENGTH: { default: 2, help: 'GAL queries shorter than this find nothing (Exchange: MinGALSearchLength, 4)' },
  EAS_SEARCH_TIMEOUT_MS: { default: 25000, help: 'a mailbox Search or Find waiting on IMAP longer than this answers Status 10 (Search) or 111 (Find); phones give up after about 30 s' },
  EAS_DB: { default: './eas.db', help: 'SQLite state file' },
  EAS_LOG_LEVEL: { default: 'info', help: 'fatal|error|warn|info|debug|trace|silent' },
  EAS_LOG_BODIES: { default: false, help: 'log decoded bodies without redaction (debug level)' },
  EAS_CAPTURE_DIR: { default: './captures-recorded', help: 'folder of recorded device sessions (eas-admin capture start), one JSON file per device and day' },
  EAS_PUBLIC_URL: { default: undefined, help: 'https://mail.example.org, for Autodiscover' },
  EAS_TRUST_PROXY: { default: false, help: 'false, true, hop count, or comma-separated proxy addresses/CIDRs' },
  EAS_MAX_BODY_BYTES: { default: 50 * 1024 * 1024, help: 'largest request body' },
  EAS_MAX_MAIL_BYTES: { default: 25 * 1024 * 1024, help: 'largest message sent or appended' },
  EAS_PING_MIN_HEARTBEAT: { default: 60, help: 'seconds, MS-ASCMD 2.2.3.79.1' },
  EAS_PING_MAX_HEARTBEAT: { default: 3540, help: 'seconds' },
  EAS_PING_MAX_FOLDERS: { default: 300, help: 'folders one Ping may watch' },
  EAS_DAV_POLL_SECONDS: { default: 30, help: 'how often a watched CalDAV/CardDAV collection is asked for its sync token (push of calendar and contact changes)' },
  EAS_MAX_VERSION_BY_TYPE: { default: undefined, help: 'protocol ceiling per DeviceType, e.g. "WindowsMail=14.1,SAMSUNG*=14.1" (globs, first match wins): OPTIONS offers no higher version to that type and a request in a higher one gets HTTP 400' },
  EAS_POLICY_ENFORCE: { default: true, help: 'require Provision before other commands' },
  EAS_POLICY_PASSWORD_REQUIRED: { default: false, help: 'device must have a screen lock' },
  EAS_POLICY_PASSWORD_ALPHANUMERIC: { default: false, help: 'screen lock must be alphanumeric' },
  EAS_POLICY_PASSWORD_ALLOW_SIMPLE: { default: true, help: 'allow 1234-style PINs' },
  EAS_POLICY_PASSWORD_MIN_LENGTH: { default: 4, help: 'minimum screen lock length' },
  EAS_POLICY_MAX_INACTIVITY_SECONDS: { default: 0, help: 'auto-lock after; 0 = not set' },
  EAS_POLICY_MAX_FAILED_ATTEMPTS: { default: 0, help: 'wipe after; 0 = not set' },
  EAS_POLICY_PASSWORD_EXPIRATION_DAYS: { default: 0, help: '0 = never' },
  EAS_POLICY_REQUIRE_ENCRYPTION: { default: false, help: 'device storage encryption' },
  EAS_POLICY_ATTACHMENTS_ENABLED: { default: true, help: 'device may download attachments' },
  EAS_AUTH_CACHE_SECONDS: { default: 300, help: 'trust a verified login this long' },
  EAS_AUTH_MAX_FAILURES: { default: 10, help: 'failures per user/address before 429' },
  EAS_AUTH_FAILURE_WINDOW_SECONDS: { default: 900, help: 'failures are forgotten after this' },
  EAS_AUTH_MAX_DELAY_MS: { default: 5000, help: 'longest delay before answering a failed login' },
} as const satisfies Record<string, { default: Raw | undefined | typeof REQUIRED; help: string }>;

/** The name of a setting, as an environment variable and as a JSON config key. */
export type ConfigKey = keyof typeof CONFIG_KEYS;
/** Settings as given: environment strings or JSON file values, keyed by the EAS_* names. */
export type ConfigInput = Partial<Record<ConfigKey, Raw>>;

const isKey = (k: string): k is ConfigKey => Object.prototype.hasOwnProperty.call(CONFIG_KEYS, k);

/**
 * Builds the configuration from settings keyed by their EAS_* names.
 * Later sources override earlier ones: `buildConfig(file, env)` lets the
 * environment override the file. Unknown keys are an error, so that a typo
 * does not silently fall back to a default.
 */
export function buildConfig(...sources: Array<Record<string, Raw | null | undefined>>): Config {
  const merged: ConfigInput = {};
  for (const src of sources) {
    for (const [k, v] of Object.entries(src)) {
      if (v === undefined || v === null) continue;
      if (!isKey(k)) throw new ConfigError(k, 'unknown setting');
      merged[k] = v;
    }
  }
  const get = (k: ConfigKey): Raw | undefined => {
    const v = merged[k] ?? CONFIG_KEYS[k].default;
    if (v === REQUIRED) throw new ConfigError(k, `missing (${CONFIG_KEYS[k].help})`);
    if (v === '') return undefined;
    return v as Raw | undefined;
  };
  const str = (k: ConfigKey): string | undefined => {
    const v = get(k);
    return v === undefined ? undefined : String(v);
  };
  const bool = (k: ConfigKey): boolean => {
    const v = get(k);
    if (typeof v === 'boolean') return v;
    const s = String(v).toLowerCase();
    if (['1', 'true', 'yes', 'on'].includes(s)) return true;
    if (['0', 'false', 'no', 'off'].includes(s)) return false;
    throw new ConfigError(k, `must be true or false (got ${JSON.stringify(v)})`);
  };
  const int = (k: ConfigKey, min: number, max = Number.MAX_SAFE_INTEGER): number => {
    const v = get(k);
    const n = typeof v === 'number' ? v : /^\s*\d+\s*$/.test(String(v)) ? Number(v) : Number.NaN;
    if (!Number.isInteger(n) || n < min || n > max) throw new ConfigError(k, `must be a whole number from ${min} to ${max} (got ${JSON.stringify(v)})`);
    return n;
  };

  const listen = parseListen(str('EAS_LISTEN')!);
  const certFile = str('EAS_TLS_CERT');
  const keyFile = str('EAS_TLS_KEY');
  if (!!certFile !== !!keyFile) throw new ConfigError(certFile ? 'EAS_TLS_KEY' : 'EAS_TLS_CERT', 'EAS_TLS_CERT and EAS_TLS_KEY go together');
  if (certFile) readable('EAS_TLS_CERT', certFile);
  if (keyFile) readable('EAS_TLS_KEY', keyFile);

  const adminListen = str('EAS_ADMIN_LISTEN');
  const adminTokens = str('EAS_ADMIN_TOKENS_FILE');
  // An admin listener without tokens would be an open door: refuse to start.
  if (adminListen && !adminTokens) throw new ConfigError('EAS_ADMIN_TOKENS_FILE', 'is required with EAS_ADMIN_LISTEN');
  if (adminTokens) readable('EAS_ADMIN_TOKENS_FILE', adminTokens);

  const minHb = int('EAS_PING_MIN_HEARTBEAT', 1, 3540);
  const maxHb = int('EAS_PING_MAX_HEARTBEAT', 1, 3540);
  if (maxHb < minHb) throw new ConfigError('EAS_PING_MAX_HEARTBEAT', `must not be below EAS_PING_MIN_HEARTBEAT (${minHb})`);

  const caFile = str('EAS_VALIDATE_CERT_CA_FILE');
  if (caFile) readable('EAS_VALIDATE_CERT_CA_FILE', caFile);

  const level = str('EAS_LOG_LEVEL')!;
  const levels = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const;
  if (!(levels as readonly string[]).includes(level)) throw new ConfigError('EAS_LOG_LEVEL', `must be one of ${levels.join('|')} (got ${JSON.stringify(level)})`);

  const config: Config = {
    listen,
    ...(adminListen && adminTokens ? { admin: { listen: parseListen(adminListen, 'EAS_ADMIN_LISTEN'), tokensFile: adminTokens } } : {}),
    ...(certFile && keyFile ? { tls: { certFile, keyFile } } : {}),
    imap: { ...parseImapUrl(str('EAS_IMAP_URL')!), verifyTls: bool('EAS_IMAP_TLS_VERIFY') },
    imapPool: {
      maxPerUser: int('EAS_IMAP_MAX_PER_USER', 1, 50),
      maxTotal: int('EAS_IMAP_MAX_TOTAL', 1),
      idleTimeoutMs: int('EAS_IMAP_IDLE_SECONDS', 1) * 1000,
    },
    syncWorkers: { threads: int('EAS_SYNC_WORKERS', 0, 16), imapPerUser: int('EAS_SYNC_WORKER_IMAP_PER_USER', 1, 10) },
    syncBudgetMs: int('EAS_SYNC_TIME_BUDGET_MS', 100, 60_000),
    smtpUrl: url('EAS_SMTP_URL', str('EAS_SMTP_URL')!, ['smtp:', 'smtps:']),
    ...optionalUrl('caldavUrl', 'EAS_CALDAV_URL', str('EAS_CALDAV_URL')),
    ...optionalUrl('carddavUrl', 'EAS_CARDDAV_URL', str('EAS_CARDDAV_URL')),
    ...managesieveConfig(str('EAS_MANAGESIEVE_URL'), str('EAS_MANAGESIEVE_STARTTLS')!, bool('EAS_MANAGESIEVE_TLS_VERIFY')),
    davCreateDefaults: bool('EAS_DAV_CREATE_DEFAULTS'),
    notes: { backend: notesBackend(str('EAS_NOTES_BACKEND')!, !!str('EAS_CALDAV_URL')), folder: str('EAS_NOTES_FOLDER') ?? 'Notes', createFolder: bool('EAS_NOTES_CREATE_FOLDER') },
    ...(caFile ? { validateCertCaFile: caFile } : {}),
    ...(str('EAS_CARDDAV_DEFAULT_BOOK') ? { carddavDefaultBook: str('EAS_CARDDAV_DEFAULT_BOOK')! } : {}),
    contactsMergeDeviceTypes: (str('EAS_CONTACTS_MERGE_DEVICE_TYPES') ?? '').split(',').map((t) => t.trim()).filter((t) => t !== ''),
    contactPictureMaxBytes: int('EAS_CONTACT_PICTURE_MAX_BYTES', 1024, 4 * 1024 * 1024),
    ...directoryConfig(str, int),
    galMinQueryLength: int('EAS_GAL_MIN_QUERY_LENGTH', 1, 256),
    searchTimeoutMs: int('EAS_SEARCH_TIMEOUT_MS', 100, 300_000),
    db: str('EAS_DB')!,
    logLevel: level as Config['logLevel'],
    logBodies: bool('EAS_LOG_BODIES'),
    captureDir: str('EAS_CAPTURE_DIR') ?? './captures-recorded',
    ...(str('EAS_PUBLIC_URL') ? { publicUrl: url('EAS_PUBLIC_URL', str('EAS_PUBLIC_URL')!, ['http:', 'https:']).replace(/\/+$/, '') } : {}),
    trustProxy: parseTrustProxy(get('EAS_TRUST_PROXY')),
    limits: { maxBodyBytes: int('EAS_MAX_BODY_BYTES', 1024), maxMailBytes: int('EAS_MAX_MAIL_BYTES', 1024) },
    ping: { minHeartbeatSeconds: minHb, maxHeartbeatSeconds: maxHb, maxFolders: int('EAS_PING_MAX_FOLDERS', 1, 10_000), davPollSeconds: int('EAS_DAV_POLL_SECONDS', 1, 3600) },
    policy: Object.fromEntries(
      POLICY_SETTINGS.map((p) => [p.field, p.min === undefined ? bool(p.env) : int(p.env, p.min, p.max)]),
    ) as unknown as PolicyConfig,
    maxVersionByType: parseMaxVersionByType(str('EAS_MAX_VERSION_BY_TYPE') ?? ''),
    auth: {
      cacheTtlMs: int('EAS_AUTH_CACHE_SECONDS', 0, 86_400) * 1000,
      maxFailures: int('EAS_AUTH_MAX_FAILURES', 1, 10_000),
      failureWindowMs: int('EAS_AUTH_FAILURE_WINDOW_SECONDS', 1) * 1000,
      baseDelayMs: 250,
      maxDelayMs: int('EAS_AUTH_MAX_DELAY_MS', 0, 60_000),
    },
  };
  return deepFreeze(config);
}

/**
 * Reads the configuration as `eas-server` does: the JSON file given by
 * `--config` (keys are the EAS_* names), then the environment's EAS_*
 * variables, which override the file.
 */
export function loadConfig(opts: { env?: NodeJS.ProcessEnv; file?: string } = {}): Config {
  const env = opts.env ?? process.env;
  let fromFile: Record<string, Raw> = {};
  if (opts.file) {
    let text: string;
    try {
      text = readFileSync(opts.file, 'utf8');
    } catch (e) {
      throw new ConfigError('--config', `cannot read ${opts.file}: ${(e as Error).message}`);
    }
    try {
      const parsed: unknown = JSON.parse(text);
      if (!parsed || typeof parsed !== 'object' || Array.isArray(parsed)) throw new Error('not a JSON object');
      for (const [k, v] of Object.entries(parsed)) {
        if (!['string', 'number', 'boolean'].includes(typeof v)) throw new ConfigError(k, 'must be a string, number or boolean');
      }
      fromFile = parsed as Record<string, Raw>;
    } catch (e) {
      if (e instanceof ConfigError) throw e;
      throw new ConfigError('--config', `${opts.file} is not a JSON object of EAS_* settings: ${(e as Error).message}`);
    }
  }
  const fromEnv: Record<string, string> = {};
  for (const [k, v] of Object.entries(env)) if (k.startsWith('EAS_') && v !== undefined) fromEnv[k] = v;
  return buildConfig(fromFile, fromEnv);
}

function parseListen(s: string, key: ConfigKey = 'EAS_LISTEN'): { host: string; port: number } {
  const m = /^(?:\[([0-9a-fA-F:.]+)\]|([^:[\]]*)):(\d{1,5})$/.exec(s.trim());
  const port = m ? Number(m[3]) : Number.NaN;
  if (!m || port > 65535) throw new ConfigError(key, `must be host:port, e.g. 0.0.0.0:8443 (got ${JSON.stringify(s)})`);
  return { host: m[1] ?? (m[2] || '0.0.0.0'), port };
}

function url(key: ConfigKey, s: string, schemes: string[]): string {
  let u: URL;
  try {
    u = new URL(s);
  } catch {
    throw new ConfigError(key, `not a URL (got ${JSON.stringify(s)})`);
  }
  if (!schemes.includes(u.protocol)) throw new ConfigError(key, `must start with ${schemes.map((x) => x + '//').join(' or ')} (got ${JSON.stringify(s)})`);
  if (!u.hostname) throw new ConfigError(key, 'has no host');
  return s;
}

function optionalUrl<K extends string>(field: K, key: ConfigKey, s: string | undefined): Partial<Record<K, string>> {
  return s ? ({ [field]: url(key, s, ['http:', 'https:']) } as Record<K, string>) : {};
}

function parseImapUrl(s: string): Omit<ImapEndpoint, 'verifyTls'> {
  const u = new URL(url('EAS_IMAP_URL', s, ['imap:', 'imaps:']));
  const secure = u.protocol === 'imaps:';
  const host = u.hostname.replace(/^\[(.*)\]$/, '$1');
  return { host, port: u.port ? Number(u.port) : secure ? 993 : 143, secure };
}

/** EAS_MANAGESIEVE_URL: `sieve://host[:port]` (RFC 5804 3.2; port 4190 by default). */
function managesieveConfig(s: string | undefined, starttls: string, verifyTls: boolean): { managesieve?: ManageSieveEndpoint } {
  if (!s) return {};
  const u = new URL(url('EAS_MANAGESIEVE_URL', s, ['sieve:']));
  if (!['auto', 'required', 'off'].includes(starttls)) throw new ConfigError('EAS_MANAGESIEVE_STARTTLS', `must be auto, required or off (got ${JSON.stringify(starttls)})`);
  const host = u.hostname.replace(/^\[(.*)\]$/, '$1');
  return { managesieve: { host, port: u.port ? Number(u.port) : 4190, starttls: starttls as ManageSieveEndpoint['starttls'], verifyTls } };
}

function parseTrustProxy(v: Raw | undefined): boolean | number | string {
  if (v === undefined || typeof v === 'boolean' || typeof v === 'number') return v ?? false;
  const s = v.trim().toLowerCase();
  if (['0', 'false', 'no', 'off'].includes(s)) return false;
  if (['true', 'yes', 'on'].includes(s)) return true;
  if (/^\d+$/.test(s)) return Number(s);
  if (/^[0-9a-f:.,/\s]+$/.test(s)) return s;
  throw new ConfigError('EAS_TRUST_PROXY', `must be true, false, a hop count or addresses/CIDRs (got ${JSON.stringify(v)})`);
}

function notesBackend(v: string, hasCaldav: boolean): 'imap' | 'caldav' | 'off' {
  if (v === 'caldav' && !hasCaldav) throw new ConfigError('EAS_NOTES_BACKEND', 'caldav needs EAS_CALDAV_URL');
  if (v === 'imap' || v === 'caldav' || v === 'off') return v;
  throw new ConfigError('EAS_NOTES_BACKEND', `must be imap, caldav or off (got ${JSON.stringify(v)})`);
}

function readable(key: ConfigKey, file: string): void {
  try {
    accessSync(file, constants.R_OK);
  } catch {
    throw new ConfigError(key, `cannot read file ${file}`);
  }
}

function deepFreeze<T>(o: T): T {
  if (o && typeof o === 'object') {
    for (const v of Object.values(o)) deepFreeze(v);
    Object.freeze(o);
  }
  return o;
}

/**
 * Where the GAL comes from: a shared CardDAV address book or an LDAP tree
 * (never both), read with a service login or, for CardDAV, each user's own.
 * Password files are checked here and read by src/server/services.ts, so
 * that no password sits in the frozen configuration.
 */
export type DirectoryConfig =
  | {
      readonly kind: 'carddav';
      readonly url: string;
      /** Read with the service login (Config.directoryService) rather than each user's own. */
      readonly useService: boolean;
      readonly refreshSeconds: number;
    }
  | {
      readonly kind: 'ldap';
      readonly url: string;
      readonly base: string;
      readonly bind?: { readonly dn: string; readonly passwordFile: string };
      readonly sizeLimit: number;
    };

function directoryConfig(
  str: (k: ConfigKey) => string | undefined,
  int: (k: ConfigKey, min: number, max?: number) => number,
): { directory?: DirectoryConfig; directoryService?: { user: string; passwordFile: string }; directoryRefreshSeconds: number } {
  const card = str('EAS_GAL_CARDDAV_URL');
  const ldap = str('EAS_GAL_LDAP_URL');
  const refreshSeconds = int('EAS_GAL_REFRESH_SECONDS', 0, 86_400);
  const pair = (userKey: ConfigKey, fileKey: ConfigKey): { user: string; passwordFile: string } | undefined => {
    const user = str(userKey);
    const file = str(fileKey);
    if (!!user !== !!file) throw new ConfigError(user ? fileKey : userKey, `${userKey} and ${fileKey} go together`);
    if (file) readable(fileKey, file);
    return user && file ? { user, passwordFile: file } : undefined;
  };
  if (card && ldap) throw new ConfigError('EAS_GAL_LDAP_URL', 'choose one GAL: EAS_GAL_CARDDAV_URL or EAS_GAL_LDAP_URL');
  const service = pair('EAS_GAL_USER', 'EAS_GAL_PASSWORD_FILE');
  const common = { ...(service ? { directoryService: service } : {}), directoryRefreshSeconds: refreshSeconds };
  if (card) {
    return { ...common, directory: { kind: 'carddav', url: url('EAS_GAL_CARDDAV_URL', card, ['http:', 'https:']), useService: !!service, refreshSeconds } };
  }
  if (ldap) {
    const base = str('EAS_GAL_LDAP_BASE');
    if (!base) throw new ConfigError('EAS_GAL_LDAP_BASE', 'missing (the search base of EAS_GAL_LDAP_URL)');
    const bind = pair('EAS_GAL_LDAP_BIND_DN', 'EAS_GAL_LDAP_PASSWORD_FILE');
    return {
      ...common,
      directory: {
        kind: 'ldap',
        url: url('EAS_GAL_LDAP_URL', ldap, ['ldap:', 'ldaps:']),
        base,
        ...(bind ? { bind: { dn: bind.user, passwordFile: bind.passwordFile } } : {}),
        sizeLimit: int('EAS_GAL_LDAP_SIZE_LIMIT', 1, 100_000),
      },
    };
  }
  if (str('EAS_GAL_LDAP_BASE')) throw new ConfigError('EAS_GAL_LDAP_BASE', 'set without EAS_GAL_LDAP_URL');
  return common;
}

/** "TYPE=VERSION,TYPE=VERSION" (EAS_MAX_VERSION_BY_TYPE). */
function parseMaxVersionByType(value: string): VersionCeiling[] {
  return value
    .split(',')
    .map((p) => p.trim())
    .filter((p) => p !== '')
    .map((p) => {
      const m = /^([^=\s]{1,64})\s*=\s*(\S+)$/u.exec(p);
      if (!m || !isProtocolVersion(m[2]!)) throw new ConfigError('EAS_MAX_VERSION_BY_TYPE', `expected DEVICETYPE=VERSION (a version of 2.5, 12.0, 12.1, 14.0, 14.1, 16.0, 16.1), got ${JSON.stringify(p)}`);
      return { pattern: m[1]!, version: m[2] as ProtocolVersion };
    });
}
