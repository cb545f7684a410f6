import type { CodePageDef } from './types.ts';

/**
 * Code page 2: Email (MS-ASWBXML 2.1.2.1.3).
 *
 * Tags exist from protocol 2.5 unless their row gives its own first (and last) version.
 *
 * Attachments and bodies move to AirSyncBase in 12.0; Location and GlobalObjId
 * give way to airsyncbase:Location and calendar:UID in 16.0 (MS-ASEMAIL
 * 2.2.2).
 *
 * Versions checked against the MS-ASEMAIL "Protocol Versions" tables
 * (e.g. 2.2.2.6 AttName 2.5 only, 2.2.2.16 Categories 14.0+, 2.2.2.30 DtStamp all).
 */
export const emailPage: CodePageDef = {
  page: 2,
  ns: 'Email',
  section: 'MS-ASWBXML 2.1.2.1.3',
  since: '2.5',
  tags: [
    [0x05, 'Attachment', '2.5', '2.5'],
    [0x06, 'Attachments', '2.5', '2.5'],
    [0x07, 'AttName', '2.5', '2.5'],
    [0x08, 'AttSize', '2.5', '2.5'],
    [0x09, 'Att0Id', '2.5', '2.5'],
    [0x0A, 'AttMethod', '2.5', '2.5'],
    [0x0B, 'AttRemoved', '2.5', '2.5'],
    [0x0C, 'Body', '2.5', '2.5'],
    [0x0D, 'BodySize', '2.5', '2.5'],
    [0x0E, 'BodyTruncated', '2.5', '2.5'],
    [0x0F, 'DateReceived'],
    [0x10, 'DisplayName', '2.5', '2.5'],
    [0x11, 'DisplayTo'],
    [0x12, 'Importance'],
    [0x13, 'MessageClass'],
    [0x14, 'Subject'],
    [0x15, 'Read'],
    [0x16, 'To'],
    [0x17, 'Cc'],
    [0x18, 'From'],
    [0x19, 'ReplyTo'],
    [0x1A, 'AllDayEvent'],
    [0x1B, 'Categories', '14.0'],
    [0x1C, 'Category', '14.0'],
    // MS-ASEMAIL 2.2.2.30 spells the element DtStamp (2.5..16.1). The decoder keeps
    // reporting the Horde/Z-Push spelling DTStamp because the shared fixture XML and
    // existing readers use it; both names encode to 0x1D.
    [0x1D, 'DTStamp'],
    [0x1D, 'DtStamp'],
    [0x1E, 'EndTime'],
    [0x1F, 'InstanceType'],
    [0x20, 'BusyStatus'],
    [0x21, 'Location', '2.5', '14.1'],
    [0x22, 'MeetingRequest'],
    [0x23, 'Organizer'],
    [0x24, 'RecurrenceId'],
    [0x25, 'Reminder'],
    [0x26, 'ResponseRequested'],
    [0x27, 'Recurrences'],
    [0x28, 'Recurrence'],
    [0x29, 'Type'],
    [0x2A, 'Until'],
    [0x2B, 'Occurrences'],
    [0x2C, 'Interval'],
    [0x2D, 'DayOfWeek'],
    [0x2E, 'DayOfMonth'],
    [0x2F, 'WeekOfMonth'],
    [0x30, 'MonthOfYear'],
    [0x31, 'StartTime'],
    [0x32, 'Sensitivity'],
    [0x33, 'TimeZone'],
    [0x34, 'GlobalObjId', '2.5', '14.1'],
    [0x35, 'ThreadTopic'],
    [0x36, 'MIMEData', '2.5', '2.5'],
    [0x37, 'MIMETruncated', '2.5', '2.5'],
    [0x38, 'MIMESize', '2.5', '2.5'],
    [0x39, 'InternetCPID'],
    [0x3A, 'Flag', '12.0'],
    [0x3B, 'Status', '12.0'],
    [0x3C, 'ContentClass', '12.0'],
    [0x3D, 'FlagType', '12.0'],
    [0x3E, 'CompleteTime', '12.0'],
    [0x3F, 'DisallowNewTimeProposal', '14.0'],
  ],
};
