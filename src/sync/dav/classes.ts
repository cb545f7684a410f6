import { easCalendarToIcs, icsToEasCalendar } from '../../../backends/caldav/event.ts';
import { easTaskToIcs, icsToEasTask } from '../../../backends/caldav/task.ts';
import { easContactToVcard, vcardToEasContact } from '../../../backends/carddav/vcard.ts';
import { FolderType } from '../../../protocol/commands/folder-sync.ts';
import { shapeBody, type EasBody } from '../../../protocol/types/body.ts';
import { calendarFromApplicationData, calendarToApplicationData, type EasCalendarChange } from '../../../protocol/types/calendar.ts';
import { contactFromApplicationData, contactToApplicationData, type EasContact } from '../../../protocol/types/contact.ts';
import { taskFromApplicationData, taskToApplicationData, type EasTask } from '../../../protocol/types/task.ts';
import { versionAtLeast, type ProtocolVersion } from '../../../protocol/version.ts';
import { filterSince, type CollectionOptions } from '../options.ts';
import { textToHtml } from '../text.ts';
import { END_OF_TIME, type DavItemClass } from './item-class.ts';

/**
 * The body of a calendar item, task or contact as the device asked for it
 * (MS-ASAIRS 2.2.2.7 BodyPreference): DAV bodies are plain text
 * (DESCRIPTION, NOTE), so plain text when the device takes it, else the
 * text as HTML; truncated and previewed per the preference. 2.5 devices
 * get the whole text (the class's own Body element).
 */
export function shapeItemBody(body: EasBody | undefined, options: CollectionOptions, version: ProtocolVersion): EasBody | undefined {
  const text = body?.data;
  if (text === undefined || text === '') return undefined;
  if (!versionAtLeast(version, '12.0')) return { type: 1, data: text };
  const prefs = options.bodyPreferences;
  const pref = prefs.find((p) => p.type === 1) ?? prefs.find((p) => p.type === 2);
  if (pref?.type === 2) return shapeBody(2, textToHtml(text), pref, text);
  return shapeBody(1, text, pref ?? {});
}

/** MS-ASCMD 2.2.3.68.2 FilterType for calendars: by the end of the last occurrence, so a long series that recurs now is in. */
function inDateWindow(date: number, filterType: number, now: number): boolean {
  const since = filterSince(filterType, now);
  return !since || date >= since.getTime();
}

/** MS-ASCAL: VEVENT resources of CalDAV calendars (folder types 8 / 13). */
export const calendarClass: DavItemClass<EasCalendarChange> = {
  className: 'Calendar',
  kind: 'caldav',
  component: 'VEVENT',
  defaultType: FolderType.Calendar,
  userType: FolderType.UserCalendar,
  contentType: 'text/calendar; charset=utf-8',
  extension: '.ics',
  dateFilter: true,
  parse(data, ctx) {
    const p = icsToEasCalendar(data, ctx.userEmail ? { userEmail: ctx.userEmail } : {});
    return { item: p.item, uid: p.uid, date: p.lastEnd ? p.lastEnd.getTime() : END_OF_TIME, warnings: p.warnings };
  },
  inWindow: (p, filterType, now) => inDateWindow(p.date, filterType, now),
  toApplicationData(item, version, options) {
    const body = shapeItemBody(item.body, options, version);
    const exceptions = item.exceptions?.map((x) => {
      const { body: xb, ...rest } = x;
      const shaped = shapeItemBody(xb, options, version);
      return shaped ? { ...rest, body: shaped } : rest;
    });
    const { body: _b, exceptions: _x, ...rest } = item;
    return calendarToApplicationData({ ...rest, ...(body ? { body } : {}), ...(exceptions ? { exceptions } : {}) }, version);
  },
  fromApplicationData: (appData, version) => calendarFromApplicationData(appData, version),
  serialize(item, opts) {
    const r = easCalendarToIcs(item, { uid: opts.uid, ...(opts.base !== undefined ? { base: opts.base } : {}), ...(opts.userEmail ? { userEmail: opts.userEmail } : {}) });
    return { data: r.ics, warnings: r.warnings };
  },
};

/** MS-ASTASK: VTODO resources of CalDAV task lists (folder types 7 / 15). FilterType 8 keeps incomplete tasks only. */
export const taskClass: DavItemClass<EasTask> = {
  className: 'Tasks',
  kind: 'caldav',
  component: 'VTODO',
  defaultType: FolderType.Tasks,
  userType: FolderType.UserTasks,
  contentType: 'text/calendar; charset=utf-8',
  extension: '.ics',
  dateFilter: false,
  parse(data) {
    const p = icsToEasTask(data);
    return { item: p.item, uid: p.uid, date: END_OF_TIME, warnings: p.warnings };
  },
  inWindow: (p, filterType) => filterType !== 8 || !p.item.complete,
  toApplicationData(item, version, options) {
    const body = shapeItemBody(item.body, options, version);
    const { body: _b, ...rest } = item;
    return taskToApplicationData({ ...rest, ...(body ? { body } : {}) }, version);
  },
  fromApplicationData: (appData, version) => taskFromApplicationData(appData, version),
  serialize(item, opts) {
    return { data: easTaskToIcs(item, { uid: opts.uid, ...(opts.base !== undefined ? { base: opts.base } : {}) }), warnings: [] };
  },
};

/**
 * MS-ASCNTC: vCard resources of CardDAV address books (folder types 9 / 14).
 * `maxPictureBytes` (EAS_CONTACT_PICTURE_MAX_BYTES) caps the Picture sent to
 * a device; the same limit is given when writing, so a scaled picture the
 * device echoes back is known as unchanged and the full-size PHOTO stays.
 */
export function makeContactClass(opts: { readonly maxPictureBytes?: number } = {}): DavItemClass<EasContact> {
  const limit = opts.maxPictureBytes !== undefined ? { maxPictureBytes: opts.maxPictureBytes } : {};
  return {
    className: 'Contacts',
    kind: 'carddav',
    component: 'VCARD',
    defaultType: FolderType.Contacts,
    userType: FolderType.UserContacts,
    contentType: 'text/vcard; charset=utf-8',
    extension: '.vcf',
    dateFilter: false,
    parse(data) {
      const p = vcardToEasContact(data, limit);
      return { item: p.item, uid: p.uid, date: END_OF_TIME, warnings: p.warnings };
    },
    inWindow: () => true,
    toApplicationData(item, version, options) {
      const body = shapeItemBody(item.body, options, version);
      const { body: _b, ...rest } = item;
      return contactToApplicationData({ ...rest, ...(body ? { body } : {}) }, version);
    },
    fromApplicationData: (appData, version) => contactFromApplicationData(appData, version),
    serialize(item, o) {
      return { data: easContactToVcard(item, { uid: o.uid, ...(o.base !== undefined ? { base: o.base } : {}), ...limit }), warnings: [] };
    },
  };
}

/** Contacts with Exchange's picture limit (48 KiB). */
export const contactClass: DavItemClass<EasContact> = makeContactClass();
