import type { DavCollection, DavComponent, DavStore, UserSession } from '../../backends/types.ts';
import { FolderType } from '../../protocol/commands/folder-sync.ts';
import type { FolderRepository, FolderRow } from '../state/folders.ts';
import { davFolderPath, parseDavFolderPath } from '../sync/dav/item-class.ts';
import type { FolderProvider, ProvidedFolder } from './folder-hierarchy.ts';

/**
 * CalDAV calendars and task lists, CardDAV address books as EAS folders
 * (MS-ASCMD 2.2.3.186.3). A CalDAV collection holding VEVENT is a Calendar
 * folder, one holding VTODO a Tasks folder, one holding both is both.
 * Exactly one folder per class is the default (8 Calendar, 7 Tasks,
 * 9 Contacts; phones that show one folder per class show that one), the
 * others are user folders (13, 15, 14). The default stays where it is as
 * long as its collection exists (a new calendar never takes the role
 * over). Otherwise it is the configured collection (`defaultBook`,
 * EAS_CARDDAV_DEFAULT_BOOK: the last path segment or the display name),
 * else for address books the one the server made for the user (the names
 * Nextcloud, Baikal, SOGo and we give it), else the collection with the
 * smallest href. DAV collections are flat: every folder is at the top level.
 */

const TYPES: Record<DavComponent, { readonly def: number; readonly user: number }> = {
  VEVENT: { def: FolderType.Calendar, user: FolderType.UserCalendar },
  VTODO: { def: FolderType.Tasks, user: FolderType.UserTasks },
  VJOURNAL: { def: FolderType.Notes, user: FolderType.UserNotes },
  VCARD: { def: FolderType.Contacts, user: FolderType.UserContacts },
};

/** Which component a DAV folder type holds. */
export function componentOfType(type: number): DavComponent | undefined {
  for (const [c, t] of Object.entries(TYPES)) if (t.def === type || t.user === type) return c as DavComponent;
  return undefined;
}

function displayNameOf(c: DavCollection): string {
  if (c.displayName.trim() !== '') return c.displayName;
  const seg = c.href.replace(/\/+$/, '').split('/').pop() ?? c.href;
  try {
    return decodeURIComponent(seg);
  } catch {
    return seg;
  }
}

/** Last path segments servers give a user's own address book: ours and Nextcloud's, Baikal's, SOGo's. */
const WELL_KNOWN_BOOKS = ['contacts', 'default', 'personal', 'addressbook'];

const segmentOf = (href: string): string => {
  const seg = href.replace(/\/+$/, '').split('/').pop() ?? href;
  try {
    return decodeURIComponent(seg).toLowerCase();
  } catch {
    return seg.toLowerCase();
  }
};

/** The collection to be the default of `comp` when none was before. */
function firstChoice(holding: readonly DavCollection[], comp: DavComponent, configured: string | undefined): DavCollection | undefined {
  if (comp !== 'VCARD') return holding[0];
  const want = configured?.trim().toLowerCase();
  if (want) {
    const hit = holding.find((c) => segmentOf(c.href) === want || c.displayName.trim().toLowerCase() === want);
    if (hit) return hit;
  }
  for (const name of WELL_KNOWN_BOOKS) {
    const hit = holding.find((c) => segmentOf(c.href) === name);
    if (hit) return hit;
  }
  return holding[0];
}

/** Display names of the collections made for a user who has none of a class. */
const DEFAULT_NAMES: Record<DavComponent, string> = { VEVENT: 'Calendar', VTODO: 'Tasks', VJOURNAL: 'Notes', VCARD: 'Contacts' };

export function davFolderProvider(store: DavStore, kind: 'caldav' | 'carddav', folders: Pick<FolderRepository, 'listActive'>, opts: { createDefaults?: boolean; defaultBook?: string; notes?: boolean } = {}): FolderProvider {
  // VJOURNAL collections are Notes folders only with EAS_NOTES_BACKEND=caldav (otherwise notes live in IMAP).
  const components: readonly DavComponent[] = kind === 'caldav' ? ['VEVENT', 'VTODO', ...(opts.notes ? (['VJOURNAL'] as const) : [])] : ['VCARD'];
  return {
    source: kind,
    async list(session: UserSession): Promise<ProvidedFolder[]> {
      let listed = await store.listCollections(session, kind);
      if (opts.createDefaults) {
        // Exchange mailboxes always have the default folders; phones put new events, tasks and contacts there.
        const missing = components.filter((comp) => !listed.some((c) => c.components.includes(comp)));
        for (const comp of missing) listed = [...listed, await store.createCollection(session, kind, DEFAULT_NAMES[comp], [comp])];
      }
      const collections = [...listed].sort((a, b) => (a.href < b.href ? -1 : a.href > b.href ? 1 : 0));
      const known = folders.listActive(session.user).filter((r) => r.source === kind);
      const out: ProvidedFolder[] = [];
      for (const comp of components) {
        const holding = collections.filter((c) => c.components.includes(comp));
        const paths = holding.map((c) => davFolderPath(c.href, comp));
        const prev = known.find((r) => r.type === TYPES[comp].def && paths.includes(r.path))?.path;
        const first = firstChoice(holding, comp, opts.defaultBook);
        const def = prev ?? (first ? davFolderPath(first.href, comp) : undefined);
        holding.forEach((c, i) => out.push({ path: paths[i]!, parentPath: null, name: displayNameOf(c), type: paths[i] === def ? TYPES[comp].def : TYPES[comp].user }));
      }
      return out;
    },
  };
}

/** FolderCreate of a calendar, task or contact folder: MKCALENDAR / extended MKCOL; returns the new folder's path. */
export async function createDavFolder(store: DavStore, session: UserSession, type: number, displayName: string): Promise<{ source: 'caldav' | 'carddav'; path: string } | undefined> {
  const comp = componentOfType(type);
  if (!comp) return undefined;
  const kind = comp === 'VCARD' ? 'carddav' : 'caldav';
  const created = await store.createCollection(session, kind, displayName, [comp]);
  return { source: kind, path: davFolderPath(created.href, comp) };
}

/** FolderUpdate: PROPPATCH displayname (the collection keeps its href and so its ServerId). */
export function renameDavFolder(store: DavStore, session: UserSession, folder: FolderRow, displayName: string): Promise<void> {
  return store.renameCollection(session, folder.source === 'carddav' ? 'carddav' : 'caldav', parseDavFolderPath(folder.path).href, displayName);
}

/**
 * FolderDelete: DELETE of the collection. A collection that is both a
 * Calendar and a Tasks folder is not deleted through one of them (that
 * would take the other folder's items along): false, and the caller
 * answers Status 6.
 */
export async function deleteDavFolder(store: DavStore, session: UserSession, folder: FolderRow, all: readonly FolderRow[]): Promise<boolean> {
  const { href } = parseDavFolderPath(folder.path);
  const shared = all.some((r) => r.id !== folder.id && r.source === folder.source && parseDavFolderPath(r.path).href === href);
  if (shared) return false;
  await store.deleteCollection(session, folder.source === 'carddav' ? 'carddav' : 'caldav', href);
  return true;
}
