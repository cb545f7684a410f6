/**
 * The MeetingRequest part of an invitation message (MS-ASEMAIL 2.2.2.48).
 * Times are ISO (MS-ASDTYPE 2.3), unlike the Calendar class; the TimeZone is
 * the same base64 blob; the Until of its recurrence is compact.
 */
import { child, el, opt, textOf } from '../wbxml/tree.ts';
import type { WbxmlElement } from '../wbxml/tree.ts';
import { versionAtLeast } from '../version.ts';
import type { ProtocolVersion } from '../version.ts';
import { locationFromElement, locationToElement } from './location.ts';
import type { EasLocationDetails } from './location.ts';
import { recurrenceFromParent, recurrenceToElement } from './recurrence.ts';
import type { EasRecurrence } from './recurrence.ts';
import { timeZoneFromBase64, timeZoneToBase64 } from './timezone.ts';
import type { EasTimeZone } from './timezone.ts';
import { clean, dateEl, readBool, readDate, readInt, readText } from './values.ts';

/** An invitation, as the Email class carries it. */
export interface EasMeetingRequest {
  allDayEvent?: boolean;
  startTime: Date;
  dtStamp?: Date;
  endTime: Date;
  /** 0 single, 1 recurring master, 2 single instance, 3 exception (MS-ASEMAIL 2.2.2.40). */
  instanceType?: number;
  location?: string;
  /** 16.0+: the structured AirSyncBase Location. */
  locationDetails?: EasLocationDetails;
  organizer?: string;
  recurrenceId?: Date;
  /** Seconds before the start (MS-ASEMAIL 2.2.2.63). */
  reminder?: number;
  responseRequested?: boolean;
  recurrence?: EasRecurrence;
  /** 0 normal, 1 personal, 2 private, 3 confidential. */
  sensitivity?: number;
  /** 0 free, 1 tentative, 2 busy, 3 out of office, 4 working elsewhere. */
  busyStatus?: number;
  timeZone?: EasTimeZone;
  /** The PidLidGlobalObjectId bytes as base64 text (MS-ASEMAIL 2.2.2.38); sent up to 14.1. */
  globalObjId?: string;
  /** The iCalendar UID; 16.0+ sends it as calendar:UID instead of GlobalObjId. */
  uid?: string;
  /** 14.0+ */
  disallowNewTimeProposal?: boolean;
  /** 14.1+: 0 silent update, 1 initial request, 2 full update, 3 informational update, 4 outdated, 5 delegator's copy, 6 delegated (MS-ASEMAIL 2.2.2.49). */
  meetingMessageType?: number;
}

/** `email:MeetingRequest` with the tokens of `version`; 16.x gets airsyncbase:Location instead of email:Location. */
export function meetingRequestToElement(m: EasMeetingRequest, version: ProtocolVersion): WbxmlElement {
  const v16 = versionAtLeast(version, '16.0');
  return el('Email', 'MeetingRequest', [
    opt('Email', 'AllDayEvent', m.allDayEvent ?? false),
    dateEl('Email', 'StartTime', m.startTime),
    dateEl('Email', 'DTStamp', m.dtStamp),
    dateEl('Email', 'EndTime', m.endTime),
    opt('Email', 'InstanceType', m.instanceType ?? 0),
    v16
      ? m.location !== undefined || m.locationDetails
        ? locationToElement(m.location, m.locationDetails)
        : undefined
      : opt('Email', 'Location', m.location),
    opt('Email', 'Organizer', m.organizer),
    dateEl('Email', 'RecurrenceId', m.recurrenceId),
    opt('Email', 'Reminder', m.reminder),
    opt('Email', 'ResponseRequested', m.responseRequested),
    m.recurrence ? el('Email', 'Recurrences', [recurrenceToElement(m.recurrence, version, 'Email')]) : undefined,
    opt('Email', 'Sensitivity', m.sensitivity),
    opt('Email', 'BusyStatus', m.busyStatus),
    m.timeZone ? el('Email', 'TimeZone', timeZoneToBase64(m.timeZone)) : undefined,
    v16 ? opt('Calendar', 'UID', m.uid ?? uidOf(m.globalObjId)) : opt('Email', 'GlobalObjId', m.globalObjId ?? globalObjIdOf(m.uid)),
    versionAtLeast(version, '14.0') ? opt('Email', 'DisallowNewTimeProposal', m.disallowNewTimeProposal) : undefined,
    versionAtLeast(version, '14.1') ? opt('Email2', 'MeetingMessageType', m.meetingMessageType) : undefined,
  ]);
}

/**
 * Reads the children of a MeetingRequest element (or any element holding them,
 * such as a fragment wrapper). Missing StartTime/EndTime read as the epoch so
 * that a partial invitation still parses.
 */
export function meetingRequestFromElement(m: WbxmlElement): EasMeetingRequest {
  const tzText = textOf(child(m, 'TimeZone', 'Email'));
  const loc = locationFromElement(m);
  return clean({
    allDayEvent: readBool(m, 'Email', 'AllDayEvent'),
    startTime: readDate(m, 'Email', 'StartTime') ?? new Date(0),
    // Some encoders use the Calendar spelling DtStamp; the Email token is DTStamp.
    dtStamp: readDate(m, 'Email', 'DTStamp') ?? readDate(m, 'Email', 'DtStamp'),
    endTime: readDate(m, 'Email', 'EndTime') ?? new Date(0),
    instanceType: readInt(m, 'Email', 'InstanceType'),
    location: readText(m, 'Email', 'Location') ?? loc?.displayName,
    locationDetails: loc?.details,
    organizer: readText(m, 'Email', 'Organizer'),
    recurrenceId: readDate(m, 'Email', 'RecurrenceId'),
    reminder: readInt(m, 'Email', 'Reminder'),
    responseRequested: readBool(m, 'Email', 'ResponseRequested'),
    recurrence: recurrenceFromParent(m, 'Email'),
    sensitivity: readInt(m, 'Email', 'Sensitivity'),
    busyStatus: readInt(m, 'Email', 'BusyStatus'),
    // An all-zero blob (as some servers send) still decodes: bias 0, no DST.
    timeZone: tzText !== undefined && tzText.trim() !== '' ? timeZoneFromBase64(tzText) : undefined,
    globalObjId: readText(m, 'Email', 'GlobalObjId'),
    uid: readText(m, 'Calendar', 'UID'),
    disallowNewTimeProposal: readBool(m, 'Email', 'DisallowNewTimeProposal'),
    meetingMessageType: readInt(m, 'Email2', 'MeetingMessageType'),
  });
}

// PidLidGlobalObjectId (MS-OXOCAL 2.2.1.27): a fixed class id, then instance
// date, creation time, 8 reserved bytes, the size of the data and the data.
// For items that came from iCalendar the data is "vCal-Uid", 1 (LE uint32),
// then the UID and a NUL; Outlook and phones rebuild the UID from it.
const GOID_CLASS_ID = Uint8Array.from([0x04, 0x00, 0x00, 0x00, 0x82, 0x00, 0xe0, 0x00, 0x74, 0xc5, 0xb7, 0x10, 0x1a, 0x82, 0xe0, 0x08]);
const VCAL_UID = 'vCal-Uid';

/** Base64 GlobalObjId that carries an iCalendar UID in the "vCal-Uid" form (MS-OXOCAL 2.2.1.27). */
export function globalObjIdFromUid(uid: string): string {
  const payload = Buffer.concat([Buffer.from(VCAL_UID, 'latin1'), Buffer.from([1, 0, 0, 0]), Buffer.from(uid, 'utf8'), Buffer.from([0])]);
  const head = Buffer.alloc(16 + 4 + 8 + 8 + 4);
  Buffer.from(GOID_CLASS_ID).copy(head, 0);
  head.writeUInt32LE(payload.length, 36);
  return Buffer.concat([head, payload]).toString('base64');
}

/**
 * The UID inside a GlobalObjId: the vCal-Uid text when present, else the hex
 * of the whole id (the form Exchange uses as UID for items born in Outlook).
 * Undefined when the text is not a GlobalObjId.
 */
export function uidFromGlobalObjId(b64: string): string | undefined {
  const bytes = Buffer.from(b64, 'base64');
  if (bytes.length < 40 || !bytes.subarray(0, 16).equals(Buffer.from(GOID_CLASS_ID))) return undefined;
  // Read to the end rather than trusting Size: some encoders (Horde) write the
  // UID length there instead of the length of the whole data.
  const data = bytes.subarray(40);
  if (data.subarray(0, VCAL_UID.length).toString('latin1') === VCAL_UID && data.length > VCAL_UID.length + 4) {
    const text = data.subarray(VCAL_UID.length + 4).toString('utf8');
    return text.replace(/\0+$/, '');
  }
  return bytes.toString('hex').toUpperCase();
}

function uidOf(goid: string | undefined): string | undefined {
  return goid === undefined ? undefined : uidFromGlobalObjId(goid);
}

function globalObjIdOf(uid: string | undefined): string | undefined {
  return uid === undefined ? undefined : globalObjIdFromUid(uid);
}
