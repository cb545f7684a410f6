/**
 * The two date forms of EAS and which property uses which.
 *
 * - **ISO** (`2026-11-23T17:34:00.000Z`): the MS-ASDTYPE 2.3 `dateTime` type,
 *   "YYYY-MM-DDTHH:MM:SS.MSSZ", milliseconds optional on input.
 * - **Compact** (`20261123T173400Z`): the MS-ASDTYPE 2.7.2 Compact DateTime
 *   string form, "YYYYMMDDTHHMMSSZ".
 *
 * Both are always UTC on the wire. Devices are not strict about the form they
 * send (some send ISO in Calendar fields, or drop the `Z`), so parsing accepts
 * either form everywhere and formatting follows the table below, which is the
 * part phones do check.
 *
 * | namespace:element | form | spec |
 * | --- | --- | --- |
 * | Calendar: StartTime, EndTime, DtStamp, ExceptionStartTime, Until, AppointmentReplyTime | compact | MS-ASCAL 2.2.2 (each element: "Compact DateTime") |
 * | AirSyncBase: InstanceId (16.0+) | compact | MS-ASAIRS 2.2.2.25 |
 * | Notes: LastModifiedDate | compact | MS-ASNOTE 2.2.2.4 |
 * | Email: Until (inside MeetingRequest/Recurrences) | compact | MS-ASEMAIL 2.2.2.85 |
 * | Email: DateReceived, StartTime, EndTime, DTStamp, RecurrenceId, CompleteTime | iso | MS-ASEMAIL 2.2.2 (dateTime) |
 * | Email2: LastVerbExecutionTime | iso | MS-ASEMAIL 2.2.2.46 |
 * | Tasks: StartDate, UtcStartDate, DueDate, UtcDueDate, DateCompleted, ReminderTime, OrdinalDate, Start, Until (also inside Email Flag) | iso | MS-ASTASK 2.2.2 (dateTime) |
 * | Contacts: Birthday, Anniversary | iso | MS-ASCNTC 2.2.2.3, 2.2.2.7 (dateTime) |
 */

/** Which of the two EAS date strings a property uses (see the table in this module). */
export type EasDateForm = 'compact' | 'iso';

/**
 * The form each dated element is written in, keyed `Namespace:Element`.
 * Elements not listed here default to ISO, the MS-ASDTYPE 2.3 type.
 */
export const DATE_FORMS: Readonly<Record<string, EasDateForm>> = Object.freeze({
  'Calendar:StartTime': 'compact',
  'Calendar:EndTime': 'compact',
  'Calendar:DtStamp': 'compact',
  'Calendar:ExceptionStartTime': 'compact',
  'Calendar:Until': 'compact',
  'Calendar:AppointmentReplyTime': 'compact',
  'AirSyncBase:InstanceId': 'compact',
  'Notes:LastModifiedDate': 'compact',
  'Email:Until': 'compact',
  'Email:DateReceived': 'iso',
  'Email:StartTime': 'iso',
  'Email:EndTime': 'iso',
  'Email:DTStamp': 'iso',
  'Email:RecurrenceId': 'iso',
  'Email:CompleteTime': 'iso',
  'Email2:LastVerbExecutionTime': 'iso',
  'Tasks:StartDate': 'iso',
  'Tasks:UtcStartDate': 'iso',
  'Tasks:DueDate': 'iso',
  'Tasks:UtcDueDate': 'iso',
  'Tasks:DateCompleted': 'iso',
  'Tasks:ReminderTime': 'iso',
  'Tasks:OrdinalDate': 'iso',
  'Tasks:Start': 'iso',
  'Tasks:Until': 'iso',
  'Contacts:Birthday': 'iso',
  'Contacts:Anniversary': 'iso',
});

/** The form to write `ns:name` in; ISO (MS-ASDTYPE 2.3) unless the table says compact. */
export function dateFormOf(ns: string, name: string): EasDateForm {
  return DATE_FORMS[`${ns}:${name}`] ?? 'iso';
}

const pad = (n: number, w = 2): string => String(n).padStart(w, '0');

/** `20261123T173400Z` (MS-ASDTYPE 2.7.2); sub-second precision is dropped because the form has none. */
export function formatCompactDate(d: Date): string {
  return (
    `${pad(d.getUTCFullYear(), 4)}${pad(d.getUTCMonth() + 1)}${pad(d.getUTCDate())}` +
    `T${pad(d.getUTCHours())}${pad(d.getUTCMinutes())}${pad(d.getUTCSeconds())}Z`
  );
}

/** `2026-11-23T17:34:00.000Z` (MS-ASDTYPE 2.3), always with milliseconds because older devices require them. */
export function formatIsoDate(d: Date): string {
  return (
    `${pad(d.getUTCFullYear(), 4)}-${pad(d.getUTCMonth() + 1)}-${pad(d.getUTCDate())}` +
    `T${pad(d.getUTCHours())}:${pad(d.getUTCMinutes())}:${pad(d.getUTCSeconds())}.${pad(d.getUTCMilliseconds(), 3)}Z`
  );
}

/** Formats `d` in the given form. */
export function formatEasDate(d: Date, form: EasDateForm): string {
  return form === 'compact' ? formatCompactDate(d) : formatIsoDate(d);
}

// Date part with or without dashes, optional time with or without colons,
// optional fraction, optional zone (Z or ±hh[:]mm). A missing zone is read as
// UTC, which is what EAS means even when a device forgets the Z.
const DATE_RE =
  /^(\d{4})-?(\d{2})-?(\d{2})(?:[T ](\d{2}):?(\d{2})(?::?(\d{2})(?:[.,](\d{1,9}))?)?)?\s*(Z|[+-]\d{2}:?\d{2})?$/i;

/**
 * Reads either EAS date form, leniently: dashes and colons optional, seconds
 * and milliseconds optional, `Z` or a numeric offset or nothing (= UTC), a bare
 * date as midnight UTC. Returns undefined for anything else, including
 * impossible dates such as month 13 or February 30.
 */
export function parseEasDate(s: string): Date | undefined {
  const m = DATE_RE.exec(s.trim());
  if (!m) return undefined;
  const [, y, mo, d, h = '0', mi = '0', sec = '0', frac = '', zone = 'Z'] = m;
  const year = Number(y), month = Number(mo), day = Number(d);
  const hour = Number(h), minute = Number(mi), second = Number(sec);
  // MS-ASDTYPE allows hour 24 (end of day); anything beyond is a broken value.
  if (month < 1 || month > 12 || day < 1 || day > 31 || hour > 24 || minute > 59 || second > 60) return undefined;
  const ms = frac ? Math.round(Number(`0.${frac}`) * 1000) : 0;
  let t = Date.UTC(year, month - 1, day, hour, minute, second, ms);
  // Date.UTC maps years 0-99 to 1900-1999; EAS years are four digits, keep them literal.
  if (year < 100) t = new Date(t).setUTCFullYear(year);
  const check = new Date(Date.UTC(year < 100 ? 2000 + year : year, month - 1, day));
  if (check.getUTCDate() !== day) return undefined;
  if (zone.toUpperCase() !== 'Z') {
    const sign = zone.startsWith('-') ? -1 : 1;
    const digits = zone.slice(1).replace(':', '');
    t -= sign * (Number(digits.slice(0, 2)) * 60 + Number(digits.slice(2))) * 60_000;
  }
  const out = new Date(t);
  return Number.isNaN(out.getTime()) ? undefined : out;
}
