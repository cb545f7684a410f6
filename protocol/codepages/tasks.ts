import type { CodePageDef } from './types.ts';

/**
 * Code page 9: Tasks (MS-ASWBXML 2.1.2.1.10).
 *
 * Tags exist from protocol 2.5 unless their row gives its own first (and last) version.
 */
export const tasksPage: CodePageDef = {
  page: 9,
  ns: 'Tasks',
  section: 'MS-ASWBXML 2.1.2.1.10',
  since: '2.5',
  tags: [
    [0x05, 'Body', '2.5', '2.5'],
    [0x06, 'BodySize', '2.5', '2.5'],
    [0x07, 'BodyTruncated', '2.5', '2.5'],
    [0x08, 'Categories'],
    [0x09, 'Category'],
    [0x0A, 'Complete'],
    [0x0B, 'DateCompleted'],
    [0x0C, 'DueDate'],
    [0x0D, 'UtcDueDate'],
    [0x0E, 'Importance'],
    [0x0F, 'Recurrence'],
    [0x10, 'Type'],
    [0x11, 'Start'],
    [0x12, 'Until'],
    [0x13, 'Occurrences'],
    [0x14, 'Interval'],
    [0x15, 'DayOfMonth'],
    [0x16, 'DayOfWeek'],
    [0x17, 'WeekOfMonth'],
    [0x18, 'MonthOfYear'],
    [0x19, 'Regenerate'],
    [0x1A, 'DeadOccur'],
    [0x1B, 'ReminderSet'],
    [0x1C, 'ReminderTime'],
    [0x1D, 'Sensitivity'],
    [0x1E, 'StartDate'],
    [0x1F, 'UtcStartDate'],
    [0x20, 'Subject'],
    [0x21, 'CompressedRTF', '2.5', '2.5'],
    [0x22, 'OrdinalDate', '12.0'],
    [0x23, 'SubOrdinalDate', '12.0'],
    [0x24, 'CalendarType', '14.0'],
    [0x25, 'IsLeapMonth', '14.0'],
    [0x26, 'FirstDayOfWeek', '14.1'],
  ],
};
