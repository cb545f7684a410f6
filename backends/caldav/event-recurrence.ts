/**
 * RRULE (RFC 5545 3.3.10, 3.8.5.3) <-> EAS Recurrence (MS-ASCAL 2.2.2.35).
 *
 * EAS knows six patterns: daily (0), weekly on a day mask (1), monthly on a
 * day (2), monthly on the nth weekday (3), yearly on a date (5), yearly on the
 * nth weekday of a month (6). Every EAS pattern has an exact RRULE; the way in
 * is lossy for rules EAS cannot say, and then gives the closest pattern and the
 * list of what was lost, so the caller can warn instead of dropping the series.
 */
import ICAL from 'ical.js';
import type { EasRecurrence } from '../../protocol/types/recurrence.ts';

type IcalProperty = InstanceType<typeof ICAL.Property>;
type IcalRecur = InstanceType<typeof ICAL.Recur>;
type IcalTime = InstanceType<typeof ICAL.Time>;

const DAY_CODES = ['SU', 'MO', 'TU', 'WE', 'TH', 'FR', 'SA'] as const;
/** DayOfWeek 127: every day; with WeekOfMonth 5 it is Outlook's "last day of the month". */
const ALL_DAYS = 127;

/** An EAS pattern read from an RRULE, and what it could not carry. */
export interface RecurrenceRead {
  readonly recurrence: EasRecurrence;
  /** Empty when the pattern is exact. */
  readonly lossy: string[];
}

interface ByDay {
  readonly pos?: number;
  readonly day: number;
}

function parseByDay(values: readonly string[] | undefined): ByDay[] {
  const out: ByDay[] = [];
  for (const v of values ?? []) {
    const m = /^([+-]?\d{1,2})?(SU|MO|TU|WE|TH|FR|SA)$/.exec(String(v).toUpperCase());
    if (!m) continue;
    out.push({ pos: m[1] === undefined ? undefined : Number(m[1]), day: DAY_CODES.indexOf(m[2] as (typeof DAY_CODES)[number]) });
  }
  return out;
}

const maskOf = (days: readonly ByDay[]): number => days.reduce((acc, d) => acc | (1 << d.day), 0);

/** RRULE position (1..4, -1 last) as WeekOfMonth (1..4, 5 last); anything else is approximated. */
function weekOf(pos: number, lossy: string[]): number {
  if (pos >= 1 && pos <= 4) return pos;
  if (pos === -1) return 5;
  // A "5th weekday" exists only in some months, "second to last" not at all in EAS.
  lossy.push(`position ${pos}`);
  return pos > 0 ? 5 : Math.max(1, 5 + pos);
}

/** BYDAY (with positions, or plain with one BYSETPOS) as WeekOfMonth + DayOfWeek; undefined without BYDAY. */
function nthOf(days: readonly ByDay[], setpos: readonly number[], lossy: string[]): { weekOfMonth: number; dayOfWeek: number } | 'every' | undefined {
  if (!days.length) return undefined;
  const positioned = days.filter((d) => d.pos !== undefined);
  if (positioned.length) {
    if (positioned.length !== days.length || days.length > 1) lossy.push('BYDAY with several days or mixed positions');
    if (setpos.length) lossy.push('BYSETPOS with positioned BYDAY');
    const first = positioned[0]!;
    return { weekOfMonth: weekOf(first.pos!, lossy), dayOfWeek: 1 << first.day };
  }
  if (setpos.length) {
    if (setpos.length > 1) lossy.push('several BYSETPOS values');
    return { weekOfMonth: weekOf(setpos[0]!, lossy), dayOfWeek: maskOf(days) };
  }
  return 'every';
}

/**
 * The EAS pattern of `r` for a series whose DTSTART is the wall time
 * `startWall` (UTC fields = local fields). `until` is UNTIL already turned
 * into an instant by the caller, which knows the zone; `explicitWkst` says
 * whether the rule wrote WKST (only then is FirstDayOfWeek sent).
 */
export function recurrenceFromRrule(r: IcalRecur, startWall: Date, until: Date | undefined, explicitWkst: boolean): RecurrenceRead {
  const lossy: string[] = [];
  const p = r.parts;
  for (const k of ['BYSECOND', 'BYMINUTE', 'BYHOUR', 'BYYEARDAY', 'BYWEEKNO'] as const) if (p[k]?.length) lossy.push(k);
  const days = parseByDay(p.BYDAY);
  const setpos = p.BYSETPOS ?? [];
  const monthdays = p.BYMONTHDAY ?? [];
  const months = p.BYMONTH ?? [];
  if (monthdays.length > 1) lossy.push('several BYMONTHDAY values');
  if (months.length > 1) lossy.push('several BYMONTH values');
  let interval = r.interval > 1 ? r.interval : undefined;
  let rec: EasRecurrence;
  switch (r.freq) {
    case 'DAILY':
      if (months.length || monthdays.length || setpos.length) lossy.push('DAILY with BYMONTH/BYMONTHDAY/BYSETPOS');
      if (days.some((d) => d.pos !== undefined)) lossy.push('DAILY with positioned BYDAY');
      if (days.length && interval) {
        // "Every other day, weekdays only" has no weekly equivalent.
        lossy.push('DAILY with BYDAY and INTERVAL');
        interval = undefined;
      }
      rec = days.length ? { type: 1, dayOfWeek: maskOf(days) } : { type: 0 };
      break;
    case 'WEEKLY':
      if (months.length || monthdays.length || setpos.length) lossy.push('WEEKLY with BYMONTH/BYMONTHDAY/BYSETPOS');
      if (days.some((d) => d.pos !== undefined)) lossy.push('WEEKLY with positioned BYDAY');
      rec = { type: 1, dayOfWeek: maskOf(days) || 1 << startWall.getUTCDay() };
      break;
    case 'MONTHLY': {
      if (months.length) lossy.push('MONTHLY with BYMONTH');
      const nth = nthOf(days, setpos, lossy);
      if (nth && monthdays.length) lossy.push('BYDAY with BYMONTHDAY');
      if (nth === 'every') {
        // Every Tuesday of every month is every Tuesday; with an interval it is not.
        if (interval) lossy.push('MONTHLY on every weekday with INTERVAL');
        rec = { type: 1, dayOfWeek: maskOf(days) };
        interval = undefined;
      } else if (nth) rec = { type: 3, ...nth };
      else if (monthdays[0] === -1) rec = { type: 3, weekOfMonth: 5, dayOfWeek: ALL_DAYS };
      else rec = { type: 2, dayOfMonth: monthDay(monthdays[0], startWall, lossy) };
      break;
    }
    case 'YEARLY': {
      const monthOfYear = months[0] ?? startWall.getUTCMonth() + 1;
      const nth = nthOf(days, setpos, lossy);
      if (nth && monthdays.length) lossy.push('BYDAY with BYMONTHDAY');
      if (nth === 'every' || (nth && !months.length)) {
        // Every Monday of March, or the 20th Monday of the year.
        lossy.push('YEARLY BYDAY without one position in one month');
        rec = { type: 5, monthOfYear, dayOfMonth: startWall.getUTCDate() };
      } else if (nth) rec = { type: 6, monthOfYear, ...nth };
      else if (monthdays[0] === -1) rec = { type: 6, monthOfYear, weekOfMonth: 5, dayOfWeek: ALL_DAYS };
      else rec = { type: 5, monthOfYear, dayOfMonth: monthDay(monthdays[0], startWall, lossy) };
      break;
    }
    default:
      // SECONDLY, MINUTELY, HOURLY: the nearest EAS can do is once a day.
      lossy.push(`FREQ=${r.freq}`);
      interval = undefined;
      rec = { type: 0 };
  }
  if (interval) rec.interval = interval;
  if (r.count) rec.occurrences = r.count;
  else if (until) rec.until = until;
  if (explicitWkst) rec.firstDayOfWeek = (r.wkst - 1 + 7) % 7;
  return { recurrence: rec, lossy };
}

function monthDay(value: number | undefined, startWall: Date, lossy: string[]): number {
  if (value === undefined) return startWall.getUTCDate();
  if (value > 0) return value;
  lossy.push(`BYMONTHDAY=${value}`);
  return Math.max(1, 32 + value);
}

function byDayCodes(mask: number): string[] {
  return DAY_CODES.filter((_, i) => mask & (1 << i));
}

/** BYDAY/BYSETPOS/BYMONTHDAY for "the nth (5 = last) of these weekdays" (MS-ASCAL 2.2.2.47, 2.2.2.16). */
function nthParts(weekOfMonth: number, mask: number): { byday?: string[]; bysetpos?: number[]; bymonthday?: number[] } {
  const pos = weekOfMonth >= 5 ? -1 : Math.max(1, weekOfMonth);
  if ((mask & ALL_DAYS) === ALL_DAYS) return { bymonthday: [pos] };
  const codes = byDayCodes(mask);
  if (codes.length === 1) return { byday: [`${pos}${codes[0]}`] };
  return { byday: codes, bysetpos: [pos] };
}

/**
 * The exact RRULE of an EAS pattern. `startWall` fills parts EAS left out
 * that RFC 5545 would otherwise take from elsewhere (a yearly nth weekday
 * needs its month); `untilValue` turns Until into the UNTIL value the
 * caller's DTSTART form needs (UTC, or a DATE for all-day series).
 */
export function rruleFromRecurrence(rec: EasRecurrence, startWall: Date, untilValue: (until: Date) => IcalTime): IcalRecur {
  const data: Parameters<typeof ICAL.Recur.fromData>[0] = {};
  const week = rec.weekOfMonth ?? Math.min(5, Math.ceil(startWall.getUTCDate() / 7));
  const mask = rec.dayOfWeek || 1 << startWall.getUTCDay();
  switch (rec.type) {
    case 0:
      data.freq = 'DAILY';
      if (rec.dayOfWeek && (rec.dayOfWeek & ALL_DAYS) !== ALL_DAYS) data.byday = byDayCodes(rec.dayOfWeek);
      break;
    case 1:
      data.freq = 'WEEKLY';
      if (rec.dayOfWeek) data.byday = byDayCodes(rec.dayOfWeek);
      break;
    case 2:
      data.freq = 'MONTHLY';
      if (rec.dayOfMonth) data.bymonthday = [rec.dayOfMonth];
      break;
    case 3:
      data.freq = 'MONTHLY';
      Object.assign(data, nthParts(week, mask));
      break;
    case 5:
      data.freq = 'YEARLY';
      data.bymonth = [rec.monthOfYear ?? startWall.getUTCMonth() + 1];
      data.bymonthday = [rec.dayOfMonth ?? startWall.getUTCDate()];
      break;
    case 6:
      data.freq = 'YEARLY';
      data.bymonth = [rec.monthOfYear ?? startWall.getUTCMonth() + 1];
      Object.assign(data, nthParts(week, mask));
      break;
  }
  if (rec.interval && rec.interval > 1) data.interval = rec.interval;
  // RFC 5545 forbids COUNT with UNTIL; Occurrences is the more precise of the two.
  if (rec.occurrences) data.count = rec.occurrences;
  else if (rec.until) data.until = untilValue(rec.until);
  if (rec.firstDayOfWeek !== undefined && rec.firstDayOfWeek >= 0 && rec.firstDayOfWeek <= 6) {
    data.wkst = (rec.firstDayOfWeek + 1) as Parameters<typeof ICAL.Recur.fromData>[0]['wkst'];
  }
  return ICAL.Recur.fromData(data);
}

/**
 * The RRULE property of an EAS pattern, WKST included whenever the pattern
 * has a FirstDayOfWeek (MS-ASCAL 2.2.2.20). ical.js leaves WKST=MO out of
 * rules it serialises, as RFC 5545 3.3.10's default; the occurrences are the
 * same, but recurrenceFromRrule reads FirstDayOfWeek only from a written
 * WKST, so a device's Monday would not come back. The value is handed over
 * as jCal, which ical.js writes part for part.
 */
export function rruleProperty(rec: EasRecurrence, startWall: Date, untilValue: (until: Date) => IcalTime): IcalProperty {
  const value = rruleFromRecurrence(rec, startWall, untilValue).toJSON() as Record<string, unknown>;
  const first = rec.firstDayOfWeek;
  if (first !== undefined && first >= 0 && first <= 6) value.wkst = DAY_CODES[first];
  return new ICAL.Property(['rrule', {}, 'recur', value]);
}

/** The parts of a pattern that change its occurrences, in one canonical form. */
function canonical(r: EasRecurrence, withWkst: boolean): string {
  const c: Record<string, unknown> = { type: r.type, interval: r.interval && r.interval > 1 ? r.interval : 1 };
  if (r.occurrences) c.occurrences = r.occurrences;
  else if (r.until) c.until = r.until.getTime();
  if (r.type === 0 || r.type === 1 || r.type === 3 || r.type === 6) c.dayOfWeek = r.dayOfWeek || undefined;
  if (r.type === 3 || r.type === 6) c.weekOfMonth = r.weekOfMonth;
  if (r.type === 2 || r.type === 5) c.dayOfMonth = r.dayOfMonth;
  if (r.type === 5 || r.type === 6) c.monthOfYear = r.monthOfYear;
  if (withWkst) c.firstDayOfWeek = r.firstDayOfWeek;
  return JSON.stringify(c);
}

/**
 * Whether two patterns give the same occurrences. FirstDayOfWeek only counts
 * when both carry it: devices add it on their own, and it changes nothing for
 * a rule without a weekly interval.
 */
export function sameRecurrence(a: EasRecurrence, b: EasRecurrence): boolean {
  const withWkst = a.firstDayOfWeek !== undefined && b.firstDayOfWeek !== undefined;
  return canonical(a, withWkst) === canonical(b, withWkst);
}

/** What walking a series found: occurrence starts as wall times, and whether the series ended within the budget. */
export interface Walk {
  readonly walls: number[];
  readonly complete: boolean;
}

/**
 * Walks a finite series in wall time: `dtstart` is floating (or a DATE) and
 * `untilWall` the UNTIL as a floating wall time of the same zone, because
 * ical.js compares a floating time with a UTC UNTIL as if both were UTC.
 * Stops after `maxSteps` occurrences (complete: false).
 */
export function walkSeries(r: IcalRecur, dtstart: IcalTime, untilWall: IcalTime | undefined, maxSteps: number): Walk {
  const rule = r.clone();
  if (untilWall) rule.until = untilWall;
  const it = rule.iterator(dtstart);
  const walls: number[] = [];
  for (let i = 0; i < maxSteps; i++) {
    const t = it.next();
    if (!t) return { walls, complete: true };
    walls.push(Date.UTC(t.year, t.month - 1, t.day, t.hour, t.minute, t.second));
  }
  return { walls, complete: it.next() === null };
}
