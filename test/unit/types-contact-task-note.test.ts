import { describe, expect, it } from 'vitest';
import { decodeWbxml } from '../../protocol/wbxml/decoder.ts';
import { encodeWbxml } from '../../protocol/wbxml/encoder.ts';
import { child, el } from '../../protocol/wbxml/tree.ts';
import type { WbxmlElement } from '../../protocol/wbxml/tree.ts';
import { PROTOCOL_VERSIONS } from '../../protocol/version.ts';
import type { ProtocolVersion } from '../../protocol/version.ts';
import { CONTACT_STRING_FIELDS, contactFromApplicationData, contactToApplicationData } from '../../protocol/types/contact.ts';
import type { EasContact } from '../../protocol/types/contact.ts';
import { noteFromApplicationData, noteToApplicationData } from '../../protocol/types/note.ts';
import type { EasNote } from '../../protocol/types/note.ts';
import { taskFromApplicationData, taskToApplicationData } from '../../protocol/types/task.ts';
import type { EasTask } from '../../protocol/types/task.ts';
import { EasDataError } from '../../protocol/types/values.ts';

function throughWire(children: WbxmlElement[], version: ProtocolVersion): WbxmlElement {
  return decodeWbxml(encodeWbxml(el('AirSync', 'ApplicationData', children), { version }));
}

// Every string property gets a distinct value so that a swapped element shows.
const contact: EasContact = {
  ...Object.fromEntries(CONTACT_STRING_FIELDS.map(([k]) => [k, `v-${k}`])),
  email1Address: '"Don Funk" <don@example.com>',
  fileAs: 'Funk, Don',
  birthday: new Date('1966-06-04T00:00:00.000Z'),
  anniversary: new Date('1994-09-10T00:00:00.000Z'),
  categories: ['Friends', 'Golf'],
  children: ['Ann', 'Ben'],
  body: { type: 1, estimatedDataSize: 5, data: 'notes', truncated: false },
  nativeBodyType: 1,
  weightedRank: 3,
};

describe('Contact class (MS-ASCNTC, with Contacts2)', () => {
  it('16.1 and 14.1: every field round-trips through WBXML', () => {
    for (const v of ['14.1', '16.1'] as const) {
      expect(contactFromApplicationData(throughWire(contactToApplicationData(contact, v), v), v)).toEqual(contact);
    }
  });

  it('12.1: no Alias or WeightedRank (14.0 tokens)', () => {
    const { alias: _a, weightedRank: _w, ...expected } = contact;
    expect(contactFromApplicationData(throughWire(contactToApplicationData(contact, '12.1'), '12.1'), '12.1')).toEqual(expected);
  });

  it('2.5: body in the Contacts namespace', () => {
    const ad = throughWire(contactToApplicationData(contact, '2.5'), '2.5');
    expect(child(ad, 'Body', 'Contacts')!.text).toBe('notes');
    expect(child(ad, 'BodySize', 'Contacts')!.text).toBe('5');
    expect(contactFromApplicationData(ad, '2.5').body).toEqual({ type: 1, data: 'notes', truncated: false, estimatedDataSize: 5 });
  });

  it('writes Birthday in the ISO form', () => {
    const ad = el('AirSync', 'ApplicationData', contactToApplicationData({ birthday: new Date('1966-06-04T00:00:00Z') }, '14.1'));
    expect(child(ad, 'Birthday', 'Contacts')!.text).toBe('1966-06-04T00:00:00.000Z');
  });

  it('Contacts2 fields live in their own namespace', () => {
    const ad = el('AirSync', 'ApplicationData', contactToApplicationData({ imAddress: 'xmpp:don@example.com', nickName: 'Donny' }, '14.1'));
    expect(child(ad, 'IMAddress', 'Contacts2')!.text).toBe('xmpp:don@example.com');
    expect(child(ad, 'NickName', 'Contacts2')!.text).toBe('Donny');
    expect(child(ad, 'NickName', 'Contacts')).toBeUndefined();
  });

  it('a malformed Birthday is an EasDataError', () => {
    expect(() => contactFromApplicationData(el('AirSync', 'ApplicationData', [el('Contacts', 'Birthday', 'June')]), '14.1')).toThrow(EasDataError);
  });
});

const task: EasTask = {
  subject: 'File taxes',
  body: { type: 1, estimatedDataSize: 4, data: 'asap', truncated: false },
  importance: 2,
  utcStartDate: new Date('2026-11-23T23:00:00.000Z'),
  startDate: new Date('2026-11-24T00:00:00.000Z'),
  utcDueDate: new Date('2026-11-30T23:00:00.000Z'),
  dueDate: new Date('2026-12-01T00:00:00.000Z'),
  categories: ['Home'],
  recurrence: { type: 2, start: new Date('2026-11-24T00:00:00Z'), until: new Date('2027-11-24T00:00:00Z'), interval: 1, dayOfMonth: 24, regenerate: false, deadOccur: false, firstDayOfWeek: 1 },
  complete: true,
  dateCompleted: new Date('2026-11-29T10:00:00.000Z'),
  sensitivity: 0,
  reminderTime: new Date('2026-11-30T08:00:00.000Z'),
  reminderSet: true,
  ordinalDate: new Date('2026-11-23T12:00:00.000Z'),
  subOrdinalDate: '5000000000000000000000',
  nativeBodyType: 1,
};

describe('Task class (MS-ASTASK)', () => {
  it('14.1: every field round-trips through WBXML', () => {
    expect(taskFromApplicationData(throughWire(taskToApplicationData(task, '14.1'), '14.1'), '14.1')).toEqual(task);
  });

  it('writes task dates, including recurrence Start/Until, in the ISO form', () => {
    const ad = el('AirSync', 'ApplicationData', taskToApplicationData(task, '14.1'));
    expect(child(ad, 'DueDate', 'Tasks')!.text).toBe('2026-12-01T00:00:00.000Z');
    const rec = child(ad, 'Recurrence', 'Tasks')!;
    expect(child(rec, 'Start', 'Tasks')!.text).toBe('2026-11-24T00:00:00.000Z');
    expect(child(rec, 'Until', 'Tasks')!.text).toBe('2027-11-24T00:00:00.000Z');
  });

  it('always writes Complete, and DateCompleted only for completed tasks', () => {
    const ad = el('AirSync', 'ApplicationData', taskToApplicationData({ subject: 'x', dateCompleted: new Date() }, '14.1'));
    expect(child(ad, 'Complete', 'Tasks')!.text).toBe('0');
    expect(child(ad, 'DateCompleted', 'Tasks')).toBeUndefined();
  });

  it('2.5: body in the Tasks namespace; no OrdinalDate (12.0 token)', () => {
    const back = taskFromApplicationData(throughWire(taskToApplicationData(task, '2.5'), '2.5'), '2.5');
    expect(back.body).toEqual({ type: 1, data: 'asap', truncated: false, estimatedDataSize: 4 });
    const { ordinalDate: _o, subOrdinalDate: _s, nativeBodyType: _n, body: _b, recurrence, ...rest } = task;
    const { firstDayOfWeek: _f, ...rec25 } = recurrence!;
    expect(back).toEqual({ ...rest, body: back.body, recurrence: rec25 });
  });

  it('a recurrence without a valid Type is an EasDataError', () => {
    const bad = el('AirSync', 'ApplicationData', [el('Tasks', 'Recurrence', [el('Tasks', 'Type', '4')])]);
    expect(() => taskFromApplicationData(bad, '14.1')).toThrow(EasDataError);
  });
});

const note: EasNote = {
  subject: 'Shopping',
  body: { type: 1, estimatedDataSize: 4, data: 'milk', truncated: false },
  messageClass: 'IPM.StickyNote',
  lastModifiedDate: new Date('2026-11-23T17:34:00.000Z'),
  categories: ['Home'],
};

describe('Note class (MS-ASNOTE)', () => {
  it('14.1 and 16.1: round-trips, LastModifiedDate in the compact form', () => {
    for (const v of ['14.1', '16.1'] as const) {
      const children = noteToApplicationData(note, v);
      expect(child(el('AirSync', 'ApplicationData', children), 'LastModifiedDate', 'Notes')!.text).toBe('20261123T173400Z');
      expect(noteFromApplicationData(throughWire(children, v), v)).toEqual(note);
    }
  });

  it('writes nothing before 14.0, where the class does not exist', () => {
    expect(noteToApplicationData(note, '12.1')).toEqual([]);
  });
});

describe('version discipline', () => {
  // The encoder refuses any tag that does not exist in the version it writes.
  it.each(PROTOCOL_VERSIONS.map((v) => [v]))('%s: contacts, tasks and notes use only tokens of that version', (v) => {
    expect(() => throughWire(contactToApplicationData(contact, v), v)).not.toThrow();
    expect(() => throughWire(taskToApplicationData(task, v), v)).not.toThrow();
    expect(() => throughWire(noteToApplicationData(note, v), v)).not.toThrow();
  });
});
