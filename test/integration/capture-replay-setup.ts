/**
 * What the capture corpus (captures/*.json) is replayed against: a fresh
 * eas-server on the real stack with the seeded mailbox of alice, always the
 * same data (src/devstack/seed.ts with a fixed seed), so that the recorded
 * answers stay right from run to run. Shared by the corpus test and the
 * replay tests; free of vitest so that its helpers can be used anywhere.
 */
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Stack } from '../../src/devstack/stack.ts';
import { seedMailbox } from '../../src/devstack/seed.ts';
import type { CaptureFile } from '../../src/capture/format.ts';
import type { SessionResult } from '../../src/capture/replay/runner.ts';

export const CORPUS_DIR = fileURLToPath(new URL('../../captures/', import.meta.url));
export const CORPUS_USER = 'alice@example.test';

/** The corpus files in name order (the order they are replayed in: one SendMail adds a message others then see). */
export function corpusFiles(): string[] {
  return readdirSync(CORPUS_DIR)
    .filter((f) => f.endsWith('.json') && !f.endsWith('.schema.json'))
    .sort()
    .map((f) => join(CORPUS_DIR, f));
}

/** 24 messages over INBOX, Sent, Archive and Projects/Alpha, plus a calendar, a task list and an address book. */
export async function seedCorpusMailbox(stack: Stack): Promise<void> {
  await seedMailbox(stack, CORPUS_USER, { count: 24, seed: 11 });
}

/**
 * What is wrong with a corpus replay: a failed step that is not a known
 * deviation of the server, a known deviation that no longer happens (the
 * note must go), any unbound value (the corpus binds everything).
 */
export function corpusProblems(file: CaptureFile, s: SessionResult): string[] {
  const out: string[] = [];
  for (const r of s.steps) {
    const known = file.exchanges[r.index - 1]?.knownDeviation;
    if (r.result === 'unbound') out.push(`step ${r.index} ${r.command}: ${r.reasons.join('; ')}`);
    else if (r.result === 'failed' && !known) out.push(`step ${r.index} ${r.command}: ${r.reasons.join('; ')}`);
    else if (r.result === 'ok' && known) out.push(`step ${r.index} ${r.command}: passes now; remove its knownDeviation (${known})`);
  }
  return out;
}
