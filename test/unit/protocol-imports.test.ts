import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { packageOf, repoRoot, specifiers, tsFiles } from './helpers/imports.ts';

/**
 * STYLE habit 1 / ARCHITECTURE layering: protocol/ is a pure wire library. It
 * imports nothing from src/ or backends/, nor the server's frameworks.
 */
const protocolDir = path.join(repoRoot, 'protocol');
const FORBIDDEN_PACKAGES = ['fastify', 'pino', 'better-sqlite3'];
const FORBIDDEN_DIRS = ['src', 'backends'].map((d) => path.join(repoRoot, d) + path.sep);

/** Why `spec`, imported from `file`, breaks the layering; undefined when it is fine. */
function violation(file: string, spec: string): string | undefined {
  if (spec.startsWith('.')) {
    const target = path.resolve(path.dirname(file), spec);
    const dir = FORBIDDEN_DIRS.find((d) => target.startsWith(d));
    return dir ? `imports ${spec} from ${path.relative(repoRoot, dir)}/` : undefined;
  }
  const pkg = packageOf(spec);
  if (FORBIDDEN_PACKAGES.includes(pkg) || pkg.startsWith('@fastify/')) return `imports package ${pkg}`;
  return undefined;
}

describe('protocol/ layering', () => {
  it('finds the import forms it checks (self-test of the scanner)', () => {
    const src = `import { a } from '../../src/x.ts';\nimport type { B } from "fastify";\nexport * from '../../backends/y.ts';\nconst p = await import('pino');\nimport 'better-sqlite3';`;
    const found = specifiers(src).map((s) => violation(path.join(protocolDir, 'wbxml/z.ts'), s)).filter(Boolean);
    expect(found).toHaveLength(5);
    expect(violation(path.join(protocolDir, 'wbxml/z.ts'), '../version.ts')).toBeUndefined();
    expect(violation(path.join(protocolDir, 'wbxml/z.ts'), 'fast-xml-parser')).toBeUndefined();
  });

  it('no file under protocol/ imports from src/, backends/, fastify, pino or better-sqlite3', () => {
    const files = tsFiles(protocolDir);
    expect(files.length).toBeGreaterThan(10);
    const problems: string[] = [];
    for (const file of files) {
      for (const spec of specifiers(readFileSync(file, 'utf8'))) {
        const why = violation(file, spec);
        if (why) problems.push(`${path.relative(repoRoot, file)} ${why}`);
      }
    }
    expect(problems).toEqual([]);
  });
});
