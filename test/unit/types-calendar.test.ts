import { describe, expect, it } from 'vitest';
import { decodeWbxml } from '../../protocol/wbxml/decoder.ts';
import { encodeWbxml } from '../../protocol/wbxml/encoder.ts';
import { child, el } from '../../protocol/wbxml/tree.ts';
import type { WbxmlElement } from '../../protocol/wbxml/tree.ts';
import { PROTOCOL_VERSIONS } from '../../protocol/version.ts';
import type { ProtocolVersion } from '../../protocol/version.ts';
import { calendarFromApplicationData, calendarToApplicationData } from '../../protocol/types/calendar.ts';
import type { EasCalendar } from '../../protocol/types/calendar.ts';
import { timeZoneFromIana } from '../../protocol/types/timezone-iana.ts';
import { EasDataError } from '../../protocol/types/values.ts';

function throughWire(children: WbxmlElement[], version: ProtocolVersion): WbxmlElement {
  return decodeWbxml(encodeWbxml(el('AirSync', 'ApplicationData', children), { version }));
}

const meeting: EasCalendar = {
  timeZone: timeZoneFromIana('Europe/Paris', 2026),
  dtStamp: new Date('2026-11-20T08:00:00Z'),
  startTime: new Date('2026-12-01T09:00:00Z'),
  endTime: new Date('2026-12-01T10:00:00Z'),
  subject: 'Weekly sync',
  uid: '040000008200E00074C5B7101A82E008',
  organizerName: 'Alice',
  organizerEmail: 'alice@example.com',
  location: 'Room 4',
  sensitivity: 0,
  busyStatus: 2,
  allDayEvent: false,
  reminder: 15,
  meetingStatus: 1,
  attendees: [
    { email: 'bob@example.com', name: 'Bob', status: 3, type: 1 },
    { email: 'room@example.com', name: 'Room 4', status: 0, type: 3 },
  ],
  categories: ['Work'],
  recurrence: { type: 1, interval: 1, dayOfWeek: 2, until: new Date('2027-03-01T09:00:00Z'), firstDayOfWeek: 1 },
  exceptions: [
    { exceptionStartTime: new Date('2026-12-08T09:00:00Z'), deleted: true },
    {
      exceptionStartTime: new Date('2026-12-15T09:00:00Z'),
      startTime: new Date('2026-12-15T13:00:00Z'),
      endTime: new Date('2026-12-15T14:00:00Z'),
      subject: 'Weekly sync (moved)',
      location: 'Room 5',
    },
  ],
  body: { type: 1, estimatedDataSize: 6, data: 'Agenda', truncated: false },
  responseRequested: true,
  appointmentReplyTime: new Date('2026-11-21T10:00:00Z'),
  responseType: 1,
  disallowNewTimeProposal: false,
  onlineMeetingConfLink: 'https://meet.example.com/conf',
  onlineMeetingExternalLink: 'https://meet.example.com/ext',
  nativeBodyType: 1,
};

describe('Calendar class (MS-ASCAL)', () => {
  it('14.1: every field round-trips through WBXML', () => {
    expect(calendarFromApplicationData(throughWire(calendarToApplicationData(meeting, '14.1'), '14.1'), '14.1')).toEqual(meeting);
  });

  it('writes compact dates (MS-ASDTYPE 2.7.2) and the TimeZone as base64', () => {
    const children = calendarToApplicationData(meeting, '14.1');
    const ad = el('AirSync', 'ApplicationData', children);
    expect(child(ad, 'StartTime', 'Calendar')!.text).toBe('20261201T090000Z');
    expect(child(child(ad, 'Recurrence', 'Calendar')!, 'Until', 'Calendar')!.text).toBe('20270301T090000Z');
    expect(Buffer.from(child(ad, 'TimeZone', 'Calendar')!.text!, 'base64').length).toBe(172);
  });

  it('16.1: Location and exception keys move to AirSyncBase; values survive', () => {
    const v16 = { ...meeting, clientUid: 'client-1', locationDetails: { city: 'Paris', latitude: '48.85' } };
    const children = calendarToApplicationData(v16, '16.1');
    const ad = el('AirSync', 'ApplicationData', children);
    expect(child(ad, 'Location', 'Calendar')).toBeUndefined();
    expect(child(child(ad, 'Location', 'AirSyncBase')!, 'DisplayName', 'AirSyncBase')!.text).toBe('Room 4');
    const firstException = child(child(ad, 'Exceptions', 'Calendar')!, 'Exception', 'Calendar')!;
    expect(child(firstException, 'InstanceId', 'AirSyncBase')!.text).toBe('20261208T090000Z');
    expect(child(firstException, 'ExceptionStartTime', 'Calendar')).toBeUndefined();
    expect(calendarFromApplicationData(throughWire(children, '16.1'), '16.1')).toEqual(v16);
  });

  it('12.1: drops the 14.x response and online-meeting fields', () => {
    const back = calendarFromApplicationData(throughWire(calendarToApplicationData(meeting, '12.1'), '12.1'), '12.1');
    const {
      responseRequested: _a, appointmentReplyTime: _b, responseType: _c, disallowNewTimeProposal: _d,
      onlineMeetingConfLink: _e, onlineMeetingExternalLink: _f, recurrence, ...rest
    } = meeting;
    const { firstDayOfWeek: _g, ...rec12 } = recurrence!;
    expect(back).toEqual({ ...rest, recurrence: rec12 });
  });

  it('2.5: body in the Calendar namespace, attendees without status/type', () => {
    const children = calendarToApplicationData(meeting, '2.5');
    const ad = throughWire(children, '2.5');
    expect(child(ad, 'Body', 'Calendar')!.text).toBe('Agenda');
    expect(child(ad, 'BodyTruncated', 'Calendar')!.text).toBe('0');
    const back = calendarFromApplicationData(ad, '2.5');
    expect(back.body).toEqual({ type: 1, data: 'Agenda', truncated: false });
    expect(back.attendees).toEqual([
      { email: 'bob@example.com', name: 'Bob' },
      { email: 'room@example.com', name: 'Room 4' },
    ]);
    expect(back.nativeBodyType).toBeUndefined();
  });

  it('an exception without its original start is an EasDataError', () => {
    const bad = el('AirSync', 'ApplicationData', [el('Calendar', 'Exceptions', [el('Calendar', 'Exception', [el('Calendar', 'Deleted', '1')])])]);
    expect(() => calendarFromApplicationData(bad, '14.1')).toThrow(EasDataError);
  });

  it('a broken TimeZone or StartTime is an EasDataError', () => {
    expect(() => calendarFromApplicationData(el('AirSync', 'ApplicationData', [el('Calendar', 'TimeZone', 'AAAA')]), '14.1')).toThrow(EasDataError);
    expect(() => calendarFromApplicationData(el('AirSync', 'ApplicationData', [el('Calendar', 'StartTime', 'soon')]), '14.1')).toThrow(EasDataError);
  });

  it('accepts ISO dates from devices that send the wrong form', () => {
    const c = calendarFromApplicationData(el('AirSync', 'ApplicationData', [el('Calendar', 'StartTime', '2026-12-01T09:00:00.000Z')]), '14.1');
    expect(c.startTime).toEqual(new Date('2026-12-01T09:00:00Z'));
  });

  it('reads 16.x attachment edits of an event', () => {
    const c = calendarFromApplicationData(
      el('AirSync', 'ApplicationData', [
        el('Calendar', 'Subject', 'x'),
        el('AirSyncBase', 'Attachments', [el('AirSyncBase', 'Delete', [el('AirSyncBase', 'FileReference', 'f1')])]),
      ]),
      '16.1',
    );
    expect(c.attachmentChanges).toEqual({ add: [], delete: ['f1'] });
  });
});

describe('Calendar version discipline', () => {
  const everything: EasCalendar = {
    ...meeting,
    clientUid: 'c',
    locationDetails: { street: 'Rue', accuracy: '5' },
    recurrence: { type: 6, interval: 1, weekOfMonth: 2, dayOfWeek: 2, monthOfYear: 3, occurrences: 4, calendarType: 1, isLeapMonth: false, firstDayOfWeek: 1 },
    attachments: [{ fileReference: 'f', method: 1, estimatedDataSize: 3, displayName: 'a.ics' }],
    exceptions: [{ ...meeting, exceptionStartTime: new Date('2026-12-08T09:00:00Z'), deleted: false, attendees: meeting.attendees }],
  };
  // The encoder refuses any tag that does not exist in the version it writes.
  it.each(PROTOCOL_VERSIONS.map((v) => [v]))('%s: only tokens of that version are written', (v) => {
    expect(() => throughWire(calendarToApplicationData(everything, v), v)).not.toThrow();
  });
});
