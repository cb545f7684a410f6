/**
 * IANA zone names <-> EAS TimeZone blobs (MS-ASDTYPE 2.7.4).
 *
 * The blob can only express "Nth weekday of a month at hh:mm" yearly rules, so
 * an IANA zone is turned into one by probing it with Intl.DateTimeFormat: find
 * the two UTC-offset changes of a year and describe each as such a rule. The
 * way back is best-effort: compare the blob with the rules of a list of common
 * zones, else fall back to a fixed offset.
 */
import { emptySystemTime, fixedOffsetTimeZone, hasDaylightSaving } from './timezone.ts';
import type { EasTimeZone, SystemTime } from './timezone.ts';

const formatters = new Map<string, Intl.DateTimeFormat>();

function formatterFor(zone: string): Intl.DateTimeFormat {
  let f = formatters.get(zone);
  if (!f) {
    f = new Intl.DateTimeFormat('en-US', {
      timeZone: zone,
      hourCycle: 'h23',
      year: 'numeric',
      month: 'numeric',
      day: 'numeric',
      hour: 'numeric',
      minute: 'numeric',
      second: 'numeric',
    });
    formatters.set(zone, f);
  }
  return f;
}

/** Whether the runtime knows `zone` as an IANA time zone name. */
export function isIanaZone(zone: string): boolean {
  try {
    formatterFor(zone);
    return true;
  } catch {
    return false;
  }
}

/** Offset of `zone` east of UTC in minutes at `ms` (local = UTC + offset). Throws RangeError for an unknown zone. */
export function zoneOffsetMinutes(zone: string, ms: number): number {
  const parts = formatterFor(zone).formatToParts(new Date(ms));
  const get = (type: string): number => Number(parts.find((p) => p.type === type)?.value ?? 0);
  const local = Date.UTC(get('year'), get('month') - 1, get('day'), get('hour') % 24, get('minute'), get('second'));
  const utc = Math.floor(ms / 1000) * 1000;
  return Math.round((local - utc) / 60_000);
}

interface Transition {
  /** UTC instant of the change. */
  at: number;
  before: number;
  after: number;
}

/** Every UTC-offset change of `zone` in `year`, found by daily probes then a binary search to the minute. */
function transitionsOf(zone: string, year: number): Transition[] {
  const out: Transition[] = [];
  const day = 86_400_000;
  let t = Date.UTC(year, 0, 1);
  const end = Date.UTC(year + 1, 0, 1);
  let prev = zoneOffsetMinutes(zone, t);
  for (let next = t + day; next <= end; t = next, next += day) {
    const off = zoneOffsetMinutes(zone, next);
    if (off === prev) continue;
    let lo = t, hi = next;
    while (hi - lo > 60_000) {
      const mid = lo + Math.floor((hi - lo) / 120_000) * 60_000;
      if (zoneOffsetMinutes(zone, mid) === prev) lo = mid;
      else hi = mid;
    }
    out.push({ at: hi, before: prev, after: off });
    prev = off;
  }
  return out;
}

/** The yearly "Nth weekday" rule that fires at the local wall time `localMs` (UTC fields = local fields). */
function ruleFor(localMs: number): SystemTime {
  const d = new Date(localMs);
  const day = d.getUTCDate();
  const daysInMonth = new Date(Date.UTC(d.getUTCFullYear(), d.getUTCMonth() + 1, 0)).getUTCDate();
  // Rules that fall in the last week are written as "last" (5) so they stay right in every year.
  const week = day + 7 > daysInMonth ? 5 : Math.ceil(day / 7);
  return {
    year: 0,
    month: d.getUTCMonth() + 1,
    dayOfWeek: d.getUTCDay(),
    day: week,
    hour: d.getUTCHours(),
    minute: d.getUTCMinutes(),
    second: 0,
    milliseconds: 0,
  };
}

function zoneLongName(zone: string, ms: number): string {
  try {
    const parts = new Intl.DateTimeFormat('en-US', { timeZone: zone, timeZoneName: 'long' }).formatToParts(new Date(ms));
    return parts.find((p) => p.type === 'timeZoneName')?.value ?? zone;
  } catch {
    return zone;
  }
}

const cache = new Map<string, EasTimeZone>();

/**
 * The blob for an IANA zone as its rules stand in `year` (default: the current
 * year). Zones without DST, and zones whose year does not have exactly one
 * start and one end of DST (a zone that changed its base offset that year,
 * Morocco's Ramadan breaks), give a fixed-offset blob: the offset of January 1st
 * when nothing changes, of July 1st for irregular years. Throws RangeError for
 * an unknown zone name.
 */
export function timeZoneFromIana(zone: string, year = new Date().getUTCFullYear()): EasTimeZone {
  const key = `${zone}|${year}`;
  const hit = cache.get(key);
  if (hit) return structuredClone(hit);
  const transitions = transitionsOf(zone, year);
  let tz: EasTimeZone;
  if (transitions.length === 2 && transitions[0]!.before === transitions[1]!.after) {
    const [a, b] = transitions as [Transition, Transition];
    const std = Math.min(a.before, a.after);
    const dst = Math.max(a.before, a.after);
    const toDst = a.after === dst ? a : b;
    const toStd = a.after === dst ? b : a;
    tz = {
      bias: -std,
      standardName: zoneLongName(zone, toStd.at + 86_400_000),
      // Windows convention: each rule is in the local time in force before the change.
      standardDate: ruleFor(toStd.at + toStd.before * 60_000),
      standardBias: 0,
      daylightName: zoneLongName(zone, toDst.at + 86_400_000),
      daylightDate: ruleFor(toDst.at + toDst.before * 60_000),
      daylightBias: std - dst,
    };
  } else {
    const at = transitions.length === 0 ? Date.UTC(year, 0, 1) : Date.UTC(year, 6, 1);
    const name = zoneLongName(zone, at);
    tz = fixedOffsetTimeZone(zoneOffsetMinutes(zone, at), name);
  }
  cache.set(key, tz);
  return structuredClone(tz);
}

/**
 * Zones tried, in this order, when matching a blob back to a name: the zones
 * devices most often use; the first zone with the same rules wins.
 */
export const COMMON_ZONES: readonly string[] = [
  'UTC', 'Europe/London', 'Europe/Dublin', 'Europe/Lisbon', 'Europe/Paris', 'Europe/Berlin', 'Europe/Athens',
  'Europe/Helsinki', 'Europe/Moscow', 'Europe/Istanbul', 'Africa/Lagos', 'Africa/Cairo', 'Africa/Johannesburg',
  'Africa/Nairobi', 'Asia/Dubai', 'Asia/Tehran', 'Asia/Karachi', 'Asia/Kolkata', 'Asia/Kathmandu', 'Asia/Dhaka',
  'Asia/Yangon', 'Asia/Bangkok', 'Asia/Shanghai', 'Asia/Singapore', 'Asia/Tokyo', 'Asia/Seoul',
  'Australia/Perth', 'Australia/Darwin', 'Australia/Adelaide', 'Australia/Brisbane', 'Australia/Sydney',
  'Pacific/Auckland', 'Pacific/Honolulu', 'America/Anchorage', 'America/Los_Angeles', 'America/Phoenix',
  'America/Denver', 'America/Chicago', 'America/Mexico_City', 'America/New_York', 'America/Bogota',
  'America/Halifax', 'America/Caracas', 'America/Santiago', 'America/St_Johns', 'America/Sao_Paulo',
  'America/Argentina/Buenos_Aires', 'Atlantic/Azores', 'Atlantic/Reykjavik',
];

/** Result of matching a blob to a zone: a named IANA zone, or only a fixed offset. */
export type ZoneMatch =
  | { kind: 'iana'; zone: string }
  /** `zone` is the Etc/GMT±h name when the offset is whole hours (note the POSIX sign: Etc/GMT+5 is UTC-5). */
  | { kind: 'fixed'; offsetMinutes: number; zone?: string };

function sameRule(a: SystemTime, b: SystemTime): boolean {
  return a.month === b.month && a.dayOfWeek === b.dayOfWeek && a.day === b.day && a.hour === b.hour && a.minute === b.minute;
}

/** Whether two blobs describe the same offsets and the same DST rules (names are ignored). */
export function sameTimeZoneRules(a: EasTimeZone, b: EasTimeZone): boolean {
  if (a.bias + a.standardBias !== b.bias + b.standardBias) return false;
  const da = hasDaylightSaving(a), db = hasDaylightSaving(b);
  if (da !== db) return false;
  if (!da) return true;
  return (
    a.bias + a.daylightBias === b.bias + b.daylightBias &&
    sameRule(a.standardDate, b.standardDate) &&
    sameRule(a.daylightDate, b.daylightDate)
  );
}

/**
 * Best-effort IANA name for a blob: its StandardName when that is itself a
 * zone with the same rules (some clients put the IANA name there), else the
 * first of `candidates` (default COMMON_ZONES) with the same rules in `year`,
 * else a fixed offset (Etc/GMT±h where one exists). A blob with DST rules and
 * no match falls back to its standard offset.
 */
export function ianaFromTimeZone(
  tz: EasTimeZone,
  opts: { candidates?: readonly string[]; year?: number } = {},
): ZoneMatch {
  const year = opts.year ?? new Date().getUTCFullYear();
  const candidates = [tz.standardName, ...(opts.candidates ?? COMMON_ZONES)];
  for (const zone of candidates) {
    if (!zone || (!zone.includes('/') && zone !== 'UTC')) continue;
    if (!isIanaZone(zone)) continue;
    if (sameTimeZoneRules(tz, timeZoneFromIana(zone, year))) return { kind: 'iana', zone };
  }
  const offsetMinutes = -(tz.bias + tz.standardBias);
  if (offsetMinutes === 0) return { kind: 'fixed', offsetMinutes: 0, zone: 'Etc/UTC' };
  if (offsetMinutes % 60 === 0 && Math.abs(offsetMinutes) <= 14 * 60) {
    const h = -offsetMinutes / 60;
    return { kind: 'fixed', offsetMinutes, zone: `Etc/GMT${h > 0 ? '+' : ''}${h}` };
  }
  return { kind: 'fixed', offsetMinutes };
}

/** A blob with no DST at UTC, for devices that need some TimeZone and we know none. */
export function utcTimeZone(): EasTimeZone {
  return { ...fixedOffsetTimeZone(0, 'Coordinated Universal Time'), standardDate: emptySystemTime(), daylightDate: emptySystemTime() };
}
