import type { Migration } from './types.ts';

/**
 * Mailboxes enabled for EAS, their devices, the mailbox-wide folder map and
 * each device's FolderSync state (MS-ASCMD 2.2.1.5). Times are Unix epoch
 * milliseconds. Sync keys are stored as integers and sent as decimal strings.
 */
export const migration001: Migration = {
  id: 1,
  name: 'core',
  up(db) {
    db.exec(`
      CREATE TABLE mailboxes (
        name        TEXT PRIMARY KEY,             -- login name, lower-cased, without DOMAIN\\
        enabled     INTEGER NOT NULL DEFAULT 0,
        email       TEXT,                          -- address for Settings UserInformation; NULL = derived
        created_at  INTEGER NOT NULL,
        updated_at  INTEGER NOT NULL
      ) STRICT;

      CREATE TABLE devices (
        mailbox             TEXT NOT NULL REFERENCES mailboxes(name) ON DELETE CASCADE,
        device_id           TEXT NOT NULL,
        device_type         TEXT NOT NULL,
        user_agent          TEXT,
        first_seen          INTEGER NOT NULL,
        last_seen           INTEGER NOT NULL,
        protocol_version    TEXT,
        policy_key          INTEGER,               -- final key the device acknowledged (MS-ASPROV 3.2.5.1.2)
        policy_hash         TEXT,                  -- which policy that key stands for; a config change forces a refresh
        pending_policy_key  INTEGER,               -- temporary key from the first Provision phase
        model               TEXT,
        imei                TEXT,
        friendly_name       TEXT,
        os                  TEXT,
        os_language         TEXT,
        phone_number        TEXT,
        mobile_operator     TEXT,
        enable_outbound_sms INTEGER,
        wipe_status         TEXT NOT NULL DEFAULT 'none'
                            CHECK (wipe_status IN ('none', 'pending', 'account-only', 'done')),
        wipe_requested_at   INTEGER,
        wipe_done_at        INTEGER,
        access_state        TEXT NOT NULL DEFAULT 'allowed'
                            CHECK (access_state IN ('allowed', 'blocked', 'quarantined')),
        PRIMARY KEY (mailbox, device_id)
      ) STRICT;

      -- One row per folder ever seen for a mailbox. ids are small integers that
      -- never change for a path (and follow a folder across renames), shared by
      -- every device of the mailbox, so that a device starting over with
      -- FolderSync SyncKey 0 gets the ServerIds it already knows.
      CREATE TABLE folders (
        mailbox    TEXT NOT NULL REFERENCES mailboxes(name) ON DELETE CASCADE,
        id         INTEGER NOT NULL,
        source     TEXT NOT NULL DEFAULT 'imap',  -- 'imap' now; 'caldav'/'carddav' later
        path       TEXT NOT NULL,                 -- backend identity (IMAP path, DAV href)
        parent_id  INTEGER,                       -- NULL = top level ("0" on the wire)
        name       TEXT NOT NULL,
        type       INTEGER NOT NULL,              -- MS-ASCMD 2.2.3.186.3 folder type
        hint       TEXT,                          -- backend rename hint (IMAP UIDVALIDITY)
        deleted    INTEGER NOT NULL DEFAULT 0,
        PRIMARY KEY (mailbox, id),
        UNIQUE (mailbox, source, path)
      ) STRICT;

      -- What each device holds of the hierarchy: the snapshot behind its current
      -- FolderSync key and the one behind the previous key (a lost response is
      -- replayed from the previous snapshot, ARCHITECTURE rule 1).
      CREATE TABLE folder_sync_states (
        mailbox        TEXT NOT NULL,
        device_id      TEXT NOT NULL,
        sync_key       INTEGER NOT NULL,
        snapshot       TEXT NOT NULL,             -- JSON FolderEntry[]
        prev_sync_key  INTEGER,
        prev_snapshot  TEXT,
        updated_at     INTEGER NOT NULL,
        PRIMARY KEY (mailbox, device_id),
        FOREIGN KEY (mailbox, device_id) REFERENCES devices(mailbox, device_id) ON DELETE CASCADE
      ) STRICT;
    `);
  },
};
