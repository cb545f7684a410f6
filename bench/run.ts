/**
 * Benchmark runner for `npm run bench [name...]`.
 *
 * Imports every bench/*.bench.ts module (each exports `name` and
 * `run(): Promise<Record<string, unknown>>`), runs them one after another
 * (optionally only those named on the command line), merges the results by
 * name into bench/results.json and prints a summary table.
 */
import { existsSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

interface BenchModule {
  name: string;
  run(): Promise<Record<string, unknown>>;
}

const benchDir = path.dirname(fileURLToPath(import.meta.url));
const resultsFile = path.join(benchDir, 'results.json');

async function main(filter: string[]): Promise<number> {
  const all = readdirSync(benchDir)
    .filter((f) => f.endsWith('.bench.ts'))
    .sort();
  // Importing a module may start it (push.bench.ts runs when imported), so a
  // filter naming files imports only those; a filter by exported name alone falls back to all.
  const byFile = all.filter((f) => filter.includes(f.replace(/\.bench\.ts$/, '')));
  const files = filter.length > 0 && byFile.length === filter.length ? byFile : all;
  const results: Record<string, unknown> = existsSync(resultsFile) ? JSON.parse(readFileSync(resultsFile, 'utf8')) : {};
  let ran = 0;
  for (const file of files) {
    const mod = (await import(pathToFileURL(path.join(benchDir, file)).href)) as Partial<BenchModule>;
    if (typeof mod.name !== 'string' || typeof mod.run !== 'function') {
      console.error(`skipping ${file}: it must export name and run()`);
      continue;
    }
    if (filter.length > 0 && !filter.includes(mod.name) && !filter.includes(file.replace(/\.bench\.ts$/, ''))) continue;
    console.log(`running ${mod.name} (${file}) ...`);
    const started = Date.now();
    const result = await mod.run();
    results[mod.name] = { ...result, ranAt: new Date(started).toISOString(), node: process.version };
    printTable(mod.name, result);
    ran++;
  }
  if (ran === 0) {
    console.error(filter.length ? `no benchmark named ${filter.join(', ')}` : 'no bench/*.bench.ts modules found');
    return 1;
  }
  writeFileSync(resultsFile, `${JSON.stringify(results, null, 2)}\n`);
  console.log(`results written to ${path.relative(process.cwd(), resultsFile)}`);
  return 0;
}

/** Prints scalar entries (nested objects flattened with dots) as an aligned two-column table. */
function printTable(name: string, result: Record<string, unknown>): void {
  const rows: [string, string][] = [];
  const walk = (prefix: string, value: unknown) => {
    if (value !== null && typeof value === 'object' && !Array.isArray(value)) {
      for (const [k, v] of Object.entries(value)) walk(prefix ? `${prefix}.${k}` : k, v);
    } else {
      rows.push([prefix, typeof value === 'number' ? formatNumber(value) : String(value)]);
    }
  };
  walk('', result);
  const width = Math.max(...rows.map(([k]) => k.length), name.length);
  console.log(`\n${name}\n${'-'.repeat(width + 14)}`);
  for (const [k, v] of rows) console.log(`${k.padEnd(width)}  ${v}`);
  console.log('');
}

function formatNumber(n: number): string {
  return Number.isInteger(n) ? String(n) : n.toFixed(Math.abs(n) >= 100 ? 1 : 2);
}

process.exitCode = await main(process.argv.slice(2));
