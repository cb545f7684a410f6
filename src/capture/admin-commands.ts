/**
 * `eas-admin capture start|stop|list` (issue 11): the operator turns the
 * recording of a mailbox's devices, or of one device, on and off. The
 * operations are AdminOperations' (captureStart, captureStop, captureList:
 * one transaction with its audit row and `audit.<action>` log line, as every
 * operator action); this is their command line.
 */
import { AdminError, type AdminOperations } from '../admin/operations.ts';
import type { Recording } from './recordings.ts';

const UNIT_MS: Readonly<Record<string, number>> = { s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000 };
/** Longest --for: a forgotten recording should not fill the disk for ever. */
const MAX_FOR_MS = 30 * 86_400_000;

/** `--for 1h | 30m | 2d | 90s` in ms. */
export function parseDuration(s: string): number {
  const m = /^\s*(\d+)\s*([smhd])\s*$/i.exec(s);
  const ms = m ? Number(m[1]) * UNIT_MS[m[2]!.toLowerCase()]! : Number.NaN;
  if (!(ms > 0) || ms > MAX_FOR_MS) throw new AdminError('invalid', `--for must be a duration such as 30m, 1h or 2d, at most 30d (got ${JSON.stringify(s)})`);
  return ms;
}

const time = (t: number | null): string => (t === null ? '-' : new Date(t).toISOString());

/** One line of `capture list`: mailbox, device (`*` = every device), since, until, what is kept. */
export function recordingLine(r: Recording): string {
  return [r.mailbox, r.deviceId ?? '*', time(r.startedAt), time(r.until), r.bodies ? 'bodies' : 'redacted', r.startedBy].join('\t');
}

/**
 * `capture start NAME [DEVICEID] [--for 1h] [--bodies]`, `capture stop NAME
 * [DEVICEID]`, `capture list` for eas-admin (src/cli/admin.ts): the value
 * printed with --json and the text form. Usage mistakes are AdminError
 * 'invalid' (exit 2 with the usage text).
 */
export function captureCommand(ops: AdminOperations, argv: readonly string[], opts: ReadonlyMap<string, string | true>): { value: unknown; text: () => string } {
  const [, verb, name, deviceId] = argv;
  const need = (v: string | undefined, what: string): string => {
    if (!v) throw new AdminError('invalid', `missing ${what}`);
    return v;
  };
  switch (verb) {
    case 'start': {
      const f = opts.get('for');
      if (f === true) throw new AdminError('invalid', '--for needs a duration (30m, 1h, 2d)');
      const r = ops.captureStart(need(name, 'NAME'), deviceId, { ...(f !== undefined ? { forMs: parseDuration(f) } : {}), bodies: opts.has('bodies') });
      return {
        value: r,
        text: () =>
          `recording ${r.mailbox} ${r.deviceId ? `device ${r.deviceId}` : 'every device'}${r.until !== null ? ` until ${time(r.until)}` : ' until stopped'}${r.bodies ? ', bodies kept' : ', redacted'}`,
      };
    }
    case 'stop': {
      const r = ops.captureStop(need(name, 'NAME'), deviceId);
      return { value: r, text: () => r.map((x) => `stopped ${x.mailbox} ${x.deviceId ? `device ${x.deviceId}` : 'every device'}`).join('\n') };
    }
    case 'list': {
      const r = ops.captureList();
      return { value: r, text: () => r.map(recordingLine).join('\n') || '(no recordings)' };
    }
    default:
      throw new AdminError('invalid', verb ? `unknown command: capture ${verb}` : 'capture needs start, stop or list');
  }
}
