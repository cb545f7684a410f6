/**
 * The operator commands behind eas-admin on the server's state database. Works while
 * the server runs (SQLite WAL; writes wait for each other via busy_timeout).
 * The database is --db FILE, else EAS_DB, else EAS_DB from --config FILE,
 * else ./eas.db (the server's default).
 */
import { readFileSync } from 'node:fs';
import { openDatabase, type Db } from '../state/db.ts';
import { createRepositories, type CoreRepositories } from '../state/index.ts';
import { userInfo } from 'node:os';
import { decideAccess } from '../server/access.ts';
import { RULE_FIELDS, type RuleField } from '../state/access-rules.ts';
import type { AccessState, DeviceRow } from '../state/devices.ts';
import { parseArgs } from './args.ts';
import { runTop } from './top.ts';

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
  audit [--mailbox NAME] [--limit N]       operator actions, wipes, blocks, quarantines (newest first)
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

/** pending -> sent -> acknowledged, as an operator reads it. */
function wipeStage(d: DeviceRow): string {
  if (d.wipeStatus === 'none') return 'none';
  if (d.wipeStatus === 'done') return 'acknowledged';
  return `${d.wipeStatus === 'account-only' ? 'account-only ' : ''}${d.wipeSentAt === null ? 'pending' : 'sent'}`;
}

const ACCESS: Readonly<Record<string, AccessState>> = { allow: 'allowed', block: 'blocked', quarantine: 'quarantined' };

function accessArg(v: string | undefined): AccessState {
  const a = v === undefined ? undefined : ACCESS[v];
  if (!a) throw new UsageError(`access must be allow, block or quarantine (got ${JSON.stringify(v ?? '')})`);
  return a;
}

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

function run(repos: CoreRepositories, db: Db, argv: string[], opts: Map<string, string | true>, out: (s: string) => void, err: (s: string) => void): void {
  const json = opts.has('json');
  const rules = repos.accessRules;
  const access = (d: DeviceRow) => decideAccess(d, rules.list(), rules.defaultAccess());
  const deviceLine = (d: DeviceRow): string =>
    [d.mailbox, d.deviceId, d.deviceType, d.protocolVersion ?? '-', time(d.lastSeen), d.policyKey ? 'provisioned' : 'not-provisioned', access(d).state, `wipe:${wipeStage(d)}`].join('\t');
  /** An audit row and its log line (stderr, JSON like the server's), in the same transaction as the change when given one. */
  const audit = (action: string, e: { mailbox?: string; deviceId?: string; detail?: Record<string, unknown> } = {}): void => {
    const row = repos.audit.record({ actor: actor(), action, ...e });
    err(JSON.stringify({ level: 30, time: row.at, event: `audit.${action}`, actor: row.actor, mailbox: row.mailbox, device: row.deviceId, ...row.detail }));
  };
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
  if (area === 'audit' && verb === undefined) {
    const m = opts.get('mailbox');
    const limit = opts.get('limit');
    const rows = repos.audit.list({ ...(typeof m === 'string' ? { mailbox: m.toLowerCase() } : {}), ...(typeof limit === 'string' ? { limit: Number(limit) } : {}) });
    return print(rows, () =>
      rows.map((r) => [new Date(r.at).toISOString(), r.actor, r.action, r.mailbox ?? '-', r.deviceId ?? '-', JSON.stringify(r.detail)].join('\t')).join('\n') || '(no audit entries)',
    );
  }
  switch (`${area} ${verb}`) {
    case 'mailbox enable': {
      const email = opts.get('email');
      const row = repos.mailboxes.setEnabled(need(a, 'NAME'), true, typeof email === 'string' ? email : undefined);
      audit('mailbox.enable', { mailbox: row.name });
      return print(row, () => `enabled ${row.name}${row.email ? ` <${row.email}>` : ''}`);
    }
    case 'mailbox disable': {
      const row = repos.mailboxes.setEnabled(need(a, 'NAME'), false);
      audit('mailbox.disable', { mailbox: row.name });
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
      const decision = access(d);
      const shown = {
        ...d,
        access: decision.state,
        accessBy: decision.by,
        ...(decision.rule ? { accessRule: decision.rule.id } : {}),
        wipe: wipeStage(d),
      };
      return print(shown, () =>
        Object.entries({
          ...shown,
          firstSeen: time(d.firstSeen),
          lastSeen: time(d.lastSeen),
          wipeRequestedAt: time(d.wipeRequestedAt),
          wipeSentAt: time(d.wipeSentAt),
          wipeDoneAt: time(d.wipeDoneAt),
          quarantineNotifiedAt: time(d.quarantineNotifiedAt),
          info: JSON.stringify(d.info),
        })
          .map(([k, v]) => `${k}: ${v ?? '-'}`)
          .join('\n'),
      );
    }
    case 'device wipe': {
      const d = device();
      const status = opts.has('account-only') ? 'account-only' : 'pending';
      db.transaction(() => {
        repos.devices.setWipe(d.mailbox, d.deviceId, status);
        audit('wipe.order', { mailbox: d.mailbox, deviceId: d.deviceId, detail: { kind: status } });
      })();
      return print({ ...d, wipeStatus: status }, () => `${status === 'pending' ? 'remote wipe' : 'account-only wipe'} ordered for ${d.deviceId} (carried out at its next contact)`);
    }
    case 'device wipe-cancel': {
      const d = device();
      db.transaction(() => {
        repos.devices.setWipe(d.mailbox, d.deviceId, 'none');
        audit('wipe.cancel', { mailbox: d.mailbox, deviceId: d.deviceId });
      })();
      return print({ ...d, wipeStatus: 'none' }, () => `wipe cancelled for ${d.deviceId}`);
    }
    case 'device block':
    case 'device allow':
    case 'device quarantine': {
      const d = device();
      const state = accessArg(verb);
      db.transaction(() => {
        repos.devices.setAccessState(d.mailbox, d.deviceId, state);
        audit(`device.${verb}`, { mailbox: d.mailbox, deviceId: d.deviceId });
      })();
      return print({ ...d, accessState: state, accessSource: 'operator' }, () => `${d.deviceId}: ${state}`);
    }
    case 'device reset-access': {
      const d = device();
      db.transaction(() => {
        repos.devices.setAccessState(d.mailbox, d.deviceId, 'allowed', 'default');
        audit('device.reset-access', { mailbox: d.mailbox, deviceId: d.deviceId });
      })();
      const now = repos.devices.get(d.mailbox, d.deviceId)!;
      return print({ ...now, access: access(now).state }, () => `${d.deviceId}: ${access(now).state} (by ${access(now).by})`);
    }
    case 'device resync': {
      const d = device();
      const folder = opts.get('folder');
      const collectionId = typeof folder === 'string' ? folder : undefined;
      db.transaction(() => {
        repos.devices.resync(d.mailbox, d.deviceId, collectionId);
        audit('device.resync', { mailbox: d.mailbox, deviceId: d.deviceId, ...(collectionId ? { detail: { folder: collectionId } } : {}) });
      })();
      return print({ mailbox: d.mailbox, deviceId: d.deviceId, folder: collectionId ?? null }, () =>
        collectionId ? `${d.deviceId}: folder ${collectionId} starts over at its next Sync` : `${d.deviceId}: starts over at its next FolderSync (mail stays on the server)`,
      );
    }
    case 'device remove': {
      const d = device();
      db.transaction(() => {
        repos.devices.remove(d.mailbox, d.deviceId);
        audit('device.remove', { mailbox: d.mailbox, deviceId: d.deviceId, detail: { deviceType: d.deviceType } });
      })();
      return print({ mailbox: d.mailbox, deviceId: d.deviceId, removed: true }, () => `${d.deviceId}: removed`);
    }
    case 'rules list': {
      const list = rules.list();
      const def = rules.defaultAccess();
      return print({ default: def, rules: list }, () =>
        [...list.map((r) => `${r.id}\t${r.field}\t${r.pattern}\t${r.access}`), `default\t${def}`].join('\n'),
      );
    }
    case 'rules add': {
      const field = need(a, 'FIELD') as RuleField;
      if (!RULE_FIELDS.includes(field)) throw new UsageError(`FIELD must be one of ${RULE_FIELDS.join(', ')}`);
      const pattern = need(b, 'PATTERN');
      if (pattern.length > 256) throw new UsageError('PATTERN is longer than 256 characters');
      const state = accessArg(argv[4]);
      let rule!: ReturnType<typeof rules.put>;
      db.transaction(() => {
        rule = rules.put(field, pattern, state);
        audit('rule.add', { detail: { id: rule.id, field, pattern, access: state } });
      })();
      return print(rule, () => `rule ${rule.id}: ${field} ${pattern} -> ${state}`);
    }
    case 'rules remove': {
      const id = Number(need(a, 'ID'));
      let removed: ReturnType<typeof rules.remove>;
      db.transaction(() => {
        removed = rules.remove(id);
        if (removed) audit('rule.remove', { detail: { id, field: removed.field, pattern: removed.pattern, access: removed.access } });
      })();
      if (!removed!) throw new UsageError(`no rule ${a}`);
      return print(removed, () => `rule ${id} removed`);
    }
    case 'rules default': {
      if (a !== undefined) {
        const state = accessArg(a);
        db.transaction(() => {
          rules.setDefaultAccess(state);
          audit('rule.default', { detail: { access: state } });
        })();
      }
      const def = rules.defaultAccess();
      return print({ default: def }, () => `default: ${def}`);
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
    const args = parseArgs(argv, ['db', 'config', 'email', 'mailbox', 'folder', 'limit']);
    if (args.options.has('help')) {
      out(USAGE);
      return 0;
    }
    db = openDatabase(dbPath(args.options));
    run(createRepositories(db), db, args.positional, args.options, out, err);
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

