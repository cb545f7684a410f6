/**
 * Busy times of iCalendar data in a window, with no I/O: the VFREEBUSY of
 * a CALDAV:free-busy-query answer (RFC 4791 7.10, RFC 5545 3.6.4), or the
 * events of a calendar expanded as RFC 4791 7.10 tells a server to do it
 * (RFC 5545 3.6.1 TRANSP and STATUS, the recipient's PARTSTAT, RRULE,
 * RDATE, EXDATE and RECURRENCE-ID overrides). Only times and a busy type
 * leave this module: never a summary, a place or an attendee.
 */
import ICAL from 'ical.js';
import { BackendError } from '../errors.ts';
import { masterSpan, readWhen, readWhens, tzidOf, untilInstant, wallOf, icalTime, Zones, type When } from './event-time.ts';
import { parseCalendar } from './event.ts';
import { toUtc } from './vtimezone.ts';

type IcalComponent = InstanceType<typeof ICAL.Component>;
type IcalRecur = InstanceType<typeof ICAL.Recur>;

/** RFC 5545 3.2.9 FBTYPE values that mean "not free". */
export type BusyType = 'BUSY' | 'BUSY-TENTATIVE' | 'BUSY-UNAVAILABLE';

/** One busy span: [start, end) in ms since the epoch. */
export interface BusyInterval {
  readonly start: number;
  readonly end: number;
  readonly type: BusyType;
}

/** Occurrences of one series walked at most (a daily series over years, with room). */
const MAX_OCCURRENCES = 20_000;

/** Busy periods of the VFREEBUSY components in `ics`, clipped to the window. */
export function busyFromVfreebusy(ics: string, window: { start: number; end: number }): BusyInterval[] {
  const vcal = parseCalendar(ics);
  const out: BusyInterval[] = [];
  for (const fb of vcal.getAllSubcomponents('vfreebusy')) {
    for (const p of fb.getAllProperties('freebusy')) {
      const raw = String(p.getParameter('fbtype') ?? 'BUSY').toUpperCase();
      if (raw === 'FREE') continue;
      const type: BusyType = raw === 'BUSY-TENTATIVE' || raw === 'BUSY-UNAVAILABLE' ? raw : 'BUSY';
      for (const v of p.getValues()) {
        if (!(v instanceof ICAL.Period)) continue;
        const start = v.start.toUnixTime() * 1000;
        const end = v.getEnd().toUnixTime() * 1000;
        push(out, { start, end, type }, window);
      }
    }
  }
  return out;
}

function push(out: BusyInterval[], b: BusyInterval, w: { start: number; end: number }): void {
  const start = Math.max(b.start, w.start);
  const end = Math.min(b.end, w.end);
  if (end > start) out.push({ start, end, type: b.type });
}

/**
 * How busy an event makes its owner, or undefined for "not at all":
 * cancelled, transparent, declined, or marked free by Outlook.
 */
function busyType(ev: IcalComponent, ownerEmails: readonly string[]): BusyType | undefined {
  const status = String(ev.getFirstPropertyValue('status') ?? '').toUpperCase();
  if (status === 'CANCELLED') return undefined;
  if (String(ev.getFirstPropertyValue('transp') ?? '').toUpperCase() === 'TRANSPARENT') return undefined;
  const own = new Set(ownerEmails.map((e) => e.toLowerCase()));
  let partstat: string | undefined;
  for (const a of ev.getAllProperties('attendee')) {
    const addr = String(a.getFirstValue() ?? '').replace(/^mailto:/i, '').toLowerCase();
    if (own.has(addr)) partstat = String(a.getParameter('partstat') ?? 'NEEDS-ACTION').toUpperCase();
  }
  if (partstat === 'DECLINED') return undefined;
  // Outlook's own busy status, where it wrote one, is what the owner chose.
  const cdo = String(ev.getFirstPropertyValue('x-microsoft-cdo-busystatus') ?? '').toUpperCase();
  if (cdo === 'FREE') return undefined;
  if (cdo === 'OOF') return 'BUSY-UNAVAILABLE';
  if (cdo === 'TENTATIVE' || status === 'TENTATIVE' || partstat === 'TENTATIVE' || partstat === 'NEEDS-ACTION') return 'BUSY-TENTATIVE';
  return 'BUSY';
}

/** An instant of a When in the series' zone (a DATE is that local midnight). */
function instant(w: When, zone: Parameters<typeof toUtc>[0]): number {
  return 'utc' in w ? w.utc : toUtc(zone, Date.parse(`${w.date}T00:00:00Z`));
}

/**
 * Busy intervals of the events of one calendar resource in the window.
 * `ownerEmails` are the calendar owner's addresses, to honour their PARTSTAT.
 * Throws BackendError Invalid when the text does not parse.
 */
export function busyFromEvents(ics: string, window: { start: number; end: number }, ownerEmails: readonly string[] = []): BusyInterval[] {
  const vcal = parseCalendar(ics);
  const events = vcal.getAllSubcomponents('vevent');
  const zones = new Zones(vcal, []);
  const out: BusyInterval[] = [];
  const overrides = new Set<number>();
  for (const ev of events) {
    const rid = ev.getFirstProperty('recurrence-id');
    const v = rid?.getFirstValue();
    if (!rid || !(v instanceof ICAL.Time)) continue;
    const span = masterSpan(ev, zones);
    const r = readWhen(v, tzidOf(rid), zones);
    overrides.add(instant(r.when, r.zone ?? span.frame.zone));
    const type = busyType(ev, ownerEmails);
    if (type) push(out, { start: span.startUtc, end: span.endUtc, type }, window);
  }
  const master = events.find((e) => !e.hasProperty('recurrence-id'));
  if (!master) return out;
  const span = masterSpan(master, zones);
  const type = busyType(master, ownerEmails);
  const length = span.endUtc - span.startUtc;
  const rule = master.getFirstPropertyValue('rrule');
  const starts = new Set<number>();
  if (rule instanceof ICAL.Recur) for (const s of occurrences(rule, span, window.end)) starts.add(s);
  else starts.add(span.startUtc);
  for (const p of master.getAllProperties('rdate')) for (const w of readWhens(p, zones)) starts.add(instant(w, span.frame.zone));
  for (const p of master.getAllProperties('exdate')) for (const w of readWhens(p, zones)) starts.delete(instant(w, span.frame.zone));
  if (!type) return out;
  for (const s of starts) if (!overrides.has(s)) push(out, { start: s, end: s + length, type }, window);
  return out;
}

/** Start instants of a series until `before`, walked in the wall time of its zone (DST-correct). */
function occurrences(rule: IcalRecur, span: ReturnType<typeof masterSpan>, before: number): number[] {
  const { frame } = span;
  const until = untilInstant(rule, frame);
  const r = rule.clone();
  // UNTIL is compared here as an instant: ical.js would compare a floating start with a UTC UNTIL as if both were UTC.
  r.until = null;
  const it = r.iterator(icalTime(frame.startWall, frame.allDay ? 'date' : 'floating'));
  const out: number[] = [];
  for (let i = 0; i < MAX_OCCURRENCES; i++) {
    const t = it.next();
    if (!t) break;
    const s = toUtc(frame.zone, wallOf(t));
    if (s >= before || (until !== undefined && s > until)) break;
    out.push(s);
  }
  return out;
}

/** Parses both kinds of answer; Invalid data yields no intervals rather than failing the recipient. */
export function safeBusy(fn: () => BusyInterval[]): BusyInterval[] {
  try {
    return fn();
  } catch (e) {
    if (e instanceof BackendError) return [];
    throw e;
  }
}
