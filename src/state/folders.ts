import type { Db } from './db.ts';

/** Where a folder lives. Only IMAP today; CalDAV/CardDAV collections get their own source later. */
export type FolderSource = 'imap' | 'caldav' | 'carddav';

/** One row of the mailbox-wide folder map: the stable EAS ServerId of a backend folder. */
export interface FolderRow {
  readonly mailbox: string;
  readonly id: number;
  readonly source: FolderSource;
  readonly path: string;
  readonly parentId: number | null;
  readonly name: string;
  /** MS-ASCMD 2.2.3.186.3 folder type. */
  readonly type: number;
  /** Backend hint used to recognise a folder renamed outside EAS (IMAP UIDVALIDITY). */
  readonly hint: string | null;
  readonly deleted: boolean;
}

interface RawFolder {
  mailbox: string;
  id: number;
  source: FolderSource;
  path: string;
  parent_id: number | null;
  name: string;
  type: number;
  hint: string | null;
  deleted: number;
}

const toRow = (r: RawFolder): FolderRow => ({
  mailbox: r.mailbox,
  id: r.id,
  source: r.source,
  path: r.path,
  parentId: r.parent_id,
  name: r.name,
  type: r.type,
  hint: r.hint,
  deleted: r.deleted === 1,
});

/** Fields of a folder as the backend describes it now. */
export interface FolderFields {
  readonly source: FolderSource;
  readonly path: string;
  readonly parentId: number | null;
  readonly name: string;
  readonly type: number;
  readonly hint?: string | null;
}

/**
 * The folder map (ARCHITECTURE "ServerIds are short and stable"). Ids are
 * never reused for another path: a deleted folder keeps its row (deleted=1)
 * and gets the same id back if the path reappears.
 */
export class FolderRepository {
  constructor(private readonly db: Db) {}

  /** All rows of a mailbox, deleted ones included, in id order. */
  listAll(mailbox: string): FolderRow[] {
    return (this.db.prepare('SELECT * FROM folders WHERE mailbox = ? ORDER BY id').all(mailbox) as RawFolder[]).map(toRow);
  }

  /** Folders that exist now. */
  listActive(mailbox: string): FolderRow[] {
    return this.listAll(mailbox).filter((f) => !f.deleted);
  }

  /** By ServerId; deleted folders are not returned. */
  get(mailbox: string, id: number): FolderRow | undefined {
    const r = this.db.prepare('SELECT * FROM folders WHERE mailbox = ? AND id = ? AND deleted = 0').get(mailbox, id) as
      | RawFolder
      | undefined;
    return r && toRow(r);
  }

  /** Parses a wire ServerId ("7") and looks it up; undefined for anything else. */
  getByServerId(mailbox: string, serverId: string): FolderRow | undefined {
    if (!/^[1-9]\d{0,9}$/.test(serverId)) return undefined;
    return this.get(mailbox, Number(serverId));
  }

  /** By backend path, deleted rows included (so their id can come back). */
  byPath(mailbox: string, source: FolderSource, path: string): FolderRow | undefined {
    const r = this.db.prepare('SELECT * FROM folders WHERE mailbox = ? AND source = ? AND path = ?').get(mailbox, source, path) as
      | RawFolder
      | undefined;
    return r && toRow(r);
  }

  /** Adds a folder with the next free id of the mailbox. */
  insert(mailbox: string, f: FolderFields): FolderRow {
    const next = (this.db.prepare('SELECT COALESCE(MAX(id), 0) + 1 AS n FROM folders WHERE mailbox = ?').get(mailbox) as { n: number }).n;
    this.db
      .prepare(
        `INSERT INTO folders (mailbox, id, source, path, parent_id, name, type, hint, deleted)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?, 0)`,
      )
      .run(mailbox, next, f.source, f.path, f.parentId, f.name, f.type, f.hint ?? null);
    return this.get(mailbox, next)!;
  }

  /** Rewrites a row (rename, move, type change) and marks it present. */
  update(mailbox: string, id: number, f: FolderFields): void {
    // A deleted row may hold the new path; it gives the path up to the live folder.
    this.db
      .prepare('DELETE FROM folders WHERE mailbox = ? AND source = ? AND path = ? AND id <> ? AND deleted = 1')
      .run(mailbox, f.source, f.path, id);
    this.db
      .prepare(
        `UPDATE folders SET source = ?, path = ?, parent_id = ?, name = ?, type = ?, hint = ?, deleted = 0
         WHERE mailbox = ? AND id = ?`,
      )
      .run(f.source, f.path, f.parentId, f.name, f.type, f.hint ?? null, mailbox, id);
  }

  markDeleted(mailbox: string, id: number): void {
    this.db.prepare('UPDATE folders SET deleted = 1 WHERE mailbox = ? AND id = ?').run(mailbox, id);
  }
}
