/**
 * What recording a device session costs (issue 11): the initial mail sync
 * of bench/mail-sync.bench.ts (10,000 varied messages, WindowSize 512, HTML
 * truncated at 5 KB, the phone in a child process over loopback), run with
 * and without an active redacted recording of the phone, alternating
 * ROUNDS times, the best run of each kept. The recording decodes every
 * answer, redacts bodies and addresses, and appends the file; its share is
 * the ratio of the two best wall times (goal: under 1.05), of the medians,
 * and of the server's CPU time from the phone's first request until the
 * capture thread has written everything (so it counts the capture
 * thread's work, which waits for a pause in the traffic: pause-queue.ts).
 * `drainAfterMs` is how long the recorder still worked after the last
 * answer had gone out. BENCH_MAIL_COUNT, BENCH_MAIL_ROUNDS, BENCH_MAIL_DATA
 * and BENCH_CPU_PROF (a .cpuprofile of the last recorded run) work as for mail-sync.
 */
import { fork } from 'node:child_process';
import { mkdtempSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { Session } from 'node:inspector/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { CaptureOperations } from '../src/capture/admin-commands.ts';
import { startStack } from '../src/devstack/stack.ts';
import { startTestServer } from '../test/integration/server-setup.ts';
import type { ClientJob, ClientResult } from './mail-sync-client.ts';
import { seedBenchMailbox } from './mail-seed.ts';

export const name = 'capture';

const COUNT = Number(process.env.BENCH_MAIL_COUNT ?? 10_000);
const ROUNDS = Number(process.env.BENCH_MAIL_ROUNDS ?? 9);
const WINDOW = 512;
const TRUNCATION = 5 * 1024;
const GOAL_RATIO = 1.05;
const CHILD_TIMEOUT_MS = 180_000;
const CLIENT = join(fileURLToPath(import.meta.url), '..', 'mail-sync-client.ts');

type EasResult = Extract<ClientResult, { mode: 'eas' }> & { cpuAtStart: NodeJS.CpuUsage };

/** One phone in a child process; `cpuAtStart` is this process's CPU (the server's) when the phone began. */
function phone(job: Extract<ClientJob, { mode: 'eas' }>): Promise<EasResult> {
  return new Promise((resolve, reject) => {
    const p = fork(CLIENT, [JSON.stringify(job)], { execArgv: ['--import', 'tsx'], stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
    let cpu0: NodeJS.CpuUsage | undefined;
    const timer = setTimeout(() => (p.kill(), reject(new Error('phone timed out'))), CHILD_TIMEOUT_MS);
    p.on('message', (m: { type: string; phase?: string; result?: ClientResult; message?: string }) => {
      // The end mark is not used: CPU is read once the capture thread has drained (run() below), so that deferred work counts.
      if (m.type === 'mark') {
        if (m.phase === 'start') cpu0 = process.cpuUsage();
      } else if (m.type === 'result' && cpu0) {
        clearTimeout(timer);
        resolve({ ...(m.result as Extract<ClientResult, { mode: 'eas' }>), cpuAtStart: cpu0 });
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
      const ops = new CaptureOperations(server.services.db, server.services.repos, { actor: 'bench' }, () => undefined);
      let n = 0;
      const once = async (recorded: boolean): Promise<EasResult & { drainAfterMs: number; serverCpuMs: number }> => {
        const deviceId = `cap${recorded ? 'on' : 'off'}${Date.now().toString(36)}${n++}`;
        if (recorded) ops.start(user.name, deviceId);
        const r = await phone({ mode: 'eas', url: server.url, user: user.name, password: user.password, deviceId, window: WINDOW, truncation: TRUNCATION, incrementalRounds: 0 });
        const t = performance.now();
        await server.app.capture.idle();
        const drainAfterMs = performance.now() - t;
        const cpu = process.cpuUsage(r.cpuAtStart);
        if (recorded) ops.stop(user.name, deviceId);
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
      return {
        messages: COUNT,
        rounds: ROUNDS,
        withoutCaptureMs: Math.round(bestOff.ms),
        withoutRunsMs: off.map((x) => Math.round(x.ms)).join(' / '),
        withCaptureMs: Math.round(bestOn.ms),
        withRunsMs: on.map((x) => Math.round(x.ms)).join(' / '),
        ratio: Number(ratio.toFixed(3)),
        ratioGoal: GOAL_RATIO,
        ratioOk: ratio < GOAL_RATIO,
        // Medians of the runs: the best-run ratio's check against one lucky run.
        medianRatio: Number(medianRatio.toFixed(3)),
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
