import type { Migration } from './types.ts';

/**
 * Named policy sets (issue 12 item 4): the global EAS_POLICY_* settings stay
 * the default; a set overrides some of them (`settings`, JSON of the
 * PolicyConfig fields it changes) and is assigned to a whole mailbox
 * (`device_id` '') or to one device, the device's assignment winning.
 * A set in use cannot be deleted (RESTRICT), so an assignment never points
 * at nothing.
 */
export const migration007: Migration = {
  id: 7,
  name: 'policy-sets',
  up(db) {
    db.exec(`
      CREATE TABLE policy_sets (
        name        TEXT PRIMARY KEY,
        settings    TEXT NOT NULL DEFAULT '{}',   -- JSON: partial PolicyConfig
        created_at  INTEGER NOT NULL,
        updated_at  INTEGER NOT NULL
      ) STRICT;

      CREATE TABLE policy_assignments (
        mailbox     TEXT NOT NULL,
        device_id   TEXT NOT NULL DEFAULT '',    -- '' = every device of the mailbox
        policy_set  TEXT NOT NULL REFERENCES policy_sets(name) ON DELETE RESTRICT,
        PRIMARY KEY (mailbox, device_id)
      ) STRICT;
    `);
  },
};
