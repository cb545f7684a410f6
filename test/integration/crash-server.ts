/**
 * The EAS server as a separate process for crash tests: `node bin/eas-server.mjs`
 * on a fixed loopback port and SQLite file, so that it can be SIGKILLed at any
 * moment and started again on the same state (ARCHITECTURE rule 2: a crash
 * between the state commit and the response loses nothing).
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { join, resolve } from 'node:path';
import type { Stack } from '../../src/devstack/stack.ts';

const ROOT = resolve(import.meta.dirname, '../..');

/** Enables a mailbox with the operator tool, as an administrator would (`eas-admin mailbox enable`). */
export function adminEnable(db: string, user: string): void {
  const r = spawnSync(process.execPath, [join(ROOT, 'bin/eas-admin.mjs'), 'mailbox', 'enable', user], {
    cwd: ROOT,
    encoding: 'utf8',
    env: { PATH: process.env.PATH, EAS_DB: db },
  });
  if (r.status !== 0) throw new Error(`eas-admin mailbox enable ${user} failed (${r.status}): ${r.stderr}`);
}

/** One running eas-server child. */
export interface ServerProcess {
  readonly child: ChildProcess;
  /** Everything it wrote to stdout and stderr so far. */
  output(): string;
  /** Resolves with the exit code or signal name. */
  readonly exited: Promise<string>;
  /** SIGKILL: no shutdown hooks, no flush, as a power cut or OOM kill. */
  kill(): Promise<string>;
}

/** Starts eas-server and resolves once it logs `server.listening`. */
export async function startServerProcess(stack: Stack, db: string, port: number, timeoutMs = 20_000): Promise<ServerProcess> {
  const child = spawn(process.execPath, [join(ROOT, 'bin/eas-server.mjs')], {
    cwd: ROOT,
    env: {
      PATH: process.env.PATH,
      EAS_LISTEN: `127.0.0.1:${port}`,
      EAS_IMAP_URL: stack.imap.url,
      EAS_SMTP_URL: stack.smtp.url,
      EAS_DB: db,
      EAS_LOG_LEVEL: 'info',
      EAS_AUTH_MAX_DELAY_MS: '0',
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  child.stdout!.on('data', (d: Buffer) => (out += d.toString()));
  child.stderr!.on('data', (d: Buffer) => (out += d.toString()));
  const exited = new Promise<string>((r) => child.on('exit', (code, signal) => r(signal ?? String(code))));
  let done = false;
  void exited.then(() => (done = true));
  const proc: ServerProcess = {
    child,
    output: () => out,
    exited,
    async kill() {
      if (!done) child.kill('SIGKILL');
      return exited;
    },
  };
  const until = Date.now() + timeoutMs;
  while (!out.includes('server.listening')) {
    if (done) throw new Error(`eas-server exited before listening:\n${out}`);
    if (Date.now() > until) {
      await proc.kill();
      throw new Error(`eas-server did not listen within ${timeoutMs} ms:\n${out}`);
    }
    await new Promise((r) => setTimeout(r, 50));
  }
  return proc;
}
