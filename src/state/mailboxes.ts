import type { Db } from './db.ts';

/** A mailbox row: a login an operator has (or had) enabled for EAS. */
export interface MailboxRow {
  readonly name: string;
  readonly enabled: boolean;
  readonly email: string | null;
  readonly createdAt: number;
  readonly updatedAt: number;
}

interface RawMailbox {
  name: string;
  enabled: number;
  email: string | null;
  created_at: number;
  updated_at: number;
}

const toRow = (r: RawMailbox): MailboxRow => ({
  name: r.name,
  enabled: r.enabled === 1,
  email: r.email,
  createdAt: r.created_at,
  updatedAt: r.updated_at,
});

/** Normalises a login to the mailbox key: lower-cased, trimmed. */
export function mailboxKey(login: string): string {
  return login.trim().toLowerCase();
}

/**
 * Per-mailbox enablement (issue 3 item 5). Only enabled mailboxes may use
 * EAS; disabling keeps devices and folder maps so re-enabling resumes them.
 */
export class MailboxRepository {
  constructor(private readonly db: Db) {}

  get(name: string): MailboxRow | undefined {
    const r = this.db.prepare('SELECT * FROM mailboxes WHERE name = ?').get(mailboxKey(name)) as RawMailbox | undefined;
    return r && toRow(r);
  }

  isEnabled(name: string): boolean {
    return this.get(name)?.enabled ?? false;
  }

  /** Creates the row when absent. `email` undefined keeps the stored address. */
  setEnabled(name: string, enabled: boolean, email?: string | null): MailboxRow {
    const key = mailboxKey(name);
    const now = Date.now();
    this.db
      .prepare(
        `INSERT INTO mailboxes (name, enabled, email, created_at, updated_at) VALUES (@key, @enabled, @email, @now, @now)
         ON CONFLICT(name) DO UPDATE SET enabled = @enabled, updated_at = @now,
           email = CASE WHEN @keepEmail THEN email ELSE @email END`,
      )
      .run({ key, enabled: enabled ? 1 : 0, email: email ?? null, now, keepEmail: email === undefined ? 1 : 0 });
    return this.get(key)!;
  }

  list(): MailboxRow[] {
    return (this.db.prepare('SELECT * FROM mailboxes ORDER BY name').all() as RawMailbox[]).map(toRow);
  }
}
