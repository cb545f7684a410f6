/**
 * Busy times from iCalendar (backends/caldav/busy-times.ts): events reduced
 * to spans and FBTYPEs as RFC 4791 7.10 describes, across time zones and
 * DST, recurrence with EXDATE, RDATE, UNTIL and overrides; and VFREEBUSY.
 */
import { describe, expect, it } from 'vitest';
import { busyFromEvents, busyFromVfreebusy } from '../../backends/caldav/busy-times.ts';

const cal = (lines: string[]): string => ['BEGIN:VCALENDAR', 'VERSION:2.0', 'PRODID:-//t//EN', ...lines, 'END:VCALENDAR', ''].join('\r\n');
const ev = (lines: string[]): string[] => ['BEGIN:VEVENT', 'UID:u', 'DTSTAMP:20260101T000000Z', ...lines, 'END:VEVENT'];
const utc = (s: string): number => Date.parse(s);
const spans = (xs: { start: number; end: number; type: string }[]): [string, string, string][] =>
  xs.map((x) => [new Date(x.start).toISOString(), new Date(x.end).toISOString(), x.type] as [string, string, string]).sort((a, b) => a[0].localeCompare(b[0]));
const YEAR = { start: utc('2026-01-01T00:00:00Z'), end: utc('2027-01-01T00:00:00Z') };

const BERLIN = [
  'BEGIN:VTIMEZONE', 'TZID:Europe/Berlin',
  'BEGIN:DAYLIGHT', 'TZOFFSETFROM:+0100', 'TZOFFSETTO:+0200', 'DTSTART:19700329T020000', 'RRULE:FREQ=YEARLY;BYMONTH=3;BYDAY=-1SU', 'END:DAYLIGHT',
  'BEGIN:STANDARD', 'TZOFFSETFROM:+0200', 'TZOFFSETTO:+0100', 'DTSTART:19701025T030000', 'RRULE:FREQ=YEARLY;BYMONTH=10;BYDAY=-1SU', 'END:STANDARD',
  'END:VTIMEZONE',
];

describe('busyFromEvents', () => {
  it('a weekly Berlin 10:00 meeting is 09:00Z in winter and 08:00Z in summer', () => {
    const ics = cal([...BERLIN, ...ev(['DTSTART;TZID=Europe/Berlin:20260316T100000', 'DTEND;TZID=Europe/Berlin:20260316T110000', 'RRULE:FREQ=WEEKLY;COUNT=3'])]);
    expect(spans(busyFromEvents(ics, YEAR))).toEqual([
      ['2026-03-16T09:00:00.000Z', '2026-03-16T10:00:00.000Z', 'BUSY'],
      ['2026-03-23T09:00:00.000Z', '2026-03-23T10:00:00.000Z', 'BUSY'],
      ['2026-03-30T08:00:00.000Z', '2026-03-30T09:00:00.000Z', 'BUSY'],
    ]);
  });

  it('EXDATE removes, RDATE adds, an override moves and re-types an occurrence, UNTIL ends', () => {
    const ics = cal([
      ...ev(['DTSTART:20260105T090000Z', 'DTEND:20260105T093000Z', 'RRULE:FREQ=DAILY;UNTIL=20260108T090000Z', 'EXDATE:20260106T090000Z', 'RDATE:20260110T120000Z']),
      'BEGIN:VEVENT', 'UID:u', 'DTSTAMP:20260101T000000Z', 'RECURRENCE-ID:20260107T090000Z', 'DTSTART:20260107T150000Z', 'DTEND:20260107T160000Z', 'STATUS:TENTATIVE', 'END:VEVENT',
    ]);
    expect(spans(busyFromEvents(ics, YEAR))).toEqual([
      ['2026-01-05T09:00:00.000Z', '2026-01-05T09:30:00.000Z', 'BUSY'],
      ['2026-01-07T15:00:00.000Z', '2026-01-07T16:00:00.000Z', 'BUSY-TENTATIVE'],
      ['2026-01-08T09:00:00.000Z', '2026-01-08T09:30:00.000Z', 'BUSY'],
      ['2026-01-10T12:00:00.000Z', '2026-01-10T12:30:00.000Z', 'BUSY'],
    ]);
  });

  it('an endless series is walked only up to the window, and clipped to it', () => {
    const ics = cal(ev(['DTSTART:20200101T233000Z', 'DTEND:20200102T003000Z', 'RRULE:FREQ=DAILY']));
    const w = { start: utc('2026-02-01T00:00:00Z'), end: utc('2026-02-03T00:00:00Z') };
    expect(spans(busyFromEvents(ics, w))).toEqual([
      ['2026-02-01T00:00:00.000Z', '2026-02-01T00:30:00.000Z', 'BUSY'],
      ['2026-02-01T23:30:00.000Z', '2026-02-02T00:30:00.000Z', 'BUSY'],
      ['2026-02-02T23:30:00.000Z', '2026-02-03T00:00:00.000Z', 'BUSY'],
    ]);
  });

  it.each([
    ['cancelled', ['STATUS:CANCELLED'], []],
    ['transparent', ['TRANSP:TRANSPARENT'], []],
    ['Outlook free', ['X-MICROSOFT-CDO-BUSYSTATUS:FREE'], []],
    ['Outlook out of office', ['X-MICROSOFT-CDO-BUSYSTATUS:OOF'], ['BUSY-UNAVAILABLE']],
    ['declined by the owner', ['ATTENDEE;PARTSTAT=DECLINED:mailto:owner@example.test'], []],
    ['not yet answered by the owner', ['ATTENDEE;PARTSTAT=NEEDS-ACTION:mailto:owner@example.test'], ['BUSY-TENTATIVE']],
    ["declined by someone else", ['ATTENDEE;PARTSTAT=DECLINED:mailto:other@example.test'], ['BUSY']],
  ])('%s', (_n, extra, types) => {
    const ics = cal(ev(['DTSTART:20260105T090000Z', 'DTEND:20260105T100000Z', ...extra]));
    expect(busyFromEvents(ics, YEAR, ['Owner@Example.test']).map((b) => b.type)).toEqual(types);
  });

  it('an all-day event covers its day', () => {
    const ics = cal(ev(['DTSTART;VALUE=DATE:20260105', 'DTEND;VALUE=DATE:20260106']));
    expect(spans(busyFromEvents(ics, YEAR))).toEqual([['2026-01-05T00:00:00.000Z', '2026-01-06T00:00:00.000Z', 'BUSY']]);
  });
});

describe('busyFromVfreebusy', () => {
  it('reads FREEBUSY periods with their FBTYPE, skips FREE, clips to the window', () => {
    const ics = cal([
      'BEGIN:VFREEBUSY', 'DTSTAMP:20260101T000000Z', 'DTSTART:20260105T000000Z', 'DTEND:20260106T000000Z',
      'FREEBUSY:20260105T090000Z/20260105T100000Z,20260105T110000Z/PT30M',
      'FREEBUSY;FBTYPE=BUSY-TENTATIVE:20260105T120000Z/20260105T130000Z',
      'FREEBUSY;FBTYPE=FREE:20260105T140000Z/20260105T150000Z',
      'FREEBUSY;FBTYPE=BUSY-UNAVAILABLE:20260105T230000Z/20260106T010000Z',
      'END:VFREEBUSY',
    ]);
    expect(spans(busyFromVfreebusy(ics, { start: utc('2026-01-05T00:00:00Z'), end: utc('2026-01-06T00:00:00Z') }))).toEqual([
      ['2026-01-05T09:00:00.000Z', '2026-01-05T10:00:00.000Z', 'BUSY'],
      ['2026-01-05T11:00:00.000Z', '2026-01-05T11:30:00.000Z', 'BUSY'],
      ['2026-01-05T12:00:00.000Z', '2026-01-05T13:00:00.000Z', 'BUSY-TENTATIVE'],
      ['2026-01-05T23:00:00.000Z', '2026-01-06T00:00:00.000Z', 'BUSY-UNAVAILABLE'],
    ]);
  });
});
