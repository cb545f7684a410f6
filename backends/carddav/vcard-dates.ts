/**
 * Birthdays and anniversaries: vCard dates (BDAY, ANNIVERSARY and their X-
 * forms) <-> the EAS dateTime of MS-ASCNTC 2.2.2.6 Birthday / 2.2.2.3
 * Anniversary, which is UTC and whose "time portion ... might be 11:59 and
 * SHOULD be ignored". Phones do not ignore it the same way:
 *
 * - iOS and Outlook send the local midnight of the day, in UTC: April 13 from
 *   a phone at UTC+2 arrives as 1985-04-12T22:00:00Z, from UTC-5 as
 *   1985-04-13T05:00:00Z;
 * - Android clients and most servers send UTC midnight (or 08:00Z);
 * - Exchange sends 11:59 or noon UTC; BlackBerry 10 and Palm sent local noon.
 *
 * The rule (`dateOfEas`): the date is that of the nearest UTC midnight, a tie
 * at 12:00:00Z going to the next day. That reads UTC midnight, every time
 * before noon UTC, and local midnight anywhere from UTC-11:59 to UTC+12 as
 * the day the user typed. It reads wrongly, by one day, only local midnight
 * east of UTC+12 (New Zealand summer, Tonga, Samoa, Kiribati: the day
 * before) and local noon at or west of Greenwich (the day after); fixing those needs
 * the device's time zone, which a contact does not carry.
 *
 * Going out (`easOfDate`) the date is sent at 11:59:00Z, the time Exchange
 * uses: the same local date from UTC-11 to UTC+12 for a phone that does
 * convert to local time, the same UTC date for one that does not, and it
 * comes back through the rule unchanged.
 */

const DAY = 86_400_000;
const HALF_DAY = DAY / 2;

/**
 * The year iOS gives a date without one (a birthday whose year is unknown):
 * Apple writes BDAY;X-APPLE-OMIT-YEAR=1604:1604-04-13. A 4.0 `--0413` is
 * read with it too, since EAS has no year-less date.
 */
export const NO_YEAR = 1604;

/** A calendar date. */
export interface CalendarDate {
  readonly year: number;
  readonly month: number;
  readonly day: number;
}

/** `YYYY-MM-DD`, for comparisons. */
export function dateKey(d: CalendarDate): string {
  return `${String(d.year).padStart(4, '0')}-${String(d.month).padStart(2, '0')}-${String(d.day).padStart(2, '0')}`;
}

/** The date an EAS Birthday/Anniversary means (rule above). */
export function dateOfEas(t: Date): CalendarDate {
  const d = new Date(Math.floor((t.getTime() + HALF_DAY) / DAY) * DAY);
  return { year: d.getUTCFullYear(), month: d.getUTCMonth() + 1, day: d.getUTCDate() };
}

/** The EAS dateTime for a date: 11:59:00 UTC of that day. */
export function easOfDate(d: CalendarDate): Date {
  const t = new Date(Date.UTC(2000, d.month - 1, d.day, 11, 59, 0));
  t.setUTCFullYear(d.year); // Date.UTC reads years 0..99 as 1900..1999
  return t;
}

/**
 * A vCard date value (unescaped): 4.0 `19850413`, `--0413`, `--04-13`,
 * 3.0 `1985-04-13`, either with a time after `T` (ignored: a birthday stored
 * with a time is still that day as written). Undefined for what EAS cannot
 * hold: year or month only (`1985`, `1985-04`), text (`circa 1800`).
 */
export function parseVcardDate(value: string): CalendarDate | undefined {
  const v = value.trim();
  const m = /^(\d{4}|--)-?(\d{2})-?(\d{2})(?:T.*)?$/.exec(v);
  if (!m) return undefined;
  const year = m[1] === '--' ? NO_YEAR : Number(m[1]);
  const month = Number(m[2]);
  const day = Number(m[3]);
  if (month < 1 || month > 12 || day < 1 || day > 31) return undefined;
  const check = easOfDate({ year, month, day });
  if (check.getUTCMonth() + 1 !== month) return undefined; // 1985-02-30
  return { year, month, day };
}

/**
 * A date value as written: 4.0 basic format with `--MMDD` for a year-less
 * date (RFC 6350 4.3.1); 3.0 extended `YYYY-MM-DD` (RFC 2426 4 date), which
 * is what Apple and Android write and what every 3.0 reader takes.
 */
export function formatVcardDate(d: CalendarDate, version: '3.0' | '4.0'): string {
  const k = dateKey(d);
  if (version === '3.0') return k;
  return d.year === NO_YEAR ? `--${k.slice(5).replace('-', '')}` : k.replace(/-/g, '');
}
