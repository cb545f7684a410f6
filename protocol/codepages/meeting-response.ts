import type { CodePageDef } from './types.ts';

/**
 * Code page 8: MeetingResponse (MS-ASWBXML 2.1.2.1.9).
 *
 * Tags exist from protocol 2.5 unless their row gives its own first (and last) version.
 */
export const meetingResponsePage: CodePageDef = {
  page: 8,
  ns: 'MeetingResponse',
  section: 'MS-ASWBXML 2.1.2.1.9',
  since: '2.5',
  tags: [
    [0x05, 'CalendarId'],
    [0x06, 'CollectionId'],
    [0x07, 'MeetingResponse'],
    [0x08, 'RequestId'],
    [0x09, 'Request'],
    [0x0A, 'Result'],
    [0x0B, 'Status'],
    [0x0C, 'UserResponse'],
    [0x0D, 'Version', null],
    [0x0E, 'InstanceId', '14.1'],
    [0x10, 'ProposedStartTime', '16.1'],
    [0x11, 'ProposedEndTime', '16.1'],
    [0x12, 'SendResponse', '16.0'],
  ],
};
