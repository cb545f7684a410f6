/**
 * The follow-up flag of a message (MS-ASEMAIL 2.2.2.34 Flag, 12.0+). Status,
 * FlagType and CompleteTime are in the Email namespace, the dates, reminder
 * and subject in the Tasks namespace; all dates are ISO (MS-ASDTYPE 2.3).
 */
import { child, el, opt } from '../wbxml/tree.ts';
import type { WbxmlElement } from '../wbxml/tree.ts';
import { clean, dateEl, readBool, readDate, readInt, readText } from './values.ts';

/** MS-ASEMAIL 2.2.2.74 Status: 0 cleared, 1 complete, 2 active (flagged). */
export type FlagStatus = 0 | 1 | 2;

/** A follow-up flag. */
export interface EasFlag {
  status?: FlagStatus;
  /** Free text such as "Flag for follow up". */
  flagType?: string;
  startDate?: Date;
  utcStartDate?: Date;
  dueDate?: Date;
  utcDueDate?: Date;
  dateCompleted?: Date;
  completeTime?: Date;
  reminderSet?: boolean;
  reminderTime?: Date;
  subject?: string;
  ordinalDate?: Date;
  subOrdinalDate?: string;
}

/**
 * `email:Flag` in the child order of MS-ASEMAIL 2.2.2.34. An empty flag object
 * writes `<Flag/>`, which tells the device the flag is cleared.
 */
export function flagToElement(f: EasFlag): WbxmlElement {
  return el('Email', 'Flag', [
    opt('Tasks', 'Subject', f.subject),
    opt('Email', 'Status', f.status),
    opt('Email', 'FlagType', f.flagType),
    dateEl('Tasks', 'DateCompleted', f.dateCompleted),
    dateEl('Email', 'CompleteTime', f.completeTime),
    dateEl('Tasks', 'StartDate', f.startDate),
    dateEl('Tasks', 'DueDate', f.dueDate),
    dateEl('Tasks', 'UtcStartDate', f.utcStartDate),
    dateEl('Tasks', 'UtcDueDate', f.utcDueDate),
    opt('Tasks', 'ReminderSet', f.reminderSet),
    dateEl('Tasks', 'ReminderTime', f.reminderTime),
    dateEl('Tasks', 'OrdinalDate', f.ordinalDate),
    opt('Tasks', 'SubOrdinalDate', f.subOrdinalDate),
  ]);
}

/**
 * The flag under `parent`: undefined when there is no Flag element, `null`
 * when it is empty (the device cleared the flag), else its fields.
 */
export function flagFromParent(parent: WbxmlElement): EasFlag | null | undefined {
  const f = child(parent, 'Flag', 'Email');
  if (!f) return undefined;
  if (!f.children || f.children.length === 0) return null;
  const status = readInt(f, 'Email', 'Status');
  return clean({
    status: status === 0 || status === 1 || status === 2 ? (status as FlagStatus) : undefined,
    flagType: readText(f, 'Email', 'FlagType'),
    startDate: readDate(f, 'Tasks', 'StartDate'),
    utcStartDate: readDate(f, 'Tasks', 'UtcStartDate'),
    dueDate: readDate(f, 'Tasks', 'DueDate'),
    utcDueDate: readDate(f, 'Tasks', 'UtcDueDate'),
    dateCompleted: readDate(f, 'Tasks', 'DateCompleted'),
    completeTime: readDate(f, 'Email', 'CompleteTime'),
    reminderSet: readBool(f, 'Tasks', 'ReminderSet'),
    reminderTime: readDate(f, 'Tasks', 'ReminderTime'),
    subject: readText(f, 'Tasks', 'Subject'),
    ordinalDate: readDate(f, 'Tasks', 'OrdinalDate'),
    subOrdinalDate: readText(f, 'Tasks', 'SubOrdinalDate'),
  });
}
