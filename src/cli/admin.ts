/**
 * The operator commands behind eas-admin on the server's state database. Works while
 * the server runs (SQLite WAL; writes wait for each other via busy_timeout).
 * The database is --db FILE, else EAS_DB, else EAS_DB from --config FILE,
 * else ./eas.db (the server's default).
 */
import { readFileSync } from 'node:fs';
import { openDatabase, type Db } from '../state/db.ts';
import { createRepositories } from '../state/index.ts';
import { userInfo } from 'node:os';
import { AdminError, AdminOperations, type DeviceView } from '../admin/operations.ts';
import type { DeviceRow } from '../state/devices.ts';
import { parseArgs } from './args.ts';
import { runTop } from './top.ts';
import { captureCommand } from '../capture/admin-commands.ts';

const USAGE = `usage: eas-admin [--db FILE | --config FILE] [--json] COMMAND

  mailbox enable NAME [--email ADDRESS]   allow NAME (the IMAP login) to use ActiveSync
  mailbox disable NAME                    refuse it (403); devices and folder ids are kept
  mailbox list
  devices list [--mailbox NAME]
  device show NAME DEVICEID
  device wipe NAME DEVICEID [--account-only]   order a remote wipe at the next contact
  device wipe-cancel NAME DEVICEID
  device block|allow|quarantine NAME DEVICEID  per-device decision, over the rules
  device reset-access NAME DEVICEID        back to the rules and the default
  device resync NAME DEVICEID [--folder ID]   the device starts over (all folders, or one)
  device remove NAME DEVICEID              forget the device (it must provision again)
  rules list
  rules add deviceType|deviceModel|deviceOS|userAgent|user PATTERN allow|block|quarantine
  rules remove ID
  rules default [allow|block|quarantine]   show or set the organisation default
  policy list                              policy sets and where they are assigned
  policy set NAME KEY=VALUE...             create a set or replace its settings (KEY: EAS_POLICY_* without
                                           the prefix, e.g. PASSWORD_REQUIRED=true PASSWORD_MIN_LENGTH=6)
  policy remove NAME                       delete a set that is not assigned
  policy assign SET NAME [DEVICEID]        the set applies to the mailbox, or to one device (over its mailbox's)
  policy unassign NAME [DEVICEID]          back to the mailbox's set, or the global EAS_POLICY_* policy
  audit [--mailbox NAME] [--limit N]       operator actions, wipes, blocks, quarantines (newest first)
  capture start NAME [DEVICEID] [--for 1h|30m|2d] [--bodies]   record the sessions of NAME's devices (or one) to EAS_CAPTURE_DIR
  capture stop NAME [DEVICEID]             stop recording the device, or without DEVICEID every device of NAME
  capture list                             active recordings
  top [--url URL] [--insecure] [--once]    live view of a running server (default URL http://127.0.0.1:8080)`;

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

/** Who ran the command, for the audit trail. */
function actor(): string {
  let name = process.env.SUDO_USER ?? process.env.USER;
  if (!name) {
    try {
      name = userInfo().username;
    } catch {
      name = 'unknown';
    }
  }
  return `cli:${name}`;
}

/** One command: the operation (src/admin/operations.ts) and its text form; `--json` prints the value instead. */
function run(ops: AdminOperations, argv: string[], opts: Map<string, string | true>): { value: unknown; text: () => string } {
  const [area, verb, a, b] = argv;
  const str = (k: string): string | undefined => (typeof opts.get(k) === 'string' ? (opts.get(k) as string) : undefined);
  const need = (v: string | undefined, what: string): string => {
    if (!v) throw new UsageError(`missing ${what}`);
    return v;
  };
  const deviceLine = (d: DeviceRow): string => {
    const v = ops.showDevice(d.mailbox, d.deviceId);
    return [d.mailbox, d.deviceId, d.deviceType, d.protocolVersion ?? '-', time(d.lastSeen), d.policyKey ? 'provisioned' : 'not-provisioned', v.access, `wipe:${v.wipe}`].join('\t');
  };
  const accessLine = (v: DeviceView): string => `${v.deviceId}: ${v.access} (by ${v.accessBy})`;
  if (area === 'audit' && verb === undefined) {
    const limit = str('limit');
    const m = str('mailbox');
    const rows = ops.audit({ ...(m !== undefined ? { mailbox: m } : {}), ...(limit !== undefined ? { limit: Number(limit) } : {}) });
    return { value: rows, text: () => rows.map((r) => [new Date(r.at).toISOString(), r.actor, r.action, r.mailbox ?? '-', r.deviceId ?? '-', JSON.stringify(r.detail)].join('\t')).join('\n') || '(no audit entries)' };
  }
  switch (`${area} ${verb}`) {
    case 'mailbox enable': {
      const row = ops.setMailboxEnabled(need(a, 'NAME'), true, str('email'));
      return { value: row, text: () => `enabled ${row.name}${row.email ? ` <${row.email}>` : ''}` };
    }
    case 'mailbox disable': {
      const row = ops.setMailboxEnabled(need(a, 'NAME'), false);
      return { value: row, text: () => `disabled ${row.name}` };
    }
    case 'mailbox list': {
      const rows = ops.listMailboxes();
      return { value: rows, text: () => rows.map((r) => `${r.name}\t${r.enabled ? 'enabled' : 'disabled'}\t${r.email ?? '-'}`).join('\n') || '(no mailboxes)' };
    }
    case 'devices list': {
      const rows = ops.listDevices(str('mailbox'));
      return { value: rows, text: () => rows.map(deviceLine).join('\n') || '(no devices)' };
    }
    case 'device show': {
      const v = ops.showDevice(need(a, 'NAME'), need(b, 'DEVICEID'));
      return {
        value: v,
        text: () =>
          Object.entries({
            ...v,
            firstSeen: time(v.firstSeen),
            lastSeen: time(v.lastSeen),
            wipeRequestedAt: time(v.wipeRequestedAt),
            wipeSentAt: time(v.wipeSentAt),
            wipeDoneAt: time(v.wipeDoneAt),
            quarantineNotifiedAt: time(v.quarantineNotifiedAt),
            info: JSON.stringify(v.info),
          })
            .map(([k, x]) => `${k}: ${x ?? '-'}`)
            .join('\n'),
      };
    }
    case 'device wipe': {
      const v = ops.orderWipe(need(a, 'NAME'), need(b, 'DEVICEID'), opts.has('account-only'));
      return { value: v, text: () => `${v.wipeStatus === 'pending' ? 'remote wipe' : 'account-only wipe'} ordered for ${v.deviceId} (carried out at its next contact)` };
    }
    case 'device wipe-cancel': {
      const v = ops.cancelWipe(need(a, 'NAME'), need(b, 'DEVICEID'));
      return { value: v, text: () => `wipe cancelled for ${v.deviceId}` };
    }
    case 'device block':
    case 'device allow':
    case 'device quarantine': {
      const v = ops.setDeviceAccess(need(a, 'NAME'), need(b, 'DEVICEID'), verb!);
      return { value: v, text: () => accessLine(v) };
    }
    case 'device reset-access': {
      const v = ops.resetDeviceAccess(need(a, 'NAME'), need(b, 'DEVICEID'));
      return { value: v, text: () => accessLine(v) };
    }
    case 'device resync': {
      const r = ops.resyncDevice(need(a, 'NAME'), need(b, 'DEVICEID'), str('folder'));
      return { value: r, text: () => (r.folder ? `${r.deviceId}: folder ${r.folder} starts over at its next Sync` : `${r.deviceId}: starts over at its next FolderSync (mail stays on the server)`) };
    }
    case 'device remove': {
      const r = ops.removeDevice(need(a, 'NAME'), need(b, 'DEVICEID'));
      return { value: r, text: () => `${r.deviceId}: removed` };
    }
    case 'rules list': {
      const r = ops.listRules();
      return { value: r, text: () => [...r.rules.map((x) => `${x.id}\t${x.field}\t${x.pattern}\t${x.access}`), `default\t${r.default}`].join('\n') };
    }
    case 'rules add': {
      const rule = ops.addRule(need(a, 'FIELD'), need(b, 'PATTERN'), need(argv[4], 'allow|block|quarantine'));
      return { value: rule, text: () => `rule ${rule.id}: ${rule.field} ${rule.pattern} -> ${rule.access}` };
    }
    case 'rules remove': {
      const removed = ops.removeRule(Number(need(a, 'ID')));
      return { value: removed, text: () => `rule ${removed.id} removed` };
    }
    case 'rules default': {
      const r = a === undefined ? { default: ops.listRules().default } : ops.setDefaultAccess(a);
      return { value: r, text: () => `default: ${r.default}` };
    }
    case 'policy list': {
      const r = ops.listPolicySets();
      const where = (x: { mailbox: string; deviceId?: string }): string => (x.deviceId ? `${x.mailbox}/${x.deviceId}` : x.mailbox);
      return {
        value: r.sets,
        text: () => r.sets.map((x) => `${x.name}\t${JSON.stringify(x.settings)}\t${x.assignedTo.map(where).join(',') || '(unassigned)'}`).join('\n') || '(no policy sets; every device gets the EAS_POLICY_* policy)',
      };
    }
    case 'policy set': {
      const pairs = argv.slice(3).map((kv) => {
        const i = kv.indexOf('=');
        if (i <= 0) throw new UsageError(`expected KEY=VALUE, got ${JSON.stringify(kv)}`);
        return [kv.slice(0, i), kv.slice(i + 1)] as const;
      });
      const set = ops.putPolicySet(need(a, 'NAME'), Object.fromEntries(pairs));
      return { value: set, text: () => `policy set ${set.name}: ${JSON.stringify(set.settings)} (devices it applies to provision again at their next request)` };
    }
    case 'policy remove': {
      const r = ops.removePolicySet(need(a, 'NAME'));
      return { value: r, text: () => `policy set ${r.name} removed` };
    }
    case 'policy assign':
    case 'policy unassign': {
      const r = verb === 'assign' ? ops.assignPolicySet(need(b, 'NAME'), argv[4], need(a, 'SET')) : ops.assignPolicySet(need(a, 'NAME'), b, null);
      return { value: r, text: () => `${r.deviceId ? `${r.mailbox}/${r.deviceId}` : r.mailbox}: ${r.effective ?? 'global EAS_POLICY_* policy'}` };
    }
    default:
      throw new UsageError(area ? `unknown command: ${argv.join(' ')}` : 'no command given');
  }
}

/** eas-admin: `top` (a loop) or one admin command; returns the exit code. */
export async function adminCli(argv: readonly string[], out: (s: string) => void = console.log, err: (s: string) => void = console.error): Promise<number> {
  let args;
  try {
    args = parseArgs(argv, ['db', 'config', 'email', 'mailbox', 'folder', 'limit', 'url']);
  } catch (e) {
    err(`eas-admin: ${(e as Error).message}`);
    return 2;
  }
  if (args.positional[0] !== 'top') return adminMain(argv, out, err);
  const url = args.options.get('url');
  const db = openDatabase(dbPath(args.options));
  try {
    const repos = createRepositories(db);
    return await runTop({ url: typeof url === 'string' ? url : 'http://127.0.0.1:8080', insecure: args.options.has('insecure'), once: args.options.has('once'), json: args.options.has('json'), devices: () => repos.devices.list(), out, err });
  } finally {
    db.close();
  }
}

/** Runs one admin command; returns the exit code. Exported for tests. */
export function adminMain(argv: readonly string[], out: (s: string) => void = console.log, err: (s: string) => void = console.error): number {
  let db: Db | undefined;
  try {
    const args = parseArgs(argv, ['db', 'config', 'email', 'mailbox', 'folder', 'limit', 'for']);
    if (args.options.has('help')) {
      out(USAGE);
      return 0;
    }
    db = openDatabase(dbPath(args.options));
    const ops = new AdminOperations(db, createRepositories(db), { actor: actor() }, (line) => err(JSON.stringify({ level: 30, time: Date.now(), ...line })));
    const r = args.positional[0] === 'capture' ? captureCommand(ops, args.positional, args.options) : run(ops, args.positional, args.options);
    out(args.options.has('json') ? JSON.stringify(r.value, null, 2) : r.text());
    return 0;
  } catch (e) {
    if (e instanceof UsageError || (e instanceof AdminError && e.kind === 'invalid')) {
      err(`eas-admin: ${e.message}\n${USAGE}`);
      return 2;
    }
    // Refused by the operation (an unknown device or rule): exit 2 as for a usage error, without the usage text.
    err(`eas-admin: ${(e as Error).message}`);
    return e instanceof AdminError ? 2 : 1;
  } finally {
    db?.close();
  }
}

