import type { Migration } from './types.ts';

/**
 * What operators decide and do (issue 12):
 *
 * - `devices.access_source`: who set `access_state`. `default`: nobody, the
 *   access rules and the organisation default decide at each request;
 *   `operator`: a per-device override (eas-admin device allow|block|
 *   quarantine, or the block that follows an acknowledged wipe).
 * - `devices.wipe_sent_at`: when the wipe order went out in a Provision
 *   answer (pending -> sent -> acknowledged, with `wipe_requested_at` and
 *   `wipe_done_at`).
 * - `devices.quarantine_notified_at`: when the user was told by mail that
 *   this device waits for an operator (once per quarantine).
 * - `access_rules`: allow / block / quarantine by DeviceType, DeviceModel,
 *   DeviceOS, User-Agent or user (case-insensitive globs).
 * - `server_settings`: the organisation default (`access.default`).
 * - `audit`: every operator action and every wipe, block and quarantine.
 */
export const migration006: Migration = {
  id: 6,
  name: 'operators',
  up(db) {
    db.exec(`
      ALTER TABLE devices ADD COLUMN access_source TEXT NOT NULL DEFAULT 'default'
        CHECK (access_source IN ('default', 'operator'));
      ALTER TABLE devices ADD COLUMN wipe_sent_at INTEGER;
      ALTER TABLE devices ADD COLUMN quarantine_notified_at INTEGER;
      -- Before this migration only an operator could set access_state.
      UPDATE devices SET access_source = 'operator' WHERE access_state <> 'allowed';

      CREATE TABLE access_rules (
        id          INTEGER PRIMARY KEY,
        field       TEXT NOT NULL CHECK (field IN ('deviceType', 'deviceModel', 'deviceOS', 'userAgent', 'user')),
        pattern     TEXT NOT NULL,               -- glob: * any run, ? one character; case-insensitive
        access      TEXT NOT NULL CHECK (access IN ('allowed', 'blocked', 'quarantined')),
        created_at  INTEGER NOT NULL,
        UNIQUE (field, pattern)
      ) STRICT;

      CREATE TABLE server_settings (
        key    TEXT PRIMARY KEY,
        value  TEXT NOT NULL
      ) STRICT;

      CREATE TABLE audit (
        id         INTEGER PRIMARY KEY AUTOINCREMENT,
        at         INTEGER NOT NULL,
        actor      TEXT NOT NULL,                 -- cli:<os user>, server
        action     TEXT NOT NULL,                 -- device.block, wipe.sent, rule.add, ...
        mailbox    TEXT,
        device_id  TEXT,
        detail     TEXT NOT NULL DEFAULT '{}'     -- JSON
      ) STRICT;
      CREATE INDEX audit_mailbox ON audit (mailbox, at);
    `);
  },
};
