/**
 * Recurrence patterns, shared by Calendar (MS-ASCAL 2.2.2.35), Email
 * MeetingRequest (MS-ASEMAIL 2.2.2.60) and Tasks (MS-ASTASK 2.2.2.20). The
 * three differ in namespace, date form of Until (compact for Calendar/Email,
 * ISO for Tasks) and a few extra children (Tasks Start, Regenerate, DeadOccur;
 * the Email2 namespace for CalendarType/IsLeapMonth/FirstDayOfWeek in Email).
 */
import { child, el, opt } from '../wbxml/tree.ts';
import type { WbxmlElement } from '../wbxml/tree.ts';
import { versionAtLeast } from '../version.ts';
import type { ProtocolVersion } from '../version.ts';
import { EasDataError } from './errors.ts';
import { clean, dateEl, readBool, readDate, readInt } from './values.ts';

/** MS-ASCAL 2.2.2.45 Type: 0 daily, 1 weekly, 2 monthly, 3 monthly on the nth day, 5 yearly, 6 yearly on the nth day. */
export type RecurrenceType = 0 | 1 | 2 | 3 | 5 | 6;

/** DayOfWeek is a bit mask (MS-ASCAL 2.2.2.16): Sunday 1, Monday 2, ... Saturday 64; 127 = every day. */
export const DAY_OF_WEEK = Object.freeze({ Sunday: 1, Monday: 2, Tuesday: 4, Wednesday: 8, Thursday: 16, Friday: 32, Saturday: 64 });

/** A recurrence pattern; `start`, `regenerate` and `deadOccur` exist for Tasks only. */
export interface EasRecurrence {
  type: RecurrenceType;
  interval?: number;
  until?: Date;
  occurrences?: number;
  /** 1-4, 5 = last. */
  weekOfMonth?: number;
  dayOfMonth?: number;
  dayOfWeek?: number;
  monthOfYear?: number;
  /** 14.0+ (MS-ASCAL 2.2.2.11); 0 default, 1 Gregorian, ... */
  calendarType?: number;
  /** 14.0+ */
  isLeapMonth?: boolean;
  /** 14.1+; 0 Sunday ... 6 Saturday. */
  firstDayOfWeek?: number;
  /** Tasks: the start of the recurrence (required there). */
  start?: Date;
  /** Tasks: the next instance is due a span after the previous one was completed. */
  regenerate?: boolean;
  /** Tasks: the task recurs no more. */
  deadOccur?: boolean;
}

/** Which class the pattern sits in. */
export type RecurrenceFlavour = 'Calendar' | 'Email' | 'Tasks';

const TYPES: readonly number[] = [0, 1, 2, 3, 5, 6];

/**
 * The Recurrence element for `flavour` (for Email: the inner Recurrence, the
 * caller wraps it in Recurrences), with only the tokens `version` has.
 */
export function recurrenceToElement(r: EasRecurrence, version: ProtocolVersion, flavour: RecurrenceFlavour): WbxmlElement {
  const ns = flavour;
  const extNs = flavour === 'Email' ? 'Email2' : flavour;
  const v14 = versionAtLeast(version, '14.0');
  const v141 = versionAtLeast(version, '14.1');
  const tail = [
    v14 ? opt(extNs, 'CalendarType', r.calendarType) : undefined,
    v14 ? opt(extNs, 'IsLeapMonth', r.isLeapMonth) : undefined,
    v141 ? opt(extNs, 'FirstDayOfWeek', r.firstDayOfWeek) : undefined,
  ];
  if (flavour === 'Tasks') {
    return el(ns, 'Recurrence', [
      el(ns, 'Type', r.type),
      dateEl(ns, 'Start', r.start),
      dateEl(ns, 'Until', r.until),
      opt(ns, 'Occurrences', r.occurrences),
      opt(ns, 'Interval', r.interval),
      opt(ns, 'DayOfWeek', r.dayOfWeek),
      opt(ns, 'DayOfMonth', r.dayOfMonth),
      opt(ns, 'WeekOfMonth', r.weekOfMonth),
      opt(ns, 'MonthOfYear', r.monthOfYear),
      opt(ns, 'Regenerate', r.regenerate),
      opt(ns, 'DeadOccur', r.deadOccur),
      ...tail,
    ]);
  }
  return el(ns, 'Recurrence', [
    el(ns, 'Type', r.type),
    // Email requires Interval (MS-ASEMAIL 2.2.2.60); 1 is what an absent Interval means.
    flavour === 'Email' ? el(ns, 'Interval', r.interval ?? 1) : opt(ns, 'Interval', r.interval),
    dateEl(ns, 'Until', r.until),
    opt(ns, 'Occurrences', r.occurrences),
    opt(ns, 'WeekOfMonth', r.weekOfMonth),
    opt(ns, 'DayOfMonth', r.dayOfMonth),
    opt(ns, 'DayOfWeek', r.dayOfWeek),
    opt(ns, 'MonthOfYear', r.monthOfYear),
    ...tail,
  ]);
}

/** Reads a Recurrence element of `flavour`; throws EasDataError for a missing or unknown Type. */
export function recurrenceFromElement(rec: WbxmlElement, flavour: RecurrenceFlavour): EasRecurrence {
  const ns = flavour;
  const extNs = flavour === 'Email' ? 'Email2' : flavour;
  const type = readInt(rec, ns, 'Type');
  if (type === undefined || !TYPES.includes(type)) throw new EasDataError(`${ns}:Type`, `bad recurrence type ${type}`);
  return clean({
    type: type as RecurrenceType,
    interval: readInt(rec, ns, 'Interval'),
    until: readDate(rec, ns, 'Until'),
    occurrences: readInt(rec, ns, 'Occurrences'),
    weekOfMonth: readInt(rec, ns, 'WeekOfMonth'),
    dayOfMonth: readInt(rec, ns, 'DayOfMonth'),
    dayOfWeek: readInt(rec, ns, 'DayOfWeek'),
    monthOfYear: readInt(rec, ns, 'MonthOfYear'),
    calendarType: readInt(rec, extNs, 'CalendarType'),
    isLeapMonth: readBool(rec, extNs, 'IsLeapMonth'),
    firstDayOfWeek: readInt(rec, extNs, 'FirstDayOfWeek'),
    start: flavour === 'Tasks' ? readDate(rec, ns, 'Start') : undefined,
    regenerate: flavour === 'Tasks' ? readBool(rec, ns, 'Regenerate') : undefined,
    deadOccur: flavour === 'Tasks' ? readBool(rec, ns, 'DeadOccur') : undefined,
  });
}

/** The Recurrence child of `parent` in `flavour` (for Email: inside Recurrences), parsed; undefined when absent. */
export function recurrenceFromParent(parent: WbxmlElement, flavour: RecurrenceFlavour): EasRecurrence | undefined {
  const holder = flavour === 'Email' ? child(parent, 'Recurrences', 'Email') : parent;
  const rec = holder && child(holder, 'Recurrence', flavour);
  return rec ? recurrenceFromElement(rec, flavour) : undefined;
}
