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
export type DeviceView = DeviceRow & { readonly access: AccessState; readonly accessBy: AccessDecision['by']; readonly accessRule?: number; readonly wipe: string };

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
    this.#change('device.remove', { mailbox: d.mailbox, deviceId: d.deviceId, detail: { deviceType: d.deviceType } }, () => this.#repos.devices.remove(d.mailbox, d.deviceId));
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
    return { ...d, access: decision.state, accessBy: decision.by, ...(decision.rule ? { accessRule: decision.rule.id } : {}), wipe: wipeStage(d) };
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

  #organisationWide(): void {
    if (this.#who.tenant !== undefined) throw new AdminError('forbidden', 'access rules apply to every tenant; a tenant-scoped operator cannot change them');
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
