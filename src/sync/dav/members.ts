import type { Db } from '../../state/db.ts';

/**
 * The integer id of each member href of a DAV folder (schema:
 * src/state/migrations/005-dav.ts). Shared by every device of a mailbox and
 * never reused, so an id in a device's state always means the same href.
 */
export class DavMembers {
  private readonly st;

  constructor(db: Db) {
    this.st = {
      byHref: db.prepare('SELECT n FROM dav_members WHERE mailbox = ? AND folder_id = ? AND href = ?'),
      byN: db.prepare('SELECT href FROM dav_members WHERE mailbox = ? AND folder_id = ? AND n = ?'),
      next: db.prepare('SELECT COALESCE(MAX(n), 0) + 1 AS n FROM dav_members WHERE mailbox = ? AND folder_id = ?'),
      insert: db.prepare('INSERT INTO dav_members (mailbox, folder_id, n, href) VALUES (?, ?, ?, ?)'),
    };
  }

  /** The id of `href`, allocated on first sight. */
  idOf(mailbox: string, folderId: number, href: string): number {
    const r = this.st.byHref.get(mailbox, folderId, href) as { n: number } | undefined;
    if (r) return r.n;
    const n = (this.st.next.get(mailbox, folderId) as { n: number }).n;
    this.st.insert.run(mailbox, folderId, n, href);
    return n;
  }

  /** The id of `href` if it has one (no allocation). */
  find(mailbox: string, folderId: number, href: string): number | undefined {
    return (this.st.byHref.get(mailbox, folderId, href) as { n: number } | undefined)?.n;
  }

  /** The href of id `n`; undefined for an id this folder never had. */
  hrefOf(mailbox: string, folderId: number, n: number): string | undefined {
    return (this.st.byN.get(mailbox, folderId, n) as { href: string } | undefined)?.href;
  }
}
