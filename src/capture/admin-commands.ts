/**
 * `eas-admin capture start|stop|list` (issue 11): the operator turns the
 * recording of a mailbox's devices, or of one device, on and off. Each
 * change is one transaction with its audit row (`capture.start`,
 * `capture.stop`) and an `audit.<action>` log line, as every operator
 * action (src/admin/operations.ts).
 */
import { AdminError, type AdminPrincipal } from '../admin/operations.ts';
import type { Db } from '../state/db.ts';
import { createRepositories, type CoreRepositories } from '../state/index.ts';
import { mailboxKey } from '../state/mailboxes.ts';
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

/** The capture operations on one database for one principal. */
export class CaptureOperations {
  constructor(
    private readonly db: Db,
    private readonly repos: CoreRepositories,
    private readonly who: AdminPrincipal,
    private readonly log: (line: Record<string, unknown>) => void,
  ) {}

  /**
   * Records NAME's devices (or DEVICEID only) from now, until `forMs` has
   * passed or `stop`. The mailbox must be known (enabled once), the device
   * need not be: recording a phone's very first contact is the point.
   */
  start(name: string, deviceId: string | undefined, opts: { forMs?: number; bodies?: boolean } = {}, now = Date.now()): Recording {
    const mailbox = this.#mailbox(name);
    if (deviceId !== undefined && !/^[A-Za-z0-9_-]{1,64}$/.test(deviceId)) throw new AdminError('invalid', `not a DeviceId (MS-ASHTTP 2.2.1.1.1.2.3): ${JSON.stringify(deviceId)}`);
    const until = opts.forMs !== undefined ? now + opts.forMs : undefined;
    const rec = this.#audited('capture.start', mailbox, deviceId, { bodies: opts.bodies === true, until: until === undefined ? null : new Date(until).toISOString() }, () =>
      this.repos.captures.start({ mailbox, ...(deviceId !== undefined ? { deviceId } : {}), ...(until !== undefined ? { until } : {}), bodies: opts.bodies === true, startedBy: this.who.actor }, now),
    );
    return rec;
  }

  /** Stops DEVICEID's recording, or without it every recording of NAME. */
  stop(name: string, deviceId?: string): Recording[] {
    const mailbox = mailboxKey(name);
    const stopped = this.#audited('capture.stop', mailbox, deviceId, {}, () => this.repos.captures.stop(mailbox, deviceId), (r) => r.length > 0);
    if (stopped.length === 0) throw new AdminError('not-found', `no recording of ${mailbox}${deviceId !== undefined ? ` device ${deviceId}` : ''}`);
    return stopped;
  }

  list(): Recording[] {
    return this.repos.captures.list();
  }

  #mailbox(name: string): string {
    const m = this.repos.mailboxes.get(name);
    if (!m) throw new AdminError('not-found', `no mailbox ${mailboxKey(name)}`);
    if (this.who.tenant !== undefined && !`${m.name} ${m.email ?? ''}`.toLowerCase().includes(`@${this.who.tenant.toLowerCase()}`)) throw new AdminError('not-found', `no mailbox ${m.name}`);
    return m.name;
  }

  /** Runs the change and its audit row in one transaction (only when `happened`), then logs `audit.<action>`. */
  #audited<T>(action: string, mailbox: string, deviceId: string | undefined, detail: Record<string, unknown>, apply: () => T, happened: (v: T) => boolean = () => true): T {
    const value = this.db.transaction(() => {
      const v = apply();
      if (happened(v)) this.repos.audit.record({ actor: this.who.actor, action, mailbox, ...(deviceId !== undefined ? { deviceId } : {}), detail });
      return v;
    })();
    if (happened(value)) this.log({ event: `audit.${action}`, actor: this.who.actor, mailbox, device: deviceId ?? null, ...detail });
    return value;
  }
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
export function captureCommand(
  db: Db,
  who: AdminPrincipal,
  log: (line: Record<string, unknown>) => void,
  argv: readonly string[],
  opts: ReadonlyMap<string, string | true>,
): { value: unknown; text: () => string } {
  const ops = new CaptureOperations(db, createRepositories(db), who, log);
  const [, verb, name, deviceId] = argv;
  const need = (v: string | undefined, what: string): string => {
    if (!v) throw new AdminError('invalid', `missing ${what}`);
    return v;
  };
  switch (verb) {
    case 'start': {
      const f = opts.get('for');
      if (f === true) throw new AdminError('invalid', '--for needs a duration (30m, 1h, 2d)');
      const r = ops.start(need(name, 'NAME'), deviceId, { ...(f !== undefined ? { forMs: parseDuration(f) } : {}), bodies: opts.has('bodies') });
      return {
        value: r,
        text: () =>
          `recording ${r.mailbox} ${r.deviceId ? `device ${r.deviceId}` : 'every device'}${r.until !== null ? ` until ${time(r.until)}` : ' until stopped'}${r.bodies ? ', bodies kept' : ', redacted'}`,
      };
    }
    case 'stop': {
      const r = ops.stop(need(name, 'NAME'), deviceId);
      return { value: r, text: () => r.map((x) => `stopped ${x.mailbox} ${x.deviceId ? `device ${x.deviceId}` : 'every device'}`).join('\n') };
    }
    case 'list': {
      const r = ops.list();
      return { value: r, text: () => r.map(recordingLine).join('\n') || '(no recordings)' };
    }
    default:
      throw new AdminError('invalid', verb ? `unknown command: capture ${verb}` : 'capture needs start, stop or list');
  }
}
