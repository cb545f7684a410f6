import type { Migration } from './types.ts';

/**
 * DAV collections in the Sync engine (calendars, tasks, contacts).
 *
 * - dav_members: a small integer per member href of a DAV folder, shared by
 *   every device of the mailbox. The engine's state tables key items by an
 *   integer id (the IMAP UID for mail); for DAV that id is `n` here, so the
 *   same undo, pending and windowing rules serve both. Rows are never reused
 *   for another href.
 * - sync_collections.dav_token: how far change detection of a DAV
 *   collection has looked, per device: `sync:<DAV:sync-token>` (RFC 6578)
 *   or `ctag:<getctag>`; NULL before the first scan.
 */
export const migration005: Migration = {
  id: 5,
  name: 'dav',
  up(db) {
    db.exec(`
      ALTER TABLE sync_collections ADD COLUMN dav_token TEXT;

      CREATE TABLE dav_members (
        mailbox    TEXT NOT NULL,
        folder_id  INTEGER NOT NULL,               -- folders.id of the collection
        n          INTEGER NOT NULL,               -- the item id used in sync_items.uid / sync_dirty.uid
        href       TEXT NOT NULL,                  -- absolute path of the member on the DAV server
        PRIMARY KEY (mailbox, folder_id, n),
        UNIQUE (mailbox, folder_id, href)
      ) STRICT;
    `);
  },
};
