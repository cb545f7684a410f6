/**
 * Child processes of the dev stack (Dovecot, Radicale) that must never outlive
 * the test run: every child is registered and killed on `process.exit`, and is
 * started under `setpriv --pdeathsig` so that the kernel ends it even when
 * Node itself is killed with SIGKILL (a crashed vitest worker).
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
    for (const c of live) {
      try {
        c.kill('SIGTERM');
      } catch {
        // already gone
      }
    }
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
    child = spawn(file, argv, { cwd: opts.cwd, env: opts.env ?? process.env, stdio: ['ignore', fd, fd] });
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
      if (dead) return;
      child.kill('SIGTERM');
      const t = setTimeout(() => child.kill('SIGKILL'), graceMs);
      await exited;
      clearTimeout(t);
    },
  };
}
