/**
 * Time zones between iCalendar (RFC 5545 3.2.19 TZID, 3.6.5 VTIMEZONE) and
 * the EAS TimeZone blob (MS-ASDTYPE 2.7.4, MS-ASCAL 2.2.2.42).
 *
 * Every zone, whatever its source, is reduced to one function: the offset
 * east of UTC at an instant. Wall time <-> UTC conversions are built on it
 * once, with RFC 5545 3.3.5 rules for the DST edges, so an IANA name, an
 * embedded VTIMEZONE and an EAS blob all behave the same way.
 */
import ICAL from 'ical.js';
import { fixedOffsetTimeZone, hasDaylightSaving, offsetAt as blobOffsetAt, transitionInstant } from '../../protocol/types/timezone.ts';
import { isIanaZone, timeZoneFromIana, utcTimeZone, zoneOffsetMinutes } from '../../protocol/types/timezone-iana.ts';
import type { EasTimeZone, SystemTime } from '../../protocol/types/timezone.ts';

type IcalComponent = InstanceType<typeof ICAL.Component>;

const MINUTE = 60_000;
const DAY = 86_400_000;

/** A time zone as far as conversions need it. */
export interface Zone {
  /** The TZID the zone is written with; undefined for UTC. */
  readonly tzid?: string;
  /** The IANA name behind the TZID when known (an IANA TZID, a mapped Windows name). */
  readonly iana?: string;
  /** The EAS blob the zone came from, when it came from one. */
  readonly blob?: EasTimeZone;
  /** Offset east of UTC in minutes at `utcMs` (local = UTC + offset). */
  offsetAt(utcMs: number): number;
}

/** UTC: the zone of `Z` times. */
export const UTC_ZONE: Zone = Object.freeze({ offsetAt: () => 0 });

/** Local wall time (UTC fields = local fields) of `utcMs` in `zone`. */
export function toWall(zone: Zone, utcMs: number): number {
  return utcMs + zone.offsetAt(utcMs) * MINUTE;
}

/**
 * The instant of the wall time `wallMs` in `zone`. RFC 5545 3.3.5: a wall time
 * that occurs twice means its first occurrence; one skipped by a forward jump
 * is read with the offset in force before the gap.
 */
export function toUtc(zone: Zone, wallMs: number): number {
  const before = zone.offsetAt(wallMs - DAY);
  const after = zone.offsetAt(wallMs + DAY);
  const hits = [...new Set([before, after])].map((o) => wallMs - o * MINUTE).filter((t) => toWall(zone, t) === wallMs);
  if (hits.length) return Math.min(...hits);
  return wallMs - before * MINUTE;
}

/** A zone from the runtime's IANA database. */
export function ianaZone(iana: string, tzid = iana): Zone {
  return { tzid, iana, offsetAt: (ms) => zoneOffsetMinutes(iana, ms) };
}

/** A zone following the yearly rules of an EAS blob. */
export function blobZone(blob: EasTimeZone, tzid?: string, iana?: string): Zone {
  return { tzid, iana, blob, offsetAt: (ms) => blobOffsetAt(blob, new Date(ms)) };
}

/** Transitions of a VTIMEZONE are expanded no further than this; later instants keep the last offset. */
const LAST_EXPANDED_YEAR = 2200;

/**
 * A zone from an embedded VTIMEZONE. ical.js expands its STANDARD/DAYLIGHT
 * rules into a sorted list of changes whose times are UTC; the offset at an
 * instant is that of the last change before it. Going through that list, not
 * `Timezone.utcOffset` (which takes a local time and picks the second of two
 * repeated hours), keeps the RFC 5545 first-occurrence rule in `toUtc`.
 * Undefined when the component has no TZID or no usable observance.
 */
export function vtimezoneZone(vtz: IcalComponent, iana?: string): Zone | undefined {
  const tz = new ICAL.Timezone(vtz);
  if (!tz.tzid) return undefined;
  let coveredYear = -Infinity;
  let changes: { at: number; offset: number; prev: number }[] = [];
  const cover = (year: number): void => {
    const y = Math.min(year, LAST_EXPANDED_YEAR);
    if (y <= coveredYear) return;
    tz._ensureCoverage(y);
    // Re-expansion appends duplicates; sort and dedupe once per expansion.
    const seen = new Set<number>();
    changes = [];
    for (const c of tz.changes as { year: number; month: number; day: number; hour: number; minute: number; second: number; utcOffset: number; prevUtcOffset: number }[]) {
      const at = Date.UTC(c.year, c.month - 1, c.day, c.hour, c.minute, c.second);
      if (seen.has(at)) continue;
      seen.add(at);
      changes.push({ at, offset: c.utcOffset / 60, prev: c.prevUtcOffset / 60 });
    }
    changes.sort((a, b) => a.at - b.at);
    coveredYear = y;
  };
  cover(new Date().getUTCFullYear());
  if (!changes.length) return undefined;
  return {
    tzid: tz.tzid,
    iana,
    offsetAt(ms) {
      cover(new Date(ms).getUTCFullYear() + 1);
      let lo = 0, hi = changes.length - 1;
      if (ms < changes[0]!.at) return changes[0]!.prev;
      while (lo < hi) {
        const mid = (lo + hi + 1) >> 1;
        if (changes[mid]!.at <= ms) lo = mid;
        else hi = mid - 1;
      }
      return changes[lo]!.offset;
    },
  };
}

/**
 * Windows zone names (what Outlook and Exchange write as TZID) to IANA, after
 * CLDR's windowsZones.xml "001" territory: the zones devices and Outlook
 * actually use, not the full list.
 */
const WINDOWS_TO_IANA: Readonly<Record<string, string>> = {
  'Dateline Standard Time': 'Etc/GMT+12', 'UTC-11': 'Etc/GMT+11', 'Hawaiian Standard Time': 'Pacific/Honolulu',
  'Alaskan Standard Time': 'America/Anchorage', 'Pacific Standard Time (Mexico)': 'America/Tijuana',
  'Pacific Standard Time': 'America/Los_Angeles', 'US Mountain Standard Time': 'America/Phoenix',
  'Mountain Standard Time (Mexico)': 'America/Mazatlan', 'Mountain Standard Time': 'America/Denver',
  'Central America Standard Time': 'America/Guatemala', 'Central Standard Time': 'America/Chicago',
  'Central Standard Time (Mexico)': 'America/Mexico_City', 'Canada Central Standard Time': 'America/Regina',
  'SA Pacific Standard Time': 'America/Bogota', 'Eastern Standard Time': 'America/New_York',
  'Eastern Standard Time (Mexico)': 'America/Cancun', 'US Eastern Standard Time': 'America/Indiana/Indianapolis',
  'Venezuela Standard Time': 'America/Caracas', 'Atlantic Standard Time': 'America/Halifax',
  'SA Western Standard Time': 'America/La_Paz', 'Pacific SA Standard Time': 'America/Santiago',
  'Newfoundland Standard Time': 'America/St_Johns', 'E. South America Standard Time': 'America/Sao_Paulo',
  'Argentina Standard Time': 'America/Argentina/Buenos_Aires', 'SA Eastern Standard Time': 'America/Cayenne',
  'Greenland Standard Time': 'America/Nuuk', 'Montevideo Standard Time': 'America/Montevideo', 'UTC-02': 'Etc/GMT+2',
  'Azores Standard Time': 'Atlantic/Azores', 'Cape Verde Standard Time': 'Atlantic/Cape_Verde', UTC: 'Etc/UTC',
  'GMT Standard Time': 'Europe/London', 'Greenwich Standard Time': 'Atlantic/Reykjavik',
  'Morocco Standard Time': 'Africa/Casablanca', 'W. Europe Standard Time': 'Europe/Berlin',
  'Central Europe Standard Time': 'Europe/Budapest', 'Romance Standard Time': 'Europe/Paris',
  'Central European Standard Time': 'Europe/Warsaw', 'W. Central Africa Standard Time': 'Africa/Lagos',
  'GTB Standard Time': 'Europe/Bucharest', 'Middle East Standard Time': 'Asia/Beirut',
  'Egypt Standard Time': 'Africa/Cairo', 'E. Europe Standard Time': 'Europe/Chisinau', 'FLE Standard Time': 'Europe/Kiev',
  'Israel Standard Time': 'Asia/Jerusalem', 'South Africa Standard Time': 'Africa/Johannesburg',
  'Jordan Standard Time': 'Asia/Amman', 'Turkey Standard Time': 'Europe/Istanbul', 'Arabic Standard Time': 'Asia/Baghdad',
  'Arab Standard Time': 'Asia/Riyadh', 'Russian Standard Time': 'Europe/Moscow', 'E. Africa Standard Time': 'Africa/Nairobi',
  'Iran Standard Time': 'Asia/Tehran', 'Arabian Standard Time': 'Asia/Dubai', 'Azerbaijan Standard Time': 'Asia/Baku',
  'Georgian Standard Time': 'Asia/Tbilisi', 'Afghanistan Standard Time': 'Asia/Kabul',
  'Pakistan Standard Time': 'Asia/Karachi', 'West Asia Standard Time': 'Asia/Tashkent', 'India Standard Time': 'Asia/Kolkata',
  'Sri Lanka Standard Time': 'Asia/Colombo', 'Nepal Standard Time': 'Asia/Kathmandu', 'Central Asia Standard Time': 'Asia/Almaty',
  'Bangladesh Standard Time': 'Asia/Dhaka', 'Myanmar Standard Time': 'Asia/Yangon', 'SE Asia Standard Time': 'Asia/Bangkok',
  'N. Central Asia Standard Time': 'Asia/Novosibirsk', 'China Standard Time': 'Asia/Shanghai',
  'North Asia Standard Time': 'Asia/Krasnoyarsk', 'Singapore Standard Time': 'Asia/Singapore',
  'W. Australia Standard Time': 'Australia/Perth', 'Taipei Standard Time': 'Asia/Taipei', 'Tokyo Standard Time': 'Asia/Tokyo',
  'Korea Standard Time': 'Asia/Seoul', 'Cen. Australia Standard Time': 'Australia/Adelaide',
  'AUS Central Standard Time': 'Australia/Darwin', 'E. Australia Standard Time': 'Australia/Brisbane',
  'AUS Eastern Standard Time': 'Australia/Sydney', 'West Pacific Standard Time': 'Pacific/Port_Moresby',
  'Tasmania Standard Time': 'Australia/Hobart', 'Vladivostok Standard Time': 'Asia/Vladivostok',
  'New Zealand Standard Time': 'Pacific/Auckland', 'UTC+12': 'Etc/GMT-12', 'Fiji Standard Time': 'Pacific/Fiji',
  'Tonga Standard Time': 'Pacific/Tongatapu', 'Samoa Standard Time': 'Pacific/Apia',
  'Line Islands Standard Time': 'Pacific/Kiritimati',
};

const WINDOWS_LOWER = new Map(Object.entries(WINDOWS_TO_IANA).map(([k, v]) => [k.toLowerCase(), v]));

/**
 * The IANA zone a TZID names: the TZID itself, a Windows name (table above),
 * or a prefixed IANA name as older Mozilla and Lotus clients write them
 * (`/mozilla.org/20050126_1/Europe/Berlin`). Undefined otherwise.
 */
export function ianaNameOf(tzid: string): string | undefined {
  const t = tzid.trim();
  if (!t) return undefined;
  if (isIanaZone(t) && (t.includes('/') || t === 'UTC')) return t;
  const win = WINDOWS_LOWER.get(t.toLowerCase());
  if (win && isIanaZone(win)) return win;
  const parts = t.split('/').filter(Boolean);
  for (let i = Math.max(0, parts.length - 3); i < parts.length - 1; i++) {
    const candidate = parts.slice(i).join('/');
    if (isIanaZone(candidate)) return candidate;
  }
  return undefined;
}

/**
 * The EAS blob for `zone` with the rules in force in `year`: the runtime's
 * rules for an IANA zone, the blob itself for a blob zone, else the zone's
 * offsets probed over the year and written as the blob's yearly rules.
 */
export function blobOf(zone: Zone, year: number): EasTimeZone {
  if (zone.blob) return structuredClone(zone.blob);
  if (zone === UTC_ZONE || zone.tzid === undefined) return utcTimeZone();
  if (zone.iana) {
    try {
      return timeZoneFromIana(zone.iana, year);
    } catch {
      // Unknown to this runtime after all: probe the zone's own offsets below.
    }
  }
  return blobFromOffsets(zone, year, zone.tzid);
}

/** The Windows-style yearly rule firing at local wall time `localMs` ("last" for the final week, as timezone-iana.ts does). */
function ruleAt(localMs: number): SystemTime {
  const d = new Date(localMs);
  const daysInMonth = new Date(Date.UTC(d.getUTCFullYear(), d.getUTCMonth() + 1, 0)).getUTCDate();
  const day = d.getUTCDate();
  return {
    year: 0, month: d.getUTCMonth() + 1, dayOfWeek: d.getUTCDay(), day: day + 7 > daysInMonth ? 5 : Math.ceil(day / 7),
    hour: d.getUTCHours(), minute: d.getUTCMinutes(), second: 0, milliseconds: 0,
  };
}

/**
 * A blob from any zone's offsets in `year`: the two changes of the year found
 * by daily probes and a binary search to the minute. A year without exactly
 * one change each way gives the fixed offset of January 1st (MS-ASDTYPE 2.7.4
 * has no other way to say it).
 */
function blobFromOffsets(zone: Zone, year: number, name: string): EasTimeZone {
  const found: { at: number; before: number; after: number }[] = [];
  let t = Date.UTC(year, 0, 1);
  let prev = zone.offsetAt(t);
  for (let next = t + DAY; next <= Date.UTC(year + 1, 0, 1); t = next, next += DAY) {
    const off = zone.offsetAt(next);
    if (off === prev) continue;
    let lo = t, hi = next;
    while (hi - lo > MINUTE) {
      const mid = lo + Math.floor((hi - lo) / (2 * MINUTE)) * MINUTE;
      if (zone.offsetAt(mid) === prev) lo = mid;
      else hi = mid;
    }
    found.push({ at: hi, before: prev, after: off });
    prev = off;
  }
  const short = name.slice(0, 31);
  if (found.length !== 2 || found[0]!.before !== found[1]!.after) return fixedOffsetTimeZone(zone.offsetAt(Date.UTC(year, 0, 1)), short);
  const [a, b] = found as [(typeof found)[0], (typeof found)[0]];
  const std = Math.min(a.before, a.after);
  const dst = Math.max(a.before, a.after);
  const toDst = a.after === dst ? a : b;
  const toStd = a.after === dst ? b : a;
  return {
    bias: -std,
    standardName: short,
    standardDate: ruleAt(toStd.at + toStd.before * MINUTE),
    standardBias: 0,
    daylightName: short,
    daylightDate: ruleAt(toDst.at + toDst.before * MINUTE),
    daylightBias: std - dst,
  };
}

const DAY_CODES = ['SU', 'MO', 'TU', 'WE', 'TH', 'FR', 'SA'] as const;

function observance(kind: 'standard' | 'daylight', rule: SystemTime | undefined, from: number, to: number, name: string): IcalComponent {
  const c = new ICAL.Component(kind);
  let start = Date.UTC(1970, 0, 1);
  if (rule) {
    // The first onset on or after 1970 (RFC 5545 3.6.5: DTSTART is the first onset, in the local time before it).
    const year = rule.year !== 0 ? rule.year : 1970;
    start = transitionInstant(rule, year, 0) ?? start;
  }
  const d = new Date(start);
  c.addPropertyWithValue('dtstart', ICAL.Time.fromData({
    year: d.getUTCFullYear(), month: d.getUTCMonth() + 1, day: d.getUTCDate(),
    hour: d.getUTCHours(), minute: d.getUTCMinutes(), second: 0, isDate: false,
  }));
  if (rule && rule.year === 0) {
    const week = rule.day >= 5 ? -1 : Math.max(1, rule.day);
    c.addPropertyWithValue('rrule', ICAL.Recur.fromData({ freq: 'YEARLY', bymonth: [rule.month], byday: [`${week}${DAY_CODES[rule.dayOfWeek % 7]}`] }));
  }
  c.addPropertyWithValue('tzoffsetfrom', ICAL.UtcOffset.fromSeconds(from * 60));
  c.addPropertyWithValue('tzoffsetto', ICAL.UtcOffset.fromSeconds(to * 60));
  if (name) c.addPropertyWithValue('tzname', name);
  return c;
}

/**
 * A VTIMEZONE (RFC 5545 3.6.5) describing exactly the blob's rules, under
 * `tzid`. ical.js cannot generate one, and the blob is what the device will
 * expand the series with, so writing its rules (rather than the IANA
 * database's history) keeps server and phone agreeing on every occurrence.
 */
export function vtimezoneFromBlob(tzid: string, blob: EasTimeZone): IcalComponent {
  const vtz = new ICAL.Component('vtimezone');
  vtz.addPropertyWithValue('tzid', tzid);
  const std = -(blob.bias + blob.standardBias);
  if (!hasDaylightSaving(blob)) {
    vtz.addSubcomponent(observance('standard', undefined, std, std, blob.standardName));
    return vtz;
  }
  const dst = -(blob.bias + blob.daylightBias);
  vtz.addSubcomponent(observance('standard', blob.standardDate, dst, std, blob.standardName));
  vtz.addSubcomponent(observance('daylight', blob.daylightDate, std, dst, blob.daylightName));
  return vtz;
}
