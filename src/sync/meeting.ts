import ICAL from 'ical.js';
import type { EasMeetingRequest } from '../../protocol/types/meeting-request.ts';
import type { EasRecurrence } from '../../protocol/types/recurrence.ts';
import { isIanaZone, timeZoneFromIana, utcTimeZone, zoneOffsetMinutes } from '../../protocol/types/timezone-iana.ts';
import { fixedOffsetTimeZone, type EasTimeZone, type SystemTime } from '../../protocol/types/timezone.ts';

/**
 * The MeetingRequest of an invitation (MS-ASEMAIL 2.2.2.48) read from its
 * iMIP text/calendar part (RFC 5546, RFC 5545 VEVENT). ical.js does the
 * iCalendar parsing (line folding, escaping, parameters, VTIMEZONE offsets,
 * RRULE parts); this module only maps the VEVENT onto the EAS fields.
 */

type IcalComponent = InstanceType<typeof ICAL.Component>;
type IcalProperty = InstanceType<typeof ICAL.Property>;
type IcalTime = InstanceType<typeof ICAL.Time>;
type IcalTimezone = InstanceType<typeof ICAL.Timezone>;
type IcalRecur = InstanceType<typeof ICAL.Recur>;

/** Largest calendar part parsed; real invitations are a few KB, anything far beyond is not worth the CPU. */
export const MAX_CALENDAR_BYTES = 256 * 1024;

/** What the iCalendar says, with the iTIP METHOD (REQUEST, CANCEL...). */
export interface ParsedInvitation {
  readonly method: string;
  readonly meeting: EasMeetingRequest;
}

/**
 * Parses an iMIP body into a MeetingRequest. Undefined when the text is not
 * iCalendar or has no VEVENT with a DTSTART; never throws.
 */
export function meetingRequestFromIcs(text: string): ParsedInvitation | undefined {
  if (text.length > MAX_CALENDAR_BYTES) return undefined;
  try {
    const root = new ICAL.Component(ICAL.parse(text) as unknown[]);
    const vcal = root.name === 'vcalendar' ? root : root.getFirstSubcomponent('vcalendar');
    if (!vcal) return undefined;
    const vevent = vcal.getFirstSubcomponent('vevent');
    if (!vevent) return undefined;
    const zones = new Map<string, IcalTimezone>();
    for (const vtz of vcal.getAllSubcomponents('vtimezone')) {
      const tz = new ICAL.Timezone(vtz);
      if (tz.tzid) zones.set(tz.tzid, tz);
    }
    const method = String(vcal.getFirstPropertyValue('method') ?? '').toUpperCase();
    const meeting = fromVevent(vevent, zones, method);
    return meeting ? { method, meeting } : undefined;
  } catch {
    // Malformed iCalendar: the message stays a plain invitation without details.
    return undefined;
  }
}

interface Instant {
  readonly at: Date;
  readonly allDay: boolean;
  /** The zone the time was written in: an IANA name, a VTIMEZONE, 'UTC', or undefined for floating. */
  readonly zone?: string;
  readonly vtz?: IcalTimezone;
}

function fromVevent(ev: IcalComponent, zones: ReadonlyMap<string, IcalTimezone>, method: string): EasMeetingRequest | undefined {
  const start = instantOf(ev.getFirstProperty('dtstart'), zones);
  if (!start) return undefined;
  const end = instantOf(ev.getFirstProperty('dtend'), zones) ?? endFromDuration(ev, start);
  const m: EasMeetingRequest = {
    startTime: start.at,
    endTime: end.at,
    allDayEvent: start.allDay,
    instanceType: 0,
  };
  const stamp = instantOf(ev.getFirstProperty('dtstamp'), zones);
  if (stamp) m.dtStamp = stamp.at;
  const location = textProp(ev, 'location');
  if (location !== undefined) m.location = location;
  const organizer = organizerOf(ev.getFirstProperty('organizer'));
  if (organizer) m.organizer = organizer;
  const uid = textProp(ev, 'uid');
  // The element layer renders it as GlobalObjId (<= 14.1) or calendar:UID (16.x).
  if (uid) m.uid = uid;
  const rid = instantOf(ev.getFirstProperty('recurrence-id'), zones);
  const rrule = ev.getFirstPropertyValue('rrule');
  if (rid) {
    m.recurrenceId = rid.at;
    m.instanceType = 3;
  } else if (rrule instanceof ICAL.Recur) {
    const rec = recurrenceOf(rrule, start);
    if (rec) {
      m.recurrence = rec;
      m.instanceType = 1;
    }
  }
  const reminder = reminderOf(ev);
  if (reminder !== undefined) m.reminder = reminder;
  m.responseRequested = method === 'REQUEST' && ev.getAllProperties('attendee').some((a) => String(a.getParameter('rsvp') ?? '').toUpperCase() === 'TRUE');
  m.sensitivity = SENSITIVITY[String(ev.getFirstPropertyValue('class') ?? '').toUpperCase()] ?? 0;
  m.busyStatus = method === 'CANCEL' ? 0 : busyStatusOf(ev);
  m.timeZone = timeZoneOf(start);
  const counter = String(ev.getFirstPropertyValue('x-microsoft-disallow-counter') ?? '').toUpperCase();
  if (counter) m.disallowNewTimeProposal = counter === 'TRUE';
  if (method === 'REQUEST') {
    // MS-ASEMAIL 2.2.2.49: 1 for the first invitation, 2 for a full update (SEQUENCE raised).
    const seq = Number(ev.getFirstPropertyValue('sequence') ?? 0);
    m.meetingMessageType = Number.isFinite(seq) && seq > 0 ? 2 : 1;
  }
  return m;
}

const SENSITIVITY: Readonly<Record<string, number>> = { PUBLIC: 0, PRIVATE: 2, CONFIDENTIAL: 3 };
const INTENDED: Readonly<Record<string, number>> = { FREE: 0, TENTATIVE: 1, BUSY: 2, OOF: 3, WORKINGELSEWHERE: 4 };

/** Outlook's intended status when present, else TRANSP / STATUS (RFC 5545 3.8.2.7, 3.8.1.11). */
function busyStatusOf(ev: IcalComponent): number {
  const intended = INTENDED[String(ev.getFirstPropertyValue('x-microsoft-cdo-intendedstatus') ?? '').toUpperCase()];
  if (intended !== undefined) return intended;
  if (String(ev.getFirstPropertyValue('transp') ?? '').toUpperCase() === 'TRANSPARENT') return 0;
  if (String(ev.getFirstPropertyValue('status') ?? '').toUpperCase() === 'TENTATIVE') return 1;
  return 2;
}

function textProp(c: IcalComponent, name: string): string | undefined {
  const v = c.getFirstPropertyValue(name);
  return typeof v === 'string' && v !== '' ? v : undefined;
}

/** `"CN" <address>` as Exchange writes Organizer; the address alone without CN. */
function organizerOf(p: IcalProperty | null): string | undefined {
  if (!p) return undefined;
  const value = String(p.getFirstValue() ?? '');
  const address = value.replace(/^mailto:/i, '').trim();
  const cnParam = p.getParameter('cn');
  const cn = Array.isArray(cnParam) ? cnParam[0] : cnParam;
  if (!address) return cn || undefined;
  return cn ? `"${String(cn).replace(/["\\]/g, '\\$&')}" <${address}>` : address;
}

/** A DATE or DATE-TIME property as a UTC instant, honouring Z, TZID with a VTIMEZONE, or TZID as an IANA name. */
function instantOf(p: IcalProperty | null, zones: ReadonlyMap<string, IcalTimezone>): Instant | undefined {
  if (!p) return undefined;
  const v = p.getFirstValue();
  if (!(v instanceof ICAL.Time)) return undefined;
  const wall = Date.UTC(v.year, v.month - 1, v.day, v.isDate ? 0 : v.hour, v.isDate ? 0 : v.minute, v.isDate ? 0 : v.second);
  if (v.isDate) return { at: new Date(wall), allDay: true };
  const tzParam = p.getParameter('tzid');
  const tzid = typeof tzParam === 'string' ? tzParam : Array.isArray(tzParam) ? tzParam[0] : undefined;
  if (v.zone?.tzid === 'UTC' && !tzid) return { at: new Date(wall), allDay: false, zone: 'UTC' };
  if (tzid) {
    const vtz = zones.get(tzid);
    if (vtz) {
      const t: IcalTime = v.clone();
      t.zone = vtz;
      return { at: new Date(wall - vtz.utcOffset(t) * 1000), allDay: false, zone: tzid, vtz };
    }
    if (isIanaZone(tzid)) return { at: new Date(wallToUtc(tzid, wall)), allDay: false, zone: tzid };
  }
  // Floating time (or an unknown zone name): read as UTC rather than the server's own zone.
  return { at: new Date(wall), allDay: false };
}

/** Local wall time in `zone` to UTC; the second pass settles times near a DST change. */
function wallToUtc(zone: string, wall: number): number {
  let utc = wall - zoneOffsetMinutes(zone, wall) * 60_000;
  utc = wall - zoneOffsetMinutes(zone, utc) * 60_000;
  return utc;
}

function endFromDuration(ev: IcalComponent, start: Instant): Instant {
  const d = ev.getFirstPropertyValue('duration');
  if (d instanceof ICAL.Duration) return { ...start, at: new Date(start.at.getTime() + d.toSeconds() * 1000) };
  // RFC 5545 3.6.1: no DTEND and no DURATION = one day for a DATE start, no length otherwise.
  return { ...start, at: new Date(start.at.getTime() + (start.allDay ? 86_400_000 : 0)) };
}

/** Seconds before the start of the first VALARM with a relative trigger (MS-ASEMAIL 2.2.2.63). */
function reminderOf(ev: IcalComponent): number | undefined {
  for (const alarm of ev.getAllSubcomponents('valarm')) {
    const trigger = alarm.getFirstPropertyValue('trigger');
    if (trigger instanceof ICAL.Duration) {
      const s = -trigger.toSeconds();
      return s >= 0 ? s : 0;
    }
  }
  return undefined;
}

/** The EAS TimeZone blob for the zone DTSTART was written in. */
function timeZoneOf(start: Instant): EasTimeZone {
  const year = start.at.getUTCFullYear();
  if (start.zone && start.zone !== 'UTC' && !start.vtz && isIanaZone(start.zone)) return timeZoneFromIana(start.zone, year);
  if (start.vtz) {
    // Outlook names its zones ("W. Europe Standard Time"); a VTIMEZONE named like an IANA zone gets the full rules.
    if (isIanaZone(start.zone ?? '')) return timeZoneFromIana(start.zone!, year);
    const rules = timeZoneFromVtimezone(start.vtz.component, start.zone ?? '', year);
    if (rules) return rules;
    const t = ICAL.Time.fromJSDate(start.at, true);
    return fixedOffsetTimeZone(Math.round(start.vtz.utcOffset(t) / 60), start.zone ?? '');
  }
  return utcTimeZone();
}

interface ZoneRule {
  readonly offsetTo: number;
  readonly offsetFrom: number;
  readonly date: SystemTime;
}

/**
 * The yearly STANDARD/DAYLIGHT rules of a VTIMEZONE (RFC 5545 3.6.5) as the
 * Windows blob (MS-ASDTYPE 2.7.4): month, weekday and week of the month
 * (5 = last), at the local time before the change, which is how both write
 * it. Undefined when the zone has no such yearly pair (the caller falls back
 * to a fixed offset).
 */
function timeZoneFromVtimezone(vtz: IcalComponent, name: string, year: number): EasTimeZone | undefined {
  const pick = (kind: 'standard' | 'daylight'): ZoneRule | undefined | null => {
    // Of several historical rules, the newest one in force by `year`.
    const all = vtz.getAllSubcomponents(kind)
      .map((c) => ({ c, start: c.getFirstPropertyValue('dtstart') }))
      .filter((x): x is { c: IcalComponent; start: IcalTime } => x.start instanceof ICAL.Time)
      .sort((a, b) => a.start.year - b.start.year);
    const chosen = all.filter((x) => x.start.year <= year).pop() ?? all[0];
    if (!chosen) return undefined;
    const to = chosen.c.getFirstPropertyValue('tzoffsetto');
    const from = chosen.c.getFirstPropertyValue('tzoffsetfrom');
    if (!(to instanceof ICAL.UtcOffset) || !(from instanceof ICAL.UtcOffset)) return null;
    const rrule = chosen.c.getFirstPropertyValue('rrule');
    if (!(rrule instanceof ICAL.Recur) || rrule.freq !== 'YEARLY') return null;
    const month = rrule.parts.BYMONTH?.[0];
    const byday = /^([+-]?\d)?(SU|MO|TU|WE|TH|FR|SA)$/.exec(String(rrule.parts.BYDAY?.[0] ?? ''));
    if (!month || !byday) return null;
    const n = Number(byday[1] ?? 1);
    const dayOfWeek = Math.log2(DAY_BITS[byday[2]!]!);
    const date: SystemTime = { year: 0, month, dayOfWeek, day: n < 0 ? 5 : Math.min(n, 5), hour: chosen.start.hour, minute: chosen.start.minute, second: 0, milliseconds: 0 };
    return { offsetTo: to.toSeconds() / 60, offsetFrom: from.toSeconds() / 60, date };
  };
  const std = pick('standard');
  const dst = pick('daylight');
  if (std === null || dst === null) return undefined;
  if (!std) return undefined;
  if (!dst) return fixedOffsetTimeZone(std.offsetTo, name);
  return {
    bias: -std.offsetTo,
    standardName: name,
    standardDate: std.date,
    standardBias: 0,
    daylightName: name,
    daylightDate: dst.date,
    daylightBias: std.offsetTo - dst.offsetTo,
  };
}

const DAY_BITS: Readonly<Record<string, number>> = { SU: 1, MO: 2, TU: 4, WE: 8, TH: 16, FR: 32, SA: 64 };
const WKST: Readonly<Record<number, number>> = { 1: 0, 2: 1, 3: 2, 4: 3, 5: 4, 6: 5, 7: 6 };

/**
 * A basic RRULE as an EAS Recurrence (MS-ASEMAIL 2.2.2.60, MS-ASCAL
 * 2.2.2.35): DAILY, WEEKLY with BYDAY, MONTHLY by day or nth weekday,
 * YEARLY likewise; INTERVAL, COUNT, UNTIL. Rules EAS cannot express
 * (HOURLY, several nth weekdays) give undefined.
 */
function recurrenceOf(r: IcalRecur, start: Instant): EasRecurrence | undefined {
  // Day-of-week, day and month are those of the local start, as the organizer wrote it.
  const local = localWall(start);
  const byday = r.parts.BYDAY ?? [];
  const parsed = byday.map((d) => /^([+-]?\d{1,2})?(SU|MO|TU|WE|TH|FR|SA)$/.exec(String(d).toUpperCase()));
  if (parsed.some((p) => p === null)) return undefined;
  const days = parsed as RegExpExecArray[];
  const mask = days.reduce((acc, d) => acc | DAY_BITS[d[2]!]!, 0);
  const ordinals = days.filter((d) => d[1] !== undefined).map((d) => Number(d[1]));
  const setpos = r.parts.BYSETPOS ?? [];
  const nth = ordinals[0] ?? (setpos.length === 1 ? setpos[0] : undefined);
  const week = nth === undefined ? undefined : nth < 0 ? 5 : Math.min(nth, 5);
  let rec: EasRecurrence;
  const startBit = 1 << local.getUTCDay();
  switch (r.freq) {
    case 'DAILY':
      rec = mask ? { type: 1, dayOfWeek: mask } : { type: 0 };
      break;
    case 'WEEKLY':
      rec = { type: 1, dayOfWeek: mask || startBit };
      break;
    case 'MONTHLY':
      rec = mask && week !== undefined ? { type: 3, weekOfMonth: week, dayOfWeek: mask } : { type: 2, dayOfMonth: r.parts.BYMONTHDAY?.[0] ?? local.getUTCDate() };
      break;
    case 'YEARLY': {
      const monthOfYear = r.parts.BYMONTH?.[0] ?? local.getUTCMonth() + 1;
      rec = mask && week !== undefined ? { type: 6, weekOfMonth: week, dayOfWeek: mask, monthOfYear } : { type: 5, dayOfMonth: r.parts.BYMONTHDAY?.[0] ?? local.getUTCDate(), monthOfYear };
      break;
    }
    default:
      return undefined;
  }
  if (ordinals.length > 1 || (rec.type === 3 && days.length > 1 && ordinals.length === 0 && setpos.length !== 1)) return undefined;
  if (r.interval > 1) rec.interval = r.interval;
  if (r.count) rec.occurrences = r.count;
  if (r.until) {
    const u = r.until;
    // A DATE until includes that whole day; a floating/local until is read like DTSTART.
    rec.until = u.isDate ? new Date(Date.UTC(u.year, u.month - 1, u.day, 23, 59, 59)) : new Date(Date.UTC(u.year, u.month - 1, u.day, u.hour, u.minute, u.second));
  }
  const wk = WKST[r.wkst];
  if (wk !== undefined && wk !== 1) rec.firstDayOfWeek = wk;
  return rec;
}

/** The start as local wall-clock fields (read with getUTC*). */
function localWall(start: Instant): Date {
  if (start.allDay || !start.zone || start.zone === 'UTC') return start.at;
  if (start.vtz) {
    const t = ICAL.Time.fromJSDate(start.at, true);
    return new Date(start.at.getTime() + start.vtz.utcOffset(t) * 1000);
  }
  return new Date(start.at.getTime() + zoneOffsetMinutes(start.zone, start.at.getTime()) * 60_000);
}
