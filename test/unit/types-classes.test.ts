import { describe, expect, it } from 'vitest';
import { el } from '../../protocol/wbxml/tree.ts';
import { bodyFromElement } from '../../protocol/types/body.ts';
import { isEasClass, itemFromApplicationData, itemToApplicationData } from '../../protocol/types/classes.ts';
import { EasDataError, isEasDataError } from '../../protocol/types/errors.ts';
import * as types from '../../protocol/types/index.ts';

describe('class dispatch (MS-ASCMD 2.2.3.27 Class)', () => {
  it('writes and reads each class through one entry point', () => {
    const children = itemToApplicationData({ class: 'Tasks', data: { subject: 'Call mum', complete: false } }, '14.1');
    const back = itemFromApplicationData('Tasks', el('AirSync', 'ApplicationData', children), '14.1');
    expect(back).toEqual({ class: 'Tasks', data: { subject: 'Call mum', complete: false } });
  });

  it('reads an Email change through the dispatcher', () => {
    const back = itemFromApplicationData('Email', el('AirSync', 'ApplicationData', [el('Email', 'Read', '1')]), '12.1');
    expect(back).toEqual({ class: 'Email', data: { read: true } });
  });

  it('knows the five class names and nothing else', () => {
    expect(['Email', 'Calendar', 'Contacts', 'Tasks', 'Notes'].every(isEasClass)).toBe(true);
    expect(isEasClass('SMS')).toBe(false);
  });

  it('the index exports every converter', () => {
    for (const name of ['emailToApplicationData', 'calendarFromApplicationData', 'contactToApplicationData', 'taskFromApplicationData', 'noteToApplicationData', 'timeZoneFromIana', 'parseEasDate']) {
      expect(typeof (types as Record<string, unknown>)[name]).toBe('function');
    }
  });
});

describe('errors and single bodies', () => {
  it('EasDataError names the element and passes the type guard', () => {
    const e = new EasDataError('Calendar:StartTime', 'not a date');
    expect(e.message).toBe('Calendar:StartTime: not a date');
    expect(isEasDataError(e)).toBe(true);
    expect(isEasDataError(new Error('x'))).toBe(false);
  });

  it('bodyFromElement reads one AirSyncBase Body and maps an unknown Type to plain text', () => {
    expect(bodyFromElement(el('AirSyncBase', 'Body', [el('AirSyncBase', 'Type', '2'), el('AirSyncBase', 'Data', '<b>x</b>')]))).toEqual({ type: 2, data: '<b>x</b>' });
    expect(bodyFromElement(el('AirSyncBase', 'Body', [el('AirSyncBase', 'Type', '9')])).type).toBe(1);
  });
});
