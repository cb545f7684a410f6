/**
 * A small static import scanner for layering tests: the module specifiers a
 * source file names, and the graph of project files reachable from one.
 * Regular expressions over the text, not a parser: good enough for our own
 * code, which uses plain import/export forms.
 */
import { existsSync, readFileSync, readdirSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

export const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../..');

/** Module specifiers of static imports/exports, dynamic import() and require(). */
export function specifiers(source: string): string[] {
  const out: string[] = [];
  const patterns = [
    /\b(?:import|export)\s[^'"`;]*?\bfrom\s*['"]([^'"]+)['"]/g,
    /\bimport\s*['"]([^'"]+)['"]/g,
    /\bimport\s*\(\s*['"]([^'"]+)['"]\s*\)/g,
    /\brequire\s*\(\s*['"]([^'"]+)['"]\s*\)/g,
  ];
  for (const re of patterns) for (const m of source.matchAll(re)) out.push(m[1]!);
  return out;
}

/** The package a bare specifier names (`@scope/name` or `name`). */
export function packageOf(spec: string): string {
  return spec.startsWith('@') ? spec.split('/').slice(0, 2).join('/') : spec.split('/')[0]!;
}

export function tsFiles(dir: string): string[] {
  return readdirSync(dir, { recursive: true, encoding: 'utf8' })
    .filter((f) => /\.(ts|mts|js|mjs)$/.test(f))
    .map((f) => path.join(dir, f));
}

/**
 * Every project file reachable from `entry` through relative imports, with
 * the bare (package) specifiers each one names. `import type` lines are
 * skipped: they vanish at run time.
 */
export function importGraph(entry: string): Map<string, string[]> {
  const graph = new Map<string, string[]>();
  const todo = [entry];
  while (todo.length) {
    const file = todo.pop()!;
    if (graph.has(file)) continue;
    const source = readFileSync(file, 'utf8').replace(/^\s*import\s+type\s[^;]*;/gm, '');
    const packages: string[] = [];
    for (const spec of specifiers(source)) {
      if (!spec.startsWith('.')) {
        packages.push(packageOf(spec));
        continue;
      }
      const target = path.resolve(path.dirname(file), spec);
      if (existsSync(target)) todo.push(target);
    }
    graph.set(file, packages);
  }
  return graph;
}
