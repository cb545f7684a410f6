/**
 * The data-class parsers against trees decoded from real encoder output:
 * Horde_ActiveSync's calendar and invitation fixtures and the MS-ASWBXML
 * section 4 contact example (/work/shared/fixtures/wbxml, see its README).
 */
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { decodeWbxml, decodeWbxmlFragment } from '../../protocol/wbxml/decoder.ts';
import { child, el } from '../../protocol/wbxml/tree.ts';
import type { WbxmlElement } from '../../protocol/wbxml/tree.ts';
import { calendarFromApplicationData } from '../../protocol/types/calendar.ts';
import { contactFromApplicationData } from '../../protocol/types/contact.ts';
import { meetingRequestFromElement, uidFromGlobalObjId } from '../../protocol/types/meeting-request.ts';
import { ianaFromTimeZone } from '../../protocol/types/timezone-iana.ts';

// The shared fixture set sits beside the repository (see its README).
const DIR = fileURLToPath(new URL('../../../shared/fixtures/wbxml', import.meta.url));
const fragment = (name: string): WbxmlElement[] => decodeWbxmlFragment(new Uint8Array(readFileSync(`${DIR}/horde/${name}.wbxml`)));
const appData = (name: string): WbxmlElement => {
  const [root] = fragment(name);
  expect(root!.name).toBe('ApplicationData');
  return root!;
};

describe('Horde calendar fixtures', () => {
  it('appointment.wbxml: a single appointment with a 2.5 body', () => {
    const c = calendarFromApplicationData(appData('appointment'), '2.5');
    expect(c).toMatchObject({
      subject: 'Event Title',
      location: 'Philadelphia, PA',
      startTime: new Date('2011-12-01T20:00:00Z'),
      endTime: new Date('2011-12-01T21:00:00Z'),
      dtStamp: new Date('2011-12-01T20:00:00Z'),
      busyStatus: 2,
      sensitivity: 1,
      meetingStatus: 0,
      body: { type: 1, data: 'Event Description', truncated: false },
    });
    expect(c.timeZone!.bias).toBe(300);
    expect(ianaFromTimeZone(c.timeZone!, { year: 2011 })).toEqual({ kind: 'iana', zone: 'America/New_York' });
    expect(c.recurrence).toBeUndefined();
  });

  it('recurrence.wbxml: weekly every 2 weeks on Thursday', () => {
    const c = calendarFromApplicationData(appData('recurrence'), '2.5');
    expect(c.subject).toBe('Event Title');
    expect(c.recurrence).toEqual({ type: 1, interval: 2, dayOfWeek: 16 });
  });

  it('simpleexception.wbxml: one deleted instance', () => {
    const c = calendarFromApplicationData(appData('simpleexception'), '2.5');
    expect(c.recurrence).toEqual({ type: 1, interval: 2, dayOfWeek: 16 });
    expect(c.exceptions).toEqual([{ exceptionStartTime: new Date('2011-12-29T20:00:00Z'), deleted: true }]);
    expect(c.body?.data).toBe('Event Description');
  });

  it('dst.wbxml: element order does not matter; Saturday recurrence', () => {
    const c = calendarFromApplicationData(appData('dst'), '2.5');
    expect(c.startTime).toEqual(new Date('2011-10-01T19:00:00Z'));
    expect(c.endTime).toEqual(new Date('2011-10-01T20:00:00Z'));
    expect(c.recurrence).toEqual({ type: 1, interval: 2, dayOfWeek: 64 });
  });

  it('allday_appointment.wbxml: six sibling Calendar elements', () => {
    const siblings = fragment('allday_appointment');
    expect(siblings).toHaveLength(6);
    const c = calendarFromApplicationData(el('AirSync', 'ApplicationData', siblings), '2.5');
    expect(c).toMatchObject({
      allDayEvent: true,
      subject: 'Test Event',
      startTime: new Date('1970-03-20T05:00:00Z'),
      endTime: new Date('1970-03-21T05:00:00Z'),
      meetingStatus: 0,
    });
    // US Eastern with the rules of 1970 (the event's year): last Sunday of April to last Sunday of October.
    expect(c.timeZone!.bias).toBe(300);
    expect(c.timeZone!.daylightDate).toMatchObject({ month: 4, day: 5, dayOfWeek: 0, hour: 2 });
    expect(c.timeZone!.standardDate).toMatchObject({ month: 10, day: 5, dayOfWeek: 0, hour: 2 });
  });
});

describe('Horde invitation fixture', () => {
  it('meeting_request_one.wbxml: the MeetingRequest fields', () => {
    const siblings = fragment('meeting_request_one');
    expect(siblings).toHaveLength(11);
    const m = meetingRequestFromElement(el('Email', 'MeetingRequest', siblings));
    expect(m).toMatchObject({
      allDayEvent: false,
      startTime: new Date('2012-06-08T17:30:00Z'),
      dtStamp: new Date('2012-06-08T17:03:57Z'),
      endTime: new Date('2012-06-08T18:30:00Z'),
      instanceType: 0,
      location: 'Philadelphia,PA',
      organizer: 'mikerubinsky@gmail.com',
      responseRequested: true,
      busyStatus: 2,
    });
    expect(m.timeZone!.bias).toBe(0);
    expect(uidFromGlobalObjId(m.globalObjId!)).toBe('03au89vlc3j4k1l48j1t8eftvs@google.com');
  });
});

describe('MS-ASWBXML section 4 example', () => {
  it('sync-response-add-contact: FileAs "Funk, Don"', () => {
    const doc = decodeWbxml(new Uint8Array(readFileSync(`${DIR}/ms-aswbxml/sync-response-add-contact.wbxml`)));
    const add = child(child(child(child(doc, 'Collections')!, 'Collection')!, 'Commands')!, 'Add')!;
    const contact = contactFromApplicationData(child(add, 'ApplicationData')!, '12.1');
    expect(contact).toEqual({
      fileAs: 'Funk, Don',
      firstName: 'Don',
      lastName: 'Funk',
      body: { type: 1, estimatedDataSize: 0, truncated: true },
      nativeBodyType: 1,
    });
  });
});
