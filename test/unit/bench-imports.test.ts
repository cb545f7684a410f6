import { writeFileSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { importGraph, repoRoot, tsFiles } from './helpers/imports.ts';

/**
 * `npm run bench` runs the bench modules with plain tsx, outside vitest, and
 * importing vitest there throws ("Vitest failed to access its internal
 * state"). The benches reuse test helpers, so a vitest hook added to one of
 * those helpers would break the benchmarks without failing any test but this.
 */
describe('bench/ runs outside vitest', () => {
  it('the graph walk sees a vitest import two files away (self-test)', () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'imports-'));
    try {
      writeFileSync(path.join(dir, 'a.ts'), "import { b } from './b.ts';\nimport type { X } from 'vitest';\n");
      writeFileSync(path.join(dir, 'b.ts'), "import { it } from 'vitest';\nexport const b = 1;\n");
      const graph = importGraph(path.join(dir, 'a.ts'));
      expect(graph.get(path.join(dir, 'a.ts'))).toEqual([]);
      expect(graph.get(path.join(dir, 'b.ts'))).toEqual(['vitest']);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('no bench file reaches vitest through its imports', () => {
    const benches = tsFiles(path.join(repoRoot, 'bench'));
    expect(benches.length).toBeGreaterThan(3);
    const offenders: string[] = [];
    for (const entry of benches) {
      for (const [file, packages] of importGraph(entry)) {
        if (packages.includes('vitest')) offenders.push(`${path.relative(repoRoot, entry)} -> ${path.relative(repoRoot, file)}`);
      }
    }
    expect(offenders).toEqual([]);
  });
});
