import type { Db } from './db.ts';

/** One audited event (eas-admin audit). */
export interface AuditRow {
  readonly id: number;
  readonly at: number;
  /** `cli:<os user>` for eas-admin, `server` for what the server did on its own (wipe sent, rule applied). */
  readonly actor: string;
  /** Dotted name: device.block, device.resync, rule.add, wipe.order, wipe.sent, wipe.acknowledged, quarantine.notified, ... */
  readonly action: string;
  readonly mailbox: string | null;
  readonly deviceId: string | null;
  readonly detail: Readonly<Record<string, unknown>>;
}

interface RawAudit {
  id: number;
  at: number;
  actor: string;
  action: string;
  mailbox: string | null;
  device_id: string | null;
  detail: string;
}

/** The audit trail in SQLite. Every write also goes to the log as `audit.<action>` (see the callers). */
export class AuditRepository {
  constructor(private readonly db: Db) {}

  record(e: { actor: string; action: string; mailbox?: string; deviceId?: string; detail?: Record<string, unknown> }, now = Date.now()): AuditRow {
    const detail = JSON.stringify(e.detail ?? {});
    const r = this.db
      .prepare('INSERT INTO audit (at, actor, action, mailbox, device_id, detail) VALUES (?, ?, ?, ?, ?, ?)')
      .run(now, e.actor, e.action, e.mailbox ?? null, e.deviceId ?? null, detail);
    return { id: Number(r.lastInsertRowid), at: now, actor: e.actor, action: e.action, mailbox: e.mailbox ?? null, deviceId: e.deviceId ?? null, detail: e.detail ?? {} };
  }

  /** Newest first; `mailboxes` narrows to those mailboxes (an empty list gives no rows). */
  list(opts: { mailboxes?: readonly string[]; limit?: number } = {}): AuditRow[] {
    const limit = Math.max(1, Math.min(opts.limit ?? 100, 10_000));
    const only = opts.mailboxes;
    const rows = (
      only === undefined
        ? this.db.prepare('SELECT * FROM audit ORDER BY id DESC LIMIT ?').all(limit)
        : only.length === 0
          ? []
          : this.db
              .prepare(`SELECT * FROM audit WHERE mailbox IN (SELECT value FROM json_each(?)) ORDER BY id DESC LIMIT ?`)
              .all(JSON.stringify(only), limit)
    ) as RawAudit[];
    return rows.map((r) => ({ id: r.id, at: r.at, actor: r.actor, action: r.action, mailbox: r.mailbox, deviceId: r.device_id, detail: JSON.parse(r.detail) as Record<string, unknown> }));
  }
}
