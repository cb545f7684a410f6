/**
 * The Task class (MS-ASTASK 2.2.2). All dates are ISO (MS-ASDTYPE 2.3);
 * StartDate/DueDate are the local dates as if they were UTC, UtcStartDate/
 * UtcDueDate the real instants (MS-ASTASK 2.2.2.26, 2.2.2.31).
 */
import type { WbxmlElement } from '../wbxml/tree.ts';
import { opt } from '../wbxml/tree.ts';
import { versionAtLeast } from '../version.ts';
import type { ProtocolVersion } from '../version.ts';
import { bodyFromElements, bodyToElements, nativeBodyTypeToElements } from './body.ts';
import type { BodyType, EasBody } from './body.ts';
import { recurrenceFromParent, recurrenceToElement } from './recurrence.ts';
import type { EasRecurrence } from './recurrence.ts';
import { categoriesEl, clean, dateEl, readBool, readCategories, readDate, readInt, readText } from './values.ts';

const NS = 'Tasks';

/** A task. */
export interface EasTask {
  subject?: string;
  body?: EasBody;
  nativeBodyType?: BodyType;
  /** 0 low, 1 normal, 2 high. */
  importance?: number;
  utcStartDate?: Date;
  startDate?: Date;
  utcDueDate?: Date;
  dueDate?: Date;
  categories?: string[];
  /** With `start` set (MS-ASTASK 2.2.2.25, required there). */
  recurrence?: EasRecurrence;
  complete?: boolean;
  dateCompleted?: Date;
  /** 0 normal, 1 personal, 2 private, 3 confidential. */
  sensitivity?: number;
  reminderTime?: Date;
  reminderSet?: boolean;
  ordinalDate?: Date;
  subOrdinalDate?: string;
}

/** The children of ApplicationData for a task in `version`, in the order of MS-ASTASK section 4 examples. */
export function taskToApplicationData(t: EasTask, version: ProtocolVersion): WbxmlElement[] {
  const v12 = versionAtLeast(version, '12.0');
  return [
    ...bodyToElements(t.body, version, 'Tasks'),
    opt(NS, 'Subject', t.subject),
    opt(NS, 'Importance', t.importance),
    dateEl(NS, 'UtcStartDate', t.utcStartDate),
    dateEl(NS, 'StartDate', t.startDate),
    dateEl(NS, 'UtcDueDate', t.utcDueDate),
    dateEl(NS, 'DueDate', t.dueDate),
    categoriesEl(NS, t.categories),
    t.recurrence ? recurrenceToElement(t.recurrence, version, 'Tasks') : undefined,
    // Complete is required by MS-ASTASK 2.2.2.7 in server responses.
    opt(NS, 'Complete', t.complete ?? false),
    dateEl(NS, 'DateCompleted', t.complete ? t.dateCompleted : undefined),
    opt(NS, 'Sensitivity', t.sensitivity),
    dateEl(NS, 'ReminderTime', t.reminderTime),
    opt(NS, 'ReminderSet', t.reminderSet),
    // OrdinalDate/SubOrdinalDate are 12.0 tokens (MS-ASWBXML code page 9).
    v12 ? dateEl(NS, 'OrdinalDate', t.ordinalDate) : undefined,
    v12 ? opt(NS, 'SubOrdinalDate', t.subOrdinalDate) : undefined,
    ...nativeBodyTypeToElements(t.nativeBodyType, version),
  ].filter((x): x is WbxmlElement => !!x);
}

/** Reads a task ApplicationData (either direction); throws EasDataError for unreadable values. */
export function taskFromApplicationData(appData: WbxmlElement, _version: ProtocolVersion): EasTask {
  const a = appData;
  const nbt = readInt(a, 'AirSyncBase', 'NativeBodyType');
  return clean<EasTask>({
    subject: readText(a, NS, 'Subject'),
    body: bodyFromElements(a, 'Tasks'),
    nativeBodyType: nbt !== undefined && nbt >= 1 && nbt <= 4 ? (nbt as BodyType) : undefined,
    importance: readInt(a, NS, 'Importance'),
    utcStartDate: readDate(a, NS, 'UtcStartDate'),
    startDate: readDate(a, NS, 'StartDate'),
    utcDueDate: readDate(a, NS, 'UtcDueDate'),
    dueDate: readDate(a, NS, 'DueDate'),
    categories: readCategories(a, NS),
    recurrence: recurrenceFromParent(a, 'Tasks'),
    complete: readBool(a, NS, 'Complete'),
    dateCompleted: readDate(a, NS, 'DateCompleted'),
    sensitivity: readInt(a, NS, 'Sensitivity'),
    reminderTime: readDate(a, NS, 'ReminderTime'),
    reminderSet: readBool(a, NS, 'ReminderSet'),
    ordinalDate: readDate(a, NS, 'OrdinalDate'),
    subOrdinalDate: readText(a, NS, 'SubOrdinalDate'),
  });
}
