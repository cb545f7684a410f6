import { describe, expect, it } from 'vitest';
import type { FetchedMessage, MimePart } from '../../backends/types.ts';
import { chooseBodyPart } from '../../src/sync/body.ts';
import { buildEmail, mergeWants, planItemFetch } from '../../src/sync/email-item.ts';

const leaf = (part: string, type: string, size: number, params: Record<string, string> = { charset: 'utf-8' }): MimePart => ({ part, type, params, size });

describe('BodyPart request (MS-ASAIRS 2.2.2.11)', () => {
  it('asks for HTML only from 14.1 and only for a Type 2 BodyPartPreference', () => {
    const opts = { bodyPreferences: [{ type: 1 }], bodyPartPreferences: [{ type: 2, truncationSize: 100, allOrNone: true, preview: 20 }] };
    expect(chooseBodyPart(opts, '14.1')).toEqual({ kind: 'html', truncationSize: 100, allOrNone: true, preview: 20 });
    expect(chooseBodyPart(opts, '14.0')).toBeUndefined();
    expect(chooseBodyPart({ bodyPreferences: [], bodyPartPreferences: [{ type: 1 }] }, '16.1')).toBeUndefined();
    expect(chooseBodyPart({ bodyPreferences: [] }, '16.1')).toBeUndefined();
  });
});

describe('merged part fetches', () => {
  it('fetches a part both plans need once, with the larger cut, and keeps the source', () => {
    expect(mergeWants({ parts: [{ part: '1', maxBytes: 10 }] }, { parts: [{ part: '1', maxBytes: 50 }, { part: '2' }] })).toEqual({ parts: [{ part: '1', maxBytes: 50 }, { part: '2' }] });
    expect(mergeWants({ parts: [{ part: '1', maxBytes: 10, encoding: 'base64' }] }, { parts: [{ part: '1' }] })).toEqual({ parts: [{ part: '1', encoding: 'base64' }] });
    expect(mergeWants({ source: true, sourceMaxBytes: 100 }, { parts: [{ part: '1.2' }] })).toEqual({ source: true, sourceMaxBytes: 100, parts: [{ part: '1.2' }] });
    expect(mergeWants({}, {})).toEqual({});
  });
});

describe('item with BodyPart and MeetingRequest', () => {
  const structure: MimePart = {
    part: '',
    type: 'multipart/alternative',
    params: {},
    size: 0,
    children: [leaf('1', 'text/plain', 20), leaf('2', 'text/html', 40), leaf('3', 'text/calendar', 300, { charset: 'utf-8', method: 'REQUEST' })],
  };
  const msg: FetchedMessage = { uid: 7, flags: [], internalDate: new Date('2026-11-20T10:00:00Z'), size: 1000, structure };
  const cal = ['BEGIN:VCALENDAR', 'VERSION:2.0', 'METHOD:REQUEST', 'BEGIN:VEVENT', 'UID:u1', 'DTSTART:20261201T090000Z', 'DTEND:20261201T100000Z', 'LOCATION:Lab', 'END:VEVENT', 'END:VCALENDAR', ''].join('\r\n');
  const ctx = { version: '14.1' as const, body: { bodyPreferences: [{ type: 1 }], bodyPartPreferences: [{ type: 2 }] }, serverId: '5:1' };

  it('plans the text, the HTML and the calendar part in one fetch', () => {
    const parts = planItemFetch(msg, ctx).want.parts?.map((p) => p.part).sort();
    expect(parts).toEqual(['1', '2', '3']);
  });

  it('fills BodyPart from the HTML and MeetingRequest from the calendar part', () => {
    const bodyData: FetchedMessage = { ...msg, parts: new Map([['1', Buffer.from('Hello')], ['2', Buffer.from('<p>Hello</p>')], ['3', Buffer.from(cal)]]) };
    const e = buildEmail(msg, bodyData, ctx);
    expect(e.body?.data).toBe('Hello');
    expect(e.bodyPart).toEqual({ status: 1, type: 2, estimatedDataSize: 12, truncated: false, data: '<p>Hello</p>' });
    expect(e.messageClass).toBe('IPM.Schedule.Meeting.Request');
    expect(e.meetingRequest?.location).toBe('Lab');
    expect(e.meetingRequest?.startTime.toISOString()).toBe('2026-12-01T09:00:00.000Z');
  });

  it('leaves out MeetingRequest when the calendar part does not parse, and BodyPart before 14.1', () => {
    const bodyData: FetchedMessage = { ...msg, parts: new Map([['1', Buffer.from('Hello')], ['3', Buffer.from('garbage')]]) };
    const e = buildEmail(msg, bodyData, { ...ctx, version: '14.0' });
    expect(e.meetingRequest).toBeUndefined();
    expect(e.bodyPart).toBeUndefined();
    expect(e.messageClass).toBe('IPM.Schedule.Meeting.Request');
  });
});

describe('merged source fetches', () => {
  it('fetches the whole source when one plan needs all of it', () => {
    expect(mergeWants({ source: true, sourceMaxBytes: 100 }, { source: true })).toEqual({ source: true });
    expect(mergeWants({ source: true, sourceMaxBytes: 100 }, { source: true, sourceMaxBytes: 300 })).toEqual({ source: true, sourceMaxBytes: 300 });
  });
});
