import type { MailFolder, UserSession } from '../../backends/types.ts';
import type { ImapFolder } from '../../backends/imap/folders.ts';
import { FolderType, type FolderEntry } from '../../protocol/commands/folder-sync.ts';
import type { Db } from '../state/db.ts';
import type { FolderRepository, FolderRow, FolderSource } from '../state/folders.ts';

/**
 * A folder as a backend reports it, already typed for EAS. `hint` lets a
 * folder renamed outside EAS keep its id (IMAP: UIDVALIDITY survives RENAME).
 */
export interface ProvidedFolder {
  readonly path: string;
  readonly parentPath: string | null;
  readonly name: string;
  readonly type: number;
  readonly hint?: string;
}

/**
 * One source of folders in the device's hierarchy. IMAP mail is the only one
 * today; the CalDAV (calendar 8 / 13, tasks 7 / 15) and CardDAV (contacts
 * 9 / 14) default and user folders plug in here as further providers, each
 * with its own `source`, so their ids share the mailbox's one id space.
 */
export interface FolderProvider {
  readonly source: FolderSource;
  list(session: UserSession): Promise<ProvidedFolder[]>;
}

const SPECIAL_TYPES: Readonly<Record<string, number>> = {
  inbox: FolderType.Inbox,
  drafts: FolderType.Drafts,
  trash: FolderType.DeletedItems,
  sent: FolderType.SentItems,
  outbox: FolderType.Outbox,
};

/**
 * EAS folder type of an IMAP folder (MS-ASCMD 2.2.3.186.3): the default mail
 * folders by SPECIAL-USE role; Junk, Archive and everything else are user
 * mail folders (12), since EAS has no default type for them.
 */
export function imapFolderType(f: MailFolder): number {
  return (f.specialUse && SPECIAL_TYPES[f.specialUse]) || FolderType.UserMail;
}

/** Whether a folder type is a default (distinguished) folder that devices may not rename or delete (MS-ASCMD 2.2.3.177.4 Status 3). */
export function isSpecialFolderType(type: number): boolean {
  return type !== FolderType.UserMail && type !== FolderType.UserGeneric && !(type >= 13 && type <= 17);
}

/** The IMAP folder that holds Notes (MS-ASNOTE) and whether to create it when it is missing. */
export interface NotesFolderOptions {
  readonly path: string;
  readonly create: boolean;
}

/**
 * Adapts the IMAP folder store to a FolderProvider. With `notes`, the
 * folder at `notes.path` is the default Notes folder (type 10), created
 * (top level, like Apple Notes' "Notes") when missing and `notes.create`;
 * a failed create leaves the hierarchy without it rather than failing FolderSync.
 */
export function imapFolderProvider(
  store: { listFolders(s: UserSession): Promise<MailFolder[]>; createFolder?(s: UserSession, parentPath: string | null, name: string): Promise<MailFolder> },
  notes?: NotesFolderOptions,
  log?: { warn(o: object, msg: string): void },
): FolderProvider {
  return {
    source: 'imap',
    async list(session) {
      let folders = (await store.listFolders(session)) as ImapFolder[];
      if (notes?.create && store.createFolder && !folders.some((f) => f.path === notes.path)) {
        try {
          await store.createFolder(session, null, notes.path);
          folders = (await store.listFolders(session)) as ImapFolder[];
        } catch (err) {
          log?.warn({ event: 'foldersync.notes-create-failed', path: notes.path, err: err instanceof Error ? err.message : String(err) }, 'could not create the Notes folder');
        }
      }
      return folders.map((f) => ({
        path: f.path,
        parentPath: f.parentPath,
        name: f.name,
        type: notes && f.path === notes.path ? FolderType.Notes : imapFolderType(f),
        ...(f.uidValidity !== undefined ? { hint: String(f.uidValidity) } : {}),
      }));
    },
  };
}

/** Default folders first (Inbox gets id 1 on a fresh mailbox), then by path so parents precede children. */
function byImportance(a: ProvidedFolder, b: ProvidedFolder): number {
  const rank = (f: ProvidedFolder): number => (f.type === FolderType.UserMail || f.type === FolderType.UserGeneric ? 100 : f.type);
  return rank(a) - rank(b) || a.path.length - b.path.length || (a.path < b.path ? -1 : a.path > b.path ? 1 : 0);
}

/**
 * Brings the mailbox's folder map in line with what one provider lists now,
 * and returns that provider's live rows. Ids are stable: the same path keeps
 * its id (also after it was deleted and came back), a folder that vanished
 * while exactly one new folder appeared with the same hint is a rename and
 * keeps its id, anything else new gets the next id. Runs in one transaction.
 */
export function reconcileFolders(db: Db, repo: FolderRepository, mailbox: string, source: FolderSource, listed: readonly ProvidedFolder[]): FolderRow[] {
  return db.transaction(() => {
    const all = repo.listAll(mailbox).filter((r) => r.source === source);
    const byPath = new Map(all.map((r) => [r.path, r]));
    const listedPaths = new Set(listed.map((f) => f.path));
    const vanished = all.filter((r) => !r.deleted && !listedPaths.has(r.path));
    const idOf = new Map<string, number>();
    const sorted = [...listed].sort(byImportance);

    for (const f of sorted) {
      const row = byPath.get(f.path);
      if (row && !row.deleted) idOf.set(f.path, row.id);
    }
    for (const f of sorted) {
      if (idOf.has(f.path)) continue;
      const renamedFrom =
        f.hint !== undefined ? vanished.filter((r) => r.hint === f.hint && r.type === f.type) : [];
      const newcomers = f.hint !== undefined ? sorted.filter((g) => g.hint === f.hint && !idOf.has(g.path)) : [];
      if (renamedFrom.length === 1 && newcomers.length === 1) {
        const old = renamedFrom[0]!;
        vanished.splice(vanished.indexOf(old), 1);
        idOf.set(f.path, old.id);
        continue;
      }
      const revived = byPath.get(f.path);
      if (revived) {
        idOf.set(f.path, revived.id);
        continue;
      }
      const inserted = repo.insert(mailbox, { source, path: f.path, parentId: null, name: f.name, type: f.type, hint: f.hint ?? null });
      idOf.set(f.path, inserted.id);
    }
    for (const r of vanished) repo.markDeleted(mailbox, r.id);

    const current = new Map(repo.listAll(mailbox).map((r) => [r.id, r]));
    const changes: Array<{ id: number; fields: Parameters<FolderRepository['update']>[2] }> = [];
    for (const f of sorted) {
      const id = idOf.get(f.path)!;
      const parentId = f.parentPath !== null ? (idOf.get(f.parentPath) ?? null) : null;
      const row = current.get(id)!;
      if (row.path !== f.path || row.parentId !== parentId || row.name !== f.name || row.type !== f.type || row.hint !== (f.hint ?? null) || row.deleted) {
        changes.push({ id, fields: { source, path: f.path, parentId, name: f.name, type: f.type, hint: f.hint ?? null } });
      }
    }
    // Paths are unique; two folders that swapped names must not collide half-way.
    for (const c of changes) if (current.get(c.id)!.path !== c.fields.path) repo.update(mailbox, c.id, { ...c.fields, path: `\u0000moving:${c.id}` });
    for (const c of changes) repo.update(mailbox, c.id, c.fields);
    return repo.listActive(mailbox).filter((r) => r.source === source);
  })();
}

/** The device-facing form of a folder row. */
export function toEntry(r: FolderRow): FolderEntry {
  return { serverId: String(r.id), parentId: r.parentId === null ? '0' : String(r.parentId), displayName: r.name, type: r.type };
}

/**
 * Lists every provider and reconciles the folder map; returns the
 * device-facing hierarchy. The first provider (IMAP) must answer. When a
 * further one (CalDAV, CardDAV) fails, its folders stay as the map last
 * knew them: a DAV outage must neither break mail nor make phones delete
 * their calendars and contacts.
 */
export async function currentHierarchy(
  deps: { db: Db; folders: FolderRepository; providers: readonly FolderProvider[]; log?: { warn(o: object, msg: string): void } },
  session: UserSession,
  mailbox: string,
): Promise<FolderEntry[]> {
  const lists = await Promise.all(
    deps.providers.map(async (p, i) => {
      if (i === 0) return [p, await p.list(session)] as const;
      try {
        return [p, await p.list(session)] as const;
      } catch (err) {
        deps.log?.warn({ event: 'foldersync.provider-failed', source: p.source, err: err instanceof Error ? err.message : String(err) }, 'folder source failed: its folders are kept as they were');
        return [p, undefined] as const;
      }
    }),
  );
  const rows: FolderRow[] = [];
  for (const [p, listed] of lists) {
    rows.push(...(listed ? reconcileFolders(deps.db, deps.folders, mailbox, p.source, listed) : deps.folders.listActive(mailbox).filter((r) => r.source === p.source)));
  }
  return rows.map(toEntry);
}

/** What changed between what the device holds and the hierarchy now (MS-ASCMD 2.2.3.25 Changes). Adds come parent-first. */
export function diffHierarchy(
  held: readonly FolderEntry[],
  now: readonly FolderEntry[],
): { adds: FolderEntry[]; updates: FolderEntry[]; deletes: string[] } {
  const old = new Map(held.map((f) => [f.serverId, f]));
  const cur = new Map(now.map((f) => [f.serverId, f]));
  const adds = now.filter((f) => !old.has(f.serverId));
  const updates = now.filter((f) => {
    const o = old.get(f.serverId);
    return o && (o.parentId !== f.parentId || o.displayName !== f.displayName || o.type !== f.type);
  });
  const deletes = held.filter((f) => !cur.has(f.serverId)).map((f) => f.serverId);
  return { adds: parentsFirst(adds, now), updates, deletes };
}

function parentsFirst(list: FolderEntry[], all: readonly FolderEntry[]): FolderEntry[] {
  const byId = new Map(all.map((f) => [f.serverId, f]));
  const depth = (f: FolderEntry): number => {
    let d = 0;
    for (let p = byId.get(f.parentId); p && d < 100; p = byId.get(p.parentId)) d++;
    return d;
  };
  return [...list].sort((a, b) => depth(a) - depth(b) || Number(a.serverId) - Number(b.serverId));
}

/** Ids of `rootId` and every folder under it in a device snapshot. */
export function subtreeIds(entries: readonly FolderEntry[], rootId: string): Set<string> {
  const ids = new Set([rootId]);
  let grew = true;
  while (grew) {
    grew = false;
    for (const f of entries) {
      if (!ids.has(f.serverId) && ids.has(f.parentId)) {
        ids.add(f.serverId);
        grew = true;
      }
    }
  }
  return ids;
}
