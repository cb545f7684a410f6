/**
 * eas-replay: replays recorded device sessions (captures/*.json) against an
 * EAS server and judges every answer, and imports HAR exports as captures.
 * Everything is in src/capture/replay/ (cli.ts has the usage); this file
 * only runs it, so that tests can call `replayMain` without a process.
 */
import { replayMain } from '../capture/replay/cli.ts';

replayMain(process.argv.slice(2), {
  out: (line) => process.stdout.write(`${line}\n`),
  err: (line) => process.stderr.write(`${line}\n`),
  env: process.env,
}).then(
  (code) => {
    process.exitCode = code;
  },
  (e: unknown) => {
    process.stderr.write(`eas-replay: ${e instanceof Error ? (e.stack ?? e.message) : String(e)}\n`);
    process.exitCode = 2;
  },
);
