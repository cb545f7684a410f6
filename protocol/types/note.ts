/**
 * The Note class (MS-ASNOTE 2.2.2), 14.0 and later only: Subject, an
 * AirSyncBase Body, MessageClass, LastModifiedDate (compact date) and
 * Categories.
 */
import type { WbxmlElement } from '../wbxml/tree.ts';
import { opt } from '../wbxml/tree.ts';
import { versionAtLeast } from '../version.ts';
import type { ProtocolVersion } from '../version.ts';
import { bodyFromElements, bodyToElements } from './body.ts';
import type { EasBody } from './body.ts';
import { categoriesEl, clean, dateEl, readCategories, readDate, readText } from './values.ts';

const NS = 'Notes';

/** A note. */
export interface EasNote {
  subject?: string;
  body?: EasBody;
  /** IPM.StickyNote unless the item says otherwise (MS-ASNOTE 2.2.2.5). */
  messageClass?: string;
  lastModifiedDate?: Date;
  categories?: string[];
}

/** Whether `version` has the Notes class at all (MS-ASNOTE 2.2.2: 14.0+). */
export function notesSupported(version: ProtocolVersion): boolean {
  return versionAtLeast(version, '14.0');
}

/** The children of ApplicationData for a note; [] for versions without Notes. */
export function noteToApplicationData(n: EasNote, version: ProtocolVersion): WbxmlElement[] {
  if (!notesSupported(version)) return [];
  return [
    opt(NS, 'Subject', n.subject),
    // 'Email' is never used here: Notes exist only from 14.0, where bodies are AirSyncBase.
    ...bodyToElements(n.body, version, 'Email'),
    opt(NS, 'MessageClass', n.messageClass ?? 'IPM.StickyNote'),
    dateEl(NS, 'LastModifiedDate', n.lastModifiedDate),
    categoriesEl(NS, n.categories),
  ].filter((x): x is WbxmlElement => !!x);
}

/** Reads a note ApplicationData; throws EasDataError for an unreadable date. */
export function noteFromApplicationData(appData: WbxmlElement, _version: ProtocolVersion): EasNote {
  return clean<EasNote>({
    subject: readText(appData, NS, 'Subject'),
    body: bodyFromElements(appData, 'Email'),
    messageClass: readText(appData, NS, 'MessageClass'),
    lastModifiedDate: readDate(appData, NS, 'LastModifiedDate'),
    categories: readCategories(appData, NS),
  });
}
