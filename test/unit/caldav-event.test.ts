/**
 * iCalendar VEVENT <-> EAS Calendar (backends/caldav/event.ts), MS-ASCAL
 * 2.2.2 against RFC 5545. Tables read like the mapping; each row is checked
 * in the direction(s) it names.
 */
import { describe, expect, it } from 'vitest';
import { easCalendarToIcs, icsToEasCalendar } from '../../backends/caldav/event.ts';
import { isBackendError } from '../../backends/errors.ts';
import type { EasCalendar, EasCalendarChange } from '../../protocol/types/calendar.ts';
import type { EasRecurrence } from '../../protocol/types/recurrence.ts';
import { fixedOffsetTimeZone, hasDaylightSaving } from '../../protocol/types/timezone.ts';
import type { EasTimeZone } from '../../protocol/types/timezone.ts';
import { sameTimeZoneRules, timeZoneFromIana, utcTimeZone } from '../../protocol/types/timezone-iana.ts';

const NOW = new Date('2026-02-01T12:00:00Z');
const BERLIN = timeZoneFromIana('Europe/Berlin', 2026);
const NEW_YORK = timeZoneFromIana('America/New_York', 2026);
const SYDNEY = timeZoneFromIana('Australia/Sydney', 2026);

/** A VCALENDAR around `body` lines, CRLF-terminated. */
function cal(...body: string[]): string {
  return ['BEGIN:VCALENDAR', 'VERSION:2.0', 'PRODID:-//test//EN', ...body, 'END:VCALENDAR', ''].join('\r\n');
}

/** A VEVENT with a UID and DTSTAMP, then `props`. */
function vevent(...props: string[]): string[] {
  return ['BEGIN:VEVENT', 'UID:ev-1', 'DTSTAMP:20260101T000000Z', ...props, 'END:VEVENT'];
}

/** A one-hour UTC event with extra properties. */
function simple(...props: string[]): string {
  return cal(...vevent('DTSTART:20260310T090000Z', 'DTEND:20260310T100000Z', ...props));
}

const BERLIN_VTIMEZONE = [
  'BEGIN:VTIMEZONE', 'TZID:W. Europe Standard Time',
  'BEGIN:STANDARD', 'DTSTART:16010101T030000', 'TZOFFSETFROM:+0200', 'TZOFFSETTO:+0100', 'RRULE:FREQ=YEARLY;INTERVAL=1;BYDAY=-1SU;BYMONTH=10', 'END:STANDARD',
  'BEGIN:DAYLIGHT', 'DTSTART:16010101T020000', 'TZOFFSETFROM:+0100', 'TZOFFSETTO:+0200', 'RRULE:FREQ=YEARLY;INTERVAL=1;BYDAY=-1SU;BYMONTH=3', 'END:DAYLIGHT',
  'END:VTIMEZONE',
];

/** Unfolded content lines (RFC 5545 3.1). */
function lines(ics: string): string[] {
  return ics.replace(/\r\n[ \t]/g, '').split('\r\n').filter((l) => l !== '');
}

/** Lines of the master VEVENT (the first one without RECURRENCE-ID), sub-components included. */
function masterLines(ics: string): string[] {
  const all = lines(ics);
  let cur: string[] | undefined;
  let depth = 0;
  for (const l of all) {
    if (l === 'BEGIN:VEVENT') {
      cur = [];
      depth = 0;
      continue;
    }
    if (!cur) continue;
    if (l.startsWith('BEGIN:')) depth++;
    if (l.startsWith('END:') && l !== 'END:VEVENT') depth--;
    if (l === 'END:VEVENT') {
      if (!cur.some((x) => x.startsWith('RECURRENCE-ID'))) return cur;
      cur = undefined;
      continue;
    }
    cur.push(depth > 0 && !l.startsWith('BEGIN:') ? `  ${l}` : l);
  }
  return [];
}

/** The master's top-level lines named `name` (with or without parameters). */
function props(ics: string, name: string): string[] {
  return masterLines(ics).filter((l) => l.startsWith(`${name}:`) || l.startsWith(`${name};`));
}

const prop = (ics: string, name: string): string | undefined => props(ics, name)[0];

function write(item: EasCalendarChange, opts: { base?: string; userEmail?: string; uid?: string } = {}): string {
  return easCalendarToIcs(item, { uid: opts.uid ?? 'new-uid', base: opts.base, now: NOW, userEmail: opts.userEmail }).ics;
}

const HOUR_ITEM: EasCalendar = { startTime: new Date('2026-03-10T09:00:00Z'), endTime: new Date('2026-03-10T10:00:00Z'), timeZone: utcTimeZone() };

/** Rule parts as a set, since part order carries no meaning (RFC 5545 3.3.10). */
const ruleParts = (rrule: string | undefined): string[] => (rrule ?? '').replace(/^RRULE:/, '').split(';').sort();

function expectInvalid(fn: () => unknown): void {
  let err: unknown;
  try {
    fn();
  } catch (e) {
    err = e;
  }
  expect(isBackendError(err, 'Invalid'), String(err)).toBe(true);
}

describe('VEVENT -> EAS: simple properties (MS-ASCAL 2.2.2)', () => {
  it('SUMMARY, LOCATION, DESCRIPTION, DTSTART/DTEND, DTSTAMP and UID', () => {
    const p = icsToEasCalendar(simple('SUMMARY:Budget\\, Q3', 'LOCATION:Room 1', 'DESCRIPTION:Line 1\\nLine 2'));
    expect(p.uid).toBe('ev-1');
    expect(p.item).toMatchObject({
      uid: 'ev-1',
      subject: 'Budget, Q3',
      location: 'Room 1',
      body: { type: 1, data: 'Line 1\nLine 2', estimatedDataSize: 13 },
      startTime: new Date('2026-03-10T09:00:00Z'),
      endTime: new Date('2026-03-10T10:00:00Z'),
      dtStamp: new Date('2026-01-01T00:00:00Z'),
      allDayEvent: false,
    });
    expect(p.lastEnd).toEqual(new Date('2026-03-10T10:00:00Z'));
    expect(p.warnings).toEqual([]);
  });

  it.each([
    ['DURATION:PT90M', '2026-03-10T10:30:00Z'],
    ['DURATION:P1DT1H', '2026-03-11T10:00:00Z'],
  ])('%s gives the end', (duration, end) => {
    const p = icsToEasCalendar(cal(...vevent('DTSTART:20260310T090000Z', duration)));
    expect(p.item.endTime).toEqual(new Date(end));
  });

  it('no DTEND and no DURATION: a timed event has no length (RFC 5545 3.6.1)', () => {
    expect(icsToEasCalendar(cal(...vevent('DTSTART:20260310T090000Z'))).item.endTime).toEqual(new Date('2026-03-10T09:00:00Z'));
  });

  it.each([
    ['X-MICROSOFT-CDO-BUSYSTATUS:FREE', 0],
    ['X-MICROSOFT-CDO-BUSYSTATUS:TENTATIVE', 1],
    ['X-MICROSOFT-CDO-BUSYSTATUS:BUSY', 2],
    ['X-MICROSOFT-CDO-BUSYSTATUS:OOF', 3],
    ['X-MICROSOFT-CDO-BUSYSTATUS:WORKINGELSEWHERE', 4],
    ['TRANSP:TRANSPARENT', 0],
    ['STATUS:TENTATIVE', 1],
    ['TRANSP:OPAQUE', 2],
    ['X-MICROSOFT-CDO-BUSYSTATUS:OOF\r\nTRANSP:TRANSPARENT', 3],
  ])('BusyStatus from %s is %i', (line, busy) => {
    expect(icsToEasCalendar(simple(line)).item.busyStatus).toBe(busy);
  });

  it.each([
    ['CLASS:PUBLIC', 0],
    ['CLASS:PRIVATE', 2],
    ['CLASS:CONFIDENTIAL', 3],
    ['X-MICROSOFT-CDO-SENSITIVITY:1\r\nCLASS:PRIVATE', 1],
    ['X-FOO:bar', 0],
  ])('Sensitivity from %s is %i', (line, s) => {
    expect(icsToEasCalendar(simple(line)).item.sensitivity).toBe(s);
  });

  it.each([
    [['TRIGGER:-PT15M'], 15],
    [['TRIGGER:-PT1H'], 60],
    [['TRIGGER;RELATED=START:-P1D'], 1440],
    // One-hour event: 30 minutes before the end is 30 minutes after... before the start by -30: 90 before is wrong; 30 before end = 30 after start.
    [['TRIGGER;RELATED=END:-PT90M'], 30],
    [['TRIGGER;VALUE=DATE-TIME:20260310T085000Z'], 10],
    [['TRIGGER:PT5M'], 0],
  ])('VALARM %j gives Reminder %i', (trigger, minutes) => {
    const p = icsToEasCalendar(simple('BEGIN:VALARM', 'ACTION:DISPLAY', 'DESCRIPTION:x', ...trigger, 'END:VALARM'));
    expect(p.item.reminder).toBe(minutes);
  });

  it('an EMAIL alarm is not a reminder', () => {
    const p = icsToEasCalendar(simple('BEGIN:VALARM', 'ACTION:EMAIL', 'SUMMARY:s', 'DESCRIPTION:d', 'ATTENDEE:mailto:a@x', 'TRIGGER:-PT5M', 'END:VALARM'));
    expect(p.item.reminder).toBeUndefined();
  });

  it('CATEGORIES, in one or several properties', () => {
    expect(icsToEasCalendar(simple('CATEGORIES:Work,Travel', 'CATEGORIES:Q3')).item.categories).toEqual(['Work', 'Travel', 'Q3']);
  });

  it('ORGANIZER and ATTENDEE with CN, PARTSTAT, ROLE and CUTYPE', () => {
    const p = icsToEasCalendar(simple(
      'ORGANIZER;CN=Olga Org:mailto:olga@example.com',
      'ATTENDEE;CN=Ann;PARTSTAT=ACCEPTED;ROLE=REQ-PARTICIPANT:mailto:ann@example.com',
      'ATTENDEE;PARTSTAT=TENTATIVE;ROLE=OPT-PARTICIPANT:mailto:bob@example.com',
      'ATTENDEE;PARTSTAT=DECLINED:mailto:cat@example.com',
      'ATTENDEE;PARTSTAT=NEEDS-ACTION;CUTYPE=ROOM;CN=Room 1:mailto:room1@example.com',
      'ATTENDEE;CUTYPE=RESOURCE:mailto:beamer@example.com',
    ), { userEmail: 'olga@example.com' });
    expect(p.item.organizerName).toBe('Olga Org');
    expect(p.item.organizerEmail).toBe('olga@example.com');
    expect(p.item.attendees).toEqual([
      { email: 'ann@example.com', name: 'Ann', status: 3, type: 1 },
      { email: 'bob@example.com', status: 2, type: 2 },
      { email: 'cat@example.com', status: 4, type: 1 },
      { email: 'room1@example.com', name: 'Room 1', status: 5, type: 3 },
      { email: 'beamer@example.com', status: 5, type: 3 },
    ]);
  });

  const ORG_ME = 'ORGANIZER:mailto:me@example.com';
  const ORG_OTHER = 'ORGANIZER:mailto:boss@example.com';
  it.each([
    ['no attendees: an appointment', [ORG_OTHER], 0, undefined],
    ['the user organizes', [ORG_ME, 'ATTENDEE:mailto:a@example.com'], 1, 1],
    ['attendees and no organizer', ['ATTENDEE:mailto:a@example.com'], 1, undefined],
    ['someone else organizes; the user accepted', [ORG_OTHER, 'ATTENDEE;PARTSTAT=ACCEPTED:mailto:ME@example.com'], 3, 3],
    ['someone else organizes; the user has not answered', [ORG_OTHER, 'ATTENDEE:mailto:me@example.com'], 3, 5],
    ['cancelled, the user organizes', [ORG_ME, 'ATTENDEE:mailto:a@example.com', 'STATUS:CANCELLED'], 5, 1],
    ['cancelled, someone else organizes', [ORG_OTHER, 'ATTENDEE;PARTSTAT=DECLINED:mailto:me@example.com', 'STATUS:CANCELLED'], 7, 4],
  ])('MeetingStatus and ResponseType: %s', (_, extra, meeting, response) => {
    const p = icsToEasCalendar(simple(...extra), { userEmail: 'me@example.com' });
    expect(p.item.meetingStatus).toBe(meeting);
    expect(p.item.responseType).toBe(response);
  });
});

describe('EAS -> VEVENT: simple properties', () => {
  it('a new item becomes a fresh VCALENDAR with VERSION, PRODID, CALSCALE, UID, DTSTAMP and SEQUENCE 0', () => {
    const ics = write({ ...HOUR_ITEM, subject: 'Hello' });
    const top = lines(ics);
    expect(top.slice(0, 4)).toEqual(['BEGIN:VCALENDAR', 'VERSION:2.0', 'PRODID:-//eas-server//EN', 'CALSCALE:GREGORIAN']);
    expect(prop(ics, 'UID')).toBe('UID:new-uid');
    expect(prop(ics, 'DTSTAMP')).toBe('DTSTAMP:20260201T120000Z');
    expect(prop(ics, 'SEQUENCE')).toBe('SEQUENCE:0');
    expect(prop(ics, 'DTSTART')).toBe('DTSTART:20260310T090000Z');
    expect(prop(ics, 'DTEND')).toBe('DTEND:20260310T100000Z');
    expect(prop(ics, 'SUMMARY')).toBe('SUMMARY:Hello');
  });

  it("the device's UID wins over the one the caller made up", () => {
    expect(prop(write({ ...HOUR_ITEM, uid: 'phone-uid' }), 'UID')).toBe('UID:phone-uid');
  });

  it.each<[string, Partial<EasCalendar>, string[]]>([
    ['Subject', { subject: 'Lunch; with, Bob' }, ['SUMMARY:Lunch\\; with\\, Bob']],
    ['Location', { location: 'Café' }, ['LOCATION:Café']],
    ['plain body', { body: { type: 1, data: 'a\nb' } }, ['DESCRIPTION:a\\nb']],
    ['HTML body, as text', { body: { type: 2, data: '<p>Hi &amp; <b>bye</b></p><p>x</p>' } }, ['DESCRIPTION:Hi & bye\\nx']],
    ['BusyStatus free', { busyStatus: 0 }, ['TRANSP:TRANSPARENT', 'X-MICROSOFT-CDO-BUSYSTATUS:FREE']],
    ['BusyStatus tentative', { busyStatus: 1 }, ['TRANSP:OPAQUE', 'X-MICROSOFT-CDO-BUSYSTATUS:TENTATIVE']],
    ['BusyStatus out of office', { busyStatus: 3 }, ['TRANSP:OPAQUE', 'X-MICROSOFT-CDO-BUSYSTATUS:OOF']],
    ['BusyStatus working elsewhere', { busyStatus: 4 }, ['TRANSP:OPAQUE', 'X-MICROSOFT-CDO-BUSYSTATUS:WORKINGELSEWHERE']],
    ['Sensitivity private', { sensitivity: 2 }, ['CLASS:PRIVATE']],
    ['Sensitivity confidential', { sensitivity: 3 }, ['CLASS:CONFIDENTIAL']],
    ['Sensitivity personal', { sensitivity: 1 }, ['CLASS:PRIVATE', 'X-MICROSOFT-CDO-SENSITIVITY:1']],
    ['Categories', { categories: ['Work', 'A,B'] }, ['CATEGORIES:Work,A\\,B']],
    ['Reminder', { reminder: 15 }, ['  ACTION:DISPLAY', '  TRIGGER:-PT15M']],
    ['Organizer', { organizerName: 'Olga', organizerEmail: 'olga@example.com' }, ['ORGANIZER;CN=Olga:mailto:olga@example.com']],
  ])('%s', (_, fields, expected) => {
    const ics = write({ ...HOUR_ITEM, ...fields });
    const got = masterLines(ics);
    for (const l of expected) expect(got).toContain(l);
    // And it reads back as the same field.
    const back = icsToEasCalendar(ics).item as unknown as Record<string, unknown>;
    for (const [k, v] of Object.entries(fields)) {
      if (k === 'body') expect(back.body).toMatchObject({ type: 1 });
      else expect(back[k]).toEqual(v);
    }
  });

  it('Attendees with status and type, read back the same', () => {
    const attendees = [
      { email: 'ann@example.com', name: 'Ann', status: 3, type: 1 },
      { email: 'bob@example.com', status: 2, type: 2 },
      { email: 'cat@example.com', status: 4, type: 1 },
      { email: 'room@example.com', name: 'Room', status: 5, type: 3 },
    ];
    const ics = write({ ...HOUR_ITEM, organizerEmail: 'me@example.com', attendees }, { userEmail: 'me@example.com' });
    expect(props(ics, 'ATTENDEE')).toEqual([
      'ATTENDEE;CN=Ann;PARTSTAT=ACCEPTED;ROLE=REQ-PARTICIPANT:mailto:ann@example.com',
      'ATTENDEE;PARTSTAT=TENTATIVE;ROLE=OPT-PARTICIPANT:mailto:bob@example.com',
      'ATTENDEE;PARTSTAT=DECLINED;ROLE=REQ-PARTICIPANT:mailto:cat@example.com',
      'ATTENDEE;CN=Room;PARTSTAT=NEEDS-ACTION;CUTYPE=RESOURCE:mailto:room@example.com',
    ]);
    const back = icsToEasCalendar(ics, { userEmail: 'me@example.com' }).item;
    expect(back.attendees).toEqual(attendees);
    expect(back.meetingStatus).toBe(1);
  });

  it('attendees without an organizer get the user as ORGANIZER (RFC 5545 3.8.4.3)', () => {
    const ics = write({ ...HOUR_ITEM, attendees: [{ email: 'a@example.com' }] }, { userEmail: 'me@example.com' });
    expect(prop(ics, 'ORGANIZER')).toBe('ORGANIZER:mailto:me@example.com');
  });

  it('MeetingStatus 5 or 7 cancels; ResponseType sets the user\'s own PARTSTAT', () => {
    const base = simple('ORGANIZER:mailto:boss@example.com', 'ATTENDEE;PARTSTAT=NEEDS-ACTION;RSVP=TRUE:mailto:me@example.com');
    const item = icsToEasCalendar(base, { userEmail: 'me@example.com' }).item;
    const ics = write({ ...item, meetingStatus: 7, responseType: 3 }, { base, userEmail: 'me@example.com' });
    expect(prop(ics, 'STATUS')).toBe('STATUS:CANCELLED');
    expect(prop(ics, 'ATTENDEE')).toBe('ATTENDEE;PARTSTAT=ACCEPTED;RSVP=TRUE:mailto:me@example.com');
    const again = write({ ...item, meetingStatus: 3 }, { base: ics, userEmail: 'me@example.com' });
    expect(prop(again, 'STATUS')).toBeUndefined();
  });

  it('an item without StartTime and no stored event is Invalid', () => {
    expectInvalid(() => write({ subject: 'x' }));
  });
});

describe('time zones (MS-ASDTYPE 2.7.4 <-> RFC 5545 3.6.5)', () => {
  it('a Windows TZID with its VTIMEZONE maps to the IANA zone', () => {
    const p = icsToEasCalendar(cal(...BERLIN_VTIMEZONE, ...vevent('DTSTART;TZID=W. Europe Standard Time:20260710T090000', 'DTEND;TZID=W. Europe Standard Time:20260710T100000')));
    expect(p.item.startTime).toEqual(new Date('2026-07-10T07:00:00Z'));
    expect(sameTimeZoneRules(p.item.timeZone!, BERLIN)).toBe(true);
    expect(p.item.timeZone!.standardName).toBe(BERLIN.standardName);
  });

  it.each([
    ['Eastern Standard Time', NEW_YORK],
    ['AUS Eastern Standard Time', SYDNEY],
    ['/mozilla.org/20050126_1/America/New_York', NEW_YORK],
  ])('TZID %s without VTIMEZONE is understood', (tzid, blob) => {
    const p = icsToEasCalendar(cal(...vevent(`DTSTART;TZID=${tzid}:20260710T090000`)));
    expect(sameTimeZoneRules(p.item.timeZone!, blob)).toBe(true);
    expect(p.warnings).toEqual([]);
  });

  it('an unknown TZID with a VTIMEZONE gets a blob built from its rules', () => {
    const custom = BERLIN_VTIMEZONE.map((l) => l.replace('W. Europe Standard Time', 'Mitteleuropa (custom)'));
    const p = icsToEasCalendar(cal(...custom, ...vevent('DTSTART;TZID=Mitteleuropa (custom):20260110T090000')));
    expect(p.item.startTime).toEqual(new Date('2026-01-10T08:00:00Z'));
    expect(sameTimeZoneRules(p.item.timeZone!, BERLIN)).toBe(true);
  });

  it('an unknown TZID without VTIMEZONE is read as UTC, with a warning', () => {
    const p = icsToEasCalendar(cal(...vevent('DTSTART;TZID=Atlantis/Capital:20260110T090000')));
    expect(p.item.startTime).toEqual(new Date('2026-01-10T09:00:00Z'));
    expect(hasDaylightSaving(p.item.timeZone!)).toBe(false);
    expect(p.item.timeZone!.bias).toBe(0);
    expect(p.warnings).toContainEqual({ event: 'caldav.timezone-unknown', detail: { tzid: 'Atlantis/Capital' } });
  });

  it('UTC times give the UTC blob', () => {
    const tz = icsToEasCalendar(simple()).item.timeZone!;
    expect(tz.bias).toBe(0);
    expect(hasDaylightSaving(tz)).toBe(false);
  });

  it('a blob of an IANA zone is written with its TZID and a VTIMEZONE generated from the blob', () => {
    const ics = write({ startTime: new Date('2026-01-10T14:00:00Z'), endTime: new Date('2026-01-10T15:00:00Z'), timeZone: NEW_YORK });
    expect(prop(ics, 'DTSTART')).toBe('DTSTART;TZID=America/New_York:20260110T090000');
    const l = lines(ics);
    const vtz = l.slice(l.indexOf('BEGIN:VTIMEZONE'), l.indexOf('END:VTIMEZONE') + 1);
    expect(vtz).toEqual(expect.arrayContaining(['TZID:America/New_York', 'RRULE:FREQ=YEARLY;BYMONTH=11;BYDAY=1SU', 'RRULE:FREQ=YEARLY;BYMONTH=3;BYDAY=2SU', 'TZOFFSETTO:-0500', 'TZOFFSETTO:-0400']));
  });

  it('a blob with DST that no IANA zone has keeps its rules under a TZID of its own', () => {
    // New York's offsets with DST from the last Sunday of April to the first of October.
    const odd: EasTimeZone = { ...NEW_YORK, standardName: 'Odd Time', daylightDate: { ...NEW_YORK.daylightDate, month: 4, day: 5 }, standardDate: { ...NEW_YORK.standardDate, month: 10, day: 1 } };
    const item = { startTime: new Date('2026-04-14T13:00:00Z'), endTime: new Date('2026-04-14T14:00:00Z'), timeZone: odd, recurrence: { type: 1 as const, dayOfWeek: 4 } };
    const ics = write(item);
    expect(prop(ics, 'DTSTART')).toBe('DTSTART;TZID=EAS/Odd Time:20260414T080000');
    const back = icsToEasCalendar(ics).item;
    expect(back.startTime).toEqual(item.startTime);
    expect(sameTimeZoneRules(back.timeZone!, odd)).toBe(true);
  });

  it('a fixed-offset blob is written in its Etc zone; a zone with DST never in bare UTC', () => {
    const ics = write({ startTime: new Date('2026-01-10T03:30:00Z'), endTime: new Date('2026-01-10T04:30:00Z'), timeZone: fixedOffsetTimeZone(330, 'India') });
    expect(prop(ics, 'DTSTART')).toBe('DTSTART;TZID=Asia/Kolkata:20260110T090000');
    expect(icsToEasCalendar(ics).item.startTime).toEqual(new Date('2026-01-10T03:30:00Z'));
  });

  it('RFC 5545 3.3.5 edges: a skipped wall time uses the offset before the gap, a repeated one its first occurrence', () => {
    const at = (wall: string): Date => icsToEasCalendar(cal(...vevent(`DTSTART;TZID=Europe/Berlin:${wall}`))).item.startTime!;
    expect(at('20260329T023000')).toEqual(new Date('2026-03-29T01:30:00Z'));
    expect(at('20261025T023000')).toEqual(new Date('2026-10-25T00:30:00Z'));
    const viaVtz = (wall: string): Date => icsToEasCalendar(cal(...BERLIN_VTIMEZONE, ...vevent(`DTSTART;TZID=W. Europe Standard Time:${wall}`))).item.startTime!;
    expect(viaVtz('20261025T023000')).toEqual(new Date('2026-10-25T00:30:00Z'));
    expect(viaVtz('20260329T023000')).toEqual(new Date('2026-03-29T01:30:00Z'));
  });
});

describe('DST corpus: 09:00 local stays 09:00 local across the changes', () => {
  const corpus: [string, string, EasTimeZone, [string, string][]][] = [
    ['Europe/Berlin', 'W. Europe Standard Time', BERLIN, [
      ['20260328', '2026-03-28T08:00:00Z'], ['20260330', '2026-03-30T07:00:00Z'], ['20260415', '2026-04-15T07:00:00Z'],
      ['20261024', '2026-10-24T07:00:00Z'], ['20261026', '2026-10-26T08:00:00Z'], ['20261110', '2026-11-10T08:00:00Z'],
    ]],
    ['America/New_York', 'Eastern Standard Time', NEW_YORK, [
      ['20260307', '2026-03-07T14:00:00Z'], ['20260309', '2026-03-09T13:00:00Z'], ['20260401', '2026-04-01T13:00:00Z'],
      ['20261031', '2026-10-31T13:00:00Z'], ['20261102', '2026-11-02T14:00:00Z'], ['20261110', '2026-11-10T14:00:00Z'],
    ]],
    ['Australia/Sydney', 'AUS Eastern Standard Time', SYDNEY, [
      ['20260310', '2026-03-09T22:00:00Z'], ['20260404', '2026-04-03T22:00:00Z'], ['20260406', '2026-04-05T23:00:00Z'],
      ['20261003', '2026-10-02T23:00:00Z'], ['20261005', '2026-10-04T22:00:00Z'], ['20261110', '2026-11-09T22:00:00Z'],
    ]],
  ];

  describe.each(corpus)('%s', (zone, windows, blob, days) => {
    it.each(days)('%s 09:00 local is %s, by IANA TZID and by Windows TZID', (day, utc) => {
      expect(icsToEasCalendar(cal(...vevent(`DTSTART;TZID=${zone}:${day}T090000`))).item.startTime).toEqual(new Date(utc));
      expect(icsToEasCalendar(cal(...vevent(`DTSTART;TZID=${windows}:${day}T090000`))).item.startTime).toEqual(new Date(utc));
    });

    it.each(days)('EAS %s written back is 09:00 local and reads back the same through the generated VTIMEZONE', (day, utc) => {
      const ics = write({ startTime: new Date(utc), endTime: new Date(Date.parse(utc) + 3_600_000), timeZone: blob });
      expect(prop(ics, 'DTSTART')).toMatch(new RegExp(`^DTSTART;TZID=[^:]+:${day}T090000$`));
      expect(prop(ics, 'DTEND')).toMatch(new RegExp(`:${day}T100000$`));
      expect(icsToEasCalendar(ics).item.startTime).toEqual(new Date(utc));
    });

    it('a weekly series across a change: EXDATE and the last occurrence keep 09:00 local, both ways', () => {
      // The first row of every zone is just before a change (spring in Berlin and New York, autumn in
      // Sydney) and 20 weeks later is well past it, so the series crosses exactly one change.
      const [firstDay, firstUtc] = days[0]!;
      const startWall = `${firstDay}T090000`;
      const first = new Date(firstUtc);
      const weeks = 20;
      const ics = cal(...vevent(`DTSTART;TZID=${zone}:${startWall}`, `DTEND;TZID=${zone}:${firstDay}T100000`, `RRULE:FREQ=WEEKLY;COUNT=${weeks + 1}`));
      const p = icsToEasCalendar(ics);
      // The last occurrence is 20 weeks later at 09:00 local, whatever the offset then.
      const lastDay = new Date(Date.UTC(+firstDay.slice(0, 4), +firstDay.slice(4, 6) - 1, +firstDay.slice(6, 8)) + weeks * 7 * 86_400_000);
      const lastWall = lastDay.toISOString().slice(0, 10).replace(/-/g, '');
      const lastStart = icsToEasCalendar(cal(...vevent(`DTSTART;TZID=${zone}:${lastWall}T090000`))).item.startTime!;
      expect(p.lastEnd).toEqual(new Date(lastStart.getTime() + 3_600_000));
      expect(lastStart.getUTCHours()).not.toBe(first.getUTCHours());

      // EAS -> ICS: deleting that last instance writes EXDATE at 09:00 local.
      const out = write({ ...p.item, exceptions: [{ exceptionStartTime: lastStart, deleted: true }] });
      expect(prop(out, 'EXDATE')).toMatch(new RegExp(`:${lastWall}T090000$`));
      expect(icsToEasCalendar(out).item.exceptions).toEqual([{ exceptionStartTime: lastStart, deleted: true }]);
    });
  });
});

describe('all-day events keep their dates (MS-ASCAL 2.2.2.1)', () => {
  const HONOLULU = timeZoneFromIana('Pacific/Honolulu', 2026);
  const KIRITIMATI = timeZoneFromIana('Pacific/Kiritimati', 2026);

  it.each([
    ['Honolulu (UTC-10)', HONOLULU, '2026-03-10T10:00:00Z', '2026-03-11T10:00:00Z'],
    ['Kiritimati (UTC+14)', KIRITIMATI, '2026-03-09T10:00:00Z', '2026-03-10T10:00:00Z'],
    ['UTC', utcTimeZone(), '2026-03-10T00:00:00Z', '2026-03-11T00:00:00Z'],
  ])('%s: local midnights become DATE 2026-03-10..11 and come back the same', (_, tz, start, end) => {
    const item = { startTime: new Date(start), endTime: new Date(end), allDayEvent: true, timeZone: tz, subject: 'Holiday' };
    const ics = write(item);
    expect(prop(ics, 'DTSTART')).toBe('DTSTART;VALUE=DATE:20260310');
    expect(prop(ics, 'DTEND')).toBe('DTEND;VALUE=DATE:20260311');
    const back = icsToEasCalendar(ics).item;
    expect(back.allDayEvent).toBe(true);
    expect(back.startTime).toEqual(item.startTime);
    expect(back.endTime).toEqual(item.endTime);
    expect(sameTimeZoneRules(back.timeZone!, tz)).toBe(true);
  });

  it('a bare DATE event is read at UTC midnight with the UTC blob', () => {
    const p = icsToEasCalendar(cal(...vevent('DTSTART;VALUE=DATE:20260310', 'DTEND;VALUE=DATE:20260312')));
    expect(p.item).toMatchObject({ allDayEvent: true, startTime: new Date('2026-03-10T00:00:00Z'), endTime: new Date('2026-03-12T00:00:00Z') });
    expect(p.item.timeZone!.bias).toBe(0);
  });

  it('a DATE event with only DTSTART lasts one day', () => {
    expect(icsToEasCalendar(cal(...vevent('DTSTART;VALUE=DATE:20260310'))).item.endTime).toEqual(new Date('2026-03-11T00:00:00Z'));
  });

  it('a yearly all-day series in Kiritimati: EXDATE and UNTIL as DATEs, exceptions at local midnight', () => {
    const item = {
      startTime: new Date('2026-03-09T10:00:00Z'), endTime: new Date('2026-03-10T10:00:00Z'), allDayEvent: true, timeZone: KIRITIMATI,
      recurrence: { type: 5 as const, monthOfYear: 3, dayOfMonth: 10, until: new Date('2030-03-09T10:00:00Z') },
      exceptions: [{ exceptionStartTime: new Date('2027-03-09T10:00:00Z'), deleted: true }],
    };
    const ics = write(item);
    expect(ruleParts(prop(ics, 'RRULE'))).toEqual(['BYMONTH=3', 'BYMONTHDAY=10', 'FREQ=YEARLY', 'UNTIL=20300310']);
    expect(prop(ics, 'EXDATE')).toBe('EXDATE;VALUE=DATE:20270310');
    const back = icsToEasCalendar(ics);
    expect(back.item.exceptions).toEqual(item.exceptions);
    expect(back.item.recurrence).toEqual(item.recurrence);
    expect(back.lastEnd).toEqual(new Date('2030-03-10T10:00:00Z'));
  });
});

describe('recurrence (MS-ASCAL 2.2.2.35 <-> RFC 5545 3.3.10)', () => {
  // DTSTART is Tuesday 10 March 2026, 09:00 UTC.
  const series = (rrule: string, ...more: string[]): string => simple(`RRULE:${rrule}`, ...more);
  const exact: [string, EasRecurrence][] = [
    ['FREQ=DAILY', { type: 0 }],
    ['FREQ=DAILY;INTERVAL=3;COUNT=5', { type: 0, interval: 3, occurrences: 5 }],
    ['FREQ=WEEKLY;BYDAY=TU', { type: 1, dayOfWeek: 4 }],
    ['FREQ=WEEKLY;INTERVAL=2;BYDAY=MO,WE;WKST=SU', { type: 1, dayOfWeek: 10, interval: 2, firstDayOfWeek: 0 }],
    ['FREQ=WEEKLY;BYDAY=TU,TH;WKST=MO;UNTIL=20261231T090000Z', { type: 1, dayOfWeek: 20, firstDayOfWeek: 1, until: new Date('2026-12-31T09:00:00Z') }],
    ['FREQ=MONTHLY;BYMONTHDAY=10', { type: 2, dayOfMonth: 10 }],
    ['FREQ=MONTHLY;INTERVAL=2;BYMONTHDAY=15;COUNT=6', { type: 2, dayOfMonth: 15, interval: 2, occurrences: 6 }],
    ['FREQ=MONTHLY;BYDAY=2TU', { type: 3, weekOfMonth: 2, dayOfWeek: 4 }],
    ['FREQ=MONTHLY;BYDAY=-1FR', { type: 3, weekOfMonth: 5, dayOfWeek: 32 }],
    ['FREQ=MONTHLY;BYDAY=MO,TU,WE,TH,FR;BYSETPOS=-1', { type: 3, weekOfMonth: 5, dayOfWeek: 62 }],
    ['FREQ=MONTHLY;BYMONTHDAY=-1', { type: 3, weekOfMonth: 5, dayOfWeek: 127 }],
    ['FREQ=YEARLY;BYMONTH=3;BYMONTHDAY=10', { type: 5, monthOfYear: 3, dayOfMonth: 10 }],
    ['FREQ=YEARLY;BYMONTH=11;BYDAY=4TH', { type: 6, monthOfYear: 11, weekOfMonth: 4, dayOfWeek: 16 }],
    ['FREQ=YEARLY;INTERVAL=4;BYMONTH=3;BYDAY=2TU', { type: 6, monthOfYear: 3, weekOfMonth: 2, dayOfWeek: 4, interval: 4 }],
  ];

  it.each(exact)('%s <-> %j', (rrule, rec) => {
    const p = icsToEasCalendar(series(rrule));
    expect(p.item.recurrence).toEqual(rec);
    expect(p.warnings).toEqual([]);
    const ics = write({ ...HOUR_ITEM, recurrence: rec });
    expect(ruleParts(prop(ics, 'RRULE'))).toEqual(ruleParts(rrule));
    // And back: the pattern the device sent, FirstDayOfWeek included.
    expect(icsToEasCalendar(ics).item.recurrence).toEqual(rec);
  });

  it.each<[string, EasRecurrence]>([
    ['FREQ=DAILY;BYDAY=MO,TU,WE,TH,FR', { type: 1, dayOfWeek: 62 }],
    ['FREQ=WEEKLY', { type: 1, dayOfWeek: 4 }],
    ['FREQ=MONTHLY', { type: 2, dayOfMonth: 10 }],
    ['FREQ=YEARLY', { type: 5, monthOfYear: 3, dayOfMonth: 10 }],
    ['FREQ=MONTHLY;BYDAY=TU', { type: 1, dayOfWeek: 4 }],
  ])('%s reads as %j (defaults from DTSTART, equivalent patterns)', (rrule, rec) => {
    const p = icsToEasCalendar(series(rrule));
    expect(p.item.recurrence).toEqual(rec);
    expect(p.warnings).toEqual([]);
  });

  it.each<[string, Partial<EasRecurrence>]>([
    ['FREQ=HOURLY;INTERVAL=2', { type: 0 }],
    ['FREQ=MINUTELY;INTERVAL=30', { type: 0 }],
    ['FREQ=DAILY;BYHOUR=9,17', { type: 0 }],
    ['FREQ=MONTHLY;BYMONTHDAY=1,15', { type: 2, dayOfMonth: 1 }],
    ['FREQ=MONTHLY;BYDAY=1MO,-1FR', { type: 3, weekOfMonth: 1, dayOfWeek: 2 }],
    ['FREQ=MONTHLY;BYDAY=-2MO', { type: 3, weekOfMonth: 3 }],
    ['FREQ=YEARLY;BYYEARDAY=100', { type: 5 }],
    ['FREQ=YEARLY;BYMONTH=3,9;BYMONTHDAY=10', { type: 5, monthOfYear: 3 }],
    ['FREQ=DAILY;INTERVAL=2;BYDAY=MO,WE', { type: 1, dayOfWeek: 10 }],
  ])('lossy %s gives the nearest pattern %j and a warning', (rrule, rec) => {
    const p = icsToEasCalendar(series(rrule));
    expect(p.item.recurrence).toMatchObject(rec);
    expect(p.warnings).toEqual([{ event: 'caldav.rrule-lossy', detail: expect.objectContaining({ rrule: expect.stringContaining('FREQ='), lost: expect.any(Array) }) }]);
  });

  it('RDATE is lossy too, and extends lastEnd', () => {
    const p = icsToEasCalendar(series('FREQ=WEEKLY;COUNT=2', 'RDATE:20270101T090000Z'));
    expect(p.item.recurrence).toEqual({ type: 1, dayOfWeek: 4, occurrences: 2 });
    expect(p.warnings[0]).toMatchObject({ event: 'caldav.rrule-lossy', detail: { lost: ['RDATE'] } });
    expect(p.lastEnd).toEqual(new Date('2027-01-01T10:00:00Z'));
  });

  it('a lossy rule survives a Change that did not touch the pattern', () => {
    const base = series('FREQ=MONTHLY;BYMONTHDAY=1,15;BYHOUR=9', 'X-KEEP:1');
    const item = icsToEasCalendar(base).item;
    const ics = write({ ...item, subject: 'renamed' }, { base });
    expect(prop(ics, 'RRULE')).toBe('RRULE:FREQ=MONTHLY;BYMONTHDAY=1,15;BYHOUR=9');
    expect(prop(ics, 'SEQUENCE')).toBe('SEQUENCE:0');
    // A real change of pattern replaces it with the exact rule of the new one.
    const changed = write({ ...item, recurrence: { type: 2, dayOfMonth: 20 } }, { base });
    expect(prop(changed, 'RRULE')).toBe('RRULE:FREQ=MONTHLY;BYMONTHDAY=20');
    expect(prop(changed, 'SEQUENCE')).toBe('SEQUENCE:1');
  });

  it.each<[string, string[], Date | null]>([
    ['single event: its end', [], new Date('2026-03-10T10:00:00Z')],
    ['COUNT: the last occurrence', ['RRULE:FREQ=DAILY;COUNT=3'], new Date('2026-03-12T10:00:00Z')],
    ['UNTIL: the last occurrence on or before it', ['RRULE:FREQ=WEEKLY;UNTIL=20260401T000000Z'], new Date('2026-03-31T10:00:00Z')],
    ['endless', ['RRULE:FREQ=WEEKLY'], null],
    ['EXDATE of the last occurrence', ['RRULE:FREQ=DAILY;COUNT=3', 'EXDATE:20260312T090000Z'], new Date('2026-03-11T10:00:00Z')],
    ['too long to walk, COUNT: endless', ['RRULE:FREQ=DAILY;COUNT=100000'], null],
    ['too long to walk, UNTIL: bounded by UNTIL', ['RRULE:FREQ=DAILY;UNTIL=20990101T000000Z'], new Date('2099-01-01T01:00:00Z')],
  ])('lastEnd, %s', (_, extra, lastEnd) => {
    expect(icsToEasCalendar(simple(...extra)).lastEnd).toEqual(lastEnd);
  });

  it('an absent Recurrence removes RRULE, EXDATE and the overrides', () => {
    const base = cal(...vevent('DTSTART:20260310T090000Z', 'RRULE:FREQ=DAILY', 'EXDATE:20260311T090000Z'), ...vevent('RECURRENCE-ID:20260312T090000Z', 'DTSTART:20260312T100000Z'));
    const { recurrence: _r, exceptions: _x, ...single } = icsToEasCalendar(base).item;
    const ics = write(single, { base });
    expect(prop(ics, 'RRULE')).toBeUndefined();
    expect(prop(ics, 'EXDATE')).toBeUndefined();
    expect(lines(ics).filter((l) => l === 'BEGIN:VEVENT')).toHaveLength(1);
  });
});

describe('exceptions (MS-ASCAL 2.2.2.21 <-> EXDATE / RECURRENCE-ID)', () => {
  const master = vevent(
    'DTSTART;TZID=Europe/Berlin:20260310T090000', 'DTEND;TZID=Europe/Berlin:20260310T100000', 'RRULE:FREQ=WEEKLY;COUNT=10',
    'SUMMARY:Standup', 'LOCATION:Room 1', 'EXDATE;TZID=Europe/Berlin:20260317T090000',
  );
  const moved = vevent(
    'RECURRENCE-ID;TZID=Europe/Berlin:20260324T090000', 'DTSTART;TZID=Europe/Berlin:20260324T110000', 'DTEND;TZID=Europe/Berlin:20260324T120000',
    'SUMMARY:Standup', 'LOCATION:Room 1',
  );
  const renamed = vevent(
    'RECURRENCE-ID;TZID=Europe/Berlin:20260331T090000', 'DTSTART;TZID=Europe/Berlin:20260331T090000', 'DTEND;TZID=Europe/Berlin:20260331T100000',
    'SUMMARY:Retro', 'X-OVERRIDE-ONLY:yes',
  );
  const ics = cal(...master, ...moved, ...renamed);

  it('EXDATE is a deleted exception; an override carries only what differs', () => {
    expect(icsToEasCalendar(ics).item.exceptions).toEqual([
      { exceptionStartTime: new Date('2026-03-17T08:00:00Z'), deleted: true },
      { exceptionStartTime: new Date('2026-03-24T08:00:00Z'), startTime: new Date('2026-03-24T10:00:00Z'), endTime: new Date('2026-03-24T11:00:00Z') },
      // No LOCATION on the override: an empty one, or the device would show the series' room.
      { exceptionStartTime: new Date('2026-03-31T07:00:00Z'), subject: 'Retro', location: '' },
    ]);
  });

  it('an occurrence moved past the last one extends lastEnd', () => {
    const last = vevent('RECURRENCE-ID;TZID=Europe/Berlin:20260512T090000', 'DTSTART;TZID=Europe/Berlin:20260520T090000', 'DTEND;TZID=Europe/Berlin:20260520T100000');
    expect(icsToEasCalendar(cal(...master, ...last)).lastEnd).toEqual(new Date('2026-05-20T08:00:00Z'));
    expect(icsToEasCalendar(cal(...master)).lastEnd).toEqual(new Date('2026-05-12T08:00:00Z'));
  });

  it('EAS -> ICS: deleted ones become EXDATE in the master TZID, others override VEVENTs over the master', () => {
    const out = write({
      subject: 'Standup', location: 'Room 1', startTime: new Date('2026-03-10T08:00:00Z'), endTime: new Date('2026-03-10T09:00:00Z'), timeZone: BERLIN,
      recurrence: { type: 1, dayOfWeek: 4, occurrences: 10 },
      exceptions: [
        { exceptionStartTime: new Date('2026-03-17T08:00:00Z'), deleted: true },
        { exceptionStartTime: new Date('2026-04-07T07:00:00Z'), deleted: true },
        { exceptionStartTime: new Date('2026-03-24T08:00:00Z'), startTime: new Date('2026-03-24T10:00:00Z'), endTime: new Date('2026-03-24T11:00:00Z'), subject: 'Moved' },
      ],
    });
    const tzid = prop(out, 'DTSTART')!.match(/TZID=([^:;]+)/)![1];
    expect(prop(out, 'EXDATE')).toBe(`EXDATE;TZID=${tzid}:20260317T090000,20260407T090000`);
    const l = lines(out);
    const ov = l.slice(l.lastIndexOf('BEGIN:VEVENT'));
    expect(ov).toEqual(expect.arrayContaining([
      `RECURRENCE-ID;TZID=${tzid}:20260324T090000`, `DTSTART;TZID=${tzid}:20260324T110000`, `DTEND;TZID=${tzid}:20260324T120000`,
      'SUMMARY:Moved', 'LOCATION:Room 1', 'UID:new-uid',
    ]));
    expect(ov.some((x) => x.startsWith('RRULE') || x.startsWith('EXDATE'))).toBe(false);
    expect(icsToEasCalendar(out).item.exceptions).toEqual([
      { exceptionStartTime: new Date('2026-03-17T08:00:00Z'), deleted: true },
      { exceptionStartTime: new Date('2026-03-24T08:00:00Z'), startTime: new Date('2026-03-24T10:00:00Z'), endTime: new Date('2026-03-24T11:00:00Z'), subject: 'Moved' },
      { exceptionStartTime: new Date('2026-04-07T07:00:00Z'), deleted: true },
    ]);
  });

  it('regenerated overrides keep their own X- properties; absent Exceptions keep everything', () => {
    const item = icsToEasCalendar(ics).item;
    const out = write({ ...item, subject: 'Daily' }, { base: ics });
    expect(lines(out)).toContain('X-OVERRIDE-ONLY:yes');
    expect(lines(out)).toContain('SUMMARY:Retro');
    const l = lines(out);
    // The moved instance inherits the new series subject.
    const movedOv = l.slice(l.indexOf('RECURRENCE-ID;TZID=Europe/Berlin:20260324T090000') - 1);
    expect(movedOv.slice(0, movedOv.indexOf('END:VEVENT'))).toContain('SUMMARY:Daily');
    const { exceptions: _x, ...noExceptions } = item;
    const kept = write({ ...noExceptions, subject: 'Daily' }, { base: ics });
    expect(prop(kept, 'EXDATE')).toBe('EXDATE;TZID=Europe/Berlin:20260317T090000');
    expect(lines(kept).filter((x) => x === 'BEGIN:VEVENT')).toHaveLength(3);
    expect(lines(kept)).toContain('SUMMARY:Retro');
  });

  it('10,000 exceptions: completes, and only maxExceptions (default 1000) of them are sent, the latest, with one warning', () => {
    const body = ['BEGIN:VEVENT', 'UID:big', 'DTSTAMP:20260101T000000Z', 'DTSTART:20000101T090000Z', 'DTEND:20000101T100000Z', 'RRULE:FREQ=DAILY;COUNT=20001', 'SUMMARY:m'];
    const stamp = (i: number): string => new Date(Date.UTC(2000, 0, 1, 9) + i * 86_400_000).toISOString().replace(/[-:]|\.000/g, '');
    const exdates: string[] = [];
    for (let i = 1; i <= 5000; i++) exdates.push(stamp(2 * i));
    body.push(`EXDATE:${exdates.join(',')}`, 'END:VEVENT');
    for (let i = 1; i <= 5000; i++) {
      const d = stamp(2 * i - 1);
      body.push('BEGIN:VEVENT', 'UID:big', `RECURRENCE-ID:${d}`, `DTSTART:${d}`, `DTEND:${d}`, `SUMMARY:o${i}`, 'END:VEVENT');
    }
    const big = cal(...body);
    const p = icsToEasCalendar(big);
    expect(p.item.exceptions).toHaveLength(1000);
    expect(p.warnings).toEqual([{ event: 'caldav.exceptions-capped', detail: { total: 10000, kept: 1000 } }]);
    expect(p.item.exceptions!.at(-1)!.exceptionStartTime).toEqual(new Date(Date.UTC(2000, 0, 1, 9) + 10000 * 86_400_000));
    expect(icsToEasCalendar(big, { maxExceptions: 10 }).item.exceptions).toHaveLength(10);
  });
});

describe('round trips keep what EAS does not model', () => {
  const base = cal(
    'X-WR-CALNAME:Work',
    ...vevent(
      'DTSTART;TZID=Europe/Berlin;X-PARAM=keep:20260310T090000',
      'DTEND;TZID=Europe/Berlin:20260310T100000',
      'SUMMARY;LANGUAGE=de:Besprechung',
      'LOCATION:Raum 1',
      'DESCRIPTION:Agenda',
      'X-ALT-DESC;FMTTYPE=text/html:<b>Agenda</b>',
      'URL:https://example.com/m/1',
      'X-APPLE-TRAVEL-ADVISORY-BEHAVIOR;X-FOO=bar:AUTOMATIC',
      'CATEGORIES:Work',
      'ORGANIZER;CN=Me;SENT-BY="mailto:assistant@example.com":mailto:me@example.com',
      'ATTENDEE;CN=Ann;PARTSTAT=ACCEPTED;RSVP=TRUE;X-NUM-GUESTS=2:mailto:ann@example.com',
      'BEGIN:VALARM', 'ACTION:DISPLAY', 'DESCRIPTION:Reminder', 'TRIGGER:-PT15M', 'X-WR-ALARMUID:A1', 'ACKNOWLEDGED:20260101T000000Z', 'END:VALARM',
      'BEGIN:VALARM', 'ACTION:EMAIL', 'SUMMARY:s', 'DESCRIPTION:d', 'ATTENDEE:mailto:me@example.com', 'TRIGGER:-P1D', 'END:VALARM',
    ),
    'BEGIN:VTODO', 'UID:todo-1', 'DTSTAMP:20260101T000000Z', 'SUMMARY:Other component', 'END:VTODO',
  );
  const item = icsToEasCalendar(base, { userEmail: 'me@example.com' }).item;
  const change = (c: Partial<EasCalendarChange>): string => write({ ...item, ...c }, { base, userEmail: 'me@example.com' });

  it('an unchanged item changes nothing but DTSTAMP', () => {
    const out = change({});
    const strip = (s: string): string[] => lines(s).filter((l) => !l.startsWith('DTSTAMP') && !l.startsWith('SEQUENCE'));
    expect(strip(out)).toEqual(strip(base));
    expect(prop(out, 'DTSTAMP')).toBe('DTSTAMP:20260201T120000Z');
  });

  it('X- properties, unknown parameters, other components and the other alarm survive a real change', () => {
    const out = change({ subject: 'Meeting', reminder: 30, location: 'Raum 2' });
    const l = lines(out);
    for (const keep of [
      'X-WR-CALNAME:Work', 'DTSTART;TZID=Europe/Berlin;X-PARAM=keep:20260310T090000', 'URL:https://example.com/m/1',
      'X-APPLE-TRAVEL-ADVISORY-BEHAVIOR;X-FOO=bar:AUTOMATIC', 'X-WR-ALARMUID:A1', 'ACKNOWLEDGED:20260101T000000Z',
      'ACTION:EMAIL', 'TRIGGER:-P1D', 'SUMMARY:Other component',
      'ORGANIZER;CN=Me;SENT-BY="mailto:assistant@example.com":mailto:me@example.com',
      'ATTENDEE;CN=Ann;PARTSTAT=ACCEPTED;RSVP=TRUE;X-NUM-GUESTS=2:mailto:ann@example.com',
    ]) expect(l).toContain(keep);
    expect(l).toContain('TRIGGER:-PT30M');
    expect(l).not.toContain('TRIGGER:-PT15M');
    expect(prop(out, 'SUMMARY')).toBe('SUMMARY;LANGUAGE=de:Meeting');
    expect(prop(out, 'LOCATION')).toBe('LOCATION:Raum 2');
    // Times did not change: same SEQUENCE (none was stored: 0).
    expect(prop(out, 'SEQUENCE')).toBe('SEQUENCE:0');
  });

  it.each<[string, Partial<EasCalendarChange>, string, string | undefined]>([
    ['absent Body keeps DESCRIPTION', { body: undefined }, 'DESCRIPTION', 'DESCRIPTION:Agenda'],
    ['an empty Body clears it', { body: { type: 1, data: '' } }, 'DESCRIPTION', undefined],
    ['a new Body drops the stale HTML copy', { body: { type: 1, data: 'New' } }, 'X-ALT-DESC', undefined],
    ['an empty <Location/> clears LOCATION', { location: '' }, 'LOCATION', undefined],
    ['absent Location removes it', { location: undefined }, 'LOCATION', undefined],
    ['absent Subject removes it', { subject: undefined }, 'SUMMARY', undefined],
    ['absent Categories removes them', { categories: undefined }, 'CATEGORIES', undefined],
    ['absent Attendees keeps them', { attendees: undefined }, 'ATTENDEE', 'ATTENDEE;CN=Ann;PARTSTAT=ACCEPTED;RSVP=TRUE;X-NUM-GUESTS=2:mailto:ann@example.com'],
    ['empty Attendees removes them', { attendees: [] }, 'ATTENDEE', undefined],
    ['a declined Attendee keeps its other parameters', { attendees: [{ email: 'ann@example.com', name: 'Ann', status: 4, type: 1 }] }, 'ATTENDEE', 'ATTENDEE;CN=Ann;PARTSTAT=DECLINED;RSVP=TRUE;X-NUM-GUESTS=2:mailto:ann@example.com'],
    ['absent Organizer keeps it', { organizerEmail: undefined, organizerName: undefined }, 'ORGANIZER', 'ORGANIZER;CN=Me;SENT-BY="mailto:assistant@example.com":mailto:me@example.com'],
  ])('Change: %s', (_, c, name, expected) => {
    expect(prop(change(c), name)).toBe(expected);
  });

  it('absent Reminder removes the display alarm and keeps the EMAIL one', () => {
    const l = masterLines(change({ reminder: undefined }));
    expect(l).not.toContain('  TRIGGER:-PT15M');
    expect(l).toContain('  ACTION:EMAIL');
    expect(l.filter((x) => x === 'BEGIN:VALARM')).toHaveLength(1);
  });

  it('a moved start raises SEQUENCE; a blob of other rules rewrites the TZID, the same rules keep it', () => {
    const moved = change({ startTime: new Date('2026-03-10T09:00:00Z'), endTime: new Date('2026-03-10T10:00:00Z') });
    expect(prop(moved, 'SEQUENCE')).toBe('SEQUENCE:1');
    expect(prop(moved, 'DTSTART')).toBe('DTSTART;TZID=Europe/Berlin;X-PARAM=keep:20260310T100000');
    // iOS sends its own blob for the same zone (other names, same rules): nothing moves.
    const sameRules = change({ timeZone: { ...BERLIN, standardName: 'W. Europe Standard Time', daylightName: 'W. Europe Daylight Time' } });
    expect(prop(sameRules, 'DTSTART')).toBe('DTSTART;TZID=Europe/Berlin;X-PARAM=keep:20260310T090000');
    expect(prop(sameRules, 'SEQUENCE')).toBe('SEQUENCE:0');
    const ny = change({ timeZone: NEW_YORK });
    expect(prop(ny, 'DTSTART')).toBe('DTSTART;TZID=America/New_York;X-PARAM=keep:20260310T040000');
    expect(prop(ny, 'SEQUENCE')).toBe('SEQUENCE:0');
  });

  it('a base that does not parse is Invalid', () => {
    expectInvalid(() => write(item, { base: 'BEGIN:VCALENDAR\r\nBEGIN:VEVENT\r\n' }));
    expectInvalid(() => write(item, { base: cal('BEGIN:VTODO', 'UID:t', 'END:VTODO') }));
  });
});

describe('hostile and large strings', () => {
  it('CR, LF and control characters in Subject and Location never start a new content line', () => {
    const out = write({ ...HOUR_ITEM, subject: 'a\r\nX-INJECTED:1\rBEGIN:VALARM\u0007', location: 'x\nEND:VEVENT', organizerEmail: 'o@example.com', organizerName: 'Evil"\r\nX-CN:1' });
    const l = lines(out);
    expect(l.some((x) => /^(X-INJECTED|X-CN|BEGIN:VALARM)/.test(x))).toBe(false);
    expect(l.filter((x) => x === 'END:VEVENT')).toHaveLength(1);
    expect(out).not.toMatch(/\r(?!\n)|(?<!\r)\n/);
    const back = icsToEasCalendar(out).item;
    expect(back.subject).toBe('a\nX-INJECTED:1\nBEGIN:VALARM');
    expect(back.location).toBe('x\nEND:VEVENT');
    expect(back.organizerName).toBe("Evil' X-CN:1");
  });

  it('a 100,000-character Subject with astral characters is folded within 75 octets and reads back whole', () => {
    const subject = 'Ünïcødé 😀 '.repeat(10_000);
    const out = write({ ...HOUR_ITEM, subject });
    for (const l of out.split('\r\n')) expect(Buffer.byteLength(l, 'utf8')).toBeLessThanOrEqual(75);
    expect(icsToEasCalendar(out).item.subject).toBe(subject);
  });
});

describe('malformed iCalendar is BackendError Invalid', () => {
  it.each([
    ['not iCalendar', 'garbage'],
    ['empty', ''],
    ['unterminated', 'BEGIN:VCALENDAR\r\nVERSION:2.0\r\n'],
    ['no VEVENT', cal('BEGIN:VTODO', 'UID:t', 'END:VTODO')],
    ['a VCARD', 'BEGIN:VCARD\r\nVERSION:4.0\r\nFN:x\r\nEND:VCARD\r\n'],
    ['VEVENT without DTSTART', cal('BEGIN:VEVENT', 'UID:x', 'END:VEVENT')],
    ['VEVENT without UID', cal('BEGIN:VEVENT', 'DTSTART:20260310T090000Z', 'END:VEVENT')],
    ['unreadable DTSTART', cal('BEGIN:VEVENT', 'UID:x', 'DTSTART:notadate', 'END:VEVENT')],
  ])('%s', (_, ics) => {
    expectInvalid(() => icsToEasCalendar(ics));
  });
});
