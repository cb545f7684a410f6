/**
 * iTIP on iCalendar text (backends/caldav/itip.ts), RFC 5546: the
 * attendee's REPLY (3.2.3) and COUNTER (3.2.7), the organizer's REQUEST
 * (3.2.2) and CANCEL (3.2.5). Every result is parsed back with ical.js and
 * read field by field.
 */
import ICAL from 'ical.js';
import { describe, expect, it } from 'vitest';
import { icsToEasCalendar } from '../../backends/caldav/event.ts';
import { attendeeReply, organizerMessage } from '../../backends/caldav/itip.ts';
import { isBackendError } from '../../backends/errors.ts';

type Comp = InstanceType<typeof ICAL.Component>;

const NOW = new Date('2026-02-01T12:00:00Z');
const ME = 'alice@example.test';

function cal(...body: string[]): string {
  return ['BEGIN:VCALENDAR', 'VERSION:2.0', 'PRODID:-//test//EN', ...body, 'END:VCALENDAR', ''].join('\r\n');
}

const BERLIN_VTIMEZONE = [
  'BEGIN:VTIMEZONE', 'TZID:W. Europe Standard Time',
  'BEGIN:STANDARD', 'DTSTART:16010101T030000', 'TZOFFSETFROM:+0200', 'TZOFFSETTO:+0100', 'RRULE:FREQ=YEARLY;INTERVAL=1;BYDAY=-1SU;BYMONTH=10', 'END:STANDARD',
  'BEGIN:DAYLIGHT', 'DTSTART:16010101T020000', 'TZOFFSETFROM:+0100', 'TZOFFSETTO:+0200', 'RRULE:FREQ=YEARLY;INTERVAL=1;BYDAY=-1SU;BYMONTH=3', 'END:DAYLIGHT',
  'END:VTIMEZONE',
];
const TZ = 'W. Europe Standard Time';

/** A mail invitation: METHOD:REQUEST, a zoned weekly series on Tuesdays 09:00 Berlin, with an alarm. */
function invitation(...extra: string[]): string {
  return cal(
    'METHOD:REQUEST',
    ...BERLIN_VTIMEZONE,
    'BEGIN:VEVENT',
    'UID:mtg-1@example.test',
    'DTSTAMP:20260101T000000Z',
    'SEQUENCE:2',
    `DTSTART;TZID=${TZ}:20260310T090000`,
    `DTEND;TZID=${TZ}:20260310T100000`,
    'SUMMARY:Quarterly planning',
    'LOCATION:Room 1',
    'ORGANIZER;CN=Maria Schmidt:mailto:maria@example.test',
    'ATTENDEE;CN=Alice;PARTSTAT=NEEDS-ACTION;RSVP=TRUE;ROLE=REQ-PARTICIPANT:MAILTO:Alice@Example.TEST',
    'ATTENDEE;CN=John;PARTSTAT=ACCEPTED:mailto:john@example.test',
    ...extra,
    'BEGIN:VALARM', 'ACTION:DISPLAY', 'DESCRIPTION:Reminder', 'TRIGGER:-PT15M', 'END:VALARM',
    'END:VEVENT',
  );
}

const parse = (ics: string): Comp => new ICAL.Component(ICAL.parse(ics));
const events = (c: Comp): Comp[] => c.getAllSubcomponents('vevent');
const masterOf = (c: Comp): Comp => events(c).find((e) => !e.hasProperty('recurrence-id'))!;
const overrides = (c: Comp): Comp[] => events(c).filter((e) => e.hasProperty('recurrence-id'));
const addr = (p: InstanceType<typeof ICAL.Property>): string => String(p.getFirstValue()).replace(/^mailto:/i, '').toLowerCase();
const attendee = (ev: Comp, email: string) => ev.getAllProperties('attendee').find((p) => addr(p) === email.toLowerCase());
/** A time property as written: its TZID and its value text. */
const written = (ev: Comp, name: string): [string | undefined, string] => {
  const p = ev.getFirstProperty(name)!;
  return [p.getParameter('tzid') as string | undefined, String(p.getFirstValue())];
};

function expectInvalid(f: () => unknown): void {
  try {
    f();
  } catch (e) {
    expect(isBackendError(e, 'Invalid')).toBe(true);
    return;
  }
  throw new Error('expected BackendError Invalid');
}

describe('attendeeReply: the stored copy', () => {
  it('drops METHOD and sets the attendee PARTSTAT, matching mailto: case-insensitively, without RSVP', () => {
    const r = attendeeReply(invitation(), { attendeeEmail: ME, partstat: 'ACCEPTED', now: NOW });
    expect(r.calendarIcs).not.toMatch(/^METHOD:/m);
    const c = parse(r.calendarIcs);
    expect(c.getFirstPropertyValue('method')).toBeNull();
    const ev = masterOf(c);
    expect(ev.getAllProperties('attendee')).toHaveLength(2);
    const me = attendee(ev, ME)!;
    expect(me.getParameter('partstat')).toBe('ACCEPTED');
    expect(me.getParameter('rsvp')).toBeUndefined();
    // Everything else of the property survives.
    expect(me.getParameter('cn')).toBe('Alice');
    expect(me.getParameter('role')).toBe('REQ-PARTICIPANT');
    expect(attendee(ev, 'john@example.test')!.getParameter('partstat')).toBe('ACCEPTED');
    // The user's own alarm stays in the stored copy.
    expect(ev.getAllSubcomponents('valarm')).toHaveLength(1);
    expect(r.uid).toBe('mtg-1@example.test');
    expect(r.summary).toBe('Quarterly planning');
    expect(r.organizer).toEqual({ email: 'maria@example.test', name: 'Maria Schmidt' });
  });

  it('reads back through the EAS mapping with the user response set', () => {
    const r = attendeeReply(invitation(), { attendeeEmail: ME, partstat: 'TENTATIVE', now: NOW });
    const item = icsToEasCalendar(r.calendarIcs, { userEmail: ME }).item;
    expect(item.responseType).toBe(2);
    expect(item.meetingStatus).toBe(3);
  });

  it('adds the attendee when the invitation did not list the user (a list address was invited)', () => {
    const r = attendeeReply(invitation(), { attendeeEmail: 'bob@example.test', partstat: 'DECLINED', now: NOW });
    const ev = masterOf(parse(r.calendarIcs));
    expect(ev.getAllProperties('attendee')).toHaveLength(3);
    expect(attendee(ev, 'bob@example.test')!.getParameter('partstat')).toBe('DECLINED');
    expect(attendee(ev, ME)!.getParameter('partstat')).toBe('NEEDS-ACTION');
  });

  it('answering one instance adds a RECURRENCE-ID override in the series zone and leaves the master alone', () => {
    const instance = new Date('2026-03-17T08:00:00Z'); // Tuesday 09:00 Berlin (CET)
    const r = attendeeReply(invitation('RRULE:FREQ=WEEKLY;COUNT=10'), { attendeeEmail: ME, partstat: 'DECLINED', instanceStart: instance, now: NOW });
    const c = parse(r.calendarIcs);
    expect(attendee(masterOf(c), ME)!.getParameter('partstat')).toBe('NEEDS-ACTION');
    const [ov] = overrides(c);
    expect(overrides(c)).toHaveLength(1);
    expect(written(ov!, 'recurrence-id')).toEqual([TZ, '2026-03-17T09:00:00']);
    expect(written(ov!, 'dtstart')).toEqual([TZ, '2026-03-17T09:00:00']);
    expect(written(ov!, 'dtend')).toEqual([TZ, '2026-03-17T10:00:00']);
    expect(ov!.hasProperty('rrule')).toBe(false);
    expect(attendee(ov!, ME)!.getParameter('partstat')).toBe('DECLINED');
    // The EAS view: one exception at that instant, declined.
    const item = icsToEasCalendar(r.calendarIcs, { userEmail: ME }).item;
    expect(item.exceptions).toHaveLength(1);
    expect(item.exceptions![0]!.exceptionStartTime.toISOString()).toBe(instance.toISOString());
    expect(item.exceptions![0]!.responseType).toBe(4);
  });

  it('answering an instance that already has an override patches that override', () => {
    const ics = invitation('RRULE:FREQ=WEEKLY;COUNT=10').replace(
      'END:VCALENDAR',
      [
        'BEGIN:VEVENT', 'UID:mtg-1@example.test', 'DTSTAMP:20260101T000000Z', 'SEQUENCE:2',
        `RECURRENCE-ID;TZID=${TZ}:20260324T090000`, `DTSTART;TZID=${TZ}:20260324T110000`, `DTEND;TZID=${TZ}:20260324T120000`,
        'SUMMARY:Quarterly planning (moved)', 'ORGANIZER:mailto:maria@example.test', `ATTENDEE;PARTSTAT=NEEDS-ACTION:mailto:${ME}`,
        'END:VEVENT', 'END:VCALENDAR',
      ].join('\r\n'),
    );
    const r = attendeeReply(ics, { attendeeEmail: ME, partstat: 'ACCEPTED', instanceStart: new Date('2026-03-24T08:00:00Z'), now: NOW });
    const c = parse(r.calendarIcs);
    expect(overrides(c)).toHaveLength(1);
    expect(attendee(overrides(c)[0]!, ME)!.getParameter('partstat')).toBe('ACCEPTED');
    expect(attendee(masterOf(c), ME)!.getParameter('partstat')).toBe('NEEDS-ACTION');
    expect(r.summary).toBe('Quarterly planning (moved)');
    // The reply names the instance and gives its moved times.
    const ev = events(parse(r.replyIcs))[0]!;
    expect(written(ev, 'recurrence-id')).toEqual([TZ, '2026-03-24T09:00:00']);
    expect(written(ev, 'dtstart')).toEqual([TZ, '2026-03-24T11:00:00']);
  });

  it('an all-day series instance is named by its DATE, from an instant near local midnight', () => {
    const ics = cal(
      'BEGIN:VEVENT', 'UID:day-1', 'DTSTAMP:20260101T000000Z', 'DTSTART;VALUE=DATE:20260302', 'DTEND;VALUE=DATE:20260303',
      'RRULE:FREQ=DAILY;COUNT=5', 'SUMMARY:Offsite', 'ORGANIZER:mailto:maria@example.test', `ATTENDEE:mailto:${ME}`, 'END:VEVENT',
    );
    // A device in UTC+1 sends the local midnight of March 4th.
    const r = attendeeReply(ics, { attendeeEmail: ME, partstat: 'ACCEPTED', instanceStart: new Date('2026-03-03T23:00:00Z'), now: NOW });
    const ov = overrides(parse(r.calendarIcs))[0]!;
    expect(ov.getFirstPropertyValue('recurrence-id')?.toString()).toBe('2026-03-04');
    expect(ov.getFirstPropertyValue('dtend')?.toString()).toBe('2026-03-05');
    expect(String(events(parse(r.replyIcs))[0]!.getFirstPropertyValue('recurrence-id'))).toBe('2026-03-04');
  });

  it('an instance of a non-recurring event answers the event itself', () => {
    const r = attendeeReply(invitation(), { attendeeEmail: ME, partstat: 'ACCEPTED', instanceStart: new Date('2026-03-10T08:00:00Z'), now: NOW });
    const c = parse(r.calendarIcs);
    expect(events(c)).toHaveLength(1);
    expect(attendee(masterOf(c), ME)!.getParameter('partstat')).toBe('ACCEPTED');
    expect(events(parse(r.replyIcs))[0]!.hasProperty('recurrence-id')).toBe(false);
  });
});

describe('attendeeReply: the REPLY (RFC 5546 3.2.3)', () => {
  it('carries UID, DTSTAMP, SEQUENCE, times, ORGANIZER and only the replying ATTENDEE', () => {
    const r = attendeeReply(invitation(), { attendeeEmail: ME, partstat: 'ACCEPTED', comment: 'See you there', now: NOW });
    const c = parse(r.replyIcs);
    expect(c.getFirstPropertyValue('method')).toBe('REPLY');
    expect(events(c)).toHaveLength(1);
    const ev = events(c)[0]!;
    expect(ev.getFirstPropertyValue('uid')).toBe('mtg-1@example.test');
    expect(ev.getFirstPropertyValue('dtstamp')?.toString()).toBe('2026-02-01T12:00:00Z');
    expect(ev.getFirstPropertyValue('sequence')).toBe(2);
    expect(written(ev, 'dtstart')).toEqual([TZ, '2026-03-10T09:00:00']);
    expect(written(ev, 'dtend')).toEqual([TZ, '2026-03-10T10:00:00']);
    expect(addr(ev.getFirstProperty('organizer')!)).toBe('maria@example.test');
    const atts = ev.getAllProperties('attendee');
    expect(atts).toHaveLength(1);
    expect(addr(atts[0]!)).toBe(ME);
    expect(atts[0]!.getParameter('partstat')).toBe('ACCEPTED');
    expect(ev.getFirstPropertyValue('comment')).toBe('See you there');
    expect(ev.getAllSubcomponents('valarm')).toHaveLength(0);
    expect(ev.hasProperty('rrule')).toBe(false);
    // The zone the times use travels with them.
    const tzs = c.getAllSubcomponents('vtimezone');
    expect(tzs.map((t) => t.getFirstPropertyValue('tzid'))).toEqual([TZ]);
  });

  it('writes a VTIMEZONE for an IANA TZID the source did not define', () => {
    const ics = cal(
      'BEGIN:VEVENT', 'UID:ny-1', 'DTSTAMP:20260101T000000Z', 'DTSTART;TZID=America/New_York:20260710T090000', 'DTEND;TZID=America/New_York:20260710T093000',
      'ORGANIZER:mailto:maria@example.test', `ATTENDEE:mailto:${ME}`, 'END:VEVENT',
    );
    const r = attendeeReply(ics, { attendeeEmail: ME, partstat: 'ACCEPTED', now: NOW });
    const c = parse(r.replyIcs);
    expect(c.getAllSubcomponents('vtimezone').map((t) => t.getFirstPropertyValue('tzid'))).toEqual(['America/New_York']);
    // Read with that VTIMEZONE, the start is 13:00Z (EDT).
    expect(icsToEasCalendar(r.replyIcs).item.startTime?.toISOString()).toBe('2026-07-10T13:00:00.000Z');
  });

  it('UTC times need no VTIMEZONE; an event without SEQUENCE or ORGANIZER gives neither', () => {
    const ics = cal('BEGIN:VEVENT', 'UID:u-1', 'DTSTAMP:20260101T000000Z', 'DTSTART:20260310T090000Z', 'DURATION:PT45M', 'SUMMARY:Call', 'END:VEVENT');
    const r = attendeeReply(ics, { attendeeEmail: ME, partstat: 'TENTATIVE', now: NOW });
    expect(r.organizer).toBeUndefined();
    const c = parse(r.replyIcs);
    expect(c.getAllSubcomponents('vtimezone')).toHaveLength(0);
    const ev = events(c)[0]!;
    expect(ev.hasProperty('sequence')).toBe(false);
    expect(ev.hasProperty('organizer')).toBe(false);
    expect(ev.getFirstPropertyValue('duration')?.toString()).toBe('PT45M');
    expect(attendee(ev, ME)!.getParameter('partstat')).toBe('TENTATIVE');
  });

  it('hostile attendee address and comment cannot add properties', () => {
    const r = attendeeReply(invitation(), {
      attendeeEmail: 'bob@example.test\r\nATTENDEE:mailto:evil@example.test',
      partstat: 'ACCEPTED',
      comment: 'line one\r\nATTENDEE:mailto:evil2@example.test\rX',
      now: NOW,
    });
    const ev = events(parse(r.replyIcs))[0]!;
    expect(ev.getAllProperties('attendee')).toHaveLength(1);
    expect(r.replyIcs).not.toMatch(/^ATTENDEE:mailto:evil/m);
    expect(ev.getFirstPropertyValue('comment')).toBe('line one\nATTENDEE:mailto:evil2@example.test\nX');
    expect(masterOf(parse(r.calendarIcs)).getAllProperties('attendee')).toHaveLength(3);
  });
});

describe('attendeeReply: a counter-proposal (RFC 5546 3.2.7, MS-OXCICAL X-MS-OLK-ORIGINALSTART)', () => {
  it('is a COUNTER with the proposed times in the event zone and the current ones as X-MS-OLK-ORIGINAL*', () => {
    const r = attendeeReply(invitation(), {
      attendeeEmail: ME,
      partstat: 'TENTATIVE',
      proposedStart: new Date('2026-03-10T13:00:00Z'),
      proposedEnd: new Date('2026-03-10T14:30:00Z'),
      now: NOW,
    });
    const c = parse(r.replyIcs);
    expect(c.getFirstPropertyValue('method')).toBe('COUNTER');
    const ev = events(c)[0]!;
    expect(written(ev, 'dtstart')).toEqual([TZ, '2026-03-10T14:00:00']);
    expect(written(ev, 'dtend')).toEqual([TZ, '2026-03-10T15:30:00']);
    expect(written(ev, 'x-ms-olk-originalstart')).toEqual([TZ, '2026-03-10T09:00:00']);
    expect(written(ev, 'x-ms-olk-originalend')).toEqual([TZ, '2026-03-10T10:00:00']);
    expect(attendee(ev, ME)!.getParameter('partstat')).toBe('TENTATIVE');
    expect(ev.getFirstPropertyValue('location')).toBe('Room 1');
    // The attendee's own copy keeps the organizer's times.
    expect(written(masterOf(parse(r.calendarIcs)), 'dtstart')).toEqual([TZ, '2026-03-10T09:00:00']);
  });

  it('a proposed start alone keeps the meeting length', () => {
    const r = attendeeReply(invitation(), { attendeeEmail: ME, partstat: 'ACCEPTED', proposedStart: new Date('2026-03-11T08:00:00Z'), now: NOW });
    const ev = events(parse(r.replyIcs))[0]!;
    expect(written(ev, 'dtstart')).toEqual([TZ, '2026-03-11T09:00:00']);
    expect(written(ev, 'dtend')).toEqual([TZ, '2026-03-11T10:00:00']);
  });
});

describe('attendeeReply: unusable input', () => {
  it('no VEVENT, no UID or no VCALENDAR is BackendError Invalid', () => {
    expectInvalid(() => attendeeReply(cal('BEGIN:VTODO', 'UID:t', 'END:VTODO'), { attendeeEmail: ME, partstat: 'ACCEPTED' }));
    expectInvalid(() => attendeeReply(cal('BEGIN:VEVENT', 'DTSTART:20260310T090000Z', 'END:VEVENT'), { attendeeEmail: ME, partstat: 'ACCEPTED' }));
    expectInvalid(() => attendeeReply('not a calendar', { attendeeEmail: ME, partstat: 'ACCEPTED' }));
  });
});

describe('organizerMessage', () => {
  /** The phone's own meeting: no ORGANIZER yet, an alarm, an override, a repeated attendee. */
  const own = cal(
    ...BERLIN_VTIMEZONE,
    'BEGIN:VEVENT', 'UID:own-1', 'DTSTAMP:20260101T000000Z', 'SEQUENCE:1',
    `DTSTART;TZID=${TZ}:20260310T090000`, `DTEND;TZID=${TZ}:20260310T100000`, 'RRULE:FREQ=WEEKLY;COUNT=4', 'SUMMARY:Kick-off',
    'ATTENDEE;CN=Guest;PARTSTAT=NEEDS-ACTION:mailto:Guest@Example.test',
    'ATTENDEE;PARTSTAT=ACCEPTED;RSVP=FALSE:mailto:john@example.test',
    'BEGIN:VALARM', 'ACTION:DISPLAY', 'DESCRIPTION:Reminder', 'TRIGGER:-PT10M', 'END:VALARM',
    'END:VEVENT',
    'BEGIN:VEVENT', 'UID:own-1', 'DTSTAMP:20260101T000000Z', 'SEQUENCE:1',
    `RECURRENCE-ID;TZID=${TZ}:20260317T090000`, `DTSTART;TZID=${TZ}:20260317T100000`, `DTEND;TZID=${TZ}:20260317T110000`, 'SUMMARY:Kick-off',
    'ATTENDEE:mailto:guest@example.test', 'ATTENDEE:mailto:extra@example.test',
    'BEGIN:VALARM', 'ACTION:AUDIO', 'TRIGGER:-PT5M', 'END:VALARM',
    'END:VEVENT',
    'BEGIN:VTODO', 'UID:stray', 'END:VTODO',
  );

  it('REQUEST: METHOD, VTIMEZONE, no VALARM, ORGANIZER added, DTSTAMP now, RSVP asked, SEQUENCE kept', () => {
    const m = organizerMessage(own, 'REQUEST', { now: NOW, organizerEmail: ME });
    const c = parse(m.ics);
    expect(c.getFirstPropertyValue('method')).toBe('REQUEST');
    expect(c.getAllSubcomponents('vtimezone').map((t) => t.getFirstPropertyValue('tzid'))).toEqual([TZ]);
    expect(c.getAllSubcomponents('vtodo')).toHaveLength(0);
    expect(events(c)).toHaveLength(2);
    for (const ev of events(c)) {
      expect(ev.getAllSubcomponents('valarm')).toHaveLength(0);
      expect(addr(ev.getFirstProperty('organizer')!)).toBe(ME);
      expect(ev.getFirstPropertyValue('dtstamp')?.toString()).toBe('2026-02-01T12:00:00Z');
      expect(ev.getFirstPropertyValue('sequence')).toBe(1);
      expect(ev.hasProperty('status')).toBe(false);
    }
    const master = masterOf(c);
    expect(attendee(master, 'guest@example.test')!.getParameter('rsvp')).toBe('TRUE');
    // An explicit RSVP=FALSE is the organizer's choice and stays.
    expect(attendee(master, 'john@example.test')!.getParameter('rsvp')).toBe('FALSE');
    expect(m.attendees).toEqual(['Guest@Example.test', 'john@example.test', 'extra@example.test']);
    expect(m.organizer).toEqual({ email: ME });
    expect(m.summary).toBe('Kick-off');
    expect(m.uid).toBe('own-1');
    expect(m.start?.toISOString()).toBe('2026-03-10T08:00:00.000Z');
    // The message reads back as the same meeting.
    const item = icsToEasCalendar(m.ics, { userEmail: ME }).item;
    expect(item.meetingStatus).toBe(1);
    expect(item.exceptions).toHaveLength(1);
  });

  it('CANCEL: STATUS:CANCELLED and SEQUENCE raised in every VEVENT', () => {
    const m = organizerMessage(own, 'CANCEL', { now: NOW, organizerEmail: ME });
    const c = parse(m.ics);
    expect(c.getFirstPropertyValue('method')).toBe('CANCEL');
    for (const ev of events(c)) {
      expect(ev.getFirstPropertyValue('status')).toBe('CANCELLED');
      expect(ev.getFirstPropertyValue('sequence')).toBe(2);
      expect(ev.getAllSubcomponents('valarm')).toHaveLength(0);
    }
    expect(icsToEasCalendar(m.ics, { userEmail: ME }).item.meetingStatus).toBe(5);
    // No RSVP asked for a cancellation.
    expect(attendee(masterOf(c), 'guest@example.test')!.getParameter('rsvp')).toBeUndefined();
  });

  it('keeps an existing ORGANIZER and works without organizerEmail', () => {
    const ics = cal('BEGIN:VEVENT', 'UID:x', 'DTSTAMP:20260101T000000Z', 'DTSTART:20260310T090000Z', 'ORGANIZER;CN=Boss:mailto:boss@example.test', 'ATTENDEE:mailto:a@example.test', 'END:VEVENT');
    const m = organizerMessage(ics, 'CANCEL', { now: NOW, organizerEmail: ME });
    expect(m.organizer).toEqual({ email: 'boss@example.test', name: 'Boss' });
    const ev = events(parse(m.ics))[0]!;
    expect(ev.getAllProperties('organizer')).toHaveLength(1);
    expect(ev.getFirstPropertyValue('sequence')).toBe(1);
    const bare = organizerMessage(cal('BEGIN:VEVENT', 'UID:y', 'DTSTAMP:20260101T000000Z', 'DTSTART:20260310T090000Z', 'ATTENDEE:mailto:a@example.test', 'END:VEVENT'), 'REQUEST');
    expect(bare.organizer).toBeUndefined();
    expect(events(parse(bare.ics))[0]!.hasProperty('organizer')).toBe(false);
  });

  it('a hostile organizerEmail cannot add properties', () => {
    const ics = cal('BEGIN:VEVENT', 'UID:z', 'DTSTAMP:20260101T000000Z', 'DTSTART:20260310T090000Z', 'ATTENDEE:mailto:a@example.test', 'END:VEVENT');
    const m = organizerMessage(ics, 'REQUEST', { now: NOW, organizerEmail: 'me@example.test\r\nATTENDEE:mailto:evil@example.test' });
    expect(events(parse(m.ics))[0]!.getAllProperties('attendee')).toHaveLength(1);
    expect(m.attendees).toEqual(['a@example.test']);
  });

  it('no VEVENT or no UID is BackendError Invalid', () => {
    expectInvalid(() => organizerMessage(cal('BEGIN:VTODO', 'UID:t', 'END:VTODO'), 'REQUEST'));
    expectInvalid(() => organizerMessage(cal('BEGIN:VEVENT', 'DTSTART:20260310T090000Z', 'END:VEVENT'), 'CANCEL'));
  });
});
