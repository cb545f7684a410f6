import { describe, expect, it } from 'vitest';
import { meetingRequestFromIcs } from '../../src/sync/meeting.ts';
import { globalObjIdFromUid, meetingRequestToElement } from '../../protocol/types/meeting-request.ts';
import { childText } from '../../protocol/wbxml/tree.ts';

const ics = (...lines: string[]): string => ['BEGIN:VCALENDAR', 'VERSION:2.0', 'PRODID:-//test//EN', ...lines, 'END:VCALENDAR', ''].join('\r\n');
const event = (method: string, ...lines: string[]): string => ics(`METHOD:${method}`, 'BEGIN:VEVENT', 'UID:evt-1@example.test', 'DTSTAMP:20261120T100000Z', ...lines, 'END:VEVENT');

describe('MeetingRequest from iCalendar (MS-ASEMAIL 2.2.2.48)', () => {
  it('reads UTC times, location, organizer with CN, UID, reminder and the first-invitation type', () => {
    const r = meetingRequestFromIcs(
      event('REQUEST', 'DTSTART:20261201T090000Z', 'DTEND:20261201T100000Z', 'LOCATION:Room 4\\, first floor', 'ORGANIZER;CN="Schmidt, Maria":mailto:maria@example.test', 'ATTENDEE;RSVP=TRUE:mailto:bob@example.test', 'SEQUENCE:0', 'BEGIN:VALARM', 'ACTION:DISPLAY', 'TRIGGER:-PT15M', 'END:VALARM'),
    )!;
    expect(r.method).toBe('REQUEST');
    const m = r.meeting;
    expect(m.startTime.toISOString()).toBe('2026-12-01T09:00:00.000Z');
    expect(m.endTime.toISOString()).toBe('2026-12-01T10:00:00.000Z');
    expect(m.dtStamp?.toISOString()).toBe('2026-11-20T10:00:00.000Z');
    expect(m.location).toBe('Room 4, first floor');
    expect(m.organizer).toBe('"Schmidt, Maria" <maria@example.test>');
    expect(m.uid).toBe('evt-1@example.test');
    expect(m.reminder).toBe(900);
    expect(m.responseRequested).toBe(true);
    expect(m.meetingMessageType).toBe(1);
    expect(m.busyStatus).toBe(2);
    expect(m.allDayEvent).toBe(false);
    expect(m.timeZone?.bias).toBe(0);
  });

  it('converts TZID times by the IANA zone and gives its TimeZone rules', () => {
    const m = meetingRequestFromIcs(event('REQUEST', 'DTSTART;TZID=Europe/Berlin:20260701T100000', 'DTEND;TZID=Europe/Berlin:20260701T113000', 'SEQUENCE:3'))!.meeting;
    expect(m.startTime.toISOString()).toBe('2026-07-01T08:00:00.000Z');
    expect(m.endTime.toISOString()).toBe('2026-07-01T09:30:00.000Z');
    expect(m.timeZone?.bias).toBe(-60);
    expect(m.timeZone?.daylightBias).toBe(-60);
    expect(m.meetingMessageType).toBe(2);
  });

  it('uses an embedded VTIMEZONE for zone names that are not IANA (Outlook)', () => {
    const m = meetingRequestFromIcs(
      ics(
        'METHOD:REQUEST',
        'BEGIN:VTIMEZONE', 'TZID:W. Europe Standard Time',
        'BEGIN:STANDARD', 'DTSTART:16010101T030000', 'TZOFFSETFROM:+0200', 'TZOFFSETTO:+0100', 'RRULE:FREQ=YEARLY;BYDAY=-1SU;BYMONTH=10', 'END:STANDARD',
        'BEGIN:DAYLIGHT', 'DTSTART:16010101T020000', 'TZOFFSETFROM:+0100', 'TZOFFSETTO:+0200', 'RRULE:FREQ=YEARLY;BYDAY=-1SU;BYMONTH=3', 'END:DAYLIGHT',
        'END:VTIMEZONE',
        'BEGIN:VEVENT', 'UID:o', 'DTSTART;TZID=W. Europe Standard Time:20260115T100000', 'DTEND;TZID=W. Europe Standard Time:20260115T110000', 'END:VEVENT',
      ),
    )!.meeting;
    expect(m.startTime.toISOString()).toBe('2026-01-15T09:00:00.000Z');
    // The yearly rules become the Windows blob: last Sunday of October 03:00, of March 02:00, one hour of DST.
    expect(m.timeZone).toMatchObject({
      bias: -60,
      standardName: 'W. Europe Standard Time',
      standardDate: { month: 10, dayOfWeek: 0, day: 5, hour: 3, minute: 0 },
      daylightDate: { month: 3, dayOfWeek: 0, day: 5, hour: 2, minute: 0 },
      daylightBias: -60,
    });
  });

  it('gives a fixed offset for a VTIMEZONE without daylight saving', () => {
    const m = meetingRequestFromIcs(
      ics(
        'METHOD:REQUEST',
        'BEGIN:VTIMEZONE', 'TZID:India Standard Time', 'BEGIN:STANDARD', 'DTSTART:16010101T000000', 'TZOFFSETFROM:+0530', 'TZOFFSETTO:+0530', 'END:STANDARD', 'END:VTIMEZONE',
        'BEGIN:VEVENT', 'UID:i', 'DTSTART;TZID=India Standard Time:20260115T100000', 'DTEND;TZID=India Standard Time:20260115T110000', 'END:VEVENT',
      ),
    )!.meeting;
    expect(m.startTime.toISOString()).toBe('2026-01-15T04:30:00.000Z');
    expect(m.timeZone).toMatchObject({ bias: -330, daylightBias: 0, standardDate: { month: 0 } });
  });

  it('marks DATE starts as all-day and ends them a day later without DTEND', () => {
    const m = meetingRequestFromIcs(event('REQUEST', 'DTSTART;VALUE=DATE:20261224', 'TRANSP:TRANSPARENT'))!.meeting;
    expect(m.allDayEvent).toBe(true);
    expect(m.startTime.toISOString()).toBe('2026-12-24T00:00:00.000Z');
    expect(m.endTime.toISOString()).toBe('2026-12-25T00:00:00.000Z');
    expect(m.busyStatus).toBe(0);
  });

  it('maps RRULE weekly, monthly-nth and yearly patterns to Recurrences', () => {
    const weekly = meetingRequestFromIcs(event('REQUEST', 'DTSTART:20261202T090000Z', 'DURATION:PT30M', 'RRULE:FREQ=WEEKLY;INTERVAL=2;BYDAY=MO,WE;COUNT=10'))!.meeting;
    expect(weekly.instanceType).toBe(1);
    expect(weekly.endTime.toISOString()).toBe('2026-12-02T09:30:00.000Z');
    expect(weekly.recurrence).toEqual({ type: 1, dayOfWeek: 2 | 8, interval: 2, occurrences: 10 });
    const lastFriday = meetingRequestFromIcs(event('REQUEST', 'DTSTART:20261127T090000Z', 'RRULE:FREQ=MONTHLY;BYDAY=-1FR;UNTIL=20270601T000000Z'))!.meeting;
    expect(lastFriday.recurrence).toEqual({ type: 3, weekOfMonth: 5, dayOfWeek: 32, until: new Date('2027-06-01T00:00:00Z') });
    const yearly = meetingRequestFromIcs(event('REQUEST', 'DTSTART:20260314T090000Z', 'RRULE:FREQ=YEARLY'))!.meeting;
    expect(yearly.recurrence).toEqual({ type: 5, dayOfMonth: 14, monthOfYear: 3 });
    expect(meetingRequestFromIcs(event('REQUEST', 'DTSTART:20260314T090000Z', 'RRULE:FREQ=HOURLY'))!.meeting.recurrence).toBeUndefined();
  });

  it('reads a cancellation as free, and an instance update as an exception with its RecurrenceId', () => {
    const m = meetingRequestFromIcs(event('CANCEL', 'DTSTART:20261202T090000Z', 'DTEND:20261202T093000Z', 'RECURRENCE-ID:20261202T090000Z', 'STATUS:CANCELLED'))!;
    expect(m.method).toBe('CANCEL');
    expect(m.meeting.busyStatus).toBe(0);
    expect(m.meeting.instanceType).toBe(3);
    expect(m.meeting.recurrenceId?.toISOString()).toBe('2026-12-02T09:00:00.000Z');
    expect(m.meeting.meetingMessageType).toBeUndefined();
  });

  it('returns undefined for text that is not iCalendar or has no event start, without throwing', () => {
    expect(meetingRequestFromIcs('not a calendar')).toBeUndefined();
    expect(meetingRequestFromIcs(ics('BEGIN:VTODO', 'UID:t', 'END:VTODO'))).toBeUndefined();
    expect(meetingRequestFromIcs(event('REQUEST', 'SUMMARY:no start'))).toBeUndefined();
    expect(meetingRequestFromIcs('BEGIN:VCALENDAR\r\nBEGIN:VEVENT\r\nDTSTART:garbage\r\n')).toBeUndefined();
  });

  it('renders as GlobalObjId up to 14.1 and calendar:UID in 16.1', () => {
    const m = meetingRequestFromIcs(event('REQUEST', 'DTSTART:20261201T090000Z', 'DTEND:20261201T100000Z'))!.meeting;
    expect(childText(meetingRequestToElement(m, '14.1'), 'GlobalObjId', 'Email')).toBe(globalObjIdFromUid('evt-1@example.test'));
    expect(childText(meetingRequestToElement(m, '16.1'), 'UID', 'Calendar')).toBe('evt-1@example.test');
  });
});
