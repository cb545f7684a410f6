import { describe, expect, it } from 'vitest';
import {
  decodeTimeZone,
  encodeTimeZone,
  fixedOffsetTimeZone,
  fromLocalWallTime,
  offsetAt,
  TIMEZONE_BLOB_SIZE,
  timeZoneFromBase64,
  timeZoneToBase64,
  toLocalWallTime,
} from '../../protocol/types/timezone.ts';
import type { EasTimeZone, SystemTime } from '../../protocol/types/timezone.ts';
import { ianaFromTimeZone, timeZoneFromIana } from '../../protocol/types/timezone-iana.ts';
import { EasDataError } from '../../protocol/types/values.ts';

// The blob Horde's calendar fixtures carry: US Eastern (bias 300, DST from the
// second Sunday of March to the first Sunday of November, both at 02:00).
const HORDE_EASTERN =
  'LAEAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAsAAAABAAIAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAMAAAACAAIAAAAAAAAAxP///w==';

const rule = (month: number, dayOfWeek: number, day: number, hour: number): SystemTime => ({
  year: 0, month, dayOfWeek, day, hour, minute: 0, second: 0, milliseconds: 0,
});
const NONE = rule(0, 0, 0, 0);

describe('TimeZone blob (MS-ASDTYPE 2.7.4)', () => {
  it('decodes the Horde fixture blob field by field', () => {
    const tz = timeZoneFromBase64(HORDE_EASTERN);
    expect(tz.bias).toBe(300);
    expect(tz.standardDate).toEqual(rule(11, 0, 1, 2));
    expect(tz.daylightDate).toEqual(rule(3, 0, 2, 2));
    expect(tz.standardBias).toBe(0);
    expect(tz.daylightBias).toBe(-60);
  });

  it('re-encodes a decoded blob byte for byte', () => {
    expect(timeZoneToBase64(timeZoneFromBase64(HORDE_EASTERN))).toBe(HORDE_EASTERN);
  });

  it('round-trips names as UTF-16LE and cuts them at 31 units', () => {
    const tz: EasTimeZone = { ...fixedOffsetTimeZone(60, 'Mitteleuropäische Zeit'), daylightName: 'x'.repeat(40) };
    const bytes = encodeTimeZone(tz);
    expect(bytes.length).toBe(TIMEZONE_BLOB_SIZE);
    expect(bytes[4]).toBe('M'.charCodeAt(0));
    expect(bytes[5]).toBe(0);
    const back = decodeTimeZone(bytes);
    expect(back.standardName).toBe('Mitteleuropäische Zeit');
    expect(back.daylightName).toBe('x'.repeat(31));
    expect(back.bias).toBe(-60);
  });

  it('rejects short blobs and non-base64 text with EasDataError', () => {
    expect(() => decodeTimeZone(new Uint8Array(100))).toThrow(EasDataError);
    expect(() => timeZoneFromBase64('not base64!!')).toThrow(EasDataError);
  });

  it('computes the offset in force from the yearly rules', () => {
    const tz = timeZoneFromBase64(HORDE_EASTERN);
    expect(offsetAt(tz, new Date('2026-01-15T12:00:00Z'))).toBe(-300);
    expect(offsetAt(tz, new Date('2026-07-15T12:00:00Z'))).toBe(-240);
    // 2026-03-08 02:00 EST = 07:00 UTC; 2026-11-01 02:00 EDT = 06:00 UTC.
    expect(offsetAt(tz, new Date('2026-03-08T06:59:00Z'))).toBe(-300);
    expect(offsetAt(tz, new Date('2026-03-08T07:00:00Z'))).toBe(-240);
    expect(offsetAt(tz, new Date('2026-11-01T05:59:00Z'))).toBe(-240);
    expect(offsetAt(tz, new Date('2026-11-01T06:00:00Z'))).toBe(-300);
  });

  it('handles southern-hemisphere rules that wrap the year', () => {
    const sydney = timeZoneFromIana('Australia/Sydney', 2026);
    expect(offsetAt(sydney, new Date('2026-01-15T00:00:00Z'))).toBe(660);
    expect(offsetAt(sydney, new Date('2026-07-15T00:00:00Z'))).toBe(600);
  });
});

describe('IANA zone -> blob', () => {
  it('Europe/Paris: bias -60, DST last Sunday of March 02:00 to last Sunday of October 03:00', () => {
    const tz = timeZoneFromIana('Europe/Paris', 2026);
    expect(tz.bias).toBe(-60);
    expect(tz.standardBias).toBe(0);
    expect(tz.daylightBias).toBe(-60);
    expect(tz.daylightDate).toEqual(rule(3, 0, 5, 2));
    expect(tz.standardDate).toEqual(rule(10, 0, 5, 3));
  });

  it('America/New_York: bias 300, second Sunday of March to first Sunday of November', () => {
    const tz = timeZoneFromIana('America/New_York', 2026);
    expect(tz.bias).toBe(300);
    expect(tz.daylightDate).toEqual(rule(3, 0, 2, 2));
    expect(tz.standardDate).toEqual(rule(11, 0, 1, 2));
    expect(tz.daylightBias).toBe(-60);
  });

  it('gives the same rules in other years (weekday rules, not dates)', () => {
    expect(timeZoneFromIana('Europe/Paris', 2027)).toEqual(timeZoneFromIana('Europe/Paris', 2026));
    expect(timeZoneFromIana('America/New_York', 2031).daylightDate).toEqual(rule(3, 0, 2, 2));
  });

  it('Asia/Kolkata: bias -330 and no DST (StandardDate all zero)', () => {
    const tz = timeZoneFromIana('Asia/Kolkata', 2026);
    expect(tz.bias).toBe(-330);
    expect(tz.standardDate).toEqual(NONE);
    expect(tz.daylightDate).toEqual(NONE);
    expect(tz.daylightBias).toBe(0);
  });

  it('UTC: bias 0, no DST', () => {
    const tz = timeZoneFromIana('UTC', 2026);
    expect(tz.bias).toBe(0);
    expect(tz.standardDate).toEqual(NONE);
  });

  it('matches the Horde US Eastern blob to America/New_York', () => {
    const tz = timeZoneFromBase64(HORDE_EASTERN);
    const generated = timeZoneFromIana('America/New_York', 2026);
    expect(timeZoneToBase64({ ...generated, standardName: '', daylightName: '' })).toBe(HORDE_EASTERN);
    expect(ianaFromTimeZone(tz, { year: 2026 })).toEqual({ kind: 'iana', zone: 'America/New_York' });
  });

  it('throws for an unknown zone name', () => {
    expect(() => timeZoneFromIana('Mars/Olympus_Mons', 2026)).toThrow(RangeError);
  });
});

describe('blob -> IANA zone (best effort)', () => {
  it.each(['Europe/Paris', 'America/New_York', 'Asia/Kolkata', 'UTC', 'Australia/Sydney', 'Asia/Tokyo'])('finds %s again', (zone) => {
    const m = ianaFromTimeZone(timeZoneFromIana(zone, 2026), { year: 2026 });
    expect(m.kind).toBe('iana');
    // Zones with identical rules are interchangeable; check the rules agree.
    if (m.kind === 'iana') expect(timeZoneFromIana(m.zone, 2026).bias).toBe(timeZoneFromIana(zone, 2026).bias);
  });

  it('uses StandardName when a client put an IANA name there', () => {
    const tz = { ...timeZoneFromIana('Europe/Berlin', 2026), standardName: 'Europe/Berlin' };
    expect(ianaFromTimeZone(tz, { year: 2026 })).toEqual({ kind: 'iana', zone: 'Europe/Berlin' });
  });

  it('falls back to an Etc/GMT zone for an unmatched whole-hour offset (POSIX sign)', () => {
    const tz = fixedOffsetTimeZone(-7 * 60);
    expect(ianaFromTimeZone(tz, { year: 2026, candidates: [] })).toEqual({ kind: 'fixed', offsetMinutes: -420, zone: 'Etc/GMT+7' });
  });

  it('falls back to a bare offset when no Etc zone exists', () => {
    const tz = fixedOffsetTimeZone(5 * 60 + 45);
    expect(ianaFromTimeZone(tz, { year: 2026, candidates: [] })).toEqual({ kind: 'fixed', offsetMinutes: 345 });
  });

  it('reads an all-zero blob as UTC', () => {
    const tz = decodeTimeZone(new Uint8Array(TIMEZONE_BLOB_SIZE));
    expect(ianaFromTimeZone(tz, { year: 2026 })).toEqual({ kind: 'iana', zone: 'UTC' });
  });
});

describe('local wall time under a blob (all-day events)', () => {
  const ny = timeZoneFromBase64(HORDE_EASTERN);

  it('local midnight <-> UTC in winter and summer', () => {
    expect(fromLocalWallTime(ny, new Date('2026-01-10T00:00:00Z')).toISOString()).toBe('2026-01-10T05:00:00.000Z');
    expect(fromLocalWallTime(ny, new Date('2026-07-10T00:00:00Z')).toISOString()).toBe('2026-07-10T04:00:00.000Z');
    expect(toLocalWallTime(ny, new Date('2026-07-10T04:00:00Z')).toISOString()).toBe('2026-07-10T00:00:00.000Z');
  });

  it('a wall time in the spring-forward gap moves past the gap', () => {
    // 02:30 does not exist on 2026-03-08 in New York; read with EST it is 07:30 UTC (03:30 EDT).
    expect(fromLocalWallTime(ny, new Date('2026-03-08T02:30:00Z')).toISOString()).toBe('2026-03-08T07:30:00.000Z');
  });

  it('a repeated wall time at fall-back resolves to its first occurrence', () => {
    // 01:30 happens twice on 2026-11-01: first at EDT (05:30 UTC).
    expect(fromLocalWallTime(ny, new Date('2026-11-01T01:30:00Z')).toISOString()).toBe('2026-11-01T05:30:00.000Z');
  });

  it('Kolkata has one fixed offset', () => {
    const k = timeZoneFromIana('Asia/Kolkata', 2026);
    expect(fromLocalWallTime(k, new Date('2026-07-10T00:00:00Z')).toISOString()).toBe('2026-07-09T18:30:00.000Z');
  });
});
