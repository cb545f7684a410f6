/**
 * A private Dovecot (IMAP + LMTP) for integration tests and the demo, started
 * as `dovecot -F -c <generated config>` on free loopback ports. It can be
 * stopped and started again on the same ports and data (resilience tests).
 */
import { existsSync, mkdirSync, chmodSync, chownSync, writeFileSync } from 'node:fs';
import { userInfo } from 'node:os';
import { join } from 'node:path';
import { spawnManaged, type ManagedChild } from './child.ts';
import { dovecotConfig } from './dovecot-config.ts';
import { groupName, nextSecond, writeAtomic, systemAccount } from './files.ts';
import { LOOPBACK, waitForServer, waitForPortClosed } from './net.ts';
import { passwdFile, type StackUser } from './users.ts';

export interface DovecotOptions {
  /** Temp dir for config, sockets and the passwd-file. */
  readonly runDir: string;
  /** Data dir: mail under `<dataDir>/mail/<user>`, log at `<dataDir>/dovecot.log`. */
  readonly dataDir: string;
  readonly imapPort: number;
  readonly lmtpPort: number;
  readonly connections?: number;
  /** See DovecotConfigInput.imapClientsPerProcess (default 1). */
  readonly imapClientsPerProcess?: number;
  readonly users: Iterable<StackUser>;
  /** PEM files and port for IMAPS; also enables STARTTLS on the IMAP port. */
  readonly tls?: { readonly certFile: string; readonly keyFile: string; readonly imapsPort: number };
  /** Pigeonhole Sieve + ManageSieve (see DovecotConfigInput.sieve); only where the packages are installed (`sieveAvailable()`). */
  readonly sieve?: { readonly managesievePort: number; readonly submissionPort: number };
}

/** A running (or stopped, for restart tests) Dovecot. */
export interface DovecotServer {
  readonly imap: { readonly host: string; readonly port: number };
  readonly lmtp: { readonly host: string; readonly port: number };
  /** Present when started with `tls`. */
  readonly imaps?: { readonly host: string; readonly port: number };
  /** ManageSieve (RFC 5804), present when started with `sieve`. */
  readonly managesieve?: { readonly host: string; readonly port: number };
  readonly configFile: string;
  /** Dovecot's log (logins, LMTP deliveries, errors): read it when a test fails. */
  readonly logFile: string;
  readonly mailDir: string;
  /** Rewrites the passwd-file; resolves once Dovecot's next lookup is sure to see it (auth cache is off). */
  setUsers(users: Iterable<StackUser>): Promise<void>;
  /** Starts Dovecot again after `stop()`; resolves when IMAP and LMTP greet. */
  start(): Promise<void>;
  /** SIGTERM and wait until the processes are gone and the ports are free. */
  stop(): Promise<void>;
  restart(): Promise<void>;
  readonly running: boolean;
}

const DOVECOT_BIN = ['/usr/sbin/dovecot', '/usr/local/sbin/dovecot'].find((p) => existsSync(p)) ?? 'dovecot';

/**
 * Whether Debian's dovecot-sieve and dovecot-managesieved are installed
 * (.ci/setup installs them). Without them Dovecot refuses `protocols = sieve`,
 * so the stack then runs without Sieve rather than not at all.
 */
export function sieveAvailable(): boolean {
  return ['/usr/lib/dovecot/managesieve', '/usr/lib/dovecot/modules/lib90_sieve_plugin.so'].every((p) => existsSync(p));
}

/** Who owns mail and who runs Dovecot's helpers, for root and non-root runs. */
function accounts(): { mail: { name: string; uid: number; gid: number }; internal: string; internalGroup: string; login: string } {
  if (process.getuid?.() === 0) {
    const mail = systemAccount('mail');
    if (!mail) throw new Error('system account "mail" missing: Dovecot refuses to store mail as root');
    // Debian's dovecot-core creates these two accounts.
    return { mail: { name: 'mail', ...mail }, internal: 'dovecot', internalGroup: 'dovecot', login: 'dovenull' };
  }
  const me = userInfo();
  const group = groupName(me.gid);
  if (!group) throw new Error(`no /etc/group entry for gid ${me.gid}: Dovecot needs a group name`);
  return { mail: { name: me.username, uid: me.uid, gid: me.gid }, internal: me.username, internalGroup: group, login: me.username };
}

/** Writes the configuration and starts Dovecot (see module comment). */
export async function startDovecot(opts: DovecotOptions): Promise<DovecotServer> {
  const acct = accounts();
  const mailDir = join(opts.dataDir, 'mail');
  const configFile = join(opts.runDir, 'dovecot.conf');
  const passwdPath = join(opts.runDir, 'dovecot-users');
  const logFile = join(opts.dataDir, 'dovecot.log');
  // Login and auth processes run unprivileged and must reach sockets and the passwd-file.
  chmodSync(opts.runDir, 0o755);
  chmodSync(opts.dataDir, 0o755);
  mkdirSync(mailDir, { recursive: true });
  if (process.getuid?.() === 0) chownSync(mailDir, acct.mail.uid, acct.mail.gid);
  chmodSync(mailDir, 0o750);
  writeAtomic(passwdPath, passwdFile(opts.users));
  const instanceName = `eas-devstack-${opts.imapPort}`;
  writeFileSync(
    configFile,
    dovecotConfig({
      runDir: opts.runDir,
      mailDir,
      passwdFile: passwdPath,
      logFile,
      imapPort: opts.imapPort,
      lmtpPort: opts.lmtpPort,
      connections: opts.connections ?? 2000,
      ...(opts.imapClientsPerProcess !== undefined ? { imapClientsPerProcess: opts.imapClientsPerProcess } : {}),
      mailUser: acct.mail,
      internalUser: acct.internal,
      internalGroup: acct.internalGroup,
      loginUser: acct.login,
      instanceName,
      tls: opts.tls,
      ...(opts.sieve ? { sieve: opts.sieve } : {}),
    }),
  );

  let child: ManagedChild | undefined;
  const server: DovecotServer = {
    imap: { host: LOOPBACK, port: opts.imapPort },
    lmtp: { host: LOOPBACK, port: opts.lmtpPort },
    imaps: opts.tls ? { host: LOOPBACK, port: opts.tls.imapsPort } : undefined,
    ...(opts.sieve ? { managesieve: { host: LOOPBACK, port: opts.sieve.managesievePort } } : {}),
    configFile,
    logFile,
    mailDir,
    async setUsers(users) {
      writeAtomic(passwdPath, passwdFile(users));
      await nextSecond();
    },
    get running() {
      return child !== undefined && child.deadError() === undefined;
    },
    async start() {
      if (server.running) return;
      const c = spawnManaged('dovecot', DOVECOT_BIN, ['-F', '-c', configFile], { logFile: join(opts.dataDir, 'dovecot.stderr.log') });
      child = c;
      try {
        const abort = (): Error | undefined => c.deadError();
        await Promise.all([
          waitForServer(opts.imapPort, { greeting: '* OK', abort }),
          waitForServer(opts.lmtpPort, { greeting: '220', abort }),
          // IMAPS starts with a TLS handshake: a bare connect is the readiness signal.
          ...(opts.tls ? [waitForServer(opts.tls.imapsPort, { abort })] : []),
          // ManageSieve greets with its capabilities, ending in OK (RFC 5804 1.7).
          ...(opts.sieve ? [waitForServer(opts.sieve.managesievePort, { greeting: '"IMPLEMENTATION"', abort })] : []),
        ]);
      } catch (e) {
        await c.stop();
        throw e;
      }
    },
    async stop() {
      const c = child;
      child = undefined;
      if (!c) return;
      await c.stop();
      // Login processes inherit the listening sockets and may linger a moment.
      await Promise.all([
        waitForPortClosed(opts.imapPort),
        waitForPortClosed(opts.lmtpPort),
        ...(opts.tls ? [waitForPortClosed(opts.tls.imapsPort)] : []),
        ...(opts.sieve ? [waitForPortClosed(opts.sieve.managesievePort)] : []),
      ]);
    },
    async restart() {
      await server.stop();
      await server.start();
    },
  };
  await server.start();
  return server;
}
