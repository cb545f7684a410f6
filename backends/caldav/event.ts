/**
 * iCalendar VEVENT (RFC 5545 3.6.1) <-> EAS Calendar item (MS-ASCAL 2.2.2).
 *
 * A CalDAV resource holds one event: a master VEVENT, its override VEVENTs
 * (same UID, RECURRENCE-ID) and the VTIMEZONEs they use. It becomes one
 * EasCalendar whose Exceptions carry the EXDATEs and overrides; a device's
 * item goes back as a patch of the stored resource, so whatever EAS does not
 * model (X- properties, unknown parameters, other alarms, other components)
 * survives a round trip through a phone.
 *
 * The field mapping is in event-fields.ts, recurrence in event-recurrence.ts,
 * time values in event-time.ts, zones in vtimezone.ts; the writing side is
 * event-write.ts.
 */
import ICAL from 'ical.js';
import { allDayTimes } from '../../protocol/types/all-day.ts';
import type { EasCalendar, EasCalendarChange, EasException } from '../../protocol/types/calendar.ts';
import { BackendError, isBackendError } from '../errors.ts';
import { readPlainFields } from './event-fields.ts';
import type { EventWarning, PlainFields } from './event-fields.ts';
import { recurrenceFromRrule, walkSeries } from './event-recurrence.ts';
import { DAY, Zones, dateText, icalTime, instantOf, masterSpan, readWhen, readWhens, tzidOf, untilInstant } from './event-time.ts';
import type { Frame, When } from './event-time.ts';
import { toUtc, toWall } from './vtimezone.ts';
import { patchCalendar } from './event-write.ts';
import { icsText } from './ics-text.ts';

export type { EventWarning } from './event-fields.ts';

type IcalComponent = InstanceType<typeof ICAL.Component>;
type IcalRecur = InstanceType<typeof ICAL.Recur>;

/** One event read from CalDAV. */
export interface ParsedEvent {
  /** The master VEVENT with its exceptions. */
  readonly item: EasCalendar;
  /** iCalendar UID. */
  readonly uid: string;
  /** End of the last occurrence (UTC); null when the series never ends. For FilterType: an event is in the window when lastEnd >= since. */
  readonly lastEnd: Date | null;
  /** e.g. { event: 'caldav.rrule-lossy', detail: { rrule } } */
  readonly warnings: EventWarning[];
}

/** Exceptions sent to a device when the caller sets no cap: enough for years of a weekly meeting. */
export const DEFAULT_MAX_EXCEPTIONS = 1000;
/** Occurrences walked to find the end of a finite series; past it, UNTIL bounds the end or the series counts as endless. */
export const MAX_SERIES_STEPS = 5000;

/** Parses iCalendar text into its VCALENDAR; BackendError Invalid when it does not parse. */
export function parseCalendar(ics: string): IcalComponent {
  let jcal: unknown;
  try {
    jcal = ICAL.parse(ics);
  } catch (e) {
    throw new BackendError('Invalid', `iCalendar does not parse: ${(e as Error).message}`, { cause: e });
  }
  // ical.js returns one component, or an array of them for several VCALENDARs; the first one is the resource.
  const first = Array.isArray(jcal) && Array.isArray(jcal[0]) ? jcal[0] : jcal;
  if (!Array.isArray(first) || first[0] !== 'vcalendar') throw new BackendError('Invalid', 'no VCALENDAR');
  return new ICAL.Component(first);
}

/** The master VEVENT: the one without RECURRENCE-ID, else (a lone invited instance) the first. */
export function masterOf(vcal: IcalComponent): IcalComponent | undefined {
  const all = vcal.getAllSubcomponents('vevent');
  return all.find((e) => !e.hasProperty('recurrence-id')) ?? all[0];
}

/** Fields compared between an override and its master (MS-ASCAL 2.2.2.21: an exception carries what differs). */
const DIFF_KEYS = ['subject', 'location', 'body', 'categories', 'sensitivity', 'busyStatus', 'reminder', 'meetingStatus', 'attendees', 'responseType'] as const;

/** What a field the override lacks but the master has becomes, so that the device does not inherit it. */
const CLEARED: Partial<Record<(typeof DIFF_KEYS)[number], unknown>> = {
  subject: '', location: '', body: { type: 1, data: '', estimatedDataSize: 0 }, categories: [], attendees: [],
};

interface Override {
  readonly ev: IcalComponent;
  readonly rid: number;
  readonly startUtc: number;
  readonly endUtc: number;
  readonly allDay: boolean;
}

function readOverride(ev: IcalComponent, zones: Zones, frame: Frame, masterDuration: number): Override {
  const rp = ev.getFirstProperty('recurrence-id')!;
  const rv = rp.getFirstValue();
  if (!(rv instanceof ICAL.Time)) throw new BackendError('Invalid', 'RECURRENCE-ID is not a time');
  const rid = instantOf(readWhen(rv, tzidOf(rp), zones).when, frame);
  const sp = ev.getFirstProperty('dtstart');
  const sv = sp?.getFirstValue();
  const start = sp && sv instanceof ICAL.Time ? readWhen(sv, tzidOf(sp), zones).when : undefined;
  const allDay = start ? 'date' in start : frame.allDay;
  const own: Frame = { ...frame, allDay };
  const startUtc = start ? instantOf(start, own) : rid;
  const ep = ev.getFirstProperty('dtend');
  const evv = ep?.getFirstValue();
  const dur = ev.getFirstPropertyValue('duration');
  let endUtc = startUtc + masterDuration;
  if (ep && evv instanceof ICAL.Time) endUtc = Math.max(startUtc, instantOf(readWhen(evv, tzidOf(ep), zones).when, { ...own, startWall: toWall(own.zone, startUtc) }));
  else if (dur instanceof ICAL.Duration) endUtc = startUtc + Math.max(0, dur.toSeconds()) * 1000;
  // A DATE end is exclusive midnight: instantOf gives that midnight already.
  return { ev, rid, startUtc, endUtc, allDay };
}

function exceptionOf(o: Override, master: PlainFields, masterAllDay: boolean, masterDuration: number, userEmail: string | undefined): EasException {
  const f = readPlainFields(o.ev, o.startUtc, o.endUtc - o.startUtc, userEmail);
  const x: EasException = { exceptionStartTime: new Date(o.rid) };
  if (o.startUtc !== o.rid || o.endUtc - o.startUtc !== masterDuration) {
    x.startTime = new Date(o.startUtc);
    x.endTime = new Date(o.endUtc);
  }
  if (o.allDay !== masterAllDay) x.allDayEvent = o.allDay;
  const out = x as unknown as Record<string, unknown>;
  for (const k of DIFF_KEYS) {
    if (JSON.stringify(f[k]) === JSON.stringify(master[k])) continue;
    const v = f[k] ?? CLEARED[k];
    if (v !== undefined) out[k] = v;
  }
  return x;
}

/**
 * Reads a CalDAV calendar object into an EAS Calendar item. Throws
 * BackendError Invalid when the text does not parse or holds no usable
 * VEVENT. Exceptions past `maxExceptions` (default 1000) are left out, the
 * oldest first, with one 'caldav.exceptions-capped' warning: the recent and
 * future ones are those a device shows.
 */
export function icsToEasCalendar(ics: string, opts: { userEmail?: string; maxExceptions?: number } = {}): ParsedEvent {
  const vcal = parseCalendar(ics);
  try {
    return readEvent(vcal, opts);
  } catch (e) {
    if (isBackendError(e)) throw e;
    throw new BackendError('Invalid', `unreadable VEVENT: ${(e as Error).message}`, { cause: e });
  }
}

function readEvent(vcal: IcalComponent, opts: { userEmail?: string; maxExceptions?: number }): ParsedEvent {
  const warnings: EventWarning[] = [];
  const master = masterOf(vcal);
  if (!master) throw new BackendError('Invalid', 'no VEVENT');
  const uid = master.getFirstPropertyValue('uid');
  if (typeof uid !== 'string' || uid === '') throw new BackendError('Invalid', 'VEVENT without UID');
  const zones = new Zones(vcal, warnings);
  const { frame, startUtc, endUtc } = masterSpan(master, zones);
  const duration = endUtc - startUtc;
  const fields = readPlainFields(master, startUtc, duration, opts.userEmail);
  const item: EasCalendar = {
    timeZone: frame.blob,
    startTime: new Date(startUtc),
    endTime: new Date(endUtc),
    allDayEvent: frame.allDay,
    uid,
    ...fields,
  };
  const stamp = master.getFirstPropertyValue('dtstamp');
  if (stamp instanceof ICAL.Time) item.dtStamp = new Date(wallOfUtc(stamp));

  const isMaster = !master.hasProperty('recurrence-id');
  const rruleProp = isMaster ? master.getFirstProperty('rrule') : null;
  const rrule = rruleProp?.getFirstValue();
  const recur = rrule instanceof ICAL.Recur ? rrule : undefined;
  const overrides = isMaster
    ? vcal.getAllSubcomponents('vevent').filter((e) => e !== master && e.hasProperty('recurrence-id') && e.getFirstPropertyValue('uid') === uid).map((e) => readOverride(e, zones, frame, duration))
    : [];
  const exdates = isMaster ? master.getAllProperties('exdate').flatMap((p) => readWhens(p, zones)).map((w) => instantOf(w, frame)) : [];
  const rdates = isMaster ? master.getAllProperties('rdate').flatMap((p) => readWhens(p, zones)).map((w) => instantOf(w, frame)) : [];

  if (recur) {
    const lost: string[] = [];
    if (master.getAllProperties('rrule').length > 1) lost.push('several RRULEs');
    if (rdates.length) lost.push('RDATE');
    if (master.hasProperty('exrule')) lost.push('EXRULE');
    const until = untilInstant(recur, frame);
    const read = recurrenceFromRrule(recur, new Date(frame.startWall), until === undefined ? undefined : new Date(until), /WKST=/i.test(rruleProp!.toICALString()));
    lost.push(...read.lossy);
    if (lost.length) warnings.push({ event: 'caldav.rrule-lossy', detail: { rrule: recur.toString(), lost } });
    item.recurrence = read.recurrence;
    const exceptions = collectExceptions(exdates, overrides, fields, frame.allDay, duration, opts, warnings);
    if (exceptions.length) item.exceptions = exceptions;
  }
  for (const o of overrides) {
    if (o.ev.getFirstProperty('recurrence-id')?.getParameter('range')) {
      warnings.push({ event: 'caldav.range-lossy', detail: { recurrenceId: new Date(o.rid).toISOString() } });
      break;
    }
  }
  return { item, uid, lastEnd: lastEndOf(recur, frame, startUtc, duration, exdates, overrides, rdates), warnings };
}

function wallOfUtc(t: InstanceType<typeof ICAL.Time>): number {
  // DTSTAMP is UTC by definition (RFC 5545 3.8.7.2); a non-UTC one is read as UTC too.
  return Date.UTC(t.year, t.month - 1, t.day, t.hour, t.minute, t.second);
}

function collectExceptions(
  exdates: readonly number[],
  overrides: readonly Override[],
  master: PlainFields,
  allDay: boolean,
  duration: number,
  opts: { userEmail?: string; maxExceptions?: number },
  warnings: EventWarning[],
): EasException[] {
  // One entry per original instant; an EXDATE wins over an override of the same instant (RFC 5545 3.8.5.1).
  const byInstant = new Map<number, Override | 'deleted'>();
  for (const o of overrides) byInstant.set(o.rid, o);
  for (const t of exdates) byInstant.set(t, 'deleted');
  const keys = [...byInstant.keys()].sort((a, b) => a - b);
  const max = Math.max(0, opts.maxExceptions ?? DEFAULT_MAX_EXCEPTIONS);
  const kept = keys.length > max ? keys.slice(keys.length - max) : keys;
  if (kept.length < keys.length) warnings.push({ event: 'caldav.exceptions-capped', detail: { total: keys.length, kept: kept.length } });
  return kept.map((t) => {
    const v = byInstant.get(t)!;
    return v === 'deleted' ? { exceptionStartTime: new Date(t), deleted: true } : exceptionOf(v, master, allDay, duration, opts.userEmail);
  });
}

/**
 * End of the last occurrence, for FilterType windows: the end itself for a
 * single event; for a finite series the last occurrence not removed by
 * EXDATE or moved by an override, walked with ical.js in wall time; later
 * overrides and RDATEs extend it. A series too long to walk ends at UNTIL
 * (an upper bound, so the event stays in every window it belongs to), or
 * counts as endless for COUNT.
 */
function lastEndOf(
  recur: IcalRecur | undefined,
  frame: Frame,
  startUtc: number,
  duration: number,
  exdates: readonly number[],
  overrides: readonly Override[],
  rdates: readonly number[],
): Date | null {
  let last = startUtc + duration;
  if (recur) {
    if (!recur.isFinite()) return null;
    const seriesEnd = lastSeriesEnd(recur, frame, startUtc, duration, new Set([...exdates, ...overrides.map((o) => o.rid)]));
    if (seriesEnd === null) return null;
    last = seriesEnd ?? last;
  }
  for (const o of overrides) last = Math.max(last, o.endUtc);
  for (const r of rdates) last = Math.max(last, r + duration);
  return new Date(last);
}

function lastSeriesEnd(recur: IcalRecur, frame: Frame, startUtc: number, duration: number, skip: ReadonlySet<number>): number | null | undefined {
  const until = untilInstant(recur, frame);
  const dtstart = icalTime(frame.startWall, frame.allDay ? 'date' : 'floating');
  const untilWall = until === undefined ? undefined : frame.allDay ? icalTime(toWall(frame.zone, until) , 'date') : icalTime(toWall(frame.zone, until), 'floating');
  let walk;
  try {
    walk = walkSeries(recur, dtstart, untilWall, MAX_SERIES_STEPS);
  } catch {
    // A rule ical.js cannot expand: treat as endless rather than hide the event.
    return null;
  }
  if (!walk.complete) return until === undefined ? null : until + duration;
  const days = Math.max(1, Math.round(duration / DAY));
  for (let i = walk.walls.length - 1; i >= 0; i--) {
    const w = walk.walls[i]!;
    const when: When = frame.allDay ? { date: dateText(w) } : { utc: toUtc(frame.zone, w) };
    const at = instantOf(when, frame);
    if (skip.has(at)) continue;
    if (!frame.allDay) return at + duration;
    return allDayTimes(dateText(w), dateText(w + days * DAY), frame.blob).endTime.getTime();
  }
  return undefined;
}

/**
 * An EAS item (a device's Add or Change) as iCalendar text. With `base` (the
 * server's current object) the result is `base` patched: only the modelled
 * properties of the master change, overrides are regenerated from the item's
 * exceptions, everything else is kept (see event-write.ts for the Change
 * semantics). Without it, a new VCALENDAR with the item's UID (else
 * `opts.uid`), DTSTAMP `now` and SEQUENCE 0. Throws BackendError Invalid for
 * an unreadable base or an item without StartTime and no base to take it from.
 */
export function easCalendarToIcs(
  item: EasCalendarChange,
  opts: { uid: string; base?: string; now?: Date; userEmail?: string },
): { ics: string; warnings: EventWarning[] } {
  const warnings: EventWarning[] = [];
  const now = opts.now ?? new Date();
  let vcal: IcalComponent;
  let master: IcalComponent;
  if (opts.base !== undefined) {
    vcal = parseCalendar(opts.base);
    const m = masterOf(vcal);
    if (!m) throw new BackendError('Invalid', 'base has no VEVENT');
    master = m;
  } else {
    vcal = new ICAL.Component('vcalendar');
    vcal.addPropertyWithValue('version', '2.0');
    vcal.addPropertyWithValue('prodid', '-//eas-server//EN');
    vcal.addPropertyWithValue('calscale', 'GREGORIAN');
    master = new ICAL.Component('vevent');
    master.addPropertyWithValue('uid', item.uid || opts.uid);
    master.addPropertyWithValue('sequence', 0);
    vcal.addSubcomponent(master);
  }
  try {
    patchCalendar(vcal, master, item, { isNew: opts.base === undefined, now, userEmail: opts.userEmail, warnings });
  } catch (e) {
    if (isBackendError(e)) throw e;
    throw new BackendError('Invalid', `cannot write event: ${(e as Error).message}`, { cause: e });
  }
  return { ics: icsText(vcal), warnings };
}
