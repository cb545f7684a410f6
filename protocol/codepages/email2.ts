import type { CodePageDef } from './types.ts';

/**
 * Code page 22: Email2 (MS-ASWBXML 2.1.2.1.23).
 *
 * Tags exist from protocol 14.0 unless their row gives its own first (and last) version.
 */
export const email2Page: CodePageDef = {
  page: 22,
  ns: 'Email2',
  section: 'MS-ASWBXML 2.1.2.1.23',
  since: '14.0',
  tags: [
    [0x05, 'UmCallerID'],
    [0x06, 'UmUserNotes'],
    [0x07, 'UmAttDuration'],
    [0x08, 'UmAttOrder'],
    [0x09, 'ConversationId'],
    [0x0A, 'ConversationIndex'],
    [0x0B, 'LastVerbExecuted'],
    [0x0C, 'LastVerbExecutionTime'],
    [0x0D, 'ReceivedAsBcc'],
    [0x0E, 'Sender'],
    [0x0F, 'CalendarType'],
    [0x10, 'IsLeapMonth'],
    [0x11, 'AccountId', '14.1'],
    [0x12, 'FirstDayOfWeek', '14.1'],
    [0x13, 'MeetingMessageType', '14.1'],
    [0x15, 'IsDraft', '16.0'],
    [0x16, 'Bcc', '16.0'],
    [0x17, 'Send', '16.0'],
  ],
};
