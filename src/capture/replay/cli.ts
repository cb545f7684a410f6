/**
 * The eas-replay command line (src/cli/eas-replay.ts runs it; tests call
 * `replayMain` directly).
 *
 *   eas-replay --url URL --user U --password P [--insecure] [--address A]
 *              [--mail-to A] [--json FILE] [--update] [--timeout MS] CAPTURE|DIR...
 *   eas-replay import FILE.har [-o OUT.json]
 *
 * Exit codes: 0 when no step failed, 1 when one did, 2 for bad arguments or
 * an input that cannot be read (nothing is replayed then).
 */
import { readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseArgs } from '../../cli/args.ts';
import type { CaptureFile } from '../format.ts';
import { HarInputError, importHar } from './har.ts';
import { CaptureInputError, loadCapture } from './load.ts';
import { closingLine, jsonReport, sessionTable, totals } from './report.ts';
import { replayCapture, type SessionResult } from './runner.ts';
import { updatedCapture, writeCapture } from './update.ts';

export const USAGE = `usage:
  eas-replay --url URL --user U --password P [--insecure] [--address A] [--mail-to A] [--json FILE] [--update] [--timeout MS] CAPTURE|DIR...
      replays capture files (a DIR: its *.json) as a new device; --update rewrites their expected answers;
      --mail-to: recipient of the stand-in messages sent for redacted MIME (default the replaying user)
  eas-replay import FILE.har [-o OUT.json]
      converts a HAR 1.2 export of an EAS session to a capture file (stdout without -o)
The password may come from EAS_REPLAY_PASSWORD instead of --password.`;

/** Where the CLI writes: stdout lines and stderr lines. */
export interface CliIo {
  readonly out: (line: string) => void;
  readonly err: (line: string) => void;
  readonly env?: Readonly<Record<string, string | undefined>>;
}

class UsageError extends Error {}

/** CAPTURE arguments with directories expanded to their *.json files, in name order. */
function expandInputs(paths: readonly string[]): string[] {
  const out: string[] = [];
  for (const p of paths) {
    let dir = false;
    try {
      dir = statSync(p).isDirectory();
    } catch {
      dir = false; // loadCapture reports the missing file
    }
    if (dir) {
      const files = readdirSync(p).filter((f) => f.endsWith('.json') && !f.endsWith('.schema.json')).sort();
      out.push(...files.map((f) => join(p, f)));
    } else out.push(p);
  }
  return out;
}

function runImport(argv: readonly string[], io: CliIo): number {
  let outFile: string | undefined;
  const rest: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i]!;
    if (a === '-o' || a === '--output') {
      outFile = argv[++i];
      if (outFile === undefined) throw new UsageError(`${a} needs a file`);
    } else if (a.startsWith('--output=')) outFile = a.slice('--output='.length);
    else rest.push(a);
  }
  if (rest.length !== 1) throw new UsageError('import needs exactly one FILE.har');
  const file = rest[0]!;
  let har: unknown;
  try {
    har = JSON.parse(readFileSync(file, 'utf8'));
  } catch (e) {
    io.err(`eas-replay: ${file}: cannot read as JSON: ${(e as Error).message}`);
    return 2;
  }
  try {
    const r = importHar(har, file);
    const text = `${JSON.stringify(r.capture, null, 2)}\n`;
    if (outFile) writeFileSync(outFile, text);
    else io.out(text.trimEnd());
    const skipped = [
      r.skippedNotEas ? `${r.skippedNotEas} not EAS` : '',
      r.skippedOtherDevice ? `${r.skippedOtherDevice} of other devices` : '',
      r.skippedBroken ? `${r.skippedBroken} without a usable URL` : '',
    ].filter(Boolean);
    io.err(`eas-replay: imported ${r.imported} exchanges from ${file}${skipped.length ? ` (skipped ${skipped.join(', ')})` : ''}${outFile ? ` into ${outFile}` : ''}`);
    return 0;
  } catch (e) {
    if (e instanceof HarInputError) {
      io.err(`eas-replay: ${e.message}`);
      return 2;
    }
    throw e;
  }
}

/** Runs the CLI; resolves to the exit code. */
export async function replayMain(argv: readonly string[], io: CliIo): Promise<number> {
  try {
    if (argv[0] === 'import') return runImport(argv.slice(1), io);
    const { positional, options } = parseArgs(argv, ['url', 'user', 'password', 'json', 'address', 'mail-to', 'timeout']);
    if (options.has('help')) {
      io.out(USAGE);
      return 0;
    }
    const known = new Set(['url', 'user', 'password', 'json', 'address', 'mail-to', 'timeout', 'insecure', 'update', 'help']);
    for (const k of options.keys()) if (!known.has(k)) throw new UsageError(`unknown option --${k}`);
    const str = (k: string): string | undefined => {
      const v = options.get(k);
      if (v === true) throw new UsageError(`--${k} needs a value`);
      return v;
    };
    const url = str('url');
    const user = str('user');
    const password = str('password') ?? io.env?.EAS_REPLAY_PASSWORD;
    if (!url || !user || password === undefined) throw new UsageError('--url, --user and --password are required');
    if (positional.length === 0) throw new UsageError('no CAPTURE given');
    const timeout = str('timeout');
    if (timeout !== undefined && !/^\d+$/.test(timeout)) throw new UsageError('--timeout is in milliseconds');

    const files = expandInputs(positional);
    if (files.length === 0) throw new UsageError('no capture files found');
    const captures: { path: string; file: CaptureFile }[] = [];
    let unreadable = 0;
    for (const path of files) {
      try {
        captures.push({ path, file: loadCapture(path) });
      } catch (e) {
        if (!(e instanceof CaptureInputError)) throw e;
        io.err(`eas-replay: ${e.message}`);
        unreadable++;
      }
    }
    if (unreadable > 0) {
      io.err(`eas-replay: ${unreadable} of ${files.length} inputs unreadable; nothing replayed`);
      return 2;
    }

    const address = str('address');
    const mailTo = str('mail-to');
    if (mailTo !== undefined && !/^[^@\s]+@[^@\s]+$/.test(mailTo)) throw new UsageError('--mail-to needs an address');
    const sessions: SessionResult[] = [];
    for (const c of captures) {
      const s = await replayCapture(c.file, c.path, {
        target: { baseUrl: url, user, password, insecure: options.has('insecure') },
        ...(address ? { address } : {}),
        ...(mailTo ? { mailTo } : {}),
        ...(timeout ? { timeoutMs: Number(timeout) } : {}),
      });
      sessions.push(s);
      io.out(sessionTable(s));
      io.out('');
      if (options.has('update')) {
        writeCapture(c.path, updatedCapture(c.file, s));
        io.err(`eas-replay: updated the expected answers in ${c.path}`);
      }
    }
    const t = totals(sessions);
    io.out(closingLine(t));
    const json = str('json');
    if (json) writeFileSync(json, `${JSON.stringify(jsonReport(sessions), null, 2)}\n`);
    return t.failed > 0 ? 1 : 0;
  } catch (e) {
    if (e instanceof UsageError || (e instanceof Error && /needs a value$/.test(e.message))) {
      io.err(`eas-replay: ${e.message}\n${USAGE}`);
      return 2;
    }
    throw e;
  }
}
