import { describe, expect, it } from 'vitest';
import { decodeWbxml } from '../../protocol/wbxml/decoder.ts';
import { encodeWbxml } from '../../protocol/wbxml/encoder.ts';
import { child, el } from '../../protocol/wbxml/tree.ts';
import type { WbxmlElement } from '../../protocol/wbxml/tree.ts';
import { PROTOCOL_VERSIONS } from '../../protocol/version.ts';
import type { ProtocolVersion } from '../../protocol/version.ts';
import {
  emailFromApplicationData,
  emailFromServerApplicationData,
  emailToApplicationData,
} from '../../protocol/types/email.ts';
import type { EasEmail } from '../../protocol/types/email.ts';
import { globalObjIdFromUid, uidFromGlobalObjId } from '../../protocol/types/meeting-request.ts';
import { timeZoneFromIana } from '../../protocol/types/timezone-iana.ts';
import { EasDataError } from '../../protocol/types/values.ts';

/** Encodes as the given version (the encoder refuses tokens the version lacks) and decodes again. */
function throughWire(children: WbxmlElement[], version: ProtocolVersion): WbxmlElement {
  return decodeWbxml(encodeWbxml(el('AirSync', 'ApplicationData', children), { version }));
}

const names = (children: WbxmlElement[]): string[] => children.map((c) => `${c.ns}:${c.name}`);

const full: EasEmail = {
  to: '"Bob" <bob@example.com>',
  cc: 'carol@example.com',
  from: '"Alice" <alice@example.com>',
  replyTo: 'alice@example.org',
  subject: 'Quarterly numbers',
  dateReceived: new Date('2026-11-23T17:34:00.000Z'),
  displayTo: 'Bob',
  threadTopic: 'Quarterly numbers',
  importance: 2,
  read: false,
  attachments: [
    { displayName: 'report.pdf', fileReference: '5:12:2', method: 1, estimatedDataSize: 48213 },
    { displayName: 'logo.png', fileReference: '5:12:3', method: 1, estimatedDataSize: 512, contentId: 'logo@x', isInline: true },
  ],
  body: { type: 2, estimatedDataSize: 5000, truncated: true, data: '<p>Hello</p>', preview: 'Hello' },
  messageClass: 'IPM.Note',
  internetCPID: '65001',
  flag: { status: 2, flagType: 'Flag for follow up', startDate: new Date('2026-11-24T00:00:00Z'), dueDate: new Date('2026-11-25T00:00:00Z'), utcStartDate: new Date('2026-11-23T23:00:00Z'), utcDueDate: new Date('2026-11-24T23:00:00Z'), reminderSet: true, reminderTime: new Date('2026-11-24T08:00:00Z') },
  contentClass: 'urn:content-classes:message',
  nativeBodyType: 2,
  conversationId: Uint8Array.from([1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16]),
  conversationIndex: Uint8Array.from([0xca, 0xfe, 0x01, 0x02, 0x03]),
  lastVerbExecuted: 1,
  lastVerbExecutionTime: new Date('2026-11-23T18:00:00.000Z'),
  receivedAsBcc: false,
  sender: 'assistant@example.com',
  categories: ['Work', 'Finance'],
  accountId: 'acc-1',
  isDraft: false,
  bcc: 'dave@example.com',
};

describe('Email class (MS-ASEMAIL)', () => {
  it('16.1: every field survives object -> ApplicationData -> WBXML -> object', () => {
    const back = emailFromServerApplicationData(throughWire(emailToApplicationData(full, '16.1'), '16.1'));
    expect(back).toEqual(full);
  });

  it('14.1: drops the 16.0 fields and keeps the rest', () => {
    const back = emailFromServerApplicationData(throughWire(emailToApplicationData(full, '14.1'), '14.1'));
    const { isDraft: _a, bcc: _b, ...expected } = full;
    expect(back).toEqual(expected);
  });

  it('12.1: no Email2, Categories, Preview or AccountId; AirSyncBase body and Flag stay', () => {
    const children = emailToApplicationData(full, '12.1');
    const n = names(children);
    expect(n).toContain('AirSyncBase:Body');
    expect(n).toContain('Email:Flag');
    expect(n.some((x) => x.startsWith('Email2:'))).toBe(false);
    expect(n).not.toContain('Email:Categories');
    const back = emailFromServerApplicationData(throughWire(children, '12.1'));
    expect(back.body).toEqual({ type: 2, estimatedDataSize: 5000, truncated: true, data: '<p>Hello</p>' });
    expect(back.flag).toEqual(full.flag);
    expect(back.categories).toBeUndefined();
  });

  it('2.5: body and attachments in the Email namespace, no Flag or NativeBodyType', () => {
    const children = emailToApplicationData(full, '2.5');
    const n = names(children);
    expect(n).toEqual(expect.arrayContaining(['Email:Attachments', 'Email:Body', 'Email:BodySize', 'Email:BodyTruncated']));
    expect(n.some((x) => x.startsWith('AirSyncBase:'))).toBe(false);
    expect(n).not.toContain('Email:Flag');
    const back = emailFromServerApplicationData(throughWire(children, '2.5'));
    expect(back.body).toEqual({ type: 1, data: '<p>Hello</p>', truncated: true, estimatedDataSize: 5000 });
    expect(back.attachments).toEqual([
      { displayName: 'report.pdf', fileReference: '5:12:2', method: 1, estimatedDataSize: 48213 },
      { displayName: 'logo.png', fileReference: '5:12:3', method: 1, estimatedDataSize: 512 },
    ]);
    const att = child(child(throughWire(children, '2.5'), 'Attachments', 'Email')!, 'Attachment', 'Email')!;
    expect(att.children!.map((c) => c.name)).toEqual(['AttMethod', 'AttSize', 'DisplayName', 'AttName']);
  });

  it('2.5: a MIME body goes out as MIMEData', () => {
    const children = emailToApplicationData({ body: { type: 4, data: 'Subject: x\r\n\r\nhi', truncated: false } }, '2.5');
    expect(names(children)).toEqual(['Email:MIMETruncated', 'Email:MIMESize', 'Email:MIMEData']);
    const back = emailFromServerApplicationData(throughWire(children, '2.5'));
    expect(back.body).toEqual({ type: 4, data: 'Subject: x\r\n\r\nhi', truncated: false, estimatedDataSize: 16 });
  });

  it('writes dates in ISO form with milliseconds', () => {
    const children = emailToApplicationData({ dateReceived: new Date('2026-11-23T17:34:00Z') }, '14.1');
    expect(children[0]).toEqual({ ns: 'Email', name: 'DateReceived', text: '2026-11-23T17:34:00.000Z' });
  });

  it('a cleared flag (null) is written as an empty Flag and read back as null', () => {
    const children = emailToApplicationData({ read: true, flag: null }, '14.1');
    const flag = children.find((c) => c.name === 'Flag')!;
    expect(flag.children ?? []).toEqual([]);
    expect(emailFromApplicationData(throughWire(children, '14.1'), '14.1')).toEqual({ read: true, flag: null });
  });
});

describe('Email changes from the device', () => {
  const appData = (children: WbxmlElement[]): WbxmlElement => el('AirSync', 'ApplicationData', children);

  it('reads Read, Flag and Categories', () => {
    const change = emailFromApplicationData(
      appData([
        el('Email', 'Read', '1'),
        el('Email', 'Flag', [el('Email', 'Status', '2'), el('Email', 'FlagType', 'for Follow Up'), el('Tasks', 'StartDate', '2026-11-24T00:00:00.000Z'), el('Tasks', 'UtcStartDate', '2026-11-23T23:00:00.000Z'), el('Tasks', 'DueDate', '2026-11-24T00:00:00.000Z'), el('Tasks', 'UtcDueDate', '2026-11-23T23:00:00.000Z')]),
        el('Email', 'Categories', [el('Email', 'Category', 'Red')]),
      ]),
      '14.1',
    );
    expect(change).toEqual({
      read: true,
      flag: {
        status: 2,
        flagType: 'for Follow Up',
        startDate: new Date('2026-11-24T00:00:00Z'),
        utcStartDate: new Date('2026-11-23T23:00:00Z'),
        dueDate: new Date('2026-11-24T00:00:00Z'),
        utcDueDate: new Date('2026-11-23T23:00:00Z'),
      },
      categories: ['Red'],
    });
  });

  it('an empty Categories element means "remove all categories"', () => {
    expect(emailFromApplicationData(appData([{ ns: 'Email', name: 'Categories' }]), '14.1')).toEqual({ categories: [] });
  });

  it('reads a 16.x draft with attachment edits and Send', () => {
    const change = emailFromApplicationData(
      appData([
        el('Email', 'To', 'bob@example.com'),
        el('Email2', 'Bcc', 'eve@example.com'),
        el('Email', 'Subject', 'Draft'),
        el('Email', 'Importance', '2'),
        el('AirSyncBase', 'Body', [el('AirSyncBase', 'Type', '1'), el('AirSyncBase', 'Data', 'Hi Bob')]),
        el('AirSyncBase', 'Attachments', [
          el('AirSyncBase', 'Add', [el('AirSyncBase', 'ClientId', 'c1'), el('AirSyncBase', 'Method', '1'), el('AirSyncBase', 'DisplayName', 'a.txt'), el('AirSyncBase', 'Content', Uint8Array.from([104, 105]))]),
          el('AirSyncBase', 'Delete', [el('AirSyncBase', 'FileReference', '7:3:1')]),
        ]),
        { ns: 'Email2', name: 'Send' },
      ]),
      '16.1',
    );
    expect(change).toEqual({
      to: 'bob@example.com',
      bcc: 'eve@example.com',
      subject: 'Draft',
      importance: 2,
      body: { type: 1, data: 'Hi Bob' },
      attachments: { add: [{ clientId: 'c1', method: 1, displayName: 'a.txt', content: Uint8Array.from([104, 105]) }], delete: ['7:3:1'] },
      send: true,
    });
  });

  it('ignores draft fields before 16.0', () => {
    expect(emailFromApplicationData(appData([el('Email', 'Subject', 'x'), el('Email', 'Read', '0')]), '14.1')).toEqual({ read: false });
  });

  it('a malformed flag date gives EasDataError, not a crash', () => {
    const bad = appData([el('Email', 'Flag', [el('Tasks', 'StartDate', 'tomorrow')])]);
    expect(() => emailFromApplicationData(bad, '14.1')).toThrow(EasDataError);
  });

  it('a malformed Read value gives EasDataError', () => {
    expect(() => emailFromApplicationData(appData([el('Email', 'Read', 'maybe')]), '14.1')).toThrow(EasDataError);
  });
});

describe('MeetingRequest (MS-ASEMAIL 2.2.2.48)', () => {
  const mr: EasEmail = {
    subject: 'Planning',
    messageClass: 'IPM.Schedule.Meeting.Request',
    meetingRequest: {
      allDayEvent: false,
      startTime: new Date('2026-12-01T09:00:00Z'),
      dtStamp: new Date('2026-11-23T10:00:00Z'),
      endTime: new Date('2026-12-01T10:00:00Z'),
      instanceType: 1,
      location: 'Room 4',
      organizer: 'alice@example.com',
      reminder: 900,
      responseRequested: true,
      recurrence: { type: 1, interval: 1, dayOfWeek: 2, until: new Date('2027-01-01T00:00:00Z'), firstDayOfWeek: 1 },
      sensitivity: 0,
      busyStatus: 2,
      timeZone: timeZoneFromIana('Europe/Paris', 2026),
      globalObjId: globalObjIdFromUid('abc-123@example.com'),
      disallowNewTimeProposal: false,
      meetingMessageType: 1,
    },
  };

  it('14.1: round-trips, with ISO times and a compact Until', () => {
    const children = emailToApplicationData(mr, '14.1');
    const m = children.find((c) => c.name === 'MeetingRequest')!;
    expect(child(m, 'StartTime', 'Email')!.text).toBe('2026-12-01T09:00:00.000Z');
    const until = child(child(child(m, 'Recurrences', 'Email')!, 'Recurrence', 'Email')!, 'Until', 'Email')!;
    expect(until.text).toBe('20270101T000000Z');
    const back = emailFromServerApplicationData(throughWire(children, '14.1'));
    expect(back).toEqual(mr);
  });

  it('16.1: Location becomes airsyncbase:Location and GlobalObjId becomes calendar:UID', () => {
    const children = emailToApplicationData(mr, '16.1');
    const m = children.find((c) => c.name === 'MeetingRequest')!;
    expect(child(m, 'Location', 'Email')).toBeUndefined();
    expect(child(m, 'GlobalObjId', 'Email')).toBeUndefined();
    expect(child(m, 'UID', 'Calendar')!.text).toBe('abc-123@example.com');
    const back = emailFromServerApplicationData(throughWire(children, '16.1'));
    expect(back.meetingRequest!.location).toBe('Room 4');
    expect(back.meetingRequest!.uid).toBe('abc-123@example.com');
  });

  it('GlobalObjId carries the iCalendar UID both ways', () => {
    expect(uidFromGlobalObjId(globalObjIdFromUid('x@y'))).toBe('x@y');
    expect(uidFromGlobalObjId('aGVsbG8=')).toBeUndefined();
  });
});

describe('Email version discipline', () => {
  const everything: EasEmail = {
    ...full,
    meetingRequest: {
      startTime: new Date('2026-12-01T09:00:00Z'),
      endTime: new Date('2026-12-01T10:00:00Z'),
      location: 'Room',
      locationDetails: { city: 'Paris' },
      recurrence: { type: 1, interval: 1, dayOfWeek: 2, calendarType: 1, isLeapMonth: false, firstDayOfWeek: 1 },
      globalObjId: globalObjIdFromUid('u@x'),
      disallowNewTimeProposal: true,
      meetingMessageType: 1,
    },
    bodyPart: { status: 1, type: 2, data: '<p>x</p>' },
    umCallerId: '+33100000000',
    umUserNotes: 'n',
    attachments: [{ fileReference: 'a', method: 1, estimatedDataSize: 1, umAttDuration: 10, umAttOrder: 1 }],
  };
  // The encoder refuses any tag that does not exist in the version it writes.
  it.each(PROTOCOL_VERSIONS.map((v) => [v]))('%s: only tokens of that version are written', (v) => {
    expect(() => throughWire(emailToApplicationData(everything, v), v)).not.toThrow();
  });
});
