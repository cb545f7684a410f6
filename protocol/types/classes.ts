/**
 * One entry point per direction for all EAS classes, so the sync engine can
 * convert an item knowing only its collection's class (MS-ASCMD 2.2.3.27
 * Class: Email, Calendar, Contacts, Tasks, Notes).
 */
import type { WbxmlElement } from '../wbxml/tree.ts';
import type { ProtocolVersion } from '../version.ts';
import { calendarFromApplicationData, calendarToApplicationData } from './calendar.ts';
import type { EasCalendar, EasCalendarChange } from './calendar.ts';
import { contactFromApplicationData, contactToApplicationData } from './contact.ts';
import type { EasContact } from './contact.ts';
import { emailFromApplicationData, emailToApplicationData } from './email.ts';
import type { EasEmail, EasEmailChange } from './email.ts';
import { noteFromApplicationData, noteToApplicationData } from './note.ts';
import type { EasNote } from './note.ts';
import { taskFromApplicationData, taskToApplicationData } from './task.ts';
import type { EasTask } from './task.ts';

/** The class names of MS-ASCMD 2.2.3.27. */
export type EasClass = 'Email' | 'Calendar' | 'Contacts' | 'Tasks' | 'Notes';

/** An item as the server sends it. */
export type EasItem =
  | { readonly class: 'Email'; readonly data: EasEmail }
  | { readonly class: 'Calendar'; readonly data: EasCalendar }
  | { readonly class: 'Contacts'; readonly data: EasContact }
  | { readonly class: 'Tasks'; readonly data: EasTask }
  | { readonly class: 'Notes'; readonly data: EasNote };

/** An item (or, for Email, a change) as a device sends it. */
export type EasClientItem =
  | { readonly class: 'Email'; readonly data: EasEmailChange }
  | { readonly class: 'Calendar'; readonly data: EasCalendarChange }
  | { readonly class: 'Contacts'; readonly data: EasContact }
  | { readonly class: 'Tasks'; readonly data: EasTask }
  | { readonly class: 'Notes'; readonly data: EasNote };

/** Whether `s` is one of the class names. */
export function isEasClass(s: string): s is EasClass {
  return s === 'Email' || s === 'Calendar' || s === 'Contacts' || s === 'Tasks' || s === 'Notes';
}

/** ApplicationData children for any item, in `version`. */
export function itemToApplicationData(item: EasItem, version: ProtocolVersion): WbxmlElement[] {
  switch (item.class) {
    case 'Email':
      return emailToApplicationData(item.data, version);
    case 'Calendar':
      return calendarToApplicationData(item.data, version);
    case 'Contacts':
      return contactToApplicationData(item.data, version);
    case 'Tasks':
      return taskToApplicationData(item.data, version);
    case 'Notes':
      return noteToApplicationData(item.data, version);
  }
}

/** Reads a device's ApplicationData for a collection of class `cls`; throws EasDataError for unreadable values. */
export function itemFromApplicationData(cls: EasClass, appData: WbxmlElement, version: ProtocolVersion): EasClientItem {
  switch (cls) {
    case 'Email':
      return { class: cls, data: emailFromApplicationData(appData, version) };
    case 'Calendar':
      return { class: cls, data: calendarFromApplicationData(appData, version) };
    case 'Contacts':
      return { class: cls, data: contactFromApplicationData(appData, version) };
    case 'Tasks':
      return { class: cls, data: taskFromApplicationData(appData, version) };
    case 'Notes':
      return { class: cls, data: noteFromApplicationData(appData, version) };
  }
}
