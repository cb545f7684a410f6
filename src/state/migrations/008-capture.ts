import type { Migration } from './types.ts';

/**
 * Recording of device sessions (issue 11, src/capture/recorder.ts): one row
 * per active recording. `device_id` NULL records every device of the
 * mailbox; a row for one device wins over the mailbox-wide one. `until`
 * NULL records until `eas-admin capture stop`; past it the recording is
 * off (the server deletes the row). `bodies` 1 keeps message bodies, MIME,
 * attachment data, photos and addresses in the files (passwords and the
 * Authorization header are never written).
 */
export const migration008: Migration = {
  id: 8,
  name: 'capture',
  up(db) {
    db.exec(`
      CREATE TABLE capture_recordings (
        id          INTEGER PRIMARY KEY,
        mailbox     TEXT NOT NULL,               -- mailboxKey (lower-case login)
        device_id   TEXT,                        -- NULL = every device of the mailbox
        started_at  INTEGER NOT NULL,
        until       INTEGER,                     -- NULL = until stopped
        bodies      INTEGER NOT NULL DEFAULT 0 CHECK (bodies IN (0, 1)),
        started_by  TEXT NOT NULL                -- audit actor: cli:<os user>, api:<label>
      ) STRICT;
      -- One recording per (mailbox, device or every device): NULLs are distinct in a plain UNIQUE.
      CREATE UNIQUE INDEX capture_recordings_key ON capture_recordings (mailbox, ifnull(device_id, ''));
    `);
  },
};
