/**
 * The operator's operations on the state database, once, for both faces:
 * eas-admin (src/cli/admin.ts) formats their results as text or JSON, the
 * admin HTTP API (src/admin/http-api.ts) as JSON. Each operation that
 * changes something writes its audit row in the same transaction and its
 * `audit.<action>` log line.
 *
 * Scope: an operator of the whole server sees everything; a tenant-scoped
 * one (an admin API token with `tenant=example.org`) sees only the mailboxes
 * of that mail domain, and a mailbox or device outside it is answered as
 * not found, so that a tenant cannot learn another tenant's mailbox names.
 * Access rules and the default are organisation-wide: a scoped operator may
 * read them but not change them.
 */
import { decideAccess, type AccessDecision } from '../server/access.ts';
import type { Db } from '../state/db.ts';
import type { CoreRepositories } from '../state/index.ts';
import type { AccessRule } from '../state/access-rules.ts';
import { RULE_FIELDS, type RuleField } from '../state/access-rules.ts';
import type { AuditRow } from '../state/audit.ts';
import type { AccessState, DeviceRow } from '../state/devices.ts';
import { mailboxKey, type MailboxRow } from '../state/mailboxes.ts';
import type { PolicySet, PolicySettings } from '../state/policy-sets.ts';
import type { Recording } from '../capture/recordings.ts';
import { POLICY_SETTINGS, type PolicyConfig } from '../config.ts';

/** Why an operation was refused; each face maps the kind once (exit code 2 / HTTP 400, 403, 404, 409). */
export class AdminError extends Error {
  constructor(
    readonly kind: 'invalid' | 'not-found' | 'forbidden' | 'conflict',
    message: string,
  ) {
    super(message);
  }
}

/** Who runs the operations: the audit actor, and the tenant (mail domain) a scoped operator is limited to. */
export interface AdminPrincipal {
  /** `cli:<os user>`, `api:<token label>`. */
  readonly actor: string;
  readonly tenant?: string;
}

/** The three answers an operator can give a device. */
export type AccessVerb = 'allow' | 'block' | 'quarantine';
const ACCESS: Readonly<Record<AccessVerb, AccessState>> = { allow: 'allowed', block: 'blocked', quarantine: 'quarantined' };

export function accessOf(verb: string | undefined): AccessState {
  const a = verb === undefined ? undefined : ACCESS[verb as AccessVerb];
  if (!a) throw new AdminError('invalid', `access must be allow, block or quarantine (got ${JSON.stringify(verb ?? '')})`);
  return a;
}

/** pending -> sent -> acknowledged, as an operator reads it. */
export function wipeStage(d: DeviceRow): string {
  if (d.wipeStatus === 'none') return 'none';
  if (d.wipeStatus === 'done') return 'acknowledged';
  return `${d.wipeStatus === 'account-only' ? 'account-only ' : ''}${d.wipeSentAt === null ? 'pending' : 'sent'}`;
}

/** A device as `device show` and the API give it: the row plus the access decision and the wipe stage. */
export type DeviceView = DeviceRow & {
  readonly access: AccessState;
  readonly accessBy: AccessDecision['by'];
  readonly accessRule?: number;
  readonly wipe: string;
  /** The policy set that applies (the device's, else its mailbox's); null = the global policy. */
  readonly policySet: string | null;
};

/** A policy set as operators see it: its settings and who it is assigned to (within the operator's scope). */
export type PolicySetView = PolicySet & { readonly assignedTo: readonly { mailbox: string; deviceId?: string }[] };

/**
 * Reads `KEY=VALUE` settings of a policy set. KEY is the EAS_POLICY_*
 * variable without its prefix (PASSWORD_MIN_LENGTH), case-insensitive, or
 * the PolicyConfig field (minDevicePasswordLength); values obey the same
 * ranges as the global settings (POLICY_SETTINGS).
 */
export function parsePolicySettings(input: Readonly<Record<string, unknown>>): PolicySettings {
  const out: Record<string, boolean | number> = {};
  for (const [key, raw] of Object.entries(input)) {
    const k = key.toUpperCase();
    const s = POLICY_SETTINGS.find((p) => p.env === `EAS_POLICY_${k}` || p.env === k || p.field.toUpperCase() === k);
    if (!s) throw new AdminError('invalid', `unknown policy setting ${JSON.stringify(key)}; known: ${POLICY_SETTINGS.map((p) => p.env.slice('EAS_POLICY_'.length)).join(', ')}`);
    const text = String(raw).trim().toLowerCase();
    if (s.min === undefined) {
      if (!['true', 'false', '1', '0', 'yes', 'no'].includes(text)) throw new AdminError('invalid', `${key} must be true or false (got ${JSON.stringify(raw)})`);
      out[s.field] = ['true', '1', 'yes'].includes(text);
    } else {
      const n = /^\d{1,9}$/u.test(text) ? Number(text) : Number.NaN;
      if (!(n >= s.min && n <= (s.max ?? Number.MAX_SAFE_INTEGER))) throw new AdminError('invalid', `${key} must be a number from ${s.min} to ${s.max} (got ${JSON.stringify(raw)})`);
      out[s.field] = n;
    }
  }
  return out as PolicySettings;
}

const POLICY_SET_NAME = /^[\w.-]{1,64}$/u;

/** The operations, bound to one database, one principal and one log sink. */
export class AdminOperations {
  readonly #db: Db;
  readonly #repos: CoreRepositories;
  readonly #who: AdminPrincipal;
  readonly #log: (line: Record<string, unknown>) => void;

  constructor(db: Db, repos: CoreRepositories, who: AdminPrincipal, log: (line: Record<string, unknown>) => void) {
    this.#db = db;
    this.#repos = repos;
    this.#who = who;
    this.#log = log;
  }

  // --- mailboxes ---

  listMailboxes(): MailboxRow[] {
    return this.#repos.mailboxes.list().filter((m) => this.#inScope(m.name, m.email));
  }

  /**
   * Enables or disables NAME (enabling creates its row). A scoped operator
   * may name only mailboxes already in its domain by login or stored address,
   * or new ones whose login is in it, and give only addresses of its domain:
   * an address is not a way to pull another tenant's mailbox into scope.
   */
  setMailboxEnabled(name: string, enabled: boolean, email?: string): MailboxRow {
    const key = mailboxKey(name);
    if (!key || key.length > 320) throw new AdminError('invalid', 'NAME must be 1 to 320 characters');
    if (email !== undefined && !/^[^\s@]+@[^\s@]+$/u.test(email)) throw new AdminError('invalid', `not an email address: ${JSON.stringify(email)}`);
    const known = this.#repos.mailboxes.get(key);
    if (!this.#inScope(key, known?.email ?? null) || (email !== undefined && !this.#inScope(email, null))) {
      throw new AdminError('forbidden', `mailbox ${key} is not in ${this.#who.tenant}`);
    }
    if (!enabled && !known) throw new AdminError('not-found', `no mailbox ${key}`);
    return this.#change(`mailbox.${enabled ? 'enable' : 'disable'}`, { mailbox: key }, () => this.#repos.mailboxes.setEnabled(key, enabled, enabled ? email : undefined));
  }

  // --- devices ---

  listDevices(mailbox?: string): DeviceRow[] {
    if (mailbox !== undefined) this.#mailbox(mailbox);
    const scoped = this.#scopedMailboxes();
    return this.#repos.devices.list(mailbox === undefined ? undefined : mailboxKey(mailbox)).filter((d) => scoped === undefined || scoped.has(d.mailbox));
  }

  showDevice(mailbox: string, deviceId: string): DeviceView {
    return this.#view(this.#device(mailbox, deviceId));
  }

  orderWipe(mailbox: string, deviceId: string, accountOnly: boolean): DeviceView {
    const d = this.#device(mailbox, deviceId);
    const status = accountOnly ? 'account-only' : 'pending';
    this.#change('wipe.order', { mailbox: d.mailbox, deviceId: d.deviceId, detail: { kind: status } }, () => this.#repos.devices.setWipe(d.mailbox, d.deviceId, status));
    return this.showDevice(d.mailbox, d.deviceId);
  }

  cancelWipe(mailbox: string, deviceId: string): DeviceView {
    const d = this.#device(mailbox, deviceId);
    this.#change('wipe.cancel', { mailbox: d.mailbox, deviceId: d.deviceId }, () => this.#repos.devices.setWipe(d.mailbox, d.deviceId, 'none'));
    return this.showDevice(d.mailbox, d.deviceId);
  }

  /** An operator's decision for one device, over the rules. */
  setDeviceAccess(mailbox: string, deviceId: string, verb: string): DeviceView {
    const state = accessOf(verb);
    const d = this.#device(mailbox, deviceId);
    this.#change(`device.${verb}`, { mailbox: d.mailbox, deviceId: d.deviceId }, () => this.#repos.devices.setAccessState(d.mailbox, d.deviceId, state));
    return this.showDevice(d.mailbox, d.deviceId);
  }

  /** Back to the rules and the default. */
  resetDeviceAccess(mailbox: string, deviceId: string): DeviceView {
    const d = this.#device(mailbox, deviceId);
    this.#change('device.reset-access', { mailbox: d.mailbox, deviceId: d.deviceId }, () => this.#repos.devices.setAccessState(d.mailbox, d.deviceId, 'allowed', 'default'));
    return this.showDevice(d.mailbox, d.deviceId);
  }

  /** The device starts over (all folders, or one): its sync state goes, the mail stays. */
  resyncDevice(mailbox: string, deviceId: string, collectionId?: string): { mailbox: string; deviceId: string; folder: string | null } {
    const d = this.#device(mailbox, deviceId);
    if (collectionId !== undefined && !/^[\w:.-]{1,64}$/u.test(collectionId)) throw new AdminError('invalid', `not a folder id: ${JSON.stringify(collectionId)}`);
    this.#change('device.resync', { mailbox: d.mailbox, deviceId: d.deviceId, ...(collectionId ? { detail: { folder: collectionId } } : {}) }, () =>
      this.#repos.devices.resync(d.mailbox, d.deviceId, collectionId),
    );
    return { mailbox: d.mailbox, deviceId: d.deviceId, folder: collectionId ?? null };
  }

  /** Forgets the device; it must provision again. */
  removeDevice(mailbox: string, deviceId: string): { mailbox: string; deviceId: string; removed: true } {
    const d = this.#device(mailbox, deviceId);
    this.#change('device.remove', { mailbox: d.mailbox, deviceId: d.deviceId, detail: { deviceType: d.deviceType } }, () => {
      this.#repos.devices.remove(d.mailbox, d.deviceId);
      this.#repos.policySets.forgetDevice(d.mailbox, d.deviceId);
    });
    return { mailbox: d.mailbox, deviceId: d.deviceId, removed: true };
  }

  // --- access rules (organisation-wide) ---

  listRules(): { default: AccessState; rules: AccessRule[] } {
    return { default: this.#repos.accessRules.defaultAccess(), rules: this.#repos.accessRules.list() };
  }

  addRule(field: string, pattern: string, verb: string): AccessRule {
    this.#organisationWide();
    if (!RULE_FIELDS.includes(field as RuleField)) throw new AdminError('invalid', `FIELD must be one of ${RULE_FIELDS.join(', ')}`);
    if (!pattern || pattern.length > 256) throw new AdminError('invalid', 'PATTERN must be 1 to 256 characters');
    const state = accessOf(verb);
    return this.#change('rule.add', {}, () => {
      const rule = this.#repos.accessRules.put(field as RuleField, pattern, state);
      return { value: rule, detail: { id: rule.id, field, pattern, access: state } };
    });
  }

  removeRule(id: number): AccessRule {
    this.#organisationWide();
    if (!Number.isSafeInteger(id)) throw new AdminError('invalid', 'ID must be a number');
    return this.#change('rule.remove', {}, () => {
      const removed = this.#repos.accessRules.remove(id);
      if (!removed) throw new AdminError('not-found', `no rule ${id}`);
      return { value: removed, detail: { id, field: removed.field, pattern: removed.pattern, access: removed.access } };
    });
  }

  setDefaultAccess(verb: string): { default: AccessState } {
    this.#organisationWide();
    const state = accessOf(verb);
    this.#change('rule.default', { detail: { access: state } }, () => this.#repos.accessRules.setDefaultAccess(state));
    return { default: this.#repos.accessRules.defaultAccess() };
  }

  // --- policy sets (the sets are organisation-wide; a tenant assigns them to its own mailboxes) ---

  /** `global`: the server's EAS_POLICY_* policy, shown with the sets where the caller knows it (the API; eas-admin reads no server config). */
  listPolicySets(global?: PolicyConfig): { global?: PolicyConfig; sets: PolicySetView[] } {
    const scoped = this.#scopedMailboxes();
    const assignments = this.#repos.policySets.assignments().filter((a) => scoped === undefined || scoped.has(a.mailbox));
    return {
      ...(global ? { global } : {}),
      sets: this.#repos.policySets.list().map((set) => ({
        ...set,
        assignedTo: assignments.filter((a) => a.policySet === set.name).map((a) => ({ mailbox: a.mailbox, ...(a.deviceId ? { deviceId: a.deviceId } : {}) })),
      })),
    };
  }

  /** Creates the set or replaces its settings; devices it applies to provision again at their next request. */
  putPolicySet(name: string, settings: Readonly<Record<string, unknown>>): PolicySet {
    this.#organisationWide('policy sets');
    if (!POLICY_SET_NAME.test(name)) throw new AdminError('invalid', 'NAME must be 1 to 64 letters, digits, ".", "_" or "-"');
    const parsed = parsePolicySettings(settings);
    return this.#change('policy.set', { detail: { name, settings: parsed } }, () => this.#repos.policySets.put(name, parsed));
  }

  removePolicySet(name: string): { name: string; removed: true } {
    this.#organisationWide('policy sets');
    return this.#change('policy.remove', { detail: { name } }, () => {
      const r = this.#repos.policySets.remove(name);
      if (r === 'missing') throw new AdminError('not-found', `no policy set ${name}`);
      if (r === 'in-use') throw new AdminError('conflict', `policy set ${name} is assigned; unassign it first (eas-admin policy list shows where)`);
      return { name, removed: true as const };
    });
  }

  /** Assigns a set to a mailbox (deviceId undefined) or one device, or removes the assignment (null). */
  assignPolicySet(mailbox: string, deviceId: string | undefined, name: string | null): { mailbox: string; deviceId: string | null; policySet: string | null; effective: string | null } {
    const key = deviceId === undefined ? this.#mailbox(mailbox).name : this.#device(mailbox, deviceId).mailbox;
    if (name !== null && !this.#repos.policySets.get(name)) throw new AdminError('not-found', `no policy set ${name}`);
    this.#change(name === null ? 'policy.unassign' : 'policy.assign', { mailbox: key, ...(deviceId !== undefined ? { deviceId } : {}), detail: { policySet: name } }, () =>
      this.#repos.policySets.assign(key, deviceId, name),
    );
    const effective = deviceId === undefined ? name : (this.#repos.policySets.forDevice(key, deviceId)?.name ?? null);
    return { mailbox: key, deviceId: deviceId ?? null, policySet: name, effective };
  }

  // --- session recording (src/capture, eas-admin capture) ---

  /**
   * Records NAME's devices (or DEVICEID only) from now, until `forMs` has
   * passed or `captureStop`. The mailbox must be known (enabled once), the
   * device need not be: recording a phone's very first contact is the point.
   */
  captureStart(name: string, deviceId: string | undefined, opts: { forMs?: number; bodies?: boolean } = {}, now = Date.now()): Recording {
    const mailbox = this.#mailbox(name).name;
    if (deviceId !== undefined && !/^[A-Za-z0-9_-]{1,64}$/.test(deviceId)) throw new AdminError('invalid', `not a DeviceId (MS-ASHTTP 2.2.1.1.1.2.3): ${JSON.stringify(deviceId)}`);
    const until = opts.forMs !== undefined ? now + opts.forMs : undefined;
    const bodies = opts.bodies === true;
    return this.#change('capture.start', { mailbox, ...(deviceId !== undefined ? { deviceId } : {}), detail: { bodies, until: until === undefined ? null : new Date(until).toISOString() } }, () =>
      this.#repos.captures.start({ mailbox, ...(deviceId !== undefined ? { deviceId } : {}), ...(until !== undefined ? { until } : {}), bodies, startedBy: this.#who.actor }, now),
    );
  }

  /** Stops DEVICEID's recording, or without it every recording of NAME; not-found (and no audit row) when there was none. */
  captureStop(name: string, deviceId?: string): Recording[] {
    const mailbox = mailboxKey(name);
    return this.#change('capture.stop', { mailbox, ...(deviceId !== undefined ? { deviceId } : {}) }, () => {
      const stopped = this.#repos.captures.stop(mailbox, deviceId);
      if (stopped.length === 0) throw new AdminError('not-found', `no recording of ${mailbox}${deviceId !== undefined ? ` device ${deviceId}` : ''}`);
      return stopped;
    });
  }

  captureList(): Recording[] {
    return this.#repos.captures.list();
  }

  // --- audit ---

  /** Newest first; a scoped operator sees the rows of its mailboxes only. */
  audit(opts: { mailbox?: string; limit?: number } = {}): AuditRow[] {
    if (opts.limit !== undefined && !(Number.isSafeInteger(opts.limit) && opts.limit > 0)) throw new AdminError('invalid', 'limit must be a positive number');
    if (opts.mailbox !== undefined) this.#mailbox(opts.mailbox);
    const scoped = this.#scopedMailboxes();
    return this.#repos.audit.list({
      ...(opts.mailbox !== undefined ? { mailboxes: [mailboxKey(opts.mailbox)] } : scoped ? { mailboxes: [...scoped] } : {}),
      ...(opts.limit !== undefined ? { limit: opts.limit } : {}),
    });
  }

  // --- helpers ---

  #view(d: DeviceRow): DeviceView {
    const decision = decideAccess(d, this.#repos.accessRules.list(), this.#repos.accessRules.defaultAccess());
    const policySet = this.#repos.policySets.forDevice(d.mailbox, d.deviceId)?.name ?? null;
    return { ...d, access: decision.state, accessBy: decision.by, ...(decision.rule ? { accessRule: decision.rule.id } : {}), wipe: wipeStage(d), policySet };
  }

  /** A mailbox of this operator's scope, or not-found. */
  #mailbox(name: string): MailboxRow {
    const m = this.#repos.mailboxes.get(name);
    if (!m || !this.#inScope(m.name, m.email)) throw new AdminError('not-found', `no mailbox ${mailboxKey(name)}`);
    return m;
  }

  #device(mailbox: string, deviceId: string): DeviceRow {
    if (!deviceId) throw new AdminError('invalid', 'missing DEVICEID');
    const key = mailboxKey(mailbox);
    const d = this.#repos.devices.get(key, deviceId);
    if (!d || (this.#who.tenant !== undefined && !this.#inScope(key, this.#repos.mailboxes.get(key)?.email ?? null))) {
      throw new AdminError('not-found', `no device ${deviceId} for mailbox ${key}`);
    }
    return d;
  }

  /** A mailbox is a tenant's when its login or its address is in the tenant's domain. */
  #inScope(name: string, email: string | null): boolean {
    const t = this.#who.tenant;
    if (t === undefined) return true;
    const suffix = `@${t.toLowerCase()}`;
    return name.toLowerCase().endsWith(suffix) || (email ?? '').toLowerCase().endsWith(suffix);
  }

  #scopedMailboxes(): Set<string> | undefined {
    return this.#who.tenant === undefined ? undefined : new Set(this.listMailboxes().map((m) => m.name));
  }

  #organisationWide(what = 'access rules'): void {
    if (this.#who.tenant !== undefined) throw new AdminError('forbidden', `${what} apply to every tenant; a tenant-scoped operator cannot change them`);
  }

  /**
   * Runs a change and its audit row in one transaction, then writes the
   * `audit.<action>` log line. `apply` may return `{ value, detail }` to add
   * what only the change knows (a new rule's id) to the audit detail.
   */
  #change<T>(action: string, e: { mailbox?: string; deviceId?: string; detail?: Record<string, unknown> }, apply: () => T | { value: T; detail: Record<string, unknown> }): T {
    const run = this.#db.transaction(() => {
      const r = apply();
      const withDetail = typeof r === 'object' && r !== null && 'value' in r && 'detail' in r ? (r as { value: T; detail: Record<string, unknown> }) : undefined;
      const row = this.#repos.audit.record({ actor: this.#who.actor, action, ...e, ...(withDetail ? { detail: { ...e.detail, ...withDetail.detail } } : {}) });
      return { value: withDetail ? withDetail.value : (r as T), row };
    });
    const { value, row } = run();
    this.#log({ event: `audit.${action}`, actor: row.actor, mailbox: row.mailbox, device: row.deviceId, ...row.detail });
    return value;
  }
}
