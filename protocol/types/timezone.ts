/**
 * The EAS TimeZone blob (MS-ASDTYPE 2.7.4 / MS-ASCAL 2.2.2.42, the Windows
 * TIME_ZONE_INFORMATION structure): 172 bytes, little-endian, carried as
 * base64 text in Calendar:TimeZone and Email:TimeZone.
 *
 * | offset | size | field |
 * | --- | --- | --- |
 * | 0 | 4 | Bias (int32, minutes, UTC = local + Bias) |
 * | 4 | 64 | StandardName (32 UTF-16LE code units, NUL padded) |
 * | 68 | 16 | StandardDate (SYSTEMTIME) |
 * | 84 | 4 | StandardBias (int32, added to Bias during standard time, normally 0) |
 * | 88 | 64 | DaylightName |
 * | 152 | 16 | DaylightDate (SYSTEMTIME) |
 * | 168 | 4 | DaylightBias (int32, added to Bias during daylight time, normally -60) |
 *
 * A SYSTEMTIME with wYear = 0 is a yearly rule: wMonth, wDayOfWeek (0 = Sunday),
 * wDay = which occurrence of that weekday (1-4, 5 = last), wHour/wMinute local
 * time at which the change happens. wMonth = 0 means the zone has no DST.
 */
import { EasDataError } from './errors.ts';

/** A Windows SYSTEMTIME (8 uint16). */
export interface SystemTime {
  year: number;
  month: number;
  dayOfWeek: number;
  day: number;
  hour: number;
  minute: number;
  second: number;
  milliseconds: number;
}

/** The decoded TimeZone blob; biases in minutes with the Windows sign (UTC = local + bias). */
export interface EasTimeZone {
  bias: number;
  standardName: string;
  standardDate: SystemTime;
  standardBias: number;
  daylightName: string;
  daylightDate: SystemTime;
  daylightBias: number;
}

/** Size of the blob in bytes (MS-ASDTYPE 2.7.4). */
export const TIMEZONE_BLOB_SIZE = 172;

/** A SYSTEMTIME of all zeros: "no transition". */
export function emptySystemTime(): SystemTime {
  return { year: 0, month: 0, dayOfWeek: 0, day: 0, hour: 0, minute: 0, second: 0, milliseconds: 0 };
}

/** A zone with a fixed offset and no DST; `offsetMinutes` east of UTC (Kolkata = 330). */
export function fixedOffsetTimeZone(offsetMinutes: number, name = ''): EasTimeZone {
  return {
    bias: offsetMinutes === 0 ? 0 : -offsetMinutes,
    standardName: name,
    standardDate: emptySystemTime(),
    standardBias: 0,
    daylightName: name,
    daylightDate: emptySystemTime(),
    daylightBias: 0,
  };
}

/** Whether the blob describes a zone with daylight saving (both rules present). */
export function hasDaylightSaving(tz: EasTimeZone): boolean {
  return tz.standardDate.month !== 0 && tz.daylightDate.month !== 0;
}

function readName(view: DataView, offset: number): string {
  let s = '';
  for (let i = 0; i < 32; i++) {
    const c = view.getUint16(offset + i * 2, true);
    if (c === 0) break;
    s += String.fromCharCode(c);
  }
  return s;
}

function writeName(view: DataView, offset: number, name: string): void {
  // 31 units at most: the field keeps a terminating NUL, as Windows writes it.
  for (let i = 0; i < Math.min(name.length, 31); i++) view.setUint16(offset + i * 2, name.charCodeAt(i), true);
}

function readSystemTime(view: DataView, offset: number): SystemTime {
  const u = (i: number): number => view.getUint16(offset + i * 2, true);
  return { year: u(0), month: u(1), dayOfWeek: u(2), day: u(3), hour: u(4), minute: u(5), second: u(6), milliseconds: u(7) };
}

function writeSystemTime(view: DataView, offset: number, st: SystemTime): void {
  const vals = [st.year, st.month, st.dayOfWeek, st.day, st.hour, st.minute, st.second, st.milliseconds];
  vals.forEach((v, i) => view.setUint16(offset + i * 2, v & 0xffff, true));
}

/**
 * Decodes the 172-byte blob. Throws EasDataError when it is shorter; extra
 * bytes are ignored because some clients pad the base64 text.
 */
export function decodeTimeZone(bytes: Uint8Array): EasTimeZone {
  if (bytes.length < TIMEZONE_BLOB_SIZE) {
    throw new EasDataError('TimeZone', `blob is ${bytes.length} bytes, expected ${TIMEZONE_BLOB_SIZE}`);
  }
  const view = new DataView(bytes.buffer, bytes.byteOffset, TIMEZONE_BLOB_SIZE);
  return {
    bias: view.getInt32(0, true),
    standardName: readName(view, 4),
    standardDate: readSystemTime(view, 68),
    standardBias: view.getInt32(84, true),
    daylightName: readName(view, 88),
    daylightDate: readSystemTime(view, 152),
    daylightBias: view.getInt32(168, true),
  };
}

/** Encodes to the 172-byte blob; names longer than 31 UTF-16 units are cut. */
export function encodeTimeZone(tz: EasTimeZone): Uint8Array {
  const bytes = new Uint8Array(TIMEZONE_BLOB_SIZE);
  const view = new DataView(bytes.buffer);
  view.setInt32(0, tz.bias, true);
  writeName(view, 4, tz.standardName);
  writeSystemTime(view, 68, tz.standardDate);
  view.setInt32(84, tz.standardBias, true);
  writeName(view, 88, tz.daylightName);
  writeSystemTime(view, 152, tz.daylightDate);
  view.setInt32(168, tz.daylightBias, true);
  return bytes;
}

/** Decodes the base64 text of Calendar:TimeZone / Email:TimeZone; throws EasDataError on bad base64 or size. */
export function timeZoneFromBase64(text: string): EasTimeZone {
  const clean = text.replace(/\s+/g, '');
  if (!/^[A-Za-z0-9+/]*={0,2}$/.test(clean)) throw new EasDataError('TimeZone', 'not base64');
  return decodeTimeZone(new Uint8Array(Buffer.from(clean, 'base64')));
}

/** Base64 text of the blob, as MS-ASCAL 2.2.2.42 carries it. */
export function timeZoneToBase64(tz: EasTimeZone): string {
  return Buffer.from(encodeTimeZone(tz)).toString('base64');
}

/**
 * The instant (UTC ms) at which a SYSTEMTIME rule fires in `year`, given the
 * bias in force just before the change. Returns undefined for an empty rule.
 */
export function transitionInstant(rule: SystemTime, year: number, biasBefore: number): number | undefined {
  if (rule.month < 1 || rule.month > 12) return undefined;
  let day: number;
  if (rule.year !== 0) {
    // Absolute date form: only meaningful in its own year.
    if (rule.year !== year) return undefined;
    day = rule.day;
  } else {
    const first = new Date(Date.UTC(year, rule.month - 1, 1)).getUTCDay();
    day = 1 + ((rule.dayOfWeek - first + 7) % 7) + (Math.max(1, rule.day) - 1) * 7;
    const daysInMonth = new Date(Date.UTC(year, rule.month, 0)).getUTCDate();
    while (day > daysInMonth) day -= 7;
  }
  const localMs = Date.UTC(year, rule.month - 1, day, rule.hour, rule.minute, rule.second, rule.milliseconds);
  return localMs + biasBefore * 60_000;
}

/**
 * Offset east of UTC in minutes (local = UTC + offset) that the blob gives at
 * `instant`, following its yearly DST rules. Used to turn an all-day event's
 * local midnight into UTC and back.
 */
export function offsetAt(tz: EasTimeZone, instant: Date): number {
  const std = -(tz.bias + tz.standardBias);
  if (!hasDaylightSaving(tz)) return std;
  const dst = -(tz.bias + tz.daylightBias);
  const year = new Date(instant.getTime() + std * 60_000).getUTCFullYear();
  const dstStart = transitionInstant(tz.daylightDate, year, tz.bias + tz.standardBias);
  const dstEnd = transitionInstant(tz.standardDate, year, tz.bias + tz.daylightBias);
  if (dstStart === undefined || dstEnd === undefined) return std;
  const t = instant.getTime();
  // Northern zones have start < end within the year; southern ones wrap the new year.
  const inDst = dstStart < dstEnd ? t >= dstStart && t < dstEnd : t >= dstStart || t < dstEnd;
  return inDst ? dst : std;
}

/**
 * The local wall time at `instant` under the blob's rules, as a Date whose UTC
 * fields are the local fields ("floating" time). All-day events need this:
 * their StartTime is local midnight expressed in UTC (MS-ASCAL 2.2.2.1).
 */
export function toLocalWallTime(tz: EasTimeZone, instant: Date): Date {
  return new Date(instant.getTime() + offsetAt(tz, instant) * 60_000);
}

/**
 * The instant at which the local wall time `wall` (UTC fields = local fields)
 * occurs under the blob's rules. A wall time skipped by a DST jump is read with
 * the offset before the jump; a repeated one resolves to its first occurrence.
 */
export function fromLocalWallTime(tz: EasTimeZone, wall: Date): Date {
  const w = wall.getTime();
  // Try each offset the zone uses; keep the candidates that map back to `wall`.
  const std = -(tz.bias + tz.standardBias);
  const offsets = hasDaylightSaving(tz) ? [-(tz.bias + tz.daylightBias), std] : [std];
  const hits = offsets.map((o) => w - o * 60_000).filter((t) => offsetAt(tz, new Date(t)) * 60_000 + t === w);
  if (hits.length) return new Date(Math.min(...hits));
  // In the gap of a spring-forward jump: use the offset of a few hours earlier.
  const before = offsetAt(tz, new Date(w - std * 60_000 - 3 * 3_600_000));
  return new Date(w - before * 60_000);
}
