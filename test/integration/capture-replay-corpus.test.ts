/**
 * The capture corpus (captures/*.json, one session per device family) replayed
 * against a fresh server on the real stack: every step must answer as
 * recorded, except the steps marked with a knownDeviation, which must still
 * fail. `EAS_REPLAY_UPDATE=1 npx vitest run test/integration/capture-replay-corpus.test.ts`
 * rewrites the expected answers from this run instead (then read the diff:
 * an answer that is wrong per spec must not go in, see captures/README.md).
 */
import { basename } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { loadCapture } from '../../src/capture/replay/load.ts';
import { replayCapture } from '../../src/capture/replay/runner.ts';
import { updatedCapture, writeCapture } from '../../src/capture/replay/update.ts';
import { useStack } from '../harness/use-stack.ts';
import { useTestServer } from '../harness/use-test-server.ts';
import { corpusFiles, corpusProblems, CORPUS_USER, seedCorpusMailbox } from './capture-replay-setup.ts';

const stack = useStack();
const server = useTestServer(stack);
const UPDATE = process.env.EAS_REPLAY_UPDATE === '1';

beforeAll(async () => {
  await seedCorpusMailbox(stack());
}, 60_000);

describe('capture corpus', () => {
  const files = corpusFiles();
  it('has a session for every device family', () => {
    const families = files.map((f) => loadCapture(f).family).sort();
    expect(families).toEqual(['android-gmail', 'ios', 'outlook', 'samsung', 'tbsync', 'wm65']);
  });

  for (const path of files) {
    it(`${basename(path)} replays as recorded`, async () => {
      const file = loadCapture(path);
      const session = await replayCapture(file, path, { target: { baseUrl: server().url, user: CORPUS_USER, password: stack().user(CORPUS_USER).password } });
      if (UPDATE) writeCapture(path, updatedCapture(file, session));
      expect(corpusProblems(file, session)).toEqual([]);
      // Held Pings are answered at once in the corpus (a change is always pending); a slow session means one waited its heartbeat.
      expect(session.durationMs).toBeLessThan(10_000);
    }, 30_000);
  }
});
