import type { PolicyConfig } from '../config.ts';
import type { Db } from './db.ts';

/** The PolicyConfig fields a set overrides; the rest come from the global EAS_POLICY_* settings. */
export type PolicySettings = Partial<PolicyConfig>;

export interface PolicySet {
  readonly name: string;
  readonly settings: PolicySettings;
  readonly createdAt: number;
  readonly updatedAt: number;
}

/** One assignment: a set for a whole mailbox (`deviceId` undefined) or for one of its devices. */
export interface PolicyAssignment {
  readonly mailbox: string;
  readonly deviceId?: string;
  readonly policySet: string;
}

interface RawSet {
  name: string;
  settings: string;
  created_at: number;
  updated_at: number;
}

const toSet = (r: RawSet): PolicySet => ({ name: r.name, settings: JSON.parse(r.settings) as PolicySettings, createdAt: r.created_at, updatedAt: r.updated_at });

/** Named policy sets and who they apply to (migration 007), shared by the server and eas-admin. */
export class PolicySetRepository {
  constructor(private readonly db: Db) {}

  list(): PolicySet[] {
    return (this.db.prepare('SELECT * FROM policy_sets ORDER BY name').all() as RawSet[]).map(toSet);
  }

  get(name: string): PolicySet | undefined {
    const r = this.db.prepare('SELECT * FROM policy_sets WHERE name = ?').get(name) as RawSet | undefined;
    return r && toSet(r);
  }

  /** Creates the set, or replaces the settings of the set with this name. */
  put(name: string, settings: PolicySettings, now = Date.now()): PolicySet {
    this.db
      .prepare(
        `INSERT INTO policy_sets (name, settings, created_at, updated_at) VALUES (?, ?, ?, ?)
         ON CONFLICT(name) DO UPDATE SET settings = excluded.settings, updated_at = excluded.updated_at`,
      )
      .run(name, JSON.stringify(settings), now, now);
    return this.get(name)!;
  }

  /** Deletes an unused set: `in-use` while an assignment names it, `missing` when there is no such set. */
  remove(name: string): 'removed' | 'in-use' | 'missing' {
    if (!this.get(name)) return 'missing';
    if (this.db.prepare('SELECT 1 FROM policy_assignments WHERE policy_set = ? LIMIT 1').get(name)) return 'in-use';
    this.db.prepare('DELETE FROM policy_sets WHERE name = ?').run(name);
    return 'removed';
  }

  /** Assigns `policySet` to the mailbox (deviceId undefined) or one device; null removes the assignment. */
  assign(mailbox: string, deviceId: string | undefined, policySet: string | null): void {
    if (policySet === null) {
      this.db.prepare('DELETE FROM policy_assignments WHERE mailbox = ? AND device_id = ?').run(mailbox, deviceId ?? '');
      return;
    }
    this.db
      .prepare('INSERT INTO policy_assignments (mailbox, device_id, policy_set) VALUES (?, ?, ?) ON CONFLICT(mailbox, device_id) DO UPDATE SET policy_set = excluded.policy_set')
      .run(mailbox, deviceId ?? '', policySet);
  }

  /** Assignments, optionally of one mailbox, mailbox-wide ones first. */
  assignments(mailbox?: string): PolicyAssignment[] {
    const rows = (
      mailbox === undefined
        ? this.db.prepare('SELECT * FROM policy_assignments ORDER BY mailbox, device_id').all()
        : this.db.prepare('SELECT * FROM policy_assignments WHERE mailbox = ? ORDER BY device_id').all(mailbox)
    ) as { mailbox: string; device_id: string; policy_set: string }[];
    return rows.map((r) => ({ mailbox: r.mailbox, ...(r.device_id ? { deviceId: r.device_id } : {}), policySet: r.policy_set }));
  }

  /**
   * The set that applies to a device: its own assignment, else its
   * mailbox's, else none (the global policy). One indexed query: this runs
   * on every request.
   */
  forDevice(mailbox: string, deviceId: string): PolicySet | undefined {
    const r = this.db
      .prepare(
        `SELECT s.* FROM policy_assignments a JOIN policy_sets s ON s.name = a.policy_set
         WHERE a.mailbox = ? AND a.device_id IN (?, '') ORDER BY a.device_id DESC LIMIT 1`,
      )
      .get(mailbox, deviceId) as RawSet | undefined;
    return r && toSet(r);
  }

  /** Drops the assignments of a mailbox's device when the device is forgotten. */
  forgetDevice(mailbox: string, deviceId: string): void {
    this.db.prepare('DELETE FROM policy_assignments WHERE mailbox = ? AND device_id = ?').run(mailbox, deviceId);
  }
}
