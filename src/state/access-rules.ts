import type { AccessState } from './devices.ts';
import type { Db } from './db.ts';

/** What a rule looks at (Exchange's device access rules, plus the user). */
export type RuleField = 'deviceType' | 'deviceModel' | 'deviceOS' | 'userAgent' | 'user';

export const RULE_FIELDS: readonly RuleField[] = ['deviceType', 'deviceModel', 'deviceOS', 'userAgent', 'user'];

export interface AccessRule {
  readonly id: number;
  readonly field: RuleField;
  /** Case-insensitive glob: `*` any run of characters, `?` one. */
  readonly pattern: string;
  readonly access: AccessState;
  readonly createdAt: number;
}

interface RawRule {
  id: number;
  field: RuleField;
  pattern: string;
  access: AccessState;
  created_at: number;
}

const DEFAULT_KEY = 'access.default';

/** Access rules and the organisation default, in SQLite (shared by the server and eas-admin). */
export class AccessRuleRepository {
  constructor(private readonly db: Db) {}

  list(): AccessRule[] {
    return (this.db.prepare('SELECT * FROM access_rules ORDER BY id').all() as RawRule[]).map((r) => ({ id: r.id, field: r.field, pattern: r.pattern, access: r.access, createdAt: r.created_at }));
  }

  /** Adds a rule, or changes the access of the rule with the same field and pattern. */
  put(field: RuleField, pattern: string, access: AccessState, now = Date.now()): AccessRule {
    this.db
      .prepare('INSERT INTO access_rules (field, pattern, access, created_at) VALUES (?, ?, ?, ?) ON CONFLICT(field, pattern) DO UPDATE SET access = excluded.access')
      .run(field, pattern, access, now);
    return this.list().find((r) => r.field === field && r.pattern === pattern)!;
  }

  remove(id: number): AccessRule | undefined {
    const r = this.list().find((x) => x.id === id);
    if (r) this.db.prepare('DELETE FROM access_rules WHERE id = ?').run(id);
    return r;
  }

  /** The organisation default for devices no rule matches: `allowed` unless an operator changed it. */
  defaultAccess(): AccessState {
    const r = this.db.prepare('SELECT value FROM server_settings WHERE key = ?').get(DEFAULT_KEY) as { value: AccessState } | undefined;
    return r?.value ?? 'allowed';
  }

  setDefaultAccess(access: AccessState): void {
    this.db.prepare('INSERT INTO server_settings (key, value) VALUES (?, ?) ON CONFLICT(key) DO UPDATE SET value = excluded.value').run(DEFAULT_KEY, access);
  }
}
