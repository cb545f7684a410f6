/**
 * The operator commands behind eas-admin on the server's state database. Works while
 * the server runs (SQLite WAL; writes wait for each other via busy_timeout).
 * The database is --db FILE, else EAS_DB, else EAS_DB from --config FILE,
 * else ./eas.db (the server's default).
 */
import { readFileSync } from 'node:fs';
import { openDatabase, type Db } from '../state/db.ts';
import { createRepositories, type CoreRepositories } from '../state/index.ts';
import type { AccessState, DeviceRow } from '../state/devices.ts';
import { parseArgs } from './args.ts';

const USAGE = `usage: eas-admin [--db FILE | --config FILE] [--json] COMMAND

  mailbox enable NAME [--email ADDRESS]   allow NAME (the IMAP login) to use ActiveSync
  mailbox disable NAME                    refuse it (403); devices and folder ids are kept
  mailbox list
  devices list [--mailbox NAME]
  device show NAME DEVICEID
  device wipe NAME DEVICEID [--account-only]   order a remote wipe at the next contact
  device wipe-cancel NAME DEVICEID
  device block|allow|quarantine NAME DEVICEID`;

class UsageError extends Error {}

function dbPath(opts: Map<string, string | true>): string {
  const db = opts.get('db');
  if (typeof db === 'string') return db;
  if (process.env.EAS_DB) return process.env.EAS_DB;
  const config = opts.get('config');
  if (typeof config === 'string') {
    const parsed = JSON.parse(readFileSync(config, 'utf8')) as Record<string, unknown>;
    if (typeof parsed.EAS_DB === 'string') return parsed.EAS_DB;
  }
  return './eas.db';
}

const time = (t: number | null): string => (t === null ? '-' : new Date(t).toISOString());

function deviceLine(d: DeviceRow): string {
  return [d.mailbox, d.deviceId, d.deviceType, d.protocolVersion ?? '-', time(d.lastSeen), d.policyKey ? 'provisioned' : 'not-provisioned', d.accessState, `wipe:${d.wipeStatus}`].join('\t');
}

function run(repos: CoreRepositories, db: Db, argv: string[], opts: Map<string, string | true>, out: (s: string) => void): void {
  const json = opts.has('json');
  const print = (value: unknown, text: () => string): void => out(json ? JSON.stringify(value, null, 2) : text());
  const [area, verb, a, b] = argv;
  const need = (v: string | undefined, what: string): string => {
    if (!v) throw new UsageError(`missing ${what}`);
    return v;
  };
  const device = (): DeviceRow => {
    const d = repos.devices.get(need(a, 'NAME').toLowerCase(), need(b, 'DEVICEID'));
    if (!d) throw new UsageError(`no device ${b} for mailbox ${a}`);
    return d;
  };
  switch (`${area} ${verb}`) {
    case 'mailbox enable': {
      const email = opts.get('email');
      const row = repos.mailboxes.setEnabled(need(a, 'NAME'), true, typeof email === 'string' ? email : undefined);
      return print(row, () => `enabled ${row.name}${row.email ? ` <${row.email}>` : ''}`);
    }
    case 'mailbox disable': {
      const row = repos.mailboxes.setEnabled(need(a, 'NAME'), false);
      return print(row, () => `disabled ${row.name}`);
    }
    case 'mailbox list': {
      const rows = repos.mailboxes.list();
      return print(rows, () => rows.map((r) => `${r.name}\t${r.enabled ? 'enabled' : 'disabled'}\t${r.email ?? '-'}`).join('\n') || '(no mailboxes)');
    }
    case 'devices list': {
      const m = opts.get('mailbox');
      const rows = repos.devices.list(typeof m === 'string' ? m.toLowerCase() : undefined);
      return print(rows, () => rows.map(deviceLine).join('\n') || '(no devices)');
    }
    case 'device show': {
      const d = device();
      return print(d, () =>
        Object.entries({ ...d, firstSeen: time(d.firstSeen), lastSeen: time(d.lastSeen), wipeRequestedAt: time(d.wipeRequestedAt), wipeDoneAt: time(d.wipeDoneAt), info: JSON.stringify(d.info) })
          .map(([k, v]) => `${k}: ${v ?? '-'}`)
          .join('\n'),
      );
    }
    case 'device wipe': {
      const d = device();
      const status = opts.has('account-only') ? 'account-only' : 'pending';
      db.transaction(() => repos.devices.setWipe(d.mailbox, d.deviceId, status))();
      return print({ ...d, wipeStatus: status }, () => `${status === 'pending' ? 'remote wipe' : 'account-only wipe'} ordered for ${d.deviceId} (carried out at its next contact)`);
    }
    case 'device wipe-cancel': {
      const d = device();
      repos.devices.setWipe(d.mailbox, d.deviceId, 'none');
      return print({ ...d, wipeStatus: 'none' }, () => `wipe cancelled for ${d.deviceId}`);
    }
    case 'device block':
    case 'device allow':
    case 'device quarantine': {
      const d = device();
      const state: AccessState = verb === 'block' ? 'blocked' : verb === 'allow' ? 'allowed' : 'quarantined';
      repos.devices.setAccessState(d.mailbox, d.deviceId, state);
      return print({ ...d, accessState: state }, () => `${d.deviceId}: ${state}`);
    }
    default:
      throw new UsageError(area ? `unknown command: ${argv.join(' ')}` : 'no command given');
  }
}

/** Runs one admin command; returns the exit code. Exported for tests. */
export function adminMain(argv: readonly string[], out: (s: string) => void = console.log, err: (s: string) => void = console.error): number {
  let db: Db | undefined;
  try {
    const args = parseArgs(argv, ['db', 'config', 'email', 'mailbox']);
    if (args.options.has('help')) {
      out(USAGE);
      return 0;
    }
    db = openDatabase(dbPath(args.options));
    run(createRepositories(db), db, args.positional, args.options, out);
    return 0;
  } catch (e) {
    if (e instanceof UsageError) {
      err(`eas-admin: ${e.message}\n${USAGE}`);
      return 2;
    }
    err(`eas-admin: ${(e as Error).message}`);
    return 1;
  } finally {
    db?.close();
  }
}

