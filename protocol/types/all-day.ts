/**
 * All-day events (MS-ASCAL 2.2.2.1 AllDayEvent): "understood to begin on
 * midnight of the specified day and to end on midnight of the next day", where
 * midnight is local to the item's TimeZone while StartTime/EndTime are UTC.
 * These helpers convert between that form and calendar dates (`YYYY-MM-DD`,
 * the iCalendar DATE value a CalDAV backend stores).
 */
import { fixedOffsetTimeZone, fromLocalWallTime, toLocalWallTime } from './timezone.ts';
import type { EasTimeZone } from './timezone.ts';

const DAY = 86_400_000;
const DATE_RE = /^(\d{4})-?(\d{2})-?(\d{2})$/;

function dateText(wall: Date): string {
  return wall.toISOString().slice(0, 10);
}

function wallMidnight(date: string): Date {
  const m = DATE_RE.exec(date);
  if (!m) throw new RangeError(`not a calendar date: ${date}`);
  return new Date(Date.UTC(Number(m[1]), Number(m[2]) - 1, Number(m[3])));
}

/**
 * The local dates of an all-day event: `start` inclusive, `end` exclusive.
 * Times that are not local midnight are widened the way Exchange does: the
 * start down to its midnight, the end up to the next one; an empty or negative
 * span becomes one day. Without a TimeZone the times are read as UTC.
 */
export function allDayDatesOf(startTime: Date, endTime: Date, tz: EasTimeZone = fixedOffsetTimeZone(0)): { start: string; end: string } {
  const s = toLocalWallTime(tz, startTime).getTime();
  const e = toLocalWallTime(tz, endTime).getTime();
  const startDay = Math.floor(s / DAY) * DAY;
  let endDay = Math.ceil(e / DAY) * DAY;
  if (endDay <= startDay) endDay = startDay + DAY;
  return { start: dateText(new Date(startDay)), end: dateText(new Date(endDay)) };
}

/**
 * StartTime/EndTime (UTC) for an all-day event from its local dates, `end`
 * exclusive (`2026-12-24`..`2026-12-25` is one day). Throws RangeError for a
 * malformed date.
 */
export function allDayTimes(start: string, end: string, tz: EasTimeZone = fixedOffsetTimeZone(0)): { startTime: Date; endTime: Date } {
  return { startTime: fromLocalWallTime(tz, wallMidnight(start)), endTime: fromLocalWallTime(tz, wallMidnight(end)) };
}
