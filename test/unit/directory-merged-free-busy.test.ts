/** MergedFreeBusy (MS-ASCMD 2.2.3.107): one digit per 30-minute slot, the strongest state wins. */
import { describe, expect, it } from 'vitest';
import type { BusyInterval } from '../../backends/dav/free-busy.ts';
import { mergedFreeBusy, slotCount, SLOT_MS } from '../../src/commands/directory/merged-free-busy.ts';

const T0 = Date.UTC(2026, 2, 2, 8, 0);
const m = (minutes: number): number => T0 + minutes * 60_000;
const iv = (from: number, to: number, type: BusyInterval['type'] = 'BUSY'): BusyInterval => ({ start: m(from), end: m(to), type });

describe('mergedFreeBusy', () => {
  it('is all 0 for no intervals and all 4 for no data', () => {
    expect(mergedFreeBusy(m(0), m(120), [])).toBe('0000');
    expect(mergedFreeBusy(m(0), m(120), undefined)).toBe('4444');
  });

  it.each([
    ['busy', [iv(30, 60)], '0200'],
    ['tentative', [iv(0, 30, 'BUSY-TENTATIVE')], '1000'],
    ['out of office', [iv(90, 120, 'BUSY-UNAVAILABLE')], '0003'],
    ['a slot touched for part of it', [iv(40, 50)], '0200'],
    ['an interval across slots', [iv(20, 70)], '2220'],
    ['busy over tentative', [iv(0, 60, 'BUSY-TENTATIVE'), iv(30, 60)], '1200'],
    ['oof over busy, whatever the order', [iv(0, 60, 'BUSY-UNAVAILABLE'), iv(0, 120)], '3322'],
    ['intervals outside the window', [iv(-60, 0), iv(120, 180)], '0000'],
    ['an interval covering the window and more', [iv(-600, 600, 'BUSY-TENTATIVE')], '1111'],
    ['an empty interval', [iv(30, 30)], '0000'],
  ] as const)('%s', (_name, intervals, expected) => {
    expect(mergedFreeBusy(m(0), m(120), intervals)).toBe(expected);
  });

  it('counts a partial last slot as a slot', () => {
    expect(slotCount(m(0), m(45))).toBe(2);
    expect(mergedFreeBusy(m(0), m(45), [iv(40, 45)])).toBe('02');
    expect(slotCount(m(0), m(0))).toBe(0);
    expect(slotCount(m(10), m(0))).toBe(0);
  });

  it('gives 48 digits for a day', () => {
    expect(mergedFreeBusy(T0, T0 + 48 * SLOT_MS, [])).toHaveLength(48);
  });
});
