/**
 * The VEVENT properties that map one to one onto EAS Calendar fields
 * (MS-ASCAL 2.2.2), both ways, for a master and for its override VEVENTs:
 * SUMMARY, LOCATION, DESCRIPTION, CLASS, TRANSP and the Outlook busy status,
 * CATEGORIES, VALARM, ORGANIZER, ATTENDEE, STATUS. Times, recurrence and
 * exceptions live in event.ts.
 *
 * Writers change a property only when the value the device sent differs from
 * the one read back, so an unchanged field keeps its parameters (LANGUAGE,
 * ALTREP, X- parameters) byte for byte.
 */
import ICAL from 'ical.js';
import type { EasAttendee, EasExceptionFields } from '../../protocol/types/calendar.ts';
import type { EasBody } from '../../protocol/types/body.ts';

type IcalComponent = InstanceType<typeof ICAL.Component>;
type IcalProperty = InstanceType<typeof ICAL.Property>;

/** A non-fatal loss or oddity, as a named log event (STYLE 9). */
export interface EventWarning {
  readonly event: string;
  readonly detail: Record<string, unknown>;
}

/** The fields this module reads and writes. */
export type PlainFields = Pick<
  EasExceptionFields,
  'subject' | 'location' | 'body' | 'categories' | 'sensitivity' | 'busyStatus' | 'reminder' | 'meetingStatus' | 'attendees' | 'responseType'
> & { organizerName?: string; organizerEmail?: string; disallowNewTimeProposal?: boolean; responseRequested?: boolean };

// --- hostile text -----------------------------------------------------------

/**
 * Text as RFC 5545 3.3.11 allows it: CONTROL characters other than HTAB are
 * not permitted, and ical.js writes a bare CR unescaped, which some parsers
 * take as a line break. Every line break becomes LF (escaped as \n by ical.js).
 */
export function safeText(s: string): string {
  return s.replace(/\r\n?/g, '\n').replace(/[\u0000-\u0008\u000b-\u001f\u007f]/g, '');
}

/** A parameter value (CN): no line breaks at all, and no DQUOTE, which RFC 5545 3.2 cannot carry without RFC 6868. */
function safeParam(s: string): string {
  return s.replace(/[\u0000-\u001f\u007f]+/g, ' ').replace(/"/g, "'").trim();
}

function param(p: IcalProperty, name: string): string | undefined {
  const v = p.getParameter(name);
  const s = Array.isArray(v) ? v[0] : v;
  return typeof s === 'string' && s !== '' ? s : undefined;
}

/** A TEXT property's value; undefined when absent or empty. */
export function text(ev: IcalComponent, name: string): string | undefined {
  const v = ev.getFirstPropertyValue(name);
  return typeof v === 'string' && v !== '' ? v : undefined;
}

/** Sets a single TEXT property, or removes it for undefined / empty (how iOS clears a field). */
export function setText(ev: IcalComponent, name: string, value: string | undefined): void {
  const v = value === undefined ? '' : safeText(value);
  if (text(ev, name) === (v || undefined)) return;
  if (!v) {
    ev.removeAllProperties(name);
    return;
  }
  const p = ev.getFirstProperty(name);
  if (p) p.setValue(v);
  else ev.addPropertyWithValue(name, v);
}

const upper = (v: unknown): string => (typeof v === 'string' ? v.toUpperCase() : '');

// --- body -------------------------------------------------------------------

/** Plain text of an HTML body (EAS body type 2): tags dropped, block ends as line breaks, entities decoded. */
export function htmlToText(html: string): string {
  return html
    .replace(/<(script|style)[\s\S]*?<\/\1\s*>/gi, '')
    .replace(/<br\s*\/?>/gi, '\n')
    .replace(/<\/(p|div|li|tr|h[1-6])\s*>/gi, '\n')
    .replace(/<[^>]*>/g, '')
    .replace(/&(#x[0-9a-f]+|#\d+|amp|lt|gt|quot|apos|nbsp);/gi, (_, e: string) => {
      const k = e.toLowerCase();
      if (k[0] === '#') {
        const n = k[1] === 'x' ? parseInt(k.slice(2), 16) : parseInt(k.slice(1), 10);
        return n > 0 && n <= 0x10ffff ? String.fromCodePoint(n) : '';
      }
      return ({ amp: '&', lt: '<', gt: '>', quot: '"', apos: "'", nbsp: ' ' } as Record<string, string>)[k] ?? '';
    })
    .replace(/\n{3,}/g, '\n\n')
    .trim();
}

/** DESCRIPTION as a plain-text body (MS-ASAIRS 2.2.2.9, type 1); truncation is the sync layer's job. */
function bodyOf(ev: IcalComponent): EasBody | undefined {
  const d = text(ev, 'description');
  return d === undefined ? undefined : { type: 1, data: d, estimatedDataSize: Buffer.byteLength(d, 'utf8') };
}

function writeBody(ev: IcalComponent, body: EasBody | undefined, warnings: EventWarning[]): void {
  // MS-ASCMD 2.2.3.9: a Change without Body leaves the body alone.
  if (!body) return;
  let data: string;
  if (body.type === 1) data = body.data ?? '';
  else if (body.type === 2) data = htmlToText(body.data ?? '');
  else {
    warnings.push({ event: 'caldav.body-unsupported', detail: { type: body.type } });
    return;
  }
  const before = text(ev, 'description');
  setText(ev, 'description', data);
  // Outlook prefers its HTML copy: a stale one would hide the edited text.
  if (text(ev, 'description') !== before) ev.removeAllProperties('x-alt-desc');
}

// --- status fields ----------------------------------------------------------

const SENSITIVITY: Readonly<Record<string, number>> = { PUBLIC: 0, PRIVATE: 2, CONFIDENTIAL: 3 };
const CLASS_OF = ['PUBLIC', 'PRIVATE', 'PRIVATE', 'CONFIDENTIAL'] as const;
/** Outlook's "personal" has no CLASS; it travels in this X- property next to CLASS:PRIVATE. */
const PERSONAL_PROP = 'x-microsoft-cdo-sensitivity';

/** MS-ASCAL 2.2.2.39 Sensitivity from CLASS (RFC 5545 3.8.1.3); any X-…-SENSITIVITY:1 means personal. */
function sensitivityOf(ev: IcalComponent): number {
  for (const p of ev.getAllProperties()) {
    if (/^x-.*-sensitivity$/.test(p.name) && String(p.getFirstValue()).trim() === '1') return 1;
  }
  return SENSITIVITY[upper(ev.getFirstPropertyValue('class'))] ?? 0;
}

function writeSensitivity(ev: IcalComponent, s: number | undefined): void {
  if (s === undefined || s === sensitivityOf(ev) || s < 0 || s > 3) return;
  ev.removeAllProperties(PERSONAL_PROP);
  // Normal with no CLASS at all stays without one (RFC 5545 default is PUBLIC).
  if (s === 0 && !ev.hasProperty('class')) return;
  ev.updatePropertyWithValue('class', CLASS_OF[s]!);
  if (s === 1) ev.addPropertyWithValue(PERSONAL_PROP, '1');
}

const BUSY: Readonly<Record<string, number>> = { FREE: 0, TENTATIVE: 1, BUSY: 2, OOF: 3, WORKINGELSEWHERE: 4 };
const BUSY_OF = ['FREE', 'TENTATIVE', 'BUSY', 'OOF', 'WORKINGELSEWHERE'] as const;

/** MS-ASCAL 2.2.2.10 BusyStatus: Outlook's own property first, else TRANSP (3.8.2.7) and STATUS (3.8.1.11). */
function busyStatusOf(ev: IcalComponent): number {
  const x = BUSY[upper(ev.getFirstPropertyValue('x-microsoft-cdo-busystatus'))];
  if (x !== undefined) return x;
  if (upper(ev.getFirstPropertyValue('transp')) === 'TRANSPARENT') return 0;
  if (upper(ev.getFirstPropertyValue('status')) === 'TENTATIVE') return 1;
  return 2;
}

function writeBusyStatus(ev: IcalComponent, b: number | undefined): void {
  if (b === undefined || b < 0 || b > 4 || b === busyStatusOf(ev)) return;
  ev.updatePropertyWithValue('transp', b === 0 ? 'TRANSPARENT' : 'OPAQUE');
  ev.updatePropertyWithValue('x-microsoft-cdo-busystatus', BUSY_OF[b]!);
}

function categoriesOf(ev: IcalComponent): string[] | undefined {
  const all = ev.getAllProperties('categories').flatMap((p) => p.getValues().map(String)).filter((c) => c !== '');
  return all.length ? all : undefined;
}

function writeCategories(ev: IcalComponent, cats: readonly string[] | undefined): void {
  const want = (cats ?? []).map(safeText).filter((c) => c !== '');
  if (JSON.stringify(categoriesOf(ev) ?? []) === JSON.stringify(want)) return;
  ev.removeAllProperties('categories');
  if (!want.length) return;
  const p = new ICAL.Property('categories');
  p.setValues(want);
  ev.addProperty(p);
}

// --- reminder ---------------------------------------------------------------

/** Only display and sound alarms are reminders; EMAIL/PROCEDURE alarms are left to whoever made them. */
function isReminderAlarm(a: IcalComponent): boolean {
  const action = upper(a.getFirstPropertyValue('action'));
  return action === '' || action === 'DISPLAY' || action === 'AUDIO';
}

/** Minutes before the start (MS-ASCAL 2.2.2.37) of one VALARM (RFC 5545 3.8.6.3), given the event's span. */
function alarmMinutes(a: IcalComponent, startMs: number | undefined, durationMs: number): number | undefined {
  const p = a.getFirstProperty('trigger');
  const v = p?.getFirstValue();
  let before: number;
  if (v instanceof ICAL.Duration) {
    const related = upper(param(p!, 'related'));
    before = -v.toSeconds() * 1000 - (related === 'END' ? durationMs : 0);
  } else if (v instanceof ICAL.Time && startMs !== undefined) {
    before = startMs - v.toJSDate().getTime();
  } else return undefined;
  // EAS cannot remind after the start: "at the start" is the nearest.
  return Math.max(0, Math.round(before / 60_000));
}

function reminderOf(ev: IcalComponent, startMs: number | undefined, durationMs: number): number | undefined {
  for (const a of ev.getAllSubcomponents('valarm')) {
    if (!isReminderAlarm(a)) continue;
    const m = alarmMinutes(a, startMs, durationMs);
    if (m !== undefined) return m;
  }
  return undefined;
}

function writeReminder(ev: IcalComponent, minutes: number | undefined, startMs: number | undefined, durationMs: number): void {
  const alarms = ev.getAllSubcomponents('valarm').filter(isReminderAlarm);
  if (minutes === undefined || minutes < 0) {
    for (const a of alarms) ev.removeSubcomponent(a);
    return;
  }
  const first = alarms.find((a) => alarmMinutes(a, startMs, durationMs) !== undefined);
  if (first && alarmMinutes(first, startMs, durationMs) === minutes) return;
  const trigger = ICAL.Duration.fromSeconds(-minutes * 60);
  if (first) {
    // Keep the alarm's other properties (ACKNOWLEDGED, X-WR-ALARMUID, sounds): only its time changed.
    first.removeAllProperties('trigger');
    first.addPropertyWithValue('trigger', trigger);
    return;
  }
  const a = new ICAL.Component('valarm');
  a.addPropertyWithValue('action', 'DISPLAY');
  // RFC 5545 3.6.6: DESCRIPTION is required for a DISPLAY alarm.
  a.addPropertyWithValue('description', 'Reminder');
  a.addPropertyWithValue('trigger', trigger);
  ev.addSubcomponent(a);
}

// --- people -----------------------------------------------------------------

function addressOf(p: IcalProperty): string {
  const v = String(p.getFirstValue() ?? '').trim();
  if (/^mailto:/i.test(v)) return v.slice(7).trim();
  // RFC 7986 EMAIL parameter for non-mailto calendar addresses (urn:uuid:...).
  return param(p, 'email') ?? v;
}

const sameAddress = (a: string | undefined, b: string | undefined): boolean => !!a && !!b && a.toLowerCase() === b.toLowerCase();

const PARTSTAT: Readonly<Record<string, number>> = { ACCEPTED: 3, TENTATIVE: 2, DECLINED: 4, 'NEEDS-ACTION': 5 };
const PARTSTAT_OF: Readonly<Record<number, string>> = { 2: 'TENTATIVE', 3: 'ACCEPTED', 4: 'DECLINED', 5: 'NEEDS-ACTION' };

/** MS-ASCAL 2.2.2.4 AttendeeStatus from PARTSTAT (RFC 5545 3.2.12; absent means NEEDS-ACTION). */
function statusOf(p: IcalProperty): number {
  return PARTSTAT[upper(param(p, 'partstat') ?? 'NEEDS-ACTION')] ?? 0;
}

/** MS-ASCAL 2.2.2.5 AttendeeType from CUTYPE (3.2.3) and ROLE (3.2.16; absent means REQ-PARTICIPANT). */
function typeOf(p: IcalProperty): number {
  const cutype = upper(param(p, 'cutype'));
  if (cutype === 'RESOURCE' || cutype === 'ROOM') return 3;
  const role = upper(param(p, 'role'));
  return role === 'OPT-PARTICIPANT' || role === 'NON-PARTICIPANT' ? 2 : 1;
}

function attendeesOf(ev: IcalComponent): EasAttendee[] {
  return ev.getAllProperties('attendee').map((p) => {
    const a: EasAttendee = { email: addressOf(p), status: statusOf(p), type: typeOf(p) };
    const cn = param(p, 'cn');
    if (cn) a.name = cn;
    return a;
  });
}

function writeOrganizer(ev: IcalComponent, name: string | undefined, email: string | undefined): void {
  // Devices leave the organizer out of most Changes; that is no reason to drop it.
  if (!email) return;
  const p = ev.getFirstProperty('organizer');
  const address = safeParam(email);
  if (p && sameAddress(addressOf(p), address)) {
    if (name !== undefined && param(p, 'cn') !== safeParam(name)) setCn(p, name, address);
    return;
  }
  ev.removeAllProperties('organizer');
  const np = new ICAL.Property('organizer');
  np.setValue(`mailto:${address}`);
  setCn(np, name, address);
  ev.addProperty(np);
}

function setCn(p: IcalProperty, name: string | undefined, address: string): void {
  const cn = name === undefined ? '' : safeParam(name);
  if (cn && cn !== address) p.setParameter('cn', cn);
  else p.removeParameter('cn');
}

/**
 * Replaces the ATTENDEEs with the device's list, starting each from the old
 * property of the same address so RSVP, SCHEDULE-STATUS, DELEGATED-* and X-
 * parameters survive. AttendeeStatus 0 ("unknown") keeps the old PARTSTAT.
 */
function writeAttendees(ev: IcalComponent, list: readonly EasAttendee[] | undefined): void {
  if (!list) return;
  const old = ev.getAllProperties('attendee');
  ev.removeAllProperties('attendee');
  for (const a of list) {
    const address = safeParam(a.email);
    if (!address) continue;
    const prev = old.find((p) => sameAddress(addressOf(p), address));
    const p = prev ?? new ICAL.Property('attendee');
    if (!prev) p.setValue(`mailto:${address}`);
    setCn(p, a.name, address);
    const partstat = a.status !== undefined ? PARTSTAT_OF[a.status] : undefined;
    if (partstat) p.setParameter('partstat', partstat);
    else if (!prev) p.setParameter('partstat', 'NEEDS-ACTION');
    if (a.type === 3) {
      if (upper(param(p, 'cutype')) !== 'ROOM') p.setParameter('cutype', 'RESOURCE');
    } else if (a.type === 1 || a.type === 2) {
      if (typeOf(p) === 3) p.removeParameter('cutype');
      // A new attendee says its ROLE; a stored one changes ROLE only when its type changed (absent already
      // means REQ-PARTICIPANT, RFC 5545 3.2.16), so an unchanged event stays byte for byte.
      if (!prev || typeOf(p) !== a.type) p.setParameter('role', a.type === 1 ? 'REQ-PARTICIPANT' : 'OPT-PARTICIPANT');
    }
    ev.addProperty(p);
  }
}

// --- meeting status ---------------------------------------------------------

const RESPONSE_OF_PARTSTAT: Readonly<Record<string, number>> = { TENTATIVE: 2, ACCEPTED: 3, DECLINED: 4, 'NEEDS-ACTION': 5 };

/**
 * MS-ASCAL 2.2.2.29 MeetingStatus: 0 appointment; 1 the user organizes (or
 * nobody is named as organizer); 3 someone else does; +4 when the event is
 * STATUS:CANCELLED. Without `userEmail` a named organizer counts as the user:
 * we cannot tell, and "organizer" keeps the event editable on the device.
 */
function meetingOf(ev: IcalComponent, attendees: readonly EasAttendee[], userEmail: string | undefined): { meetingStatus: number; responseType?: number } {
  if (!attendees.length) return { meetingStatus: 0 };
  const org = ev.getFirstProperty('organizer');
  const orgEmail = org ? addressOf(org) : undefined;
  const mine = !orgEmail || !userEmail || sameAddress(orgEmail, userEmail);
  const cancelled = upper(ev.getFirstPropertyValue('status')) === 'CANCELLED';
  const meetingStatus = (mine ? 1 : 3) + (cancelled ? 4 : 0);
  // MS-ASCAL 2.2.2.40 ResponseType: 1 organizer, else the user's own PARTSTAT.
  if (mine && orgEmail) return { meetingStatus, responseType: 1 };
  const me = userEmail ? ev.getAllProperties('attendee').find((p) => sameAddress(addressOf(p), userEmail)) : undefined;
  if (!me) return { meetingStatus };
  return { meetingStatus, responseType: RESPONSE_OF_PARTSTAT[upper(param(me, 'partstat') ?? 'NEEDS-ACTION')] ?? 0 };
}

function writeMeeting(ev: IcalComponent, f: PlainFields, userEmail: string | undefined): void {
  if (f.meetingStatus !== undefined) {
    const cancelled = (f.meetingStatus & 4) !== 0 && (f.meetingStatus & 1) !== 0;
    const status = upper(ev.getFirstPropertyValue('status'));
    if (cancelled && status !== 'CANCELLED') ev.updatePropertyWithValue('status', 'CANCELLED');
    if (!cancelled && status === 'CANCELLED') ev.removeAllProperties('status');
  }
  // RFC 5545 3.8.4.3: a scheduled event with attendees names its organizer.
  if (userEmail && ev.hasProperty('attendee') && !ev.hasProperty('organizer')) writeOrganizer(ev, undefined, userEmail);
  if (f.responseType !== undefined && userEmail) {
    const partstat = PARTSTAT_OF[f.responseType];
    const me = ev.getAllProperties('attendee').find((p) => sameAddress(addressOf(p), userEmail));
    if (partstat && me && upper(param(me, 'partstat')) !== partstat) me.setParameter('partstat', partstat);
  }
  if (f.disallowNewTimeProposal !== undefined) ev.updatePropertyWithValue('x-microsoft-disallow-counter', f.disallowNewTimeProposal ? 'TRUE' : 'FALSE');
}

// --- entry points -----------------------------------------------------------

/** Everything this module knows of a VEVENT. `startMs`/`durationMs` place relative and absolute alarm triggers. */
export function readPlainFields(ev: IcalComponent, startMs: number | undefined, durationMs: number, userEmail: string | undefined): PlainFields {
  const attendees = attendeesOf(ev);
  const f: PlainFields = { sensitivity: sensitivityOf(ev), busyStatus: busyStatusOf(ev), ...meetingOf(ev, attendees, userEmail) };
  const subject = text(ev, 'summary');
  if (subject !== undefined) f.subject = subject;
  const location = text(ev, 'location');
  if (location !== undefined) f.location = location;
  const body = bodyOf(ev);
  if (body) f.body = body;
  const categories = categoriesOf(ev);
  if (categories) f.categories = categories;
  const reminder = reminderOf(ev, startMs, durationMs);
  if (reminder !== undefined) f.reminder = reminder;
  if (attendees.length) f.attendees = attendees;
  const org = ev.getFirstProperty('organizer');
  if (org) {
    f.organizerEmail = addressOf(org);
    const cn = param(org, 'cn');
    if (cn) f.organizerName = cn;
  }
  const rsvp = ev.getAllProperties('attendee').map((p) => upper(param(p, 'rsvp')));
  if (rsvp.some((r) => r !== '')) f.responseRequested = rsvp.includes('TRUE');
  const counter = upper(ev.getFirstPropertyValue('x-microsoft-disallow-counter'));
  if (counter) f.disallowNewTimeProposal = counter === 'TRUE';
  return f;
}

/**
 * Applies a device's fields with MS-ASCMD 2.2.3.9 Change semantics: subject,
 * location, categories and reminder absent mean "none" (that is how a device
 * clears them); body, attendees, organizer, sensitivity and busy status absent
 * mean "unchanged"; an empty string clears.
 */
export function writePlainFields(ev: IcalComponent, f: PlainFields, ctx: { startMs?: number; durationMs: number; userEmail?: string; warnings: EventWarning[] }): void {
  setText(ev, 'summary', f.subject);
  setText(ev, 'location', f.location);
  writeBody(ev, f.body, ctx.warnings);
  writeCategories(ev, f.categories);
  writeSensitivity(ev, f.sensitivity);
  writeBusyStatus(ev, f.busyStatus);
  writeReminder(ev, f.reminder, ctx.startMs, ctx.durationMs);
  writeOrganizer(ev, f.organizerName, f.organizerEmail);
  writeAttendees(ev, f.attendees);
  writeMeeting(ev, f, ctx.userEmail);
}
