/**
 * Child processes of the dev stack (Dovecot, Radicale) that must never outlive
 * the test run: every child is registered and killed on `process.exit`, and is
 * started under `setpriv --pdeathsig` so that the kernel ends it even when
 * Node itself is killed with SIGKILL (a crashed vitest worker).
 *
 * Each child leads its own process group, and stopping it ends the whole
 * group, as a service manager ends a service's cgroup. Dovecot's master
 * exits on SIGTERM before its imap processes do, and those go on serving
 * their connections as orphans: a "restart" would then drop no client, and
 * push tests that restart Dovecot would depend on when the orphans die.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, openSync, closeSync, readFileSync } from 'node:fs';

const live = new Set<ChildProcess>();
const exitTasks = new Set<() => void>();
let exitHookInstalled = false;

function installExitHook(): void {
  if (exitHookInstalled) return;
  exitHookInstalled = true;
  // 'exit' handlers must be synchronous: a signal is all we can send.
  process.on('exit', () => {
    for (const c of live) signalGroup(c, 'SIGTERM');
    for (const t of exitTasks) {
      try {
        t();
      } catch {
        // best effort at exit
      }
    }
  });
}

/**
 * Runs `task` (synchronous) when the process exits without having called the
 * returned unregister function, e.g. removing a temp dir of a stack that a
 * failed test run never stopped.
 */
export function onProcessExit(task: () => void): () => void {
  installExitHook();
  exitTasks.add(task);
  return () => exitTasks.delete(task);
}

const SETPRIV = ['/usr/bin/setpriv', '/bin/setpriv'].find((p) => existsSync(p));

/** Signals every process of the child's group (the child leads it: spawned detached). */
function signalGroup(child: ChildProcess, signal: NodeJS.Signals): void {
  if (child.pid === undefined) return;
  try {
    process.kill(-child.pid, signal);
  } catch {
    // the group is gone
  }
}

/** The last lines of a log (the temp dir holding it may be gone by the time someone reads the error). */
function tail(file: string, max = 1500): string {
  try {
    const text = readFileSync(file, 'utf8');
    return text.slice(-max).trimEnd() || '(empty)';
  } catch {
    return '(unreadable)';
  }
}

/** A started child with its exit observable. */
export interface ManagedChild {
  readonly pid: number;
  /** Resolves with the exit code (or the signal name) once the process is gone. */
  readonly exited: Promise<number | string>;
  /** An error describing an early exit, for readiness loops; undefined while running. */
  deadError(): Error | undefined;
  /** SIGTERM, then SIGKILL after `graceMs`; resolves when the process is gone. */
  stop(graceMs?: number): Promise<void>;
}

export interface SpawnOptions {
  /** stdout and stderr are appended here (servers print fatal config errors to stderr). */
  readonly logFile: string;
  readonly cwd?: string;
  readonly env?: NodeJS.ProcessEnv;
}

/** Spawns `cmd args` as a managed child (see module comment). */
export function spawnManaged(name: string, cmd: string, args: readonly string[], opts: SpawnOptions): ManagedChild {
  installExitHook();
  const fd = openSync(opts.logFile, 'a');
  const [file, argv] = SETPRIV ? [SETPRIV, ['--pdeathsig', 'TERM', '--', cmd, ...args]] : [cmd, [...args]];
  let child: ChildProcess;
  try {
    // detached: the child leads a new process group (see the module comment); it stays referenced, so Node still waits for it.
    child = spawn(file, argv, { cwd: opts.cwd, env: opts.env ?? process.env, stdio: ['ignore', fd, fd], detached: true });
  } finally {
    closeSync(fd);
  }
  live.add(child);
  let dead: Error | undefined;
  const exited = new Promise<number | string>((resolve) => {
    child.once('error', (e) => {
      dead = new Error(`${name} failed to start: ${e.message} (log: ${opts.logFile})`);
      live.delete(child);
      resolve('error');
    });
    child.once('exit', (code, signal) => {
      const how = code ?? signal ?? 'unknown';
      dead = new Error(`${name} exited (${how}); ${opts.logFile} ends with:\n${tail(opts.logFile)}`);
      live.delete(child);
      resolve(how);
    });
  });
  return {
    pid: child.pid ?? -1,
    exited,
    deadError: () => dead,
    async stop(graceMs = 5_000) {
      if (!dead) {
        signalGroup(child, 'SIGTERM');
        const t = setTimeout(() => signalGroup(child, 'SIGKILL'), graceMs);
        await exited;
        clearTimeout(t);
      }
      // Whatever of the group outlived its leader (Dovecot's imap, log and stats processes).
      signalGroup(child, 'SIGKILL');
    },
  };
}
