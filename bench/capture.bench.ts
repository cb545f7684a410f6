/**
 * What recording a device session costs (issue 11): the initial mail sync
 * of bench/mail-sync.bench.ts (10,000 varied messages, WindowSize 512, HTML
 * truncated at 5 KB, the phone in a child process over loopback), run with
 * and without an active redacted recording of the phone, in ROUNDS pairs
 * of alternating order. The recording decodes every answer, redacts bodies
 * and addresses, and appends the file. Reported:
 * - pairedRatio, the median over the pairs of recorded / not recorded wall
 *   time (goal: under 1.05), with the ratios of the best and of the median
 *   runs beside it;
 * - the main thread's CPU during the phone's session (the request path);
 * - the server's CPU from the phone's first request until the capture
 *   thread has written everything, so that the recording's own work, which
 *   waits for a pause in the traffic (pause-queue.ts), is counted;
 * - drainAfterMs, how long the recorder still worked after the last answer.
 * BENCH_MAIL_COUNT, BENCH_MAIL_ROUNDS, BENCH_MAIL_DATA and BENCH_CPU_PROF
 * (a .cpuprofile of the last recorded run) work as for mail-sync.
 */
import { fork } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { Session } from 'node:inspector/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { AdminOperations } from '../src/admin/operations.ts';
import { startStack } from '../src/devstack/stack.ts';
import { startTestServer } from '../test/integration/server-setup.ts';
import type { ClientJob, ClientResult } from './mail-sync-client.ts';
import { seedBenchMailbox } from './mail-seed.ts';

export const name = 'capture';

const COUNT = Number(process.env.BENCH_MAIL_COUNT ?? 10_000);
const ROUNDS = Number(process.env.BENCH_MAIL_ROUNDS ?? 15);
const WINDOW = 512;
const TRUNCATION = 5 * 1024;
const GOAL_RATIO = 1.05;
const CHILD_TIMEOUT_MS = 180_000;
const CLIENT = join(fileURLToPath(import.meta.url), '..', 'mail-sync-client.ts');

type EasResult = Extract<ClientResult, { mode: 'eas' }> & { cpuAtStart: NodeJS.CpuUsage; mainThreadCpuMs: number };

/**
 * CPU of this process's main thread (the event loop that answers the phone: the request path) in ms,
 * from /proc (Linux; clock ticks of 10 ms, fine over runs of seconds). NaN elsewhere.
 */
function mainThreadCpuMs(): number {
  try {
    const stat = readFileSync(`/proc/self/task/${process.pid}/stat`, 'utf8');
    const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    // Fields 14 and 15 of proc(5) (utime, stime) are the 12th and 13th after the command name.
    return (Number(f[11]) + Number(f[12])) * 10;
  } catch {
    return Number.NaN;
  }
}

/** One phone in a child process; `cpuAtStart` is this process's CPU (the server's) when the phone began. */
function phone(job: Extract<ClientJob, { mode: 'eas' }>): Promise<EasResult> {
  return new Promise((resolve, reject) => {
    const p = fork(CLIENT, [JSON.stringify(job)], { execArgv: ['--import', 'tsx'], stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
    let cpu0: NodeJS.CpuUsage | undefined;
    let main0 = Number.NaN;
    let mainMs = Number.NaN;
    const timer = setTimeout(() => (p.kill(), reject(new Error('phone timed out'))), CHILD_TIMEOUT_MS);
    p.on('message', (m: { type: string; phase?: string; result?: ClientResult; message?: string }) => {
      // The process's CPU is read once the capture thread has drained (run() below), so that deferred work counts;
      // the main thread's between the marks, the phone's session.
      if (m.type === 'mark') {
        if (m.phase === 'start') {
          cpu0 = process.cpuUsage();
          main0 = mainThreadCpuMs();
        } else mainMs = mainThreadCpuMs() - main0;
      } else if (m.type === 'result' && cpu0) {
        clearTimeout(timer);
        resolve({ ...(m.result as Extract<ClientResult, { mode: 'eas' }>), cpuAtStart: cpu0, mainThreadCpuMs: mainMs });
      } else {
        clearTimeout(timer);
        reject(new Error(`phone failed: ${m.message}`));
      }
    });
    p.on('exit', (code) => (clearTimeout(timer), reject(new Error(`phone exited with ${code}`))));
  });
}

/** Wraps `f` in a CPU profile of this process when BENCH_CPU_PROF names a directory. */
async function profiled<T>(f: () => Promise<T>): Promise<T> {
  const dir = process.env.BENCH_CPU_PROF;
  if (!dir) return f();
  const s = new Session();
  s.connect();
  await s.post('Profiler.enable');
  await s.post('Profiler.start');
  try {
    return await f();
  } finally {
    const { profile } = await s.post('Profiler.stop');
    writeFileSync(join(dir, `capture-server-${Date.now()}.cpuprofile`), JSON.stringify(profile));
    s.disconnect();
  }
}

export async function run(): Promise<Record<string, unknown>> {
  const dataDir = process.env.BENCH_MAIL_DATA;
  const stack = await startStack(dataDir ? { dataDir, users: [{ name: 'bench@example.test', password: 'bench-mail-sync' }] } : {});
  const captureDir = mkdtempSync(join(tmpdir(), 'eas-capture-bench-'));
  try {
    const user = stack.user();
    await seedBenchMailbox(stack, user, COUNT);
    const server = await startTestServer(stack, { env: { EAS_CAPTURE_DIR: captureDir } });
    try {
      const ops = new AdminOperations(server.services.db, server.services.repos, { actor: 'bench' }, () => undefined);
      let n = 0;
      const once = async (recorded: boolean): Promise<EasResult & { drainAfterMs: number; serverCpuMs: number }> => {
        const deviceId = `cap${recorded ? 'on' : 'off'}${Date.now().toString(36)}${n++}`;
        if (recorded) ops.captureStart(user.name, deviceId);
        const r = await phone({ mode: 'eas', url: server.url, user: user.name, password: user.password, deviceId, window: WINDOW, truncation: TRUNCATION, incrementalRounds: 0 });
        const t = performance.now();
        await server.app.capture.idle();
        const drainAfterMs = performance.now() - t;
        const cpu = process.cpuUsage(r.cpuAtStart);
        if (recorded) ops.captureStop(user.name, deviceId);
        return { ...r, drainAfterMs, serverCpuMs: (cpu.user + cpu.system) / 1000 };
      };
      const off: Awaited<ReturnType<typeof once>>[] = [];
      const on: Awaited<ReturnType<typeof once>>[] = [];
      // One pair first, not counted: the first runs warm Dovecot's cache and the JIT (and start the
      // capture thread). Then pairs in alternating order, so that a trend over the runs favours neither side.
      await once(false);
      await once(true);
      for (let r = 0; r < ROUNDS; r++) {
        const recorded = (): Promise<Awaited<ReturnType<typeof once>>> => (r === ROUNDS - 1 ? profiled(() => once(true)) : once(true));
        if (r % 2 === 0) {
          off.push(await once(false));
          on.push(await recorded());
        } else {
          on.push(await recorded());
          off.push(await once(false));
        }
      }
      const best = <T extends { ms: number }>(xs: T[]): T => xs.reduce((a, b) => (b.ms < a.ms ? b : a));
      const bestOff = best(off);
      const bestOn = best(on);
      const files = readdirSync(captureDir).filter((f) => f.endsWith('.json'));
      const bytes = files.reduce((s, f) => s + statSync(join(captureDir, f)).size, 0);
      const ratio = bestOn.ms / bestOff.ms;
      const median = (xs: number[]): number => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
      const medianRatio = median(on.map((x) => x.ms)) / median(off.map((x) => x.ms));
      const cpuRatio = bestOn.serverCpuMs / bestOff.serverCpuMs;
      // Each pair ran back to back, so its ratio is the one least moved by what else the machine does (which moves
      // single runs by up to 25%): the median of the pairs' ratios is the figure the goal is checked against.
      const paired = (f: (x: (typeof on)[number]) => number): number => median(on.map((x, i) => f(x) / f(off[i]!)));
      const pairedRatio = paired((x) => x.ms);
      return {
        messages: COUNT,
        rounds: ROUNDS,
        withoutCaptureMs: Math.round(bestOff.ms),
        withoutRunsMs: off.map((x) => Math.round(x.ms)).join(' / '),
        withCaptureMs: Math.round(bestOn.ms),
        withRunsMs: on.map((x) => Math.round(x.ms)).join(' / '),
        ratio: Number(ratio.toFixed(3)),
        // Medians of the runs: the best-run ratio's check against one lucky run.
        medianRatio: Number(medianRatio.toFixed(3)),
        pairedRatio: Number(pairedRatio.toFixed(3)),
        ratioGoal: GOAL_RATIO,
        ratioOk: pairedRatio < GOAL_RATIO,
        // The request path: what the event loop spent during the phone's session, recorded / not, per pair.
        mainThreadCpuWithoutMs: Math.round(median(off.map((x) => x.mainThreadCpuMs))),
        mainThreadCpuWithMs: Math.round(median(on.map((x) => x.mainThreadCpuMs))),
        mainThreadCpuPairedRatio: Number(paired((x) => x.mainThreadCpuMs).toFixed(3)),
        serverCpuWithoutMs: Math.round(bestOff.serverCpuMs),
        serverCpuWithMs: Math.round(bestOn.serverCpuMs),
        serverCpuRatio: Number(cpuRatio.toFixed(3)),
        drainAfterMs: Math.round(Math.max(...on.map((x) => x.drainAfterMs))),
        captureFileMB: Number((bytes / files.length / 1024 / 1024).toFixed(2)),
      };
    } finally {
      await server.stop();
      server.cleanup();
    }
  } finally {
    rmSync(captureDir, { recursive: true, force: true });
    await stack.stop();
  }
}
