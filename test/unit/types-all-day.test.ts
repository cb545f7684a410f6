import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { decodeWbxmlFragment } from '../../protocol/wbxml/decoder.ts';
import { el } from '../../protocol/wbxml/tree.ts';
import { allDayDatesOf, allDayTimes } from '../../protocol/types/all-day.ts';
import { calendarFromApplicationData } from '../../protocol/types/calendar.ts';
import { timeZoneFromIana } from '../../protocol/types/timezone-iana.ts';

describe('all-day events (MS-ASCAL 2.2.2.1)', () => {
  const paris = timeZoneFromIana('Europe/Paris', 2026);

  it('local midnight in Paris is 23:00 UTC the day before in winter, 22:00 in summer', () => {
    expect(allDayTimes('2026-12-24', '2026-12-25', paris)).toEqual({
      startTime: new Date('2026-12-23T23:00:00Z'),
      endTime: new Date('2026-12-24T23:00:00Z'),
    });
    expect(allDayTimes('2026-07-14', '2026-07-15', paris).startTime).toEqual(new Date('2026-07-13T22:00:00Z'));
  });

  it('reads the dates back from the UTC times', () => {
    expect(allDayDatesOf(new Date('2026-12-23T23:00:00Z'), new Date('2026-12-24T23:00:00Z'), paris)).toEqual({ start: '2026-12-24', end: '2026-12-25' });
  });

  it('a span across the October DST change is still whole days', () => {
    const t = allDayTimes('2026-10-24', '2026-10-26', paris);
    expect(t.endTime.getTime() - t.startTime.getTime()).toBe(49 * 3_600_000);
    expect(allDayDatesOf(t.startTime, t.endTime, paris)).toEqual({ start: '2026-10-24', end: '2026-10-26' });
  });

  it('widens non-midnight times to whole days, and an empty span to one day', () => {
    expect(allDayDatesOf(new Date('2026-06-06T13:00:00Z'), new Date('2026-06-06T13:00:00Z'))).toEqual({ start: '2026-06-06', end: '2026-06-07' });
    expect(allDayDatesOf(new Date('2026-06-06T13:00:00Z'), new Date('2026-06-07T01:00:00Z'))).toEqual({ start: '2026-06-06', end: '2026-06-08' });
  });

  it('the Horde all-day fixture is 20 March 1970 in US Eastern', () => {
    const siblings = decodeWbxmlFragment(new Uint8Array(readFileSync(fileURLToPath(new URL('../../../shared/fixtures/wbxml/horde/allday_appointment.wbxml', import.meta.url)))));
    const c = calendarFromApplicationData(el('AirSync', 'ApplicationData', siblings), '2.5');
    expect(allDayDatesOf(c.startTime!, c.endTime!, c.timeZone)).toEqual({ start: '1970-03-20', end: '1970-03-21' });
  });

  it('rejects a malformed date', () => {
    expect(() => allDayTimes('24.12.2026', '2026-12-25')).toThrow(RangeError);
  });
});
