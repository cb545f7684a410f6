/**
 * The Calendar class (MS-ASCAL 2.2.2): appointments and meetings, their
 * attendees, recurrence and exceptions. Times are compact UTC dates
 * (MS-ASDTYPE 2.7.2); TimeZone is the base64 blob of timezone.ts.
 *
 * Version rules applied here:
 * - 2.5: body as Calendar:Body/BodyTruncated; no AttendeeStatus/AttendeeType
 *   (12.0+, MS-ASCAL 2.2.2.4/2.2.2.5), no NativeBodyType.
 * - 14.0+: ResponseRequested, AppointmentReplyTime, ResponseType,
 *   DisallowNewTimeProposal; 14.1+: OnlineMeetingConfLink/ExternalLink.
 * - 16.0+: Location is airsyncbase:Location (MS-ASAIRS 2.2.2.27); exceptions
 *   are keyed by airsyncbase:InstanceId instead of ExceptionStartTime
 *   (MS-ASCAL 2.2.2.21); ClientUid (MS-ASCAL 2.2.2.13) and AirSyncBase
 *   attachments exist.
 */
import { child, childrenNamed, el, opt, textOf } from '../wbxml/tree.ts';
import type { WbxmlElement } from '../wbxml/tree.ts';
import { versionAtLeast } from '../version.ts';
import type { ProtocolVersion } from '../version.ts';
import {
  attachmentChangesFromElements,
  attachmentsFromElements,
  attachmentsToElements,
  bodyFromElements,
  bodyToElements,
  nativeBodyTypeToElements,
} from './body.ts';
import type { BodyType, EasAttachment, EasAttachmentChanges, EasBody } from './body.ts';
import { locationFromElement, locationToElement } from './location.ts';
import type { EasLocationDetails } from './location.ts';
import { recurrenceFromParent, recurrenceToElement } from './recurrence.ts';
import type { EasRecurrence } from './recurrence.ts';
import { timeZoneFromBase64, timeZoneToBase64 } from './timezone.ts';
import type { EasTimeZone } from './timezone.ts';
import { EasDataError } from './errors.ts';
import { categoriesEl, clean, dateEl, readBool, readCategories, readDate, readInt, readText } from './values.ts';

const NS = 'Calendar';

/** MS-ASCAL 2.2.2.3 Attendee. */
export interface EasAttendee {
  email: string;
  name?: string;
  /** 12.0+: 0 unknown, 2 tentative, 3 accepted, 4 declined, 5 not responded. */
  status?: number;
  /** 12.0+: 1 required, 2 optional, 3 resource. */
  type?: number;
}

/** Fields an exception may override; absent = same as the series. */
export interface EasExceptionFields {
  subject?: string;
  startTime?: Date;
  endTime?: Date;
  body?: EasBody;
  location?: string;
  locationDetails?: EasLocationDetails;
  categories?: string[];
  sensitivity?: number;
  busyStatus?: number;
  allDayEvent?: boolean;
  /** Minutes before the start. */
  reminder?: number;
  dtStamp?: Date;
  meetingStatus?: number;
  attendees?: EasAttendee[];
  appointmentReplyTime?: Date;
  responseType?: number;
  onlineMeetingConfLink?: string;
  onlineMeetingExternalLink?: string;
}

/** MS-ASCAL 2.2.2.21 Exception: one changed or deleted instance of a series. */
export interface EasException extends EasExceptionFields {
  /** Original start of the instance (ExceptionStartTime, or InstanceId in 16.x). */
  exceptionStartTime: Date;
  deleted?: boolean;
}

/** A calendar item. */
export interface EasCalendar extends EasExceptionFields {
  timeZone?: EasTimeZone;
  uid?: string;
  /** 16.0+: the client's own id for a new item. */
  clientUid?: string;
  organizerName?: string;
  organizerEmail?: string;
  recurrence?: EasRecurrence;
  exceptions?: EasException[];
  /** 14.0+ */
  responseRequested?: boolean;
  /** 14.0+ */
  disallowNewTimeProposal?: boolean;
  nativeBodyType?: BodyType;
  /** 16.0+: attachments of the event (server to client). */
  attachments?: EasAttachment[];
}

/** What a device sends for an event: the item plus, in 16.x, attachment edits. */
export interface EasCalendarChange extends EasCalendar {
  attachmentChanges?: EasAttachmentChanges;
}

function attendeesEl(list: readonly EasAttendee[] | undefined, version: ProtocolVersion): WbxmlElement | undefined {
  if (list === undefined) return undefined;
  const v12 = versionAtLeast(version, '12.0');
  return {
    ns: NS,
    name: 'Attendees',
    children: list.map((a) =>
      el(NS, 'Attendee', [
        el(NS, 'Email', a.email),
        el(NS, 'Name', a.name ?? a.email),
        v12 ? opt(NS, 'AttendeeStatus', a.status) : undefined,
        v12 ? opt(NS, 'AttendeeType', a.type) : undefined,
      ]),
    ),
  };
}

function locationEls(f: EasExceptionFields, version: ProtocolVersion): (WbxmlElement | undefined)[] {
  if (!versionAtLeast(version, '16.0')) return [opt(NS, 'Location', f.location)];
  return [f.location !== undefined || f.locationDetails ? locationToElement(f.location, f.locationDetails) : undefined];
}

function reply14(f: EasExceptionFields, version: ProtocolVersion): (WbxmlElement | undefined)[] {
  if (!versionAtLeast(version, '14.0')) return [];
  return [dateEl(NS, 'AppointmentReplyTime', f.appointmentReplyTime), opt(NS, 'ResponseType', f.responseType)];
}

function online141(f: EasExceptionFields, version: ProtocolVersion): (WbxmlElement | undefined)[] {
  if (!versionAtLeast(version, '14.1')) return [];
  return [opt(NS, 'OnlineMeetingConfLink', f.onlineMeetingConfLink), opt(NS, 'OnlineMeetingExternalLink', f.onlineMeetingExternalLink)];
}

function exceptionEl(x: EasException, version: ProtocolVersion): WbxmlElement {
  const v16 = versionAtLeast(version, '16.0');
  return el(NS, 'Exception', [
    opt(NS, 'Deleted', x.deleted),
    v16 ? dateEl('AirSyncBase', 'InstanceId', x.exceptionStartTime) : dateEl(NS, 'ExceptionStartTime', x.exceptionStartTime),
    opt(NS, 'Subject', x.subject),
    dateEl(NS, 'StartTime', x.startTime),
    dateEl(NS, 'EndTime', x.endTime),
    ...bodyToElements(x.body, version, 'Calendar'),
    ...locationEls(x, version),
    categoriesEl(NS, x.categories),
    opt(NS, 'Sensitivity', x.sensitivity),
    opt(NS, 'BusyStatus', x.busyStatus),
    opt(NS, 'AllDayEvent', x.allDayEvent),
    opt(NS, 'Reminder', x.reminder),
    dateEl(NS, 'DtStamp', x.dtStamp),
    opt(NS, 'MeetingStatus', x.meetingStatus),
    attendeesEl(x.attendees, version),
    ...reply14(x, version),
    ...online141(x, version),
  ]);
}

/** The children of ApplicationData for a calendar item in `version`. */
export function calendarToApplicationData(c: EasCalendar, version: ProtocolVersion): WbxmlElement[] {
  const v14 = versionAtLeast(version, '14.0');
  const v16 = versionAtLeast(version, '16.0');
  const out: (WbxmlElement | undefined)[] = [
    c.timeZone ? el(NS, 'TimeZone', timeZoneToBase64(c.timeZone)) : undefined,
    dateEl(NS, 'DtStamp', c.dtStamp),
    dateEl(NS, 'StartTime', c.startTime),
    opt(NS, 'Subject', c.subject),
    opt(NS, 'UID', c.uid),
    v16 ? opt(NS, 'ClientUid', c.clientUid) : undefined,
    opt(NS, 'OrganizerName', c.organizerName),
    opt(NS, 'OrganizerEmail', c.organizerEmail),
    ...locationEls(c, version),
    dateEl(NS, 'EndTime', c.endTime),
    c.recurrence ? recurrenceToElement(c.recurrence, version, 'Calendar') : undefined,
    opt(NS, 'Sensitivity', c.sensitivity),
    opt(NS, 'BusyStatus', c.busyStatus),
    opt(NS, 'AllDayEvent', c.allDayEvent),
    opt(NS, 'Reminder', c.reminder),
    opt(NS, 'MeetingStatus', c.meetingStatus),
    attendeesEl(c.attendees, version),
    categoriesEl(NS, c.categories),
    c.exceptions && c.exceptions.length ? el(NS, 'Exceptions', c.exceptions.map((x) => exceptionEl(x, version))) : undefined,
    ...bodyToElements(c.body, version, 'Calendar'),
    v14 ? opt(NS, 'ResponseRequested', c.responseRequested) : undefined,
    ...reply14(c, version),
    v14 ? opt(NS, 'DisallowNewTimeProposal', c.disallowNewTimeProposal) : undefined,
    ...online141(c, version),
    ...nativeBodyTypeToElements(c.nativeBodyType, version),
    ...(v16 ? attachmentsToElements(c.attachments, version) : []),
  ];
  return out.filter((x): x is WbxmlElement => !!x);
}

function readAttendees(parent: WbxmlElement): EasAttendee[] | undefined {
  const list = child(parent, 'Attendees', NS);
  if (!list) return undefined;
  return childrenNamed(list, 'Attendee', NS).map((a) =>
    clean({
      email: readText(a, NS, 'Email') ?? '',
      name: readText(a, NS, 'Name'),
      status: readInt(a, NS, 'AttendeeStatus'),
      type: readInt(a, NS, 'AttendeeType'),
    }),
  );
}

function readFields(e: WbxmlElement): EasExceptionFields {
  const loc = locationFromElement(e);
  return {
    subject: readText(e, NS, 'Subject'),
    startTime: readDate(e, NS, 'StartTime'),
    endTime: readDate(e, NS, 'EndTime'),
    body: bodyFromElements(e, 'Calendar'),
    location: readText(e, NS, 'Location') ?? loc?.displayName,
    locationDetails: loc?.details,
    categories: readCategories(e, NS),
    sensitivity: readInt(e, NS, 'Sensitivity'),
    busyStatus: readInt(e, NS, 'BusyStatus'),
    allDayEvent: readBool(e, NS, 'AllDayEvent'),
    reminder: readInt(e, NS, 'Reminder'),
    dtStamp: readDate(e, NS, 'DtStamp'),
    meetingStatus: readInt(e, NS, 'MeetingStatus'),
    attendees: readAttendees(e),
    appointmentReplyTime: readDate(e, NS, 'AppointmentReplyTime'),
    responseType: readInt(e, NS, 'ResponseType'),
    onlineMeetingConfLink: readText(e, NS, 'OnlineMeetingConfLink'),
    onlineMeetingExternalLink: readText(e, NS, 'OnlineMeetingExternalLink'),
  };
}

function readException(x: WbxmlElement): EasException {
  // Either key is accepted in any version: 16.x clients are not all consistent.
  const start = readDate(x, NS, 'ExceptionStartTime') ?? readDate(x, 'AirSyncBase', 'InstanceId');
  if (!start) throw new EasDataError('Calendar:ExceptionStartTime', 'exception without its original start time');
  return clean({ exceptionStartTime: start, deleted: readBool(x, NS, 'Deleted'), ...readFields(x) });
}

/**
 * Reads a calendar ApplicationData (or a fragment holding Calendar elements)
 * in either direction. `version` decides only whether 16.x attachment edits
 * are looked for; every other element is read wherever it appears. Throws
 * EasDataError for unreadable dates, numbers or TimeZone blobs.
 */
export function calendarFromApplicationData(appData: WbxmlElement, version: ProtocolVersion): EasCalendarChange {
  const tzText = textOf(child(appData, 'TimeZone', NS));
  const exceptions = child(appData, 'Exceptions', NS);
  const nbt = readInt(appData, 'AirSyncBase', 'NativeBodyType');
  const v16 = versionAtLeast(version, '16.0');
  return clean({
    timeZone: tzText !== undefined && tzText.trim() !== '' ? timeZoneFromBase64(tzText) : undefined,
    uid: readText(appData, NS, 'UID'),
    clientUid: readText(appData, NS, 'ClientUid'),
    organizerName: readText(appData, NS, 'OrganizerName'),
    organizerEmail: readText(appData, NS, 'OrganizerEmail'),
    recurrence: recurrenceFromParent(appData, 'Calendar'),
    exceptions: exceptions ? childrenNamed(exceptions, 'Exception', NS).map(readException) : undefined,
    responseRequested: readBool(appData, NS, 'ResponseRequested'),
    disallowNewTimeProposal: readBool(appData, NS, 'DisallowNewTimeProposal'),
    nativeBodyType: nbt !== undefined && nbt >= 1 && nbt <= 4 ? (nbt as BodyType) : undefined,
    ...readFields(appData),
    attachments: v16 ? attachmentsFromElements(appData) : undefined,
    attachmentChanges: v16 ? attachmentChangesFromElements(appData) : undefined,
  });
}
