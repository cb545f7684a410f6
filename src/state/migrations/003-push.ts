import type { Migration } from './types.ts';

/**
 * Each device's last Ping parameters (MS-ASCMD 2.2.1.13): a Ping with an
 * empty body, or without Folders / HeartbeatInterval, reuses them, so the
 * server must remember what the device last asked for. One row per device,
 * replaced by every Ping that carries parameters; gone with the device.
 */
export const migration003: Migration = {
  id: 3,
  name: 'push',
  up(db) {
    db.exec(`
      CREATE TABLE ping_params (
        mailbox        TEXT NOT NULL,
        device_id      TEXT NOT NULL,
        heartbeat_sec  INTEGER,            -- NULL: the device never sent one
        folders        TEXT NOT NULL,      -- JSON [{"id": "5", "class": "Email"}], as the device sent them
        updated_at     INTEGER NOT NULL,
        PRIMARY KEY (mailbox, device_id),
        FOREIGN KEY (mailbox, device_id) REFERENCES devices(mailbox, device_id) ON DELETE CASCADE
      ) STRICT;
    `);
  },
};
