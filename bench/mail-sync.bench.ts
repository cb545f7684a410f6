/**
 * Initial mail sync of an INBOX of 10,000 varied messages end to end
 * through the server (EAS client -> HTTP -> WBXML -> sync engine -> imapflow
 * -> Dovecot), WindowSize 512, BodyPreference HTML truncated at 5 KB; and,
 * in the same run against the same Dovecot, imapflow fetching the same
 * messages and parts directly as the baseline. Then the median latency of
 * an incremental Sync that finds no changes.
 *
 * Three processes, as in a deployment: this one runs the EAS server (and
 * starts Dovecot, which is its own process anyway); the phone and the
 * baseline imapflow client each run in a child (bench/mail-sync-client.ts)
 * that talks to it over loopback, so the server's CPU is its own. The two
 * sides are measured one after the other, twice each, the better run kept.
 * `BENCH_CPU_PROF=dir` writes a .cpuprofile of this (server) process during
 * the second EAS run. `BENCH_MAIL_DATA=dir` keeps the seeded Dovecot data
 * there and reuses it on the next run (seeding takes most of a minute; the
 * measured runs do not depend on it).
 *
 * Goals (issue 4): EAS initial sync <= 1.5x the baseline; no-change
 * incremental Sync < 10 ms at the median.
 */
import { fork } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { Session } from 'node:inspector/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { startStack } from '../src/devstack/stack.ts';
import { startTestServer } from '../test/integration/server-setup.ts';
import type { ClientJob, ClientResult } from './mail-sync-client.ts';
import { seedBenchMailbox } from './mail-seed.ts';

export const name = 'mail-sync';

const COUNT = Number(process.env.BENCH_MAIL_COUNT ?? 10_000);
const WINDOW = 512;
const TRUNCATION = 5 * 1024;
const GOAL_RATIO = 1.5;
const GOAL_INCREMENTAL_MS = 10;
const INCREMENTAL_ROUNDS = 60;
/** Alternating baseline/EAS runs; each takes seconds, seeding dominates the bench's time. */
const ROUNDS = Number(process.env.BENCH_MAIL_ROUNDS ?? 5);
/** Any one side taking longer than this is a hang, not a measurement. */
const CHILD_TIMEOUT_MS = 180_000;
const CLIENT = join(fileURLToPath(import.meta.url), '..', 'mail-sync-client.ts');

/** Runs one job in a child process and waits (bounded) for its result; `serverCpuMs` is this process's CPU time between the child's marks. */
function runChild<M extends ClientJob['mode']>(job: ClientJob & { mode: M }): Promise<ClientResult & { mode: M; serverCpuMs?: number }> {
  return new Promise((resolve, reject) => {
    const p = fork(CLIENT, [JSON.stringify(job)], { execArgv: ['--import', 'tsx'], stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
    let settled = false;
    const done = (err?: Error, r?: ClientResult): void => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      if (err) {
        p.kill();
        reject(err);
      } else resolve(r as ClientResult & { mode: M; serverCpuMs?: number });
    };
    const timer = setTimeout(() => done(new Error(`${job.mode} client timed out after ${CHILD_TIMEOUT_MS} ms`)), CHILD_TIMEOUT_MS);
    let cpu0: NodeJS.CpuUsage | undefined;
    let serverCpuMs: number | undefined;
    p.on('message', (m: { type: string; phase?: string; result?: ClientResult; message?: string }) => {
      if (m.type === 'mark' && m.phase === 'start') cpu0 = process.cpuUsage();
      else if (m.type === 'mark' && m.phase === 'end' && cpu0) {
        const d = process.cpuUsage(cpu0);
        serverCpuMs = (d.user + d.system) / 1000;
      } else if (m.type === 'result') done(undefined, { ...m.result!, ...(serverCpuMs !== undefined ? { serverCpuMs } : {}) });
      else done(new Error(`${job.mode} client failed: ${m.message}`));
    });
    p.on('error', (e) => done(e));
    p.on('exit', (code) => done(new Error(`${job.mode} client exited with ${code} before answering`)));
  });
}

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)]!;
}

/** Wraps `f` in a CPU profile of this process when BENCH_CPU_PROF names a directory. */
async function profiled<T>(label: string, f: () => Promise<T>): Promise<T> {
  const dir = process.env.BENCH_CPU_PROF;
  if (!dir) return f();
  const s = new Session();
  s.connect();
  await s.post('Profiler.enable');
  await s.post('Profiler.setSamplingInterval', { interval: 200 });
  await s.post('Profiler.start');
  try {
    return await f();
  } finally {
    const { profile } = await s.post('Profiler.stop');
    const file = join(dir, `${label}-${Date.now()}.cpuprofile`);
    writeFileSync(file, JSON.stringify(profile));
    console.log(`cpu profile: ${file}`);
    s.disconnect();
  }
}

export async function run(): Promise<Record<string, unknown>> {
  const dataDir = process.env.BENCH_MAIL_DATA;
  // A kept data dir needs the same password each time.
  const stack = await startStack(dataDir ? { dataDir, users: [{ name: 'bench@example.test', password: 'bench-mail-sync' }] } : {});
  try {
    const user = stack.user();
    const seedMs = await seedBenchMailbox(stack, user, COUNT);

    const server = await startTestServer(stack);
    try {
      // Baseline and EAS alternate, ROUNDS times: the best run of each, so disk cache warmth and
      // the other tenants of a shared machine favour neither.
      const base = (): Promise<ClientResult & { mode: 'baseline' }> =>
        runChild({ mode: 'baseline', host: stack.imap.host, port: stack.imap.port, user: user.name, password: user.password, window: WINDOW, truncation: TRUNCATION });
      let phones = 0;
      const eas = (): Promise<ClientResult & { mode: 'eas'; serverCpuMs?: number }> =>
        runChild({ mode: 'eas', url: server.url, user: user.name, password: user.password, deviceId: `bench${Date.now().toString(36)}${phones++}`, window: WINDOW, truncation: TRUNCATION, incrementalRounds: INCREMENTAL_ROUNDS });
      const bases: (ClientResult & { mode: 'baseline' })[] = [];
      const eass: (ClientResult & { mode: 'eas'; serverCpuMs?: number })[] = [];
      for (let r = 0; r < ROUNDS; r++) {
        bases.push(await base());
        eass.push(r === ROUNDS - 1 ? await profiled('mail-sync-server', eas) : await eas());
      }
      const bestBase = bases.reduce((a, b) => (b.ms < a.ms ? b : a));
      const bestEas = eass.reduce((a, b) => (b.ms < a.ms ? b : a));
      const baseMs = bestBase.ms;
      const easMs = bestEas.ms;
      // The first rounds warm the JIT and the connection; the rest of every run counts.
      const incMedian = median(eass.flatMap((e) => e.incrementalMs.slice(10)));
      const ratio = easMs / baseMs;
      const easCpu = (bestEas.serverCpuMs ?? Number.NaN) + bestEas.cpuMs;
      return {
        messages: COUNT,
        // Item worker threads of the server under test (EAS_SYNC_WORKERS, default 2).
        syncWorkers: server.config.syncWorkers.threads,
        seedMs: Math.round(seedMs),
        easInitialSyncMs: Math.round(easMs),
        easRunsMs: eass.map((e) => Math.round(e.ms)).join(' / '),
        easItems: bestEas.items,
        easRounds: bestEas.rounds,
        // CPU time of the best run: less sensitive than wall time to other load on a shared machine (Dovecot's not counted).
        easServerCpuMs: Math.round(bestEas.serverCpuMs ?? Number.NaN),
        easClientCpuMs: Math.round(bestEas.cpuMs),
        baselineImapflowMs: Math.round(baseMs),
        baselineRunsMs: bases.map((b) => Math.round(b.ms)).join(' / '),
        baselineCpuMs: Math.round(bestBase.cpuMs),
        baselineMessages: bestBase.messages,
        ratio: Number(ratio.toFixed(2)),
        ratioGoal: GOAL_RATIO,
        ratioOk: ratio <= GOAL_RATIO,
        // Server CPU / baseline CPU: what the server adds per message over a bare imapflow client.
        serverCpuRatio: Number(((bestEas.serverCpuMs ?? Number.NaN) / bestBase.cpuMs).toFixed(2)),
        easTotalCpuMs: Math.round(easCpu),
        incrementalNoChangeMedianMs: Number(incMedian.toFixed(2)),
        incrementalGoalMs: GOAL_INCREMENTAL_MS,
        incrementalOk: incMedian < GOAL_INCREMENTAL_MS,
      };
    } finally {
      await server.stop();
      server.cleanup();
    }
  } finally {
    await stack.stop();
  }
}
