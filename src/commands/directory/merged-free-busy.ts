/**
 * MergedFreeBusy (MS-ASCMD 2.2.3.107): one digit per 30-minute slot from
 * StartTime to EndTime, 0 free, 1 tentative, 2 busy, 3 out of office,
 * 4 no data. Where several intervals cover a slot the strongest wins
 * (3 > 2 > 1 > 0), as Exchange merges a user's calendars. A slot that an
 * interval touches for any part of its 30 minutes takes that interval's
 * value. Pure: the busy intervals come from backends/dav/free-busy.ts.
 */
import type { BusyInterval, BusyType } from '../../../backends/dav/free-busy.ts';

/** Length of one slot. */
export const SLOT_MS = 30 * 60_000;

/** MS-ASCMD 2.2.3.107 digits. */
export const FreeBusyDigit = { Free: '0', Tentative: '1', Busy: '2', OutOfOffice: '3', NoData: '4' } as const;

const RANK: Readonly<Record<BusyType, number>> = { 'BUSY-TENTATIVE': 1, BUSY: 2, 'BUSY-UNAVAILABLE': 3 };

/** Slots in [start, end): a partial last slot counts as a slot. */
export function slotCount(start: number, end: number): number {
  return end <= start ? 0 : Math.ceil((end - start) / SLOT_MS);
}

/**
 * The MergedFreeBusy string for the window, or all "4" when `intervals` is
 * undefined (no free/busy data: a recipient not on this server).
 */
export function mergedFreeBusy(start: number, end: number, intervals: readonly BusyInterval[] | undefined): string {
  const n = slotCount(start, end);
  if (intervals === undefined) return FreeBusyDigit.NoData.repeat(n);
  const slots = new Uint8Array(n);
  for (const iv of intervals) {
    if (iv.end <= start || iv.start >= end || iv.end <= iv.start) continue;
    const from = Math.max(0, Math.floor((iv.start - start) / SLOT_MS));
    const to = Math.min(n, Math.ceil((iv.end - start) / SLOT_MS));
    const rank = RANK[iv.type];
    for (let i = from; i < to; i++) if (slots[i]! < rank) slots[i] = rank;
  }
  return Array.from(slots, String).join('');
}
