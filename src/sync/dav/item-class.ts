import type { DavComponent } from '../../../backends/types.ts';
import type { ProtocolVersion } from '../../../protocol/version.ts';
import type { WbxmlElement } from '../../../protocol/wbxml/tree.ts';
import type { CollectionOptions } from '../options.ts';

/**
 * What the DAV sync source (source.ts) needs to know of one EAS class kept
 * in CalDAV or CardDAV: how a resource becomes an EAS item and back, and
 * which folder types it fills. One object per class (classes.ts), so the
 * source itself has no Calendar, Tasks or Contacts knowledge.
 */
export interface DavItemClass<T = unknown> {
  readonly className: 'Calendar' | 'Tasks' | 'Contacts' | 'Notes';
  readonly kind: 'caldav' | 'carddav';
  readonly component: DavComponent;
  /** MS-ASCMD 2.2.3.186.3: the default folder's type and the type of the others. */
  readonly defaultType: number;
  readonly userType: number;
  readonly contentType: string;
  /** File name extension of new resources. */
  readonly extension: string;
  /** Whether FilterType limits this class by date (calendar); the date is `ParsedItem.date`. */
  readonly dateFilter: boolean;
  /** Parses a resource; throws BackendError('Invalid') when it is not one. */
  parse(data: string, ctx: ClassContext): ParsedItem<T>;
  /** Whether an item belongs on the device under the collection's FilterType (MS-ASCMD 2.2.3.68.2). */
  inWindow(p: ParsedItem<T>, filterType: number, now: number): boolean;
  /** The ApplicationData children for the device. */
  toApplicationData(item: T, version: ProtocolVersion, options: CollectionOptions): WbxmlElement[];
  /** What the device sent; throws EasDataError for unreadable values. */
  fromApplicationData(appData: WbxmlElement, version: ProtocolVersion): T;
  /** The resource text for `item`; with `base` (the server's current text) only what EAS models is replaced. */
  serialize(item: T, opts: { uid: string; base?: string; userEmail?: string }): { data: string; warnings: readonly ItemWarning[] };
}

export interface ClassContext {
  /** The user's address: decides organizer / attendee roles of meetings. */
  readonly userEmail?: string;
}

export interface ItemWarning {
  readonly event: string;
  readonly detail: Record<string, unknown>;
}

export interface ParsedItem<T> {
  readonly item: T;
  readonly uid: string;
  /** Epoch ms compared with FilterType's start (the end of the last occurrence for events); END_OF_TIME when it never ends. */
  readonly date: number;
  readonly warnings: readonly ItemWarning[];
}

/** The date of items that never leave a FilterType window (endless series, classes without dates). */
export const END_OF_TIME = 8_640_000_000_000_000;

/**
 * Folder paths of DAV collections in the folder map. A CalDAV collection
 * that holds both VEVENT and VTODO is two EAS folders (Calendar and Tasks),
 * so the component is part of the path: `<href>#VEVENT`, `<href>#VTODO`.
 * CardDAV folders are their href. The watcher polls `dav:<path>`; the
 * fragment never reaches the server (fetch drops it).
 */
export function davFolderPath(href: string, component: DavComponent): string {
  return component === 'VCARD' ? href : `${href}#${component}`;
}

/** The collection href and component of a DAV folder path. */
export function parseDavFolderPath(path: string): { href: string; component: DavComponent } {
  const i = path.lastIndexOf('#');
  if (i < 0) return { href: path, component: 'VCARD' };
  const comp = path.slice(i + 1);
  return { href: path.slice(0, i), component: comp === 'VTODO' || comp === 'VJOURNAL' ? comp : 'VEVENT' };
}
