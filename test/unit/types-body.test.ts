import { describe, expect, it } from 'vitest';
import { el } from '../../protocol/wbxml/tree.ts';
import {
  attachmentsFromElements,
  attachmentsToElements,
  bodyFromElements,
  bodyToElements,
  shapeBody,
} from '../../protocol/types/body.ts';

describe('shapeBody (MS-ASAIRS BodyPreference semantics)', () => {
  it('sends the whole body when it fits', () => {
    expect(shapeBody(1, 'hello', { truncationSize: 100 })).toEqual({ type: 1, estimatedDataSize: 5, truncated: false, data: 'hello' });
  });

  it('cuts at TruncationSize bytes without splitting a character', () => {
    // "é" is two bytes: a 4-byte limit falls inside the second "é".
    const b = shapeBody(1, 'aéé', { truncationSize: 4 });
    expect(b).toEqual({ type: 1, estimatedDataSize: 5, truncated: true, data: 'aé' });
  });

  it('AllOrNone leaves Data out when the body does not fit', () => {
    expect(shapeBody(2, '<p>long</p>', { truncationSize: 3, allOrNone: true })).toEqual({ type: 2, estimatedDataSize: 11, truncated: true });
  });

  it('Preview takes the first characters of the plain text, whitespace collapsed, at most 255', () => {
    expect(shapeBody(1, 'Hello\n\n  world', { preview: 8 }).preview).toBe('Hello wo');
    expect(shapeBody(2, '<p>x</p>', { preview: 5 }, 'Plain version').preview).toBe('Plain');
    expect(shapeBody(2, '<p>x</p>', { preview: 5 }).preview).toBeUndefined();
    expect(shapeBody(1, 'y'.repeat(400), { preview: 300 }).preview).toHaveLength(255);
  });
});

describe('bodies and attachments by version', () => {
  const body = { type: 1 as const, data: 'x', truncated: false, estimatedDataSize: 1, preview: 'x' };

  it('12.1 has no Preview token; 14.0 has', () => {
    const b12 = bodyToElements(body, '12.1', 'Email')[0]!;
    expect(b12.children!.map((c) => c.name)).toEqual(['Type', 'EstimatedDataSize', 'Truncated', 'Data']);
    const b14 = bodyToElements(body, '14.0', 'Email')[0]!;
    expect(b14.children!.map((c) => c.name)).toContain('Preview');
  });

  it('2.5 Calendar bodies have no BodySize (no such token on code page 4)', () => {
    expect(bodyToElements(body, '2.5', 'Calendar').map((e) => e.name)).toEqual(['Body', 'BodyTruncated']);
    expect(bodyToElements(body, '2.5', 'Tasks').map((e) => e.name)).toEqual(['Body', 'BodySize', 'BodyTruncated']);
  });

  it('AirSyncBase wins when a client sends both body forms', () => {
    const parent = el('AirSync', 'ApplicationData', [
      el('Email', 'Body', 'old'),
      el('AirSyncBase', 'Body', [el('AirSyncBase', 'Type', '2'), el('AirSyncBase', 'Data', 'new')]),
    ]);
    expect(bodyFromElements(parent, 'Email')).toEqual({ type: 2, data: 'new' });
  });

  it('no attachments write nothing; absent Attachments read as undefined', () => {
    expect(attachmentsToElements([], '14.1')).toEqual([]);
    expect(attachmentsFromElements(el('AirSync', 'ApplicationData', [el('Email', 'Subject', 'x')]))).toBeUndefined();
  });

  it('Email2 UmAttDuration/UmAttOrder only from 14.0', () => {
    const att = [{ fileReference: 'f', method: 1, estimatedDataSize: 10, umAttDuration: 30, umAttOrder: 1 }];
    const names = (v: '12.1' | '14.0') => attachmentsToElements(att, v)[0]!.children![0]!.children!.map((c) => `${c.ns}:${c.name}`);
    expect(names('12.1')).not.toContain('Email2:UmAttDuration');
    expect(names('14.0')).toContain('Email2:UmAttDuration');
  });
});
