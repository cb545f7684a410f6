/**
 * The real backend stack of integration tests and the demo: a private Dovecot
 * (IMAP + LMTP, and Sieve + ManageSieve where Pigeonhole is installed),
 * Radicale (CalDAV + CardDAV) and an SMTP submission sink that delivers into
 * Dovecot, all on free loopback ports, sharing one user list.
 * `stop()` ends every child; a process-exit hook and `setpriv --pdeathsig`
 * end them even when a test run dies.
 */
import { mkdtempSync, mkdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { ImapFlow } from 'imapflow';
import { onProcessExit } from './child.ts';
import { sieveAvailable, startDovecot, type DovecotServer } from './dovecot.ts';
import { lmtpDeliver } from './lmtp.ts';
import { freePorts, LOOPBACK } from './net.ts';
import { startRadicale, type RadicaleServer } from './radicale.ts';
import { startSlapd, type SlapdOptions, type SlapdServer } from './slapd.ts';
import { startSmtpSink, type SmtpSink } from './smtp-sink.ts';
import { makeTestCertificate, type TestCertificate } from './tls.ts';
import { checkUser, type StackUser } from './users.ts';

export type { StackUser } from './users.ts';
export type { SinkMessage } from './smtp-sink.ts';

/** Users every stack has unless `users` is given. */
export const DEFAULT_USERS: readonly StackUser[] = Object.freeze([
  { name: 'alice@example.test', password: 'alice-secret' },
  { name: 'bob@example.test', password: 'bob-secret' },
]);

export interface StackOptions {
  readonly users?: readonly StackUser[];
  /** Upper bound of simultaneous IMAP connections Dovecot accepts (default 2000). */
  readonly dovecotConnections?: number;
  /** IMAP connections per Dovecot imap process (default 1); the push benchmark uses 50, see dovecot-config.ts. */
  readonly imapClientsPerProcess?: number;
  /** Persistent data (mail, collections, logs); default a temp dir removed by `stop()`. */
  readonly dataDir?: string;
  /** Fixed ports (the demo keeps its URLs stable); free ports otherwise. */
  readonly ports?: Partial<Record<'imap' | 'lmtp' | 'smtp' | 'dav' | 'imaps' | 'managesieve' | 'smtpRelay', number>>;
  /** SMTP sink size limit in bytes (default 50 MB). */
  readonly smtpMaxSize?: number;
  /** Keep the temp data dir after stop (debugging a failing test). */
  readonly keepData?: boolean;
  /**
   * Serve IMAPS too (and offer STARTTLS on the IMAP port) with a fresh
   * self-signed certificate for 127.0.0.1; `stack.tlsCa` is its PEM.
   */
  readonly tls?: boolean;
  /**
   * Radicale access rules (a `from_file` rights file) instead of owner_only;
   * `sharedDavRights()` (seed-directory.ts) shares a GAL book and lets a
   * service account read every calendar (directory and free/busy tests).
   */
  readonly davRights?: string;
  /** Also start a private slapd (slapd.ts) with these people; `stack.ldap` is it. */
  readonly ldap?: boolean | SlapdOptions;
}

/** A user given by login name or as the user object. */
export type UserRef = string | StackUser;

export interface Stack {
  /** Data dir: mail, DAV collections and the logs (`dovecot.log`, `radicale.log`). */
  readonly dir: string;
  readonly imap: { readonly host: string; readonly port: number; readonly url: string };
  readonly lmtp: { readonly host: string; readonly port: number };
  /**
   * ManageSieve (RFC 5804, `sieve://127.0.0.1:PORT`) of Dovecot's Pigeonhole;
   * undefined when dovecot-sieve / dovecot-managesieved are not installed.
   * Sieve runs at LMTP delivery; vacation replies reach `smtpSink` (its relay listener).
   */
  readonly managesieve?: { readonly host: string; readonly port: number; readonly url: string };
  /** IMAP over TLS (`imaps://127.0.0.1:PORT`), only with `tls: true`. */
  readonly imaps?: { readonly host: string; readonly port: number; readonly url: string };
  /** PEM of the self-signed certificate, only with `tls: true`. */
  readonly tlsCa?: string;
  readonly smtp: { readonly host: string; readonly port: number; readonly url: string };
  /** Radicale base URL (`http://127.0.0.1:PORT/`); CalDAV and CardDAV share it. */
  readonly caldavUrl: string;
  readonly carddavUrl: string;
  readonly logs: { readonly dovecot: string; readonly radicale: string };
  /** The slapd of `ldap: true` (LDAP GAL), else undefined. */
  readonly ldap?: SlapdServer;
  /** The SMTP sink: recorded messages, `waitForMessage`, `setFailure`. */
  readonly smtpSink: SmtpSink;
  /** Current users (a copy); the first is the default of helpers taking a user. */
  readonly users: readonly StackUser[];
  /** Looks a user up by name (default: the first user); throws when unknown. */
  user(name?: string): StackUser;
  /**
   * Adds (or re-passwords) a user on Dovecot, Radicale and SMTP while running.
   * Takes up to 1 s (Dovecot re-reads its user file at most once a second):
   * pass many users to `startStack` instead of adding them one by one.
   */
  addUser(name: string, password: string): Promise<StackUser>;
  /** Delivers a raw RFC 5322 message to the user's INBOX over LMTP; throws if refused. */
  deliver(user: UserRef, raw: string | Buffer, opts?: { from?: string }): Promise<void>;
  /** IMAP APPEND (RFC 3501 6.3.11) with flags/keywords; returns the UID (UIDPLUS). */
  appendMessage(
    user: UserRef,
    folder: string,
    raw: string | Buffer,
    flags?: readonly string[],
    date?: Date,
  ): Promise<{ uid: number; uidValidity: bigint }>;
  /** A connected, logged-in ImapFlow; closed by `stop()` if the test does not log out. */
  imapClient(user?: UserRef): Promise<ImapFlow>;
  /** MKCALENDAR of a VEVENT calendar `/<user>/<name>/`; idempotent; returns its URL. */
  ensureCalendar(user: UserRef, name: string, displayName?: string): Promise<string>;
  /** MKCALENDAR of a VTODO calendar (task list). */
  ensureTaskList(user: UserRef, name: string, displayName?: string): Promise<string>;
  /** Extended MKCOL of an address book. */
  ensureAddressBook(user: UserRef, name: string, displayName?: string): Promise<string>;
  /** Stops and starts Dovecot on the same ports and data. */
  restartDovecot(): Promise<void>;
  /** Stops Dovecot only (IMAP/LMTP refuse connections) for outage tests; `startDovecot` undoes it. */
  stopDovecot(): Promise<void>;
  startDovecot(): Promise<void>;
  /** Ends everything; idempotent. */
  stop(): Promise<void>;
}

/** Starts Dovecot, Radicale and the SMTP sink; resolves once all accept connections. */
export async function startStack(opts: StackOptions = {}): Promise<Stack> {
  const users = new Map<string, StackUser>();
  for (const u of opts.users ?? DEFAULT_USERS) {
    checkUser(u);
    users.set(u.name, { name: u.name, password: u.password });
  }
  if (users.size === 0) throw new Error('startStack needs at least one user');

  // Sockets live in a short temp path (unix socket paths are limited to 108 bytes).
  const runDir = mkdtempSync(join(tmpdir(), 'easdv-'));
  const tempData = opts.dataDir === undefined;
  const dir = tempData ? runDir : resolve(opts.dataDir!);
  mkdirSync(dir, { recursive: true });
  const removeRunDir = (): void => {
    rmSync(runDir, { recursive: true, force: true });
  };
  // The run dir goes away at stop; with a temp data dir it is the data dir,
  // which `keepData` keeps for post-mortem reading of the logs.
  const removable = !(opts.keepData && tempData);
  const forgetExitCleanup = removable ? onProcessExit(removeRunDir) : () => false;
  const cleanupDirs = (): void => {
    forgetExitCleanup();
    if (removable) removeRunDir();
  };

  let dovecot: DovecotServer | undefined;
  let radicale: RadicaleServer | undefined;
  let sink: SmtpSink | undefined;
  let ports = { imap: 0, lmtp: 0, smtp: 0, dav: 0, imaps: 0, managesieve: 0, smtpRelay: 0 };
  const withSieve = sieveAvailable();
  let cert: TestCertificate | undefined;
  try {
    cert = opts.tls ? makeTestCertificate(runDir) : undefined;
  } catch (e) {
    cleanupDirs();
    throw e;
  }
  const clients = new Set<ImapFlow>();

  // A port found free can be taken by someone else before our server binds
  // it (parallel test workers): with free ports, retry with fresh ones.
  for (let attempt = 1; ; attempt++) {
    const [pImap, pLmtp, pSmtp, pDav, pImaps, pSieve, pRelay] = await freePorts(7);
    ports = {
      imap: opts.ports?.imap ?? pImap!,
      lmtp: opts.ports?.lmtp ?? pLmtp!,
      smtp: opts.ports?.smtp ?? pSmtp!,
      dav: opts.ports?.dav ?? pDav!,
      imaps: opts.ports?.imaps ?? pImaps!,
      managesieve: opts.ports?.managesieve ?? pSieve!,
      smtpRelay: opts.ports?.smtpRelay ?? pRelay!,
    };
    // Dovecot's Sieve sends vacation replies to the sink's relay port, known before either starts.
    const sieve = withSieve ? { managesievePort: ports.managesieve, submissionPort: ports.smtpRelay } : undefined;
    dovecot = radicale = sink = undefined;
    const started = await Promise.allSettled([
      startDovecot({ runDir, dataDir: dir, imapPort: ports.imap, lmtpPort: ports.lmtp, connections: opts.dovecotConnections, imapClientsPerProcess: opts.imapClientsPerProcess, users: users.values(), tls: cert && { certFile: cert.certFile, keyFile: cert.keyFile, imapsPort: ports.imaps }, ...(sieve ? { sieve } : {}) }),
      startRadicale({ runDir, dataDir: dir, port: ports.dav, users: users.values(), ...(opts.davRights !== undefined ? { rights: opts.davRights } : {}) }),
    ]);
    if (started[0].status === 'fulfilled') dovecot = started[0].value;
    if (started[1].status === 'fulfilled') radicale = started[1].value;
    try {
      for (const s of started) if (s.status === 'rejected') throw s.reason;
      sink = await startSmtpSink({ port: ports.smtp, users: () => users.values(), lmtp: dovecot!.lmtp, maxSize: opts.smtpMaxSize, ...(sieve ? { relayPort: ports.smtpRelay } : {}) });
      break;
    } catch (e) {
      await Promise.allSettled([dovecot?.stop(), radicale?.stop()]);
      if (attempt >= 3 || opts.ports) {
        cleanupDirs();
        throw e;
      }
    }
  }
  const dc = dovecot!;
  const dav = radicale!;
  const smtp = sink!;
  let ldap: SlapdServer | undefined;
  if (opts.ldap) {
    try {
      ldap = await startSlapd(opts.ldap === true ? {} : opts.ldap);
    } catch (e) {
      await Promise.allSettled([smtp.stop(), dc.stop(), dav.stop()]);
      cleanupDirs();
      throw e;
    }
  }

  const resolveUser = (ref?: UserRef): StackUser => {
    const name = ref === undefined ? users.keys().next().value! : typeof ref === 'string' ? ref : ref.name;
    const u = users.get(name);
    if (!u) throw new Error(`unknown stack user ${name}`);
    return u;
  };

  const connect = async (ref?: UserRef): Promise<ImapFlow> => {
    const u = resolveUser(ref);
    // With TLS on, Dovecot offers STARTTLS and ImapFlow takes it: trust our certificate.
    const client = new ImapFlow({ host: LOOPBACK, port: ports.imap, secure: false, auth: { user: u.name, pass: u.password }, logger: false, tls: cert ? { ca: [cert.certPem] } : undefined });
    await client.connect();
    clients.add(client);
    client.once('close', () => clients.delete(client));
    return client;
  };

  let stopped = false;
  const stack: Stack = {
    dir,
    imap: { host: LOOPBACK, port: ports.imap, url: `imap://${LOOPBACK}:${ports.imap}` },
    lmtp: { host: LOOPBACK, port: ports.lmtp },
    ...(withSieve ? { managesieve: { host: LOOPBACK, port: ports.managesieve, url: `sieve://${LOOPBACK}:${ports.managesieve}` } } : {}),
    imaps: cert ? { host: LOOPBACK, port: ports.imaps, url: `imaps://${LOOPBACK}:${ports.imaps}` } : undefined,
    tlsCa: cert?.certPem,
    smtp: { host: smtp.host, port: smtp.port, url: smtp.url },
    caldavUrl: dav.url,
    carddavUrl: dav.url,
    logs: { dovecot: dc.logFile, radicale: dav.logFile },
    ...(ldap ? { ldap } : {}),
    smtpSink: smtp,
    get users() {
      return [...users.values()];
    },
    user: (name) => resolveUser(name),
    async addUser(name, password) {
      const u = { name, password };
      checkUser(u);
      users.set(name, u);
      dav.setUsers(users.values());
      await dc.setUsers(users.values());
      return u;
    },
    async deliver(ref, raw, o) {
      const u = resolveUser(ref);
      const [r] = await lmtpDeliver(dc.lmtp, { from: o?.from ?? 'sender@example.test', recipients: [u.name], raw });
      if (!r?.ok) throw new Error(`LMTP delivery to ${u.name} failed: ${r?.reply}`);
    },
    async appendMessage(ref, folder, raw, flags = [], date) {
      const client = await connect(ref);
      try {
        const res = await client.append(folder, Buffer.isBuffer(raw) ? raw : Buffer.from(raw, 'utf8'), [...flags], date);
        if (!res || res.uid === undefined || res.uidValidity === undefined) throw new Error(`APPEND to ${folder} returned no APPENDUID`);
        return { uid: res.uid, uidValidity: res.uidValidity };
      } finally {
        await client.logout().catch(() => client.close());
      }
    },
    imapClient: (ref) => connect(ref),
    ensureCalendar: (ref, name, dn) => dav.ensureCollection(resolveUser(ref), name, 'calendar', dn),
    ensureTaskList: (ref, name, dn) => dav.ensureCollection(resolveUser(ref), name, 'tasks', dn),
    ensureAddressBook: (ref, name, dn) => dav.ensureCollection(resolveUser(ref), name, 'addressbook', dn),
    restartDovecot: () => dc.restart(),
    stopDovecot: () => dc.stop(),
    startDovecot: () => dc.start(),
    async stop() {
      if (stopped) return;
      stopped = true;
      for (const c of clients) c.close();
      clients.clear();
      await Promise.allSettled([smtp.stop(), dc.stop(), dav.stop(), ldap?.stop()]);
      cleanupDirs();
    },
  };
  return stack;
}
