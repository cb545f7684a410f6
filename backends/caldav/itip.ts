/**
 * iTIP (RFC 5546) on iCalendar text: the attendee's answer to a meeting
 * (REPLY, 3.2.3, or COUNTER, 3.2.7, when new times are proposed) and the
 * organizer's REQUEST (3.2.2) and CANCEL (3.2.5). Pure text in, text out:
 * storing the result and mailing it (RFC 6047 iMIP) are the callers' job.
 *
 * Times are read and written with event-time.ts, so that an instance is
 * named in the same zone and form (DATE, UTC, zoned, floating) as the
 * series it belongs to (RFC 5545 3.8.4.4: RECURRENCE-ID has the value type
 * of DTSTART).
 */
import ICAL from 'ical.js';
import { BackendError } from '../errors.ts';
import { masterOf, parseCalendar } from './event.ts';
import { safeText } from './event-fields.ts';
import { DAY, Zones, dateText, icalTime, instantOf, masterSpan, readWhen, setTimeProp, timeIn, tzidOf } from './event-time.ts';
import type { Frame, When } from './event-time.ts';
import { UTC_ZONE, blobOf, toWall, vtimezoneFromBlob } from './vtimezone.ts';
import { icsText } from './ics-text.ts';

type IcalComponent = InstanceType<typeof ICAL.Component>;
type IcalProperty = InstanceType<typeof ICAL.Property>;

/** The answers MeetingResponse can give (MS-ASCMD 2.2.3.185 UserResponse), as RFC 5545 3.2.12 PARTSTAT values. */
export type PartStat = 'ACCEPTED' | 'TENTATIVE' | 'DECLINED';

/** A calendar user named by ORGANIZER (RFC 5545 3.8.4.3): its address without `mailto:`, and its CN. */
export interface CalendarUser {
  readonly email: string;
  readonly name?: string;
}

const PRODID = '-//eas-server//EN';

// --- small helpers ------------------------------------------------------------

function param(p: IcalProperty, name: string): string | undefined {
  const v = p.getParameter(name);
  const s = Array.isArray(v) ? v[0] : v;
  return typeof s === 'string' && s !== '' ? s : undefined;
}

/** The address of an ORGANIZER/ATTENDEE: the mailto: URI without its scheme, else the RFC 7986 EMAIL parameter. */
function addressOf(p: IcalProperty): string {
  const v = String(p.getFirstValue() ?? '').trim();
  if (/^mailto:/i.test(v)) return v.slice(7).trim();
  return param(p, 'email') ?? v;
}

const sameAddress = (a: string, b: string): boolean => a !== '' && a.toLowerCase() === b.toLowerCase();

/**
 * An address as a URI value: no whitespace or control characters at all.
 * ical.js writes URI values unescaped, so a line break here would start a
 * property of the sender's choosing.
 */
function safeAddress(s: string): string {
  return s.replace(/^mailto:/i, '').replace(/[\s\u0000-\u001f\u007f]+/g, '');
}

function userOf(p: IcalProperty | null | undefined): CalendarUser | undefined {
  if (!p) return undefined;
  const email = addressOf(p);
  if (!email) return undefined;
  const name = param(p, 'cn');
  return name ? { email, name } : { email };
}

function textOf(ev: IcalComponent | undefined, name: string): string | undefined {
  const v = ev?.getFirstPropertyValue(name);
  return typeof v === 'string' && v !== '' ? v : undefined;
}

const cloneProp = (p: IcalProperty): IcalProperty => new ICAL.Property(structuredClone(p.toJSON()));
const cloneComp = (c: IcalComponent): IcalComponent => new ICAL.Component(structuredClone(c.toJSON()));

const serialise = icsText;

function newVcalendar(method: string, source: IcalComponent): IcalComponent {
  const out = new ICAL.Component('vcalendar');
  out.addPropertyWithValue('prodid', PRODID);
  out.addPropertyWithValue('version', '2.0');
  const calscale = source.getFirstPropertyValue('calscale');
  if (typeof calscale === 'string' && calscale) out.addPropertyWithValue('calscale', calscale);
  out.addPropertyWithValue('method', method);
  return out;
}

/** The UID of the resource's master, or BackendError Invalid (RFC 5545 3.8.4.7: UID is required). */
function masterAndUid(vcal: IcalComponent): { master: IcalComponent; uid: string } {
  const master = masterOf(vcal);
  if (!master) throw new BackendError('Invalid', 'no VEVENT');
  const uid = master.getFirstPropertyValue('uid');
  if (typeof uid !== 'string' || uid === '') throw new BackendError('Invalid', 'VEVENT without UID');
  return { master, uid };
}

// --- times --------------------------------------------------------------------

/** How a VEVENT writes its times: the frame of its DTSTART, and whether that DTSTART is floating (no zone at all). */
interface TimeForm {
  readonly frame: Frame;
  readonly floating: boolean;
}

function formOf(ev: IcalComponent, zones: Zones): TimeForm {
  const { frame } = masterSpan(ev, zones);
  const p = ev.getFirstProperty('dtstart')!;
  const v = p.getFirstValue() as InstanceType<typeof ICAL.Time>;
  const floating = !v.isDate && !tzidOf(p) && v.zone?.tzid !== 'UTC' && v.zone !== ICAL.Timezone.utcTimezone;
  return { frame, floating };
}

/**
 * The calendar date an all-day instant names: EAS gives an all-day time as
 * the local midnight of the device's zone (MS-ASCAL 2.2.2.1), which may sit a
 * few hours off the event's own zone; the nearest midnight is the date meant.
 */
function dateAt(form: TimeForm, utcMs: number): string {
  return dateText(toWall(form.frame.zone, utcMs) + DAY / 2);
}

function whenAt(form: TimeForm, utcMs: number): When {
  return form.frame.allDay ? { date: dateAt(form, utcMs) } : { utc: utcMs };
}

/** Sets property `name` to the instant `utcMs`, written the way the event writes its DTSTART. */
function writeTime(ev: IcalComponent, name: string, utcMs: number, form: TimeForm): void {
  if (form.frame.allDay) {
    setTimeProp(ev, name, icalTime(Date.parse(`${dateAt(form, utcMs)}T00:00:00Z`), 'date'), undefined);
    return;
  }
  // A floating time is read as UTC (event-time.ts readWhen), so its wall fields are the instant's UTC fields.
  if (form.floating) {
    setTimeProp(ev, name, icalTime(utcMs, 'floating'), undefined);
    return;
  }
  const t = timeIn(form.frame.zone, utcMs);
  setTimeProp(ev, name, t.time, t.tzid);
}

/**
 * VTIMEZONEs for every TZID that `events` use (RFC 5546 3.2: "VTIMEZONE MUST
 * be present if any date/time refers to a time zone"): the source calendar's
 * own definition when it has one, else one written from the zone's rules in
 * the event's year, for a TZID that names an IANA or Windows zone.
 */
function vtimezonesFor(events: readonly IcalComponent[], source: IcalComponent, zones: Zones, year: number): IcalComponent[] {
  const tzids = new Set<string>();
  const walk = (c: IcalComponent): void => {
    for (const p of c.getAllProperties()) {
      const t = tzidOf(p);
      if (t) tzids.add(t);
    }
    for (const s of c.getAllSubcomponents()) walk(s);
  };
  events.forEach(walk);
  const own = new Map<string, IcalComponent>();
  for (const c of source.getAllSubcomponents('vtimezone')) {
    const id = c.getFirstPropertyValue('tzid');
    if (typeof id === 'string' && !own.has(id)) own.set(id, c);
  }
  const out: IcalComponent[] = [];
  for (const tzid of tzids) {
    const c = own.get(tzid);
    if (c) {
      out.push(cloneComp(c));
      continue;
    }
    const zone = zones.get(tzid);
    // An unknown TZID was read as UTC; inventing a definition for it would only mislead the recipient.
    if (zone !== UTC_ZONE && zone.iana) out.push(vtimezoneFromBlob(tzid, blobOf(zone, year)));
  }
  return out;
}

// --- the attendee's side ------------------------------------------------------

/** What `attendeeReply` needs besides the calendar object. */
export interface AttendeeReplyOptions {
  /** The replying user's address. */
  readonly attendeeEmail: string;
  readonly partstat: PartStat;
  /** MS-ASCMD 2.2.3.87 InstanceId: the original start of the one occurrence answered. */
  readonly instanceStart?: Date;
  /** MS-ASCMD 2.2.3.141/2.2.3.140 ProposedStartTime/ProposedEndTime (16.x): a new time proposed to the organizer. */
  readonly proposedStart?: Date;
  readonly proposedEnd?: Date;
  /** The user's note to the organizer (MS-ASCMD SendResponse Body), sent as COMMENT. */
  readonly comment?: string;
  /** DTSTAMP of the reply; defaults to the current time. */
  readonly now?: Date;
}

/** The attendee's updated copy and the message to the organizer. */
export interface AttendeeReply {
  /** The calendar object to store: no METHOD (RFC 4791 4.1), the attendee's PARTSTAT set. */
  readonly calendarIcs: string;
  /** METHOD:REPLY (RFC 5546 3.2.3), or METHOD:COUNTER (3.2.7) when a new time is proposed. */
  readonly replyIcs: string;
  /** Whom the reply goes to; undefined when the event names no organizer. */
  readonly organizer?: CalendarUser;
  readonly summary: string;
  readonly uid: string;
}

/** The VEVENT whose RECURRENCE-ID is the instance at `utcMs`, if the resource has one. */
function overrideAt(vcal: IcalComponent, uid: string, utcMs: number, form: TimeForm, zones: Zones): IcalComponent | undefined {
  const want = instantOf(whenAt(form, utcMs), form.frame);
  return vcal.getAllSubcomponents('vevent').find((e) => {
    const rp = e.getFirstProperty('recurrence-id');
    const rv = rp?.getFirstValue();
    if (!rp || !(rv instanceof ICAL.Time) || e.getFirstPropertyValue('uid') !== uid) return false;
    return instantOf(readWhen(rv, tzidOf(rp), zones).when, form.frame) === want;
  });
}

/**
 * A new override VEVENT for the instance at `utcMs` (RFC 5545 3.8.4.4): a
 * copy of the master without its recurrence, at the instance's time.
 */
function addOverride(vcal: IcalComponent, master: IcalComponent, utcMs: number, form: TimeForm, zones: Zones): IcalComponent {
  const span = masterSpan(master, zones);
  const ov = cloneComp(master);
  for (const n of ['rrule', 'rdate', 'exdate', 'exrule', 'recurrence-id']) ov.removeAllProperties(n);
  writeTime(ov, 'recurrence-id', utcMs, form);
  writeTime(ov, 'dtstart', utcMs, form);
  if (ov.hasProperty('dtend')) writeTime(ov, 'dtend', utcMs + (span.endUtc - span.startUtc), form);
  vcal.addSubcomponent(ov);
  return ov;
}

/** Sets the attendee's PARTSTAT in `ev` (adding the ATTENDEE when the invitation did not list the user) and returns that property. */
function answer(ev: IcalComponent, email: string, partstat: PartStat): IcalProperty {
  let me = ev.getAllProperties('attendee').find((p) => sameAddress(addressOf(p), email));
  if (!me) {
    me = new ICAL.Property('attendee');
    me.setValue(`mailto:${email}`);
    ev.addProperty(me);
  }
  me.setParameter('partstat', partstat);
  // RSVP asks for an answer (RFC 5545 3.2.17); once answered, the stored copy asks no more.
  me.removeParameter('rsvp');
  return me;
}

/**
 * The attendee's answer to a meeting: the stored copy with the user's
 * PARTSTAT and the iTIP message for the organizer.
 *
 * With `instanceStart` only that occurrence is answered: its override is
 * patched, or created from the master, and the message names it by
 * RECURRENCE-ID. A non-recurring event is answered as a whole.
 *
 * A counter-proposal (`proposedStart`/`proposedEnd`) is sent as RFC 5546
 * 3.2.7 COUNTER, not as a REPLY: RFC 5546 has no way to propose times in a
 * REPLY, and Outlook itself exports its "New Time Proposed" responses as
 * METHOD:COUNTER whose DTSTART/DTEND are the proposed times and whose
 * X-MS-OLK-ORIGINALSTART/X-MS-OLK-ORIGINALEND carry the current ones
 * (MS-OXCICAL 2.1.3.1.1.20.58-59, which are read only with METHOD:COUNTER).
 * There is no X-MS-OLK-PROPOSEDSTART property in MS-OXCICAL. The COUNTER
 * still carries the attendee's PARTSTAT, as Outlook's does, so the answer is
 * not lost. The stored copy keeps the current times: only the organizer can
 * move the meeting.
 *
 * Throws BackendError Invalid when the text does not parse, has no VEVENT or
 * no UID.
 */
export function attendeeReply(ics: string, o: AttendeeReplyOptions): AttendeeReply {
  const vcal = parseCalendar(ics);
  const { master, uid } = masterAndUid(vcal);
  const email = safeAddress(o.attendeeEmail);
  if (!email) throw new BackendError('Invalid', 'no attendee address');
  // An iTIP REQUEST from mail carries METHOD; a calendar resource must not (RFC 4791 4.1).
  vcal.removeAllProperties('method');
  const zones = new Zones(vcal, []);
  const form = formOf(master, zones);

  let target = master;
  if (o.instanceStart) {
    const at = o.instanceStart.getTime();
    const recurring = !master.hasProperty('recurrence-id') && (master.hasProperty('rrule') || master.hasProperty('rdate'));
    target = overrideAt(vcal, uid, at, form, zones) ?? (recurring ? addOverride(vcal, master, at, form, zones) : master);
  }
  const me = answer(target, email, o.partstat);

  const proposing = o.proposedStart !== undefined || o.proposedEnd !== undefined;
  const out = newVcalendar(proposing ? 'COUNTER' : 'REPLY', vcal);
  const r = new ICAL.Component('vevent');
  r.addPropertyWithValue('uid', uid);
  r.addPropertyWithValue('dtstamp', icalTime((o.now ?? new Date()).getTime(), 'utc'));
  // RFC 5546 3.2.3: SEQUENCE echoes the version of the event being answered.
  const seq = target.getFirstProperty('sequence') ?? master.getFirstProperty('sequence');
  if (seq) r.addProperty(cloneProp(seq));
  const rid = target.getFirstProperty('recurrence-id');
  if (rid) r.addProperty(cloneProp(rid));
  if (proposing) {
    const tForm = formOf(target, zones);
    const span = masterSpan(target, zones);
    const duration = span.endUtc - span.startUtc;
    const start = o.proposedStart?.getTime() ?? span.startUtc;
    let end = o.proposedEnd?.getTime() ?? start + duration;
    if (end < start) end = start + duration;
    writeTime(r, 'dtstart', start, tForm);
    writeTime(r, 'dtend', end, tForm);
    writeTime(r, 'x-ms-olk-originalstart', span.startUtc, tForm);
    writeTime(r, 'x-ms-olk-originalend', span.endUtc, tForm);
    // A COUNTER is the event as the attendee would have it (RFC 5546 3.2.7): the series stays a series.
    for (const n of ['rrule', 'rdate', 'exdate', 'location']) for (const p of target.getAllProperties(n)) r.addProperty(cloneProp(p));
  } else {
    for (const n of ['dtstart', 'dtend', 'duration']) {
      const p = target.getFirstProperty(n);
      if (p) r.addProperty(cloneProp(p));
    }
  }
  const summaryProp = target.getFirstProperty('summary') ?? master.getFirstProperty('summary');
  if (summaryProp) r.addProperty(cloneProp(summaryProp));
  const org = target.getFirstProperty('organizer') ?? master.getFirstProperty('organizer');
  if (org) r.addProperty(cloneProp(org));
  // Only the replying attendee (RFC 5546 3.2.3): the others are the organizer's business.
  r.addProperty(cloneProp(me));
  const comment = o.comment === undefined ? '' : safeText(o.comment).trim();
  if (comment) r.addPropertyWithValue('comment', comment);

  const year = new Date(masterSpan(target, zones).startUtc).getUTCFullYear();
  for (const tz of vtimezonesFor([r], vcal, zones, year)) out.addSubcomponent(tz);
  out.addSubcomponent(r);

  const organizer = userOf(org);
  return {
    calendarIcs: serialise(vcal),
    replyIcs: serialise(out),
    ...(organizer ? { organizer } : {}),
    summary: textOf(target, 'summary') ?? textOf(master, 'summary') ?? '',
    uid,
  };
}

// --- the organizer's side -----------------------------------------------------

/** The organizer's message and whom it goes to. */
export interface OrganizerMessage {
  /** METHOD:REQUEST (RFC 5546 3.2.2) or METHOD:CANCEL (3.2.5) with the event's VTIMEZONEs. */
  readonly ics: string;
  /** Every ATTENDEE's address without `mailto:`, once each (compared case-insensitively), as first written. */
  readonly attendees: string[];
  readonly organizer?: CalendarUser;
  readonly summary: string;
  readonly uid: string;
  /** The master's start, when it has a readable DTSTART. */
  readonly start?: Date;
}

/**
 * The iTIP message the organizer sends for its stored event: every VEVENT
 * of the resource (master and overrides) with DTSTAMP `now`, without VALARMs
 * (alarms are the organizer's own, RFC 5546 3.2.2 lists none), ORGANIZER
 * added from `organizerEmail` where missing (RFC 5546 requires it in every
 * component). A REQUEST asks every attendee without an RSVP parameter for an
 * answer (RSVP=TRUE; RFC 5545's default is FALSE). A CANCEL marks every
 * VEVENT STATUS:CANCELLED and raises its SEQUENCE (RFC 5546 3.2.5, 2.1.4).
 * Throws BackendError Invalid when the text does not parse, has no VEVENT or
 * no UID.
 */
export function organizerMessage(ics: string, method: 'REQUEST' | 'CANCEL', o: { now?: Date; organizerEmail?: string } = {}): OrganizerMessage {
  const vcal = parseCalendar(ics);
  const { master, uid } = masterAndUid(vcal);
  const zones = new Zones(vcal, []);
  const stamp = icalTime((o.now ?? new Date()).getTime(), 'utc');
  const orgEmail = o.organizerEmail === undefined ? '' : safeAddress(o.organizerEmail);

  const sources = vcal.getAllSubcomponents('vevent').filter((e) => e === master || e.getFirstPropertyValue('uid') === uid);
  const events = sources.map(cloneComp);
  const seen = new Set<string>();
  const attendees: string[] = [];
  for (const ev of events) {
    for (const a of ev.getAllSubcomponents('valarm')) ev.removeSubcomponent(a);
    ev.updatePropertyWithValue('dtstamp', stamp);
    if (!ev.hasProperty('organizer') && orgEmail) {
      const p = new ICAL.Property('organizer');
      p.setValue(`mailto:${orgEmail}`);
      ev.addProperty(p);
    }
    const org = ev.getFirstProperty('organizer');
    const orgAddress = org ? addressOf(org) : '';
    for (const p of ev.getAllProperties('attendee')) {
      const address = addressOf(p);
      if (method === 'REQUEST' && p.getParameter('rsvp') === undefined && !sameAddress(address, orgAddress)) p.setParameter('rsvp', 'TRUE');
      if (!address || seen.has(address.toLowerCase())) continue;
      seen.add(address.toLowerCase());
      attendees.push(address);
    }
    if (method === 'CANCEL') {
      ev.updatePropertyWithValue('status', 'CANCELLED');
      const n = Number(ev.getFirstPropertyValue('sequence') ?? 0);
      ev.updatePropertyWithValue('sequence', (Number.isFinite(n) && n >= 0 ? Math.floor(n) : 0) + 1);
    }
  }

  let start: Date | undefined;
  try {
    start = new Date(masterSpan(master, zones).startUtc);
  } catch {
    // No readable DTSTART: the message is still worth sending, only without a date to show.
  }
  const out = newVcalendar(method, vcal);
  const year = (start ?? o.now ?? new Date()).getUTCFullYear();
  for (const tz of vtimezonesFor(events, vcal, zones, year)) out.addSubcomponent(tz);
  for (const ev of events) out.addSubcomponent(ev);
  const organizer = userOf(events[sources.indexOf(master)]!.getFirstProperty('organizer'));
  return {
    ics: serialise(out),
    attendees,
    ...(organizer ? { organizer } : {}),
    summary: textOf(master, 'summary') ?? '',
    uid,
    ...(start ? { start } : {}),
  };
}
