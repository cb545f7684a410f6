import type { Migration } from './types.ts';

/**
 * Per-device collection state of the Sync engine (MS-ASCMD 2.2.1.21,
 * ARCHITECTURE "Identity and state", rules 1-4). A collection is one folder
 * on one device. Keys on the wire are `<gen>-<n>`: `gen` is random per
 * collection life (SyncKey 0 starts a new one), `n` counts responses.
 *
 * - sync_items: what the device holds now (ServerId -> UID + flags + date).
 * - sync_undo: for the response that issued the current key, the item rows
 *   as they were before it, so a retry with the previous key can roll back
 *   and get the same changes again (rule 1).
 * - sync_dirty: UIDs whose state may differ from what the device holds
 *   (pending changes, windowing: rule 4); `sent_key` marks the response that
 *   carried them until the device confirms that key.
 * - sync_requests: each device's last full Sync request, for empty and
 *   Partial requests (MS-ASCMD 2.2.3.124 Partial, 12.1+).
 */
export const migration002: Migration = {
  id: 2,
  name: 'sync',
  up(db) {
    db.exec(`
      CREATE TABLE sync_collections (
        mailbox            TEXT NOT NULL,
        device_id          TEXT NOT NULL,
        collection_id      TEXT NOT NULL,          -- folder ServerId as on the wire
        gen                TEXT NOT NULL,
        sync_key           INTEGER NOT NULL,       -- n of the current key
        prev_sync_key      INTEGER,                -- n of the previous key (accepted for a retry)
        last_issued        INTEGER NOT NULL,       -- highest n ever issued, so a rolled-back key is never reused
        path               TEXT NOT NULL,          -- backend folder when the state was made
        uid_validity       INTEGER,
        modseq             TEXT,                   -- HIGHESTMODSEQ merged into sync_dirty (decimal)
        needs_rescan       INTEGER NOT NULL DEFAULT 1,
        next_item          INTEGER NOT NULL DEFAULT 1,
        options            TEXT NOT NULL,          -- JSON CollectionOptions
        last_responses     TEXT,                   -- JSON client-op answers of the request made with key last_responses_key
        last_responses_key INTEGER,
        updated_at         INTEGER NOT NULL,
        PRIMARY KEY (mailbox, device_id, collection_id),
        FOREIGN KEY (mailbox, device_id) REFERENCES devices(mailbox, device_id) ON DELETE CASCADE
      ) STRICT;

      CREATE TABLE sync_items (
        mailbox        TEXT NOT NULL,
        device_id      TEXT NOT NULL,
        collection_id  TEXT NOT NULL,
        server_id      TEXT NOT NULL,
        uid            INTEGER NOT NULL,
        flags          TEXT NOT NULL,              -- IMAP flags as the device knows them, space separated, sorted
        internal_date  INTEGER NOT NULL,           -- epoch ms, for FilterType
        PRIMARY KEY (mailbox, device_id, collection_id, server_id),
        FOREIGN KEY (mailbox, device_id, collection_id)
          REFERENCES sync_collections(mailbox, device_id, collection_id) ON DELETE CASCADE
      ) STRICT;
      CREATE UNIQUE INDEX sync_items_uid ON sync_items (mailbox, device_id, collection_id, uid);
      CREATE INDEX sync_items_date ON sync_items (mailbox, device_id, collection_id, internal_date);

      CREATE TABLE sync_undo (
        mailbox        TEXT NOT NULL,
        device_id      TEXT NOT NULL,
        collection_id  TEXT NOT NULL,
        key            INTEGER NOT NULL,           -- the key whose response changed the row
        server_id      TEXT NOT NULL,
        uid            INTEGER,                    -- NULL: the row did not exist before
        flags          TEXT,
        internal_date  INTEGER,
        PRIMARY KEY (mailbox, device_id, collection_id, key, server_id),
        FOREIGN KEY (mailbox, device_id, collection_id)
          REFERENCES sync_collections(mailbox, device_id, collection_id) ON DELETE CASCADE
      ) STRICT;

      CREATE TABLE sync_dirty (
        mailbox        TEXT NOT NULL,
        device_id      TEXT NOT NULL,
        collection_id  TEXT NOT NULL,
        uid            INTEGER NOT NULL,
        sent_key       INTEGER,                    -- NULL: still pending
        PRIMARY KEY (mailbox, device_id, collection_id, uid),
        FOREIGN KEY (mailbox, device_id, collection_id)
          REFERENCES sync_collections(mailbox, device_id, collection_id) ON DELETE CASCADE
      ) STRICT;

      CREATE TABLE sync_requests (
        mailbox     TEXT NOT NULL,
        device_id   TEXT NOT NULL,
        request     TEXT NOT NULL,                 -- JSON of the collections part of the last full request
        updated_at  INTEGER NOT NULL,
        PRIMARY KEY (mailbox, device_id),
        FOREIGN KEY (mailbox, device_id) REFERENCES devices(mailbox, device_id) ON DELETE CASCADE
      ) STRICT;
    `);
  },
};
