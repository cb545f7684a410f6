/**
 * The EAS server child of the push benchmark (bench/push.bench.ts forks it),
 * so that its RSS and CPU are measured alone. Driven over the fork IPC
 * channel:
 *
 *   ← { type: 'listening', url }
 *   → { type: 'gc' }        ← { type: 'gc-done', mem, spaces } full GCs until the young generation settles, then process.memoryUsage() and V8 space sizes
 *   → { type: 'snapshot' }  ← { type: 'snapshot-done', file } heap snapshot into BENCH_HEAP_SNAPSHOT (opt-in)
 *   → { type: 'stop' }      graceful close, then exit
 *
 * Configured from the environment the orchestrator sets (EAS_* plus
 * BENCH_USERS, the mailboxes to enable). Runs only as a forked child.
 */
import { join } from 'node:path';
import v8 from 'node:v8';
import { loadConfig } from '../src/config.ts';
import { buildServer } from '../src/server/build-server.ts';
import { createServices } from '../src/server/services.ts';

if (!process.send) throw new Error('bench/push-server.ts runs only as a child forked by bench/push.bench.ts');

const config = loadConfig();
// Watchers stay for the whole run; STATUS polling is not exercised (INBOX only).
const services = createServices(config, { push: { watcherLingerMs: 600_000 } });
for (const u of (process.env.BENCH_USERS ?? '').split(',').filter(Boolean)) services.repos.mailboxes.setEnabled(u, true);
const app = await buildServer(config, services);
// A deep accept queue: the ramp opens thousands of connections in seconds.
await app.listen({ host: '127.0.0.1', port: 0, backlog: 8192 });
const addr = app.server.address();
const port = typeof addr === 'object' && addr ? addr.port : 0;
process.on('disconnect', () => process.exit(0));
const newSpaceBytes = (): number => v8.getHeapSpaceStatistics().find((sp) => sp.space_name === 'new_space')?.space_size ?? 0;

/**
 * Full GCs until the young generation is back to its idle size. V8 grows the
 * new space (up to 2 x 16 MB) while allocation is fast, such as during the
 * ramp, and gives it back at a full GC once allocation has been slow for a
 * while: sampling before that would count up to 3 KB of empty nursery per
 * held Ping. Bounded: at most 20 rounds a second apart.
 */
async function settledGc(): Promise<void> {
  const gc = (globalThis as { gc?: () => void }).gc;
  if (!gc) return;
  for (let i = 0; i < 20; i++) {
    for (let k = 0; k < 3; k++) gc();
    if (newSpaceBytes() <= 4 * 2 ** 20) return;
    await new Promise((r) => setTimeout(r, 1000));
  }
}

process.on('message', async (m: { type: string }) => {
  if (m.type === 'gc') {
    await settledGc();
    const spaces = Object.fromEntries(v8.getHeapSpaceStatistics().map((sp) => [sp.space_name, sp.space_size]));
    process.send!({ type: 'gc-done', mem: process.memoryUsage(), spaces });
  } else if (m.type === 'snapshot') {
    const file = v8.writeHeapSnapshot(join(process.env.BENCH_HEAP_SNAPSHOT!, `push-${Date.now()}.heapsnapshot`));
    process.send!({ type: 'snapshot-done', file });
  } else if (m.type === 'stop') {
    void app.close().then(() => services.close()).then(() => process.exit(0));
  }
});
process.send({ type: 'listening', url: `http://127.0.0.1:${port}` });
