/**
 * All EAS WBXML code pages 0..25 (MS-ASWBXML 2.1.2.1) and lookups both ways:
 * (page, token) -> tag for decoding, (namespace, name) -> tag for encoding,
 * each with the protocol versions the tag exists in.
 */
import { PROTOCOL_VERSIONS, type ProtocolVersion } from '../version.ts';
import type { CodePageDef, TagInfo } from './types.ts';
import { airSyncPage } from './air-sync.ts';
import { contactsPage } from './contacts.ts';
import { emailPage } from './email.ts';
import { airNotifyPage } from './air-notify.ts';
import { calendarPage } from './calendar.ts';
import { movePage } from './move.ts';
import { getItemEstimatePage } from './get-item-estimate.ts';
import { folderHierarchyPage } from './folder-hierarchy.ts';
import { meetingResponsePage } from './meeting-response.ts';
import { tasksPage } from './tasks.ts';
import { resolveRecipientsPage } from './resolve-recipients.ts';
import { validateCertPage } from './validate-cert.ts';
import { contacts2Page } from './contacts2.ts';
import { pingPage } from './ping.ts';
import { provisionPage } from './provision.ts';
import { searchPage } from './search.ts';
import { galPage } from './gal.ts';
import { airSyncBasePage } from './air-sync-base.ts';
import { settingsPage } from './settings.ts';
import { documentLibraryPage } from './document-library.ts';
import { itemOperationsPage } from './item-operations.ts';
import { composeMailPage } from './compose-mail.ts';
import { email2Page } from './email2.ts';
import { notesPage } from './notes.ts';
import { rightsManagementPage } from './rights-management.ts';
import { findPage } from './find.ts';

export type { CodePageDef, TagDef, TagInfo } from './types.ts';

/** The code pages indexed by page number (MS-ASWBXML 2.1.2.1.1 .. 2.1.2.1.26). */
export const CODE_PAGES: readonly CodePageDef[] = Object.freeze([
  airSyncPage, contactsPage, emailPage, airNotifyPage, calendarPage, movePage, getItemEstimatePage, folderHierarchyPage, meetingResponsePage, tasksPage, resolveRecipientsPage, validateCertPage, contacts2Page, pingPage, provisionPage, searchPage, galPage, airSyncBasePage, settingsPage, documentLibraryPage, itemOperationsPage, composeMailPage, email2Page, notesPage, rightsManagementPage, findPage,
]);

/** Bit of one version in `TagInfo.versionMask`. */
export function versionBit(version: ProtocolVersion): number {
  return 1 << PROTOCOL_VERSIONS.indexOf(version);
}

function buildInfo(page: CodePageDef, row: CodePageDef['tags'][number]): TagInfo {
  const [token, name] = row;
  const since = row.length > 2 ? row[2] : page.since;
  const until = row[3];
  const versions: ProtocolVersion[] = [];
  if (since !== null && since !== undefined) {
    const from = PROTOCOL_VERSIONS.indexOf(since);
    const to = until === undefined ? PROTOCOL_VERSIONS.length - 1 : PROTOCOL_VERSIONS.indexOf(until);
    for (let i = from; i <= to; i++) versions.push(PROTOCOL_VERSIONS[i]!);
  }
  let versionMask = 0;
  for (const v of versions) versionMask |= versionBit(v);
  return Object.freeze({ page: page.page, token, ns: page.ns, name, versions: Object.freeze(versions), versionMask });
}

/** Per page, 64 slots (tokens 0x00..0x3F) of the tag a token decodes to. */
const byToken: (TagInfo | undefined)[][] = [];
/** Per namespace, tag name -> tag (includes renamed aliases such as DeviceEncryptionEnabled). */
const byName = new Map<string, Map<string, TagInfo>>();

for (const [i, page] of CODE_PAGES.entries()) {
  // The tables are hand-written data: fail loudly at load rather than mis-encode.
  if (page.page !== i) throw new Error(`code page ${page.ns} is listed at index ${i}`);
  const slots: (TagInfo | undefined)[] = new Array(64).fill(undefined);
  const names = new Map<string, TagInfo>();
  for (const row of page.tags) {
    const info = buildInfo(page, row);
    if (info.token < 0x05 || info.token > 0x3f) throw new Error(`${page.ns}:${info.name} has token ${info.token}`);
    if (names.has(info.name)) throw new Error(`${page.ns}:${info.name} listed twice`);
    names.set(info.name, info);
    slots[info.token] ??= info;
  }
  byToken.push(slots);
  byName.set(page.ns, names);
}

/** The tag that `token` (without the content/attribute bits) names on code page `page`. */
export function tagByToken(page: number, token: number): TagInfo | undefined {
  return byToken[page]?.[token];
}

/** The tag for an XML namespace (code page name) and element name. */
export function tagByName(ns: string, name: string): TagInfo | undefined {
  return byName.get(ns)?.get(name);
}

/** The code page with this namespace name ("AirSync", "Email", ...). */
export function codePageByNs(ns: string): CodePageDef | undefined {
  return pagesByNs.get(ns);
}

const pagesByNs = new Map(CODE_PAGES.map((p) => [p.ns, p] as const));

/** Whether `tag` may be sent to a device speaking `version`. */
export function tagInVersion(tag: TagInfo, version: ProtocolVersion): boolean {
  return (tag.versionMask & versionBit(version)) !== 0;
}

/**
 * Decoder table: `names[page][token]` is the tag name (undefined when the
 * token is not defined), `namespaces[page]` the page's namespace. Arrays
 * rather than maps because the decoder looks one up per tag byte.
 */
export const DECODE_TABLE: { readonly names: readonly (readonly (string | undefined)[])[]; readonly namespaces: readonly string[] } =
  Object.freeze({
    names: byToken.map((slots) => Object.freeze(slots.map((t) => t?.name))),
    namespaces: Object.freeze(CODE_PAGES.map((p) => p.ns)),
  });

/** Encoder table: namespace -> (name -> tag). Read-only view of the index. */
export const ENCODE_TABLE: ReadonlyMap<string, ReadonlyMap<string, TagInfo>> = byName;
