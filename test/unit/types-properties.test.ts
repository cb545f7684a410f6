/** Property tests: the codecs of this layer are exact inverses on every valid input, and never crash on junk. */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { el } from '../../protocol/wbxml/tree.ts';
import { formatCompactDate, formatIsoDate, parseEasDate } from '../../protocol/types/dates.ts';
import { calendarFromApplicationData } from '../../protocol/types/calendar.ts';
import { contactFromApplicationData } from '../../protocol/types/contact.ts';
import { emailFromApplicationData } from '../../protocol/types/email.ts';
import { isEasDataError } from '../../protocol/types/errors.ts';
import { decodeTimeZone, encodeTimeZone, offsetAt } from '../../protocol/types/timezone.ts';
import { timeZoneFromIana, zoneOffsetMinutes } from '../../protocol/types/timezone-iana.ts';

const instant = fc.date({ min: new Date('1601-01-01T00:00:00Z'), max: new Date('9999-12-31T23:59:59Z'), noInvalidDate: true });

describe('date properties', () => {
  it('ISO format then parse is the identity', () => {
    fc.assert(fc.property(instant, (d) => parseEasDate(formatIsoDate(d))?.getTime() === d.getTime()));
  });

  it('compact format then parse is the identity to the second', () => {
    fc.assert(fc.property(instant, (d) => parseEasDate(formatCompactDate(d))?.getTime() === Math.floor(d.getTime() / 1000) * 1000));
  });

  it('parse never throws', () => {
    fc.assert(fc.property(fc.string(), (s) => { parseEasDate(s); }));
  });
});

describe('TimeZone blob properties', () => {
  const u16 = fc.integer({ min: 0, max: 0xffff });
  const st = fc.record({ year: u16, month: u16, dayOfWeek: u16, day: u16, hour: u16, minute: u16, second: u16, milliseconds: u16 });
  const i32 = fc.integer({ min: -0x80000000, max: 0x7fffffff });
  const name = fc.string({ maxLength: 31, unit: fc.integer({ min: 1, max: 0xd7ff }).map((c) => String.fromCharCode(c)) });
  const tz = fc.record({ bias: i32, standardName: name, standardDate: st, standardBias: i32, daylightName: name, daylightDate: st, daylightBias: i32 });

  it('decode(encode(tz)) is the identity', () => {
    fc.assert(fc.property(tz, (t) => {
      expect(decodeTimeZone(encodeTimeZone(t))).toEqual(t);
    }));
  });

  it('any 172 bytes decode without throwing', () => {
    fc.assert(fc.property(fc.uint8Array({ minLength: 172, maxLength: 172 }), (b) => { decodeTimeZone(b); }));
  });

  it.each(['Europe/Paris', 'America/New_York', 'Australia/Sydney', 'America/Sao_Paulo', 'Asia/Kolkata'])(
    'the blob made from %s gives the zone\'s own offset at any instant of that year',
    (zone) => {
      const blob = timeZoneFromIana(zone, 2026);
      const year = fc.date({ min: new Date('2026-01-02T00:00:00Z'), max: new Date('2026-12-30T00:00:00Z'), noInvalidDate: true });
      fc.assert(fc.property(year, (d) => offsetAt(blob, d) === zoneOffsetMinutes(zone, d.getTime())), { numRuns: 300 });
    },
  );
});

describe('hostile ApplicationData never crashes the readers', () => {
  const leaf = fc.record({
    ns: fc.constantFrom('Email', 'Calendar', 'Contacts', 'AirSyncBase', 'Tasks', 'Email2'),
    name: fc.constantFrom('Read', 'Flag', 'StartTime', 'TimeZone', 'Birthday', 'Body', 'Type', 'Exceptions', 'Exception', 'Recurrence', 'Categories', 'Attendees', 'Importance', 'Until'),
    text: fc.oneof(fc.string(), fc.constant('1'), fc.constant('20261123T173400Z')),
  });
  const node = fc.letrec((tie) => ({
    n: fc.oneof({ depthSize: 'small' }, leaf, fc.record({ ns: leaf.map((l) => l.ns), name: leaf.map((l) => l.name), children: fc.array(tie('n'), { maxLength: 4 }) })),
  })).n;

  it('every reader either returns or throws EasDataError', () => {
    fc.assert(
      fc.property(fc.array(node, { maxLength: 6 }), (children) => {
        const ad = el('AirSync', 'ApplicationData', children as never);
        for (const read of [() => emailFromApplicationData(ad, '16.1'), () => calendarFromApplicationData(ad, '16.1'), () => contactFromApplicationData(ad, '14.1')]) {
          try {
            read();
          } catch (e) {
            if (!isEasDataError(e)) throw e;
          }
        }
      }),
      { numRuns: 500 },
    );
  });
});
