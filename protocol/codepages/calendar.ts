import type { CodePageDef } from './types.ts';

/**
 * Code page 4: Calendar (MS-ASWBXML 2.1.2.1.5).
 *
 * Tags exist from protocol 2.5 unless their row gives its own first (and last) version.
 *
 * 16.0 replaces Location and ExceptionStartTime with airsyncbase:Location and
 * airsyncbase:InstanceId (MS-ASCAL 2.2.2).
 *
 * Versions checked against the MS-ASCAL "Protocol Versions" tables (e.g.
 * 2.2.2.23 ExceptionStartTime 2.5..14.1, 2.2.2.39 ResponseRequested 14.0+,
 * 2.2.2.33 OnlineMeetingConfLink 14.1+, 2.2.2.13 ClientUid 16.0+).
 */
export const calendarPage: CodePageDef = {
  page: 4,
  ns: 'Calendar',
  section: 'MS-ASWBXML 2.1.2.1.5',
  since: '2.5',
  tags: [
    // MS-ASCAL 2.2.2.44 spells the calendar element Timezone (Email's is TimeZone,
    // MS-ASEMAIL 2.2.2.78). The decoder keeps TimeZone, which the shared fixture XML
    // and existing readers use; both names encode to 0x05.
    [0x05, 'TimeZone'],
    [0x05, 'Timezone'],
    [0x06, 'AllDayEvent'],
    [0x07, 'Attendees'],
    [0x08, 'Attendee'],
    [0x09, 'Email'],
    [0x0A, 'Name'],
    [0x0B, 'Body', '2.5', '2.5'],
    [0x0C, 'BodyTruncated', '2.5', '2.5'],
    [0x0D, 'BusyStatus'],
    [0x0E, 'Categories'],
    [0x0F, 'Category'],
    [0x10, 'CompressedRTF', '2.5', '2.5'],
    [0x11, 'DtStamp'],
    [0x12, 'EndTime'],
    [0x13, 'Exception'],
    [0x14, 'Exceptions'],
    [0x15, 'Deleted'],
    [0x16, 'ExceptionStartTime', '2.5', '14.1'],
    [0x17, 'Location', '2.5', '14.1'],
    [0x18, 'MeetingStatus'],
    [0x19, 'OrganizerEmail'],
    [0x1A, 'OrganizerName'],
    [0x1B, 'Recurrence'],
    [0x1C, 'Type'],
    [0x1D, 'Until'],
    [0x1E, 'Occurrences'],
    [0x1F, 'Interval'],
    [0x20, 'DayOfWeek'],
    [0x21, 'DayOfMonth'],
    [0x22, 'WeekOfMonth'],
    [0x23, 'MonthOfYear'],
    [0x24, 'Reminder'],
    [0x25, 'Sensitivity'],
    [0x26, 'Subject'],
    [0x27, 'StartTime'],
    [0x28, 'UID'],
    [0x29, 'AttendeeStatus', '12.0'],
    [0x2A, 'AttendeeType', '12.0'],
    [0x33, 'DisallowNewTimeProposal', '14.0'],
    [0x34, 'ResponseRequested', '14.0'],
    [0x35, 'AppointmentReplyTime', '14.0'],
    [0x36, 'ResponseType', '14.0'],
    [0x37, 'CalendarType', '14.0'],
    [0x38, 'IsLeapMonth', '14.0'],
    [0x39, 'FirstDayOfWeek', '14.1'],
    [0x3A, 'OnlineMeetingConfLink', '14.1'],
    [0x3B, 'OnlineMeetingExternalLink', '14.1'],
    [0x3C, 'ClientUid', '16.0'],
  ],
};
