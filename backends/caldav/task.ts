/**
 * iCalendar VTODO (RFC 5545 3.6.2) <-> EAS Task (MS-ASTASK 2.2.2).
 *
 * A CalDAV task resource holds one VTODO (and the VTIMEZONEs it uses). It
 * becomes one EasTask; a device's Add or Change goes back either as a fresh
 * VCALENDAR or as a patch of the stored resource that replaces only the
 * properties mapped here, so X- properties, unknown parameters, other alarms
 * and other components survive a round trip through a phone.
 *
 * Times: MS-ASTASK 2.2.2.26/2.2.2.31 give every date twice, StartDate/DueDate
 * as the local wall time written as if it were UTC, UtcStartDate/UtcDueDate
 * as the instant. A DATE value (a due *day*, the usual task) is midnight of
 * that date for both, so the day never shifts whatever zone the phone is in.
 */
import ICAL from 'ical.js';
import type { EasBody } from '../../protocol/types/body.ts';
import type { EasRecurrence } from '../../protocol/types/recurrence.ts';
import type { EasTask } from '../../protocol/types/task.ts';
import { clean } from '../../protocol/types/values.ts';
import { BackendError, isBackendError } from '../errors.ts';
import { htmlToText, safeText, setText, text } from './event-fields.ts';
import { parseCalendar } from './event.ts';
import { icsText, openOrCreateCalendar } from './ics-text.ts';
import type { EventWarning } from './event-fields.ts';
import { recurrenceFromRrule, rruleFromRecurrence, sameRecurrence } from './event-recurrence.ts';
import { DAY, Zones, icalTime, readWhen, setTimeProp, tzidOf, wallOf } from './event-time.ts';
import { UTC_ZONE, toUtc, toWall } from './vtimezone.ts';
import type { Zone } from './vtimezone.ts';

type IcalComponent = InstanceType<typeof ICAL.Component>;
type IcalRecur = InstanceType<typeof ICAL.Recur>;

/** One task read from CalDAV. */
export interface ParsedTask {
  readonly item: EasTask;
  /** iCalendar UID. */
  readonly uid: string;
  /** Named, non-fatal losses: 'caldav.rrule-lossy', 'caldav.timezone-unknown', 'caldav.floating-time'. */
  readonly warnings: EventWarning[];
}

/** A DATE or DATE-TIME of the VTODO in EAS terms. */
interface TaskTime {
  /** Local wall time written as if UTC (StartDate / DueDate). */
  readonly local: number;
  /** The instant (UtcStartDate / UtcDueDate). */
  readonly utc: number;
  readonly isDate: boolean;
  /** The zone of a TZID value; UTC_ZONE for UTC, floating and DATE values. */
  readonly zone: Zone;
}

const upper = (v: unknown): string => (typeof v === 'string' ? v.toUpperCase() : '');

const parseVcalendar = parseCalendar;

/** The master VTODO: the one without RECURRENCE-ID, else the first. */
function masterTodo(vcal: IcalComponent): IcalComponent | undefined {
  const all = vcal.getAllSubcomponents('vtodo');
  return all.find((t) => !t.hasProperty('recurrence-id')) ?? all[0];
}

// --- times --------------------------------------------------------------------

function readTime(todo: IcalComponent, name: string, zones: Zones): TaskTime | undefined {
  const p = todo.getFirstProperty(name);
  const v = p?.getFirstValue();
  if (!p || !(v instanceof ICAL.Time)) return undefined;
  const r = readWhen(v, tzidOf(p), zones);
  if ('date' in r.when) {
    const midnight = Date.parse(`${r.when.date}T00:00:00Z`);
    return { local: midnight, utc: midnight, isDate: true, zone: UTC_ZONE };
  }
  // The wall time as written: for a UTC or floating value it is the instant itself.
  return { local: wallOf(v), utc: r.when.utc, isDate: false, zone: r.zone ?? UTC_ZONE };
}

/** DUE, or DTSTART + DURATION (RFC 5545 3.6.2 allows either); days and weeks are nominal, the rest exact (3.3.6). */
function readDue(todo: IcalComponent, start: TaskTime | undefined, zones: Zones): TaskTime | undefined {
  const due = readTime(todo, 'due', zones);
  if (due || !start) return due;
  const d = todo.getFirstPropertyValue('duration');
  if (!(d instanceof ICAL.Duration)) return undefined;
  const sign = d.isNegative ? -1 : 1;
  const days = sign * (d.weeks * 7 + d.days);
  const exact = sign * (d.hours * 3600 + d.minutes * 60 + d.seconds) * 1000;
  if (start.isDate) {
    const midnight = start.local + days * DAY;
    return { ...start, local: midnight, utc: midnight };
  }
  const utc = toUtc(start.zone, start.local + days * DAY) + exact;
  return { ...start, local: start.zone === UTC_ZONE ? utc : toWall(start.zone, utc), utc };
}

const isMidnight = (ms: number): boolean => ((ms % DAY) + DAY) % DAY === 0;

// --- plain fields ---------------------------------------------------------------


/**
 * MS-ASTASK 2.2.2.13 Importance from PRIORITY (RFC 5545 3.8.1.9): 1-4 high,
 * 5 (and 0 / absent: undefined priority) normal, 6-9 low, the CUA three-level
 * reading of the RFC.
 */
function importanceOf(todo: IcalComponent): number {
  const n = Number(todo.getFirstPropertyValue('priority'));
  if (n >= 1 && n <= 4) return 2;
  if (n >= 6 && n <= 9) return 0;
  return 1;
}

/** Back: high 1, normal 5, low 9 (the values RFC 5545 3.8.1.9 names for the three levels). */
const PRIORITY_OF: Readonly<Record<number, number>> = { 0: 9, 1: 5, 2: 1 };

const SENSITIVITY: Readonly<Record<string, number>> = { PUBLIC: 0, PRIVATE: 2, CONFIDENTIAL: 3 };
const CLASS_OF = ['PUBLIC', 'PRIVATE', 'PRIVATE', 'CONFIDENTIAL'] as const;
/** Outlook's "personal" has no CLASS; like events (event-fields.ts), it travels in this X- property next to CLASS:PRIVATE. */
const PERSONAL_PROP = 'x-microsoft-cdo-sensitivity';

/** MS-ASTASK 2.2.2.24 Sensitivity from CLASS (RFC 5545 3.8.1.3); absent or unknown CLASS is PUBLIC. */
function sensitivityOf(todo: IcalComponent): number {
  if (String(todo.getFirstPropertyValue(PERSONAL_PROP) ?? '').trim() === '1') return 1;
  return SENSITIVITY[upper(todo.getFirstPropertyValue('class'))] ?? 0;
}

function writeSensitivity(todo: IcalComponent, s: number | undefined): void {
  const want = s !== undefined && s >= 0 && s <= 3 ? s : 0;
  if (want === sensitivityOf(todo)) return;
  todo.removeAllProperties(PERSONAL_PROP);
  if (want === 0) {
    todo.removeAllProperties('class');
    return;
  }
  todo.updatePropertyWithValue('class', CLASS_OF[want]!);
  if (want === 1) todo.addPropertyWithValue(PERSONAL_PROP, '1');
}

function categoriesOf(todo: IcalComponent): string[] | undefined {
  const all = todo.getAllProperties('categories').flatMap((p) => p.getValues().map(String)).filter((c) => c !== '');
  return all.length ? all : undefined;
}

function writeCategories(todo: IcalComponent, cats: readonly string[] | undefined): void {
  const want = (cats ?? []).map(safeText).filter((c) => c !== '');
  if (JSON.stringify(categoriesOf(todo) ?? []) === JSON.stringify(want)) return;
  todo.removeAllProperties('categories');
  if (!want.length) return;
  const p = new ICAL.Property('categories');
  p.setValues(want);
  todo.addProperty(p);
}

function bodyOf(todo: IcalComponent): EasBody | undefined {
  const d = text(todo, 'description');
  return d === undefined ? undefined : { type: 1, data: d, estimatedDataSize: Buffer.byteLength(d, 'utf8') };
}

function writeBody(todo: IcalComponent, body: EasBody | undefined): void {
  // MS-ASCMD 2.2.3.9: a Change without Body leaves the body alone; RTF and MIME bodies cannot be DESCRIPTION.
  if (!body || body.data === undefined || body.truncated) return;
  if (body.type !== 1 && body.type !== 2) return;
  const data = body.type === 2 ? htmlToText(body.data) : body.data;
  const before = text(todo, 'description');
  setText(todo, 'description', data);
  // Outlook prefers its HTML copy: a stale one would hide the edited text.
  if (text(todo, 'description') !== before) todo.removeAllProperties('x-alt-desc');
}

// --- completion -------------------------------------------------------------------

/**
 * MS-ASTASK 2.2.2.7 Complete / 2.2.2.8 DateCompleted. STATUS decides when
 * present (RFC 5545 3.8.1.11; CANCELLED is not done), else a COMPLETED
 * property (3.8.2.1) does. DateCompleted is required with Complete, so a
 * completed task without COMPLETED takes LAST-MODIFIED, else DTSTAMP.
 */
function completionOf(todo: IcalComponent, zones: Zones): { complete: boolean; dateCompleted?: Date } {
  const status = upper(todo.getFirstPropertyValue('status'));
  const completed = readTime(todo, 'completed', zones);
  const done = status ? status === 'COMPLETED' : completed !== undefined;
  if (!done) return { complete: false };
  const when = completed ?? readTime(todo, 'last-modified', zones) ?? readTime(todo, 'dtstamp', zones);
  return when ? { complete: true, dateCompleted: new Date(when.utc) } : { complete: true };
}

function writeCompletion(todo: IcalComponent, task: EasTask, zones: Zones, now: Date, isNew: boolean): void {
  // Complete is required in client requests (MS-ASTASK 2.2.2.7); a client that leaves it out does not reopen a task.
  if (task.complete === undefined) {
    if (isNew) todo.updatePropertyWithValue('status', 'NEEDS-ACTION');
    return;
  }
  const was = completionOf(todo, zones);
  if (task.complete) {
    todo.updatePropertyWithValue('status', 'COMPLETED');
    const at = task.dateCompleted ?? was.dateCompleted ?? now;
    const old = readTime(todo, 'completed', zones);
    if (!old || old.utc !== at.getTime()) {
      todo.removeAllProperties('completed');
      // RFC 5545 3.8.2.1: COMPLETED is a UTC DATE-TIME.
      todo.addPropertyWithValue('completed', icalTime(at.getTime(), 'utc'));
    }
    todo.updatePropertyWithValue('percent-complete', 100);
    return;
  }
  // Reopened on the phone: undo every mark of completion. A task that was open keeps its own
  // STATUS (IN-PROCESS, CANCELLED) and PERCENT-COMPLETE, which EAS cannot show.
  if (was.complete || isNew) {
    todo.updatePropertyWithValue('status', 'NEEDS-ACTION');
    todo.removeAllProperties('completed');
    todo.removeAllProperties('percent-complete');
  } else {
    todo.removeAllProperties('completed');
  }
}

// --- reminder ---------------------------------------------------------------------

/** Only display and sound alarms are reminders; EMAIL/PROCEDURE alarms are left to whoever made them. */
function isReminderAlarm(a: IcalComponent): boolean {
  const action = upper(a.getFirstPropertyValue('action'));
  return action === '' || action === 'DISPLAY' || action === 'AUDIO';
}

/**
 * The instant a VALARM fires (RFC 5545 3.8.6.3): an absolute TRIGGER, or a
 * duration from DTSTART (default) or DUE (RELATED=END). A task with only one
 * of the two is anchored on the one it has: that is what the writer meant. A
 * DATE anchor counts as midnight UTC, the same reading as DueDate.
 */
function alarmInstant(a: IcalComponent, start: TaskTime | undefined, due: TaskTime | undefined, zones: Zones): number | undefined {
  const p = a.getFirstProperty('trigger');
  const v = p?.getFirstValue();
  if (v instanceof ICAL.Duration) {
    const anchor = upper(p!.getParameter('related')) === 'END' ? (due ?? start) : (start ?? due);
    return anchor ? anchor.utc + v.toSeconds() * 1000 : undefined;
  }
  if (v instanceof ICAL.Time) {
    const r = readWhen(v, tzidOf(p!), zones).when;
    return 'utc' in r ? r.utc : Date.parse(`${r.date}T00:00:00Z`);
  }
  return undefined;
}

function reminderOf(todo: IcalComponent, start: TaskTime | undefined, due: TaskTime | undefined, zones: Zones): number | undefined {
  for (const a of todo.getAllSubcomponents('valarm')) {
    if (!isReminderAlarm(a)) continue;
    const at = alarmInstant(a, start, due, zones);
    if (at !== undefined) return at;
  }
  return undefined;
}

function writeReminder(todo: IcalComponent, task: EasTask, start: TaskTime | undefined, due: TaskTime | undefined, zones: Zones): void {
  const alarms = todo.getAllSubcomponents('valarm').filter(isReminderAlarm);
  const set = task.reminderSet ?? task.reminderTime !== undefined;
  if (!set) {
    for (const a of alarms) todo.removeSubcomponent(a);
    return;
  }
  // MS-ASEMAIL 2.2.2.65: ReminderSet without ReminderTime is malformed; keep whatever alarm there is.
  if (!task.reminderTime) return;
  const want = task.reminderTime.getTime();
  const first = alarms.find((a) => alarmInstant(a, start, due, zones) !== undefined);
  // A relative alarm that still fires at the same instant stays relative (it follows the due date in other clients).
  if (first && alarmInstant(first, start, due, zones) === want) return;
  const trigger = icalTime(want, 'utc');
  if (first) {
    // Keep the alarm's other properties (ACKNOWLEDGED, X-WR-ALARMUID, sounds): only its time changed.
    first.removeAllProperties('trigger');
    first.addPropertyWithValue('trigger', trigger);
    return;
  }
  const a = new ICAL.Component('valarm');
  a.addPropertyWithValue('action', 'DISPLAY');
  // RFC 5545 3.6.6: DESCRIPTION is required for a DISPLAY alarm.
  a.addPropertyWithValue('description', safeText(task.subject ?? '') || 'Reminder');
  a.addPropertyWithValue('trigger', trigger);
  todo.addSubcomponent(a);
}

// --- recurrence -------------------------------------------------------------------

/** UNTIL as an instant: UTC as is; a DATE as that day (its last second for a timed task); a local value in the task's zone. */
function untilOf(r: IcalRecur, anchor: TaskTime): Date | undefined {
  const u = r.until;
  if (!u) return undefined;
  if (u.isDate) {
    const day = Date.UTC(u.year, u.month - 1, u.day);
    return new Date(anchor.isDate ? day : toUtc(anchor.zone, day + DAY - 1000));
  }
  const wall = wallOf(u);
  return new Date(u.zone?.tzid === 'UTC' ? wall : toUtc(anchor.zone, wall));
}

/**
 * MS-ASTASK 2.2.2.20 Recurrence from the RRULE, with Start (required for
 * Tasks) the local start, else the local due date. What EAS cannot say gives
 * the closest pattern and one 'caldav.rrule-lossy' warning listing the losses.
 */
function readRecurrence(todo: IcalComponent, anchor: TaskTime | undefined, hasOverrides: boolean, warnings: EventWarning[]): EasRecurrence | undefined {
  const rp = todo.getFirstProperty('rrule');
  const r = rp?.getFirstValue();
  if (!rp || !(r instanceof ICAL.Recur)) return undefined;
  if (!anchor) {
    warnings.push({ event: 'caldav.rrule-lossy', detail: { rrule: r.toString(), lost: ['no DTSTART or DUE to recur from'] } });
    return undefined;
  }
  const lost: string[] = [];
  if (todo.getAllProperties('rrule').length > 1) lost.push('several RRULEs');
  for (const name of ['rdate', 'exdate', 'exrule']) if (todo.hasProperty(name)) lost.push(name.toUpperCase());
  if (hasOverrides) lost.push('overridden instances');
  const read = recurrenceFromRrule(r, new Date(anchor.local), untilOf(r, anchor), /WKST=/i.test(rp.toICALString()));
  lost.push(...read.lossy);
  if (lost.length) warnings.push({ event: 'caldav.rrule-lossy', detail: { rrule: r.toString(), lost } });
  return { ...read.recurrence, start: new Date(anchor.local) };
}

function writeRecurrence(todo: IcalComponent, rec: EasRecurrence | undefined, before: EasRecurrence | undefined, anchor: TaskTime | undefined): void {
  if (!rec) {
    for (const name of ['rrule', 'rdate', 'exdate', 'exrule']) todo.removeAllProperties(name);
    return;
  }
  // The same pattern as read keeps the stored rule byte for byte, including what EAS could not carry.
  if (before && sameRecurrence(before, rec)) return;
  const startWall = rec.start?.getTime() ?? anchor?.local ?? Date.now();
  const dateForm = anchor?.isDate ?? false;
  // RFC 5545 3.3.10: UNTIL has the value type of DTSTART, and is UTC when DTSTART has a zone.
  const rule = rruleFromRecurrence(rec, new Date(startWall), (until) => icalTime(until.getTime(), dateForm ? 'date' : 'utc'));
  todo.removeAllProperties('rrule');
  todo.addPropertyWithValue('rrule', rule);
}

// --- reading ----------------------------------------------------------------------

/**
 * Reads a CalDAV task object into an EAS Task. Throws BackendError Invalid
 * when the text does not parse, holds no VTODO or the VTODO has no UID.
 */
export function icsToEasTask(ics: string): ParsedTask {
  const vcal = parseVcalendar(ics);
  try {
    return readTask(vcal);
  } catch (e) {
    if (isBackendError(e)) throw e;
    throw new BackendError('Invalid', `unreadable VTODO: ${(e as Error).message}`, { cause: e });
  }
}

function readTask(vcal: IcalComponent): ParsedTask {
  const todo = masterTodo(vcal);
  if (!todo) throw new BackendError('Invalid', 'no VTODO');
  const uid = todo.getFirstPropertyValue('uid');
  if (typeof uid !== 'string' || uid === '') throw new BackendError('Invalid', 'VTODO without UID');
  const warnings: EventWarning[] = [];
  const zones = new Zones(vcal, warnings);
  const start = readTime(todo, 'dtstart', zones);
  const due = readDue(todo, start, zones);
  const reminder = reminderOf(todo, start, due, zones);
  const overrides = vcal.getAllSubcomponents('vtodo').some((t) => t !== todo && t.hasProperty('recurrence-id'));
  const item = clean<EasTask>({
    subject: text(todo, 'summary'),
    body: bodyOf(todo),
    importance: importanceOf(todo),
    utcStartDate: start && new Date(start.utc),
    startDate: start && new Date(start.local),
    utcDueDate: due && new Date(due.utc),
    dueDate: due && new Date(due.local),
    categories: categoriesOf(todo),
    recurrence: readRecurrence(todo, start ?? due, overrides, warnings),
    ...completionOf(todo, zones),
    sensitivity: sensitivityOf(todo),
    reminderSet: reminder !== undefined,
    reminderTime: reminder === undefined ? undefined : new Date(reminder),
  });
  return { item, uid, warnings };
}

// --- writing ----------------------------------------------------------------------

/** What the device sent for one date: the local and the UTC form, either possibly missing. */
interface DeviceTime {
  readonly local?: number;
  readonly utc?: number;
}

const deviceTime = (local: Date | undefined, utc: Date | undefined): DeviceTime | undefined =>
  local || utc ? { local: local?.getTime(), utc: utc?.getTime() } : undefined;

function sameTime(d: DeviceTime | undefined, t: TaskTime | undefined): boolean {
  if (!d || !t) return !d && !t;
  return (d.local === undefined || d.local === t.local) && (d.utc === undefined || d.utc === t.utc);
}

/**
 * The VTODO property for one device date, in timed form: the stored TZID
 * when its offset explains the pair (so a Berlin task stays a Berlin task),
 * UTC when the two are equal or there is no zone to explain them (the
 * instant is kept; the local time then reads back as the UTC one), floating
 * when the device sent only the local time.
 */
function timedValue(d: DeviceTime, candidates: readonly Zone[]): TaskTime {
  if (d.utc === undefined) return { local: d.local!, utc: d.local!, isDate: false, zone: UTC_ZONE };
  if (d.local !== undefined && d.local !== d.utc) {
    const zone = candidates.find((z) => z.tzid && toWall(z, d.utc!) === d.local);
    if (zone) return { local: d.local, utc: d.utc, isDate: false, zone };
  }
  return { local: d.utc, utc: d.utc, isDate: false, zone: UTC_ZONE };
}

function writeTime(todo: IcalComponent, name: string, t: TaskTime | undefined, floating: boolean): void {
  if (!t) {
    todo.removeAllProperties(name);
    return;
  }
  if (t.isDate) setTimeProp(todo, name, icalTime(t.local, 'date'), undefined);
  else if (t.zone.tzid) setTimeProp(todo, name, icalTime(t.local, 'floating'), t.zone.tzid);
  else setTimeProp(todo, name, icalTime(t.utc, floating ? 'floating' : 'utc'), undefined);
}

/**
 * Writes DTSTART and DUE from the device's four dates and returns what they
 * now say. Unchanged dates keep the stored properties as they are (TZID,
 * DURATION, a timed midnight). Otherwise:
 * - A date at local midnight is what phones send for a due *day* (Outlook
 *   tasks have no time of day: MS-OXOTASK 2.2.2.2.5), so when every date the
 *   device sent is at local midnight they are written as DATE values from the
 *   local form: `DUE;VALUE=DATE:20261220`. Taking the date from DueDate, not
 *   UtcDueDate, is what keeps the day from shifting for a phone west or east
 *   of UTC.
 * - RFC 5545 3.8.2.3 wants DUE and DTSTART of one value type, so a start at
 *   midnight with a due at 17:00 makes both timed.
 */
function writeTimes(todo: IcalComponent, task: EasTask, before: { start?: TaskTime; due?: TaskTime }): { start?: TaskTime; due?: TaskTime } {
  const s = deviceTime(task.startDate, task.utcStartDate);
  const d = deviceTime(task.dueDate, task.utcDueDate);
  if (sameTime(s, before.start) && sameTime(d, before.due)) return before;
  const sent = [s, d].filter((x): x is DeviceTime => !!x);
  const dateForm = sent.length > 0 && sent.every((x) => x.local !== undefined && isMidnight(x.local));
  const zones = [before.start?.zone, before.due?.zone].filter((z): z is Zone => !!z && z !== UTC_ZONE);
  const as = (x: DeviceTime | undefined): TaskTime | undefined => {
    if (!x) return undefined;
    if (dateForm) return { local: x.local!, utc: x.local!, isDate: true, zone: UTC_ZONE };
    return timedValue(x, zones);
  };
  const start = as(s);
  const due = as(d);
  writeTime(todo, 'dtstart', start, s?.utc === undefined);
  writeTime(todo, 'due', due, d?.utc === undefined);
  // DUE and DURATION exclude each other (RFC 5545 3.6.2); the device's due date replaces both.
  todo.removeAllProperties('duration');
  return { start, due };
}

/**
 * An EAS task (a device's Add or Change) as iCalendar text. With `base`
 * (the stored object) the result is `base` with only the modelled VTODO
 * properties replaced, under MS-ASCMD 2.2.3.9 Change semantics: a field the
 * device leaves out is removed (that is how phones clear a due date or a
 * reminder), except Body, which is kept, and Complete, which a device must
 * always send; an empty string clears. Without `base`, a new VCALENDAR
 * (VERSION 2.0, PRODID -//eas-server//EN) with `uid` and DTSTAMP `now`.
 * Throws BackendError Invalid for an unreadable base or one without VTODO.
 */
export function easTaskToIcs(task: EasTask, opts: { uid: string; base?: string; now?: Date }): string {
  const now = opts.now ?? new Date();
  const { vcal, comp: todo, isNew } = openOrCreateCalendar(opts.base, 'vtodo', opts.uid, parseVcalendar, masterTodo);
  try {
    patchTodo(vcal, todo, task, now, isNew);
  } catch (e) {
    if (isBackendError(e)) throw e;
    throw new BackendError('Invalid', `cannot write task: ${(e as Error).message}`, { cause: e });
  }
  return icsText(vcal);
}

function patchTodo(vcal: IcalComponent, todo: IcalComponent, task: EasTask, now: Date, isNew: boolean): void {
  const zones = new Zones(vcal, []);
  const beforeStart = readTime(todo, 'dtstart', zones);
  const before = { start: beforeStart, due: readDue(todo, beforeStart, zones) };
  const beforeRecurrence = readRecurrence(todo, before.start ?? before.due, false, []);

  setText(todo, 'summary', task.subject);
  writeBody(todo, task.body);
  // A stored PRIORITY of the same level stays (3 is as high as 1); a new task says its level outright.
  if (task.importance === undefined) todo.removeAllProperties('priority');
  else if (PRIORITY_OF[task.importance] !== undefined && (isNew || task.importance !== importanceOf(todo))) todo.updatePropertyWithValue('priority', PRIORITY_OF[task.importance]!);
  const times = writeTimes(todo, task, before);
  writeRecurrence(todo, task.recurrence, beforeRecurrence, times.start ?? times.due);
  writeCompletion(todo, task, zones, now, isNew);
  writeReminder(todo, task, times.start, times.due, zones);
  writeCategories(todo, task.categories);
  writeSensitivity(todo, task.sensitivity);

  // RFC 5545 3.8.7.2: without METHOD, DTSTAMP is when the object was last revised.
  todo.updatePropertyWithValue('dtstamp', icalTime(now.getTime(), 'utc'));
  if (todo.hasProperty('last-modified')) todo.updatePropertyWithValue('last-modified', icalTime(now.getTime(), 'utc'));
}
