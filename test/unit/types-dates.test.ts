import { describe, expect, it } from 'vitest';
import { dateFormOf, formatCompactDate, formatEasDate, formatIsoDate, parseEasDate } from '../../protocol/types/dates.ts';

const T = new Date(Date.UTC(2026, 10, 23, 17, 34, 0, 0));

describe('EAS date formats (MS-ASDTYPE 2.3, 2.7.2)', () => {
  it('formats the compact form without separators or milliseconds', () => {
    expect(formatCompactDate(T)).toBe('20261123T173400Z');
    expect(formatCompactDate(new Date(Date.UTC(2026, 0, 2, 3, 4, 5, 678)))).toBe('20260102T030405Z');
  });

  it('formats the ISO form always with milliseconds', () => {
    expect(formatIsoDate(T)).toBe('2026-11-23T17:34:00.000Z');
    expect(formatIsoDate(new Date(Date.UTC(2026, 0, 2, 3, 4, 5, 67)))).toBe('2026-01-02T03:04:05.067Z');
  });

  it.each([
    ['20261123T173400Z'],
    ['2026-11-23T17:34:00.000Z'],
    ['2026-11-23T17:34:00Z'],
    ['2026-11-23T17:34:00'],
    ['20261123T173400'],
    ['20261123T1734Z'],
    ['2026-11-23 17:34:00Z'],
    ['2026-11-23T18:34:00+01:00'],
    ['2026-11-23T12:34:00-0500'],
    ['  20261123T173400Z  '],
  ])('parses %s leniently as the same instant', (s) => {
    expect(parseEasDate(s)?.toISOString()).toBe(T.toISOString());
  });

  it('reads a bare date as midnight UTC', () => {
    expect(parseEasDate('1966-06-04')?.toISOString()).toBe('1966-06-04T00:00:00.000Z');
    expect(parseEasDate('19660604')?.toISOString()).toBe('1966-06-04T00:00:00.000Z');
  });

  it('keeps milliseconds of the ISO form', () => {
    expect(parseEasDate('2026-11-23T17:34:00.250Z')?.getUTCMilliseconds()).toBe(250);
  });

  it.each([[''], ['garbage'], ['2026-13-01T00:00:00Z'], ['2026-02-30T00:00:00Z'], ['20261123T256000Z'], ['2026-11-23T17:34:00.000Zjunk']])(
    'rejects %j',
    (s) => {
      expect(parseEasDate(s)).toBeUndefined();
    },
  );

  it('picks the form of each property from the documented table', () => {
    expect(dateFormOf('Calendar', 'StartTime')).toBe('compact');
    expect(dateFormOf('Calendar', 'Until')).toBe('compact');
    expect(dateFormOf('Calendar', 'ExceptionStartTime')).toBe('compact');
    expect(dateFormOf('AirSyncBase', 'InstanceId')).toBe('compact');
    expect(dateFormOf('Notes', 'LastModifiedDate')).toBe('compact');
    expect(dateFormOf('Email', 'DateReceived')).toBe('iso');
    expect(dateFormOf('Email', 'StartTime')).toBe('iso');
    expect(dateFormOf('Tasks', 'DueDate')).toBe('iso');
    expect(dateFormOf('Tasks', 'Until')).toBe('iso');
    expect(dateFormOf('Contacts', 'Birthday')).toBe('iso');
    expect(formatEasDate(T, dateFormOf('Calendar', 'DtStamp'))).toBe('20261123T173400Z');
  });
});
