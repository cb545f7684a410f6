/**
 * Seed calendar events (RFC 5545), tasks (VTODO) and contacts (vCard 3.0,
 * RFC 2426) for the dev stack: a one-off meeting, a weekly series with an
 * exception date, an all-day event, a time-zoned event with attendees, an
 * open and a completed task, and contacts with non-ASCII names.
 */

/** One DAV object to PUT: file name inside the collection and its body. */
export interface DavObject {
  readonly name: string;
  readonly body: string;
  readonly uid: string;
}

const icsDate = (d: Date): string => d.toISOString().replace(/[-:]/g, '').replace(/\.\d{3}/, '');
const icsDay = (d: Date): string => d.toISOString().slice(0, 10).replace(/-/g, '');
const DAY = 86_400_000;

function vcalendar(body: string[]): string {
  return ['BEGIN:VCALENDAR', 'VERSION:2.0', 'PRODID:-//eas-server devstack seed//EN', ...body, 'END:VCALENDAR', ''].join('\r\n');
}

const BERLIN = [
  'BEGIN:VTIMEZONE',
  'TZID:Europe/Berlin',
  'BEGIN:DAYLIGHT',
  'TZOFFSETFROM:+0100',
  'TZOFFSETTO:+0200',
  'TZNAME:CEST',
  'DTSTART:19700329T020000',
  'RRULE:FREQ=YEARLY;BYMONTH=3;BYDAY=-1SU',
  'END:DAYLIGHT',
  'BEGIN:STANDARD',
  'TZOFFSETFROM:+0200',
  'TZOFFSETTO:+0100',
  'TZNAME:CET',
  'DTSTART:19701025T030000',
  'RRULE:FREQ=YEARLY;BYMONTH=10;BYDAY=-1SU',
  'END:STANDARD',
  'END:VTIMEZONE',
];

/** Events around `now` (midnight-aligned so a day's runs agree). */
export function seedEvents(now: Date, owner: string): DavObject[] {
  const day0 = new Date(now.toISOString().slice(0, 10) + 'T00:00:00Z');
  const at = (days: number, hours: number): Date => new Date(day0.getTime() + days * DAY + hours * 3_600_000);
  const stamp = icsDate(day0);
  const weeklyStart = at(-14, 9);
  return [
    {
      name: 'standup-review.ics',
      uid: 'seed-review@devstack',
      body: vcalendar(['BEGIN:VEVENT', 'UID:seed-review@devstack', `DTSTAMP:${stamp}`, `DTSTART:${icsDate(at(1, 14))}`, `DTEND:${icsDate(at(1, 15))}`, 'SUMMARY:Design review', 'LOCATION:Room 4.12', 'DESCRIPTION:Walk through the new sync engine.', 'BEGIN:VALARM', 'ACTION:DISPLAY', 'DESCRIPTION:Reminder', 'TRIGGER:-PT15M', 'END:VALARM', 'END:VEVENT']),
    },
    {
      name: 'weekly-sync.ics',
      uid: 'seed-weekly@devstack',
      body: vcalendar(['BEGIN:VEVENT', 'UID:seed-weekly@devstack', `DTSTAMP:${stamp}`, `DTSTART:${icsDate(weeklyStart)}`, `DTEND:${icsDate(new Date(weeklyStart.getTime() + 1_800_000))}`, 'SUMMARY:Weekly sync', 'RRULE:FREQ=WEEKLY;COUNT=10', `EXDATE:${icsDate(new Date(weeklyStart.getTime() + 7 * DAY))}`, 'END:VEVENT']),
    },
    {
      name: 'company-holiday.ics',
      uid: 'seed-holiday@devstack',
      body: vcalendar(['BEGIN:VEVENT', 'UID:seed-holiday@devstack', `DTSTAMP:${stamp}`, `DTSTART;VALUE=DATE:${icsDay(at(5, 0))}`, `DTEND;VALUE=DATE:${icsDay(at(6, 0))}`, 'SUMMARY:Company holiday', 'TRANSP:TRANSPARENT', 'END:VEVENT']),
    },
    {
      name: 'berlin-workshop.ics',
      uid: 'seed-berlin@devstack',
      body: vcalendar([
        ...BERLIN,
        'BEGIN:VEVENT',
        'UID:seed-berlin@devstack',
        `DTSTAMP:${stamp}`,
        `DTSTART;TZID=Europe/Berlin:${icsDate(at(3, 0)).slice(0, 8)}T100000`,
        `DTEND;TZID=Europe/Berlin:${icsDate(at(3, 0)).slice(0, 8)}T123000`,
        'SUMMARY:Workshop in Berlin — Überblick',
        'LOCATION:Alexanderplatz 1\\, Berlin',
        'ORGANIZER;CN=Maria Schmidt:mailto:maria.schmidt@example.test',
        `ATTENDEE;CN=Owner;PARTSTAT=ACCEPTED;ROLE=REQ-PARTICIPANT:mailto:${owner}`,
        'ATTENDEE;CN=John Carter;PARTSTAT=NEEDS-ACTION;ROLE=OPT-PARTICIPANT:mailto:john.carter@example.test',
        'END:VEVENT',
      ]),
    },
  ];
}

/** An open task with a due date and a completed one. */
export function seedTasks(now: Date): DavObject[] {
  const day0 = new Date(now.toISOString().slice(0, 10) + 'T00:00:00Z');
  const stamp = icsDate(day0);
  return [
    {
      name: 'task-report.ics',
      uid: 'seed-task-report@devstack',
      body: vcalendar(['BEGIN:VTODO', 'UID:seed-task-report@devstack', `DTSTAMP:${stamp}`, `DUE;VALUE=DATE:${icsDay(new Date(day0.getTime() + 2 * DAY))}`, 'SUMMARY:Write the quarterly report', 'PRIORITY:1', 'STATUS:NEEDS-ACTION', 'END:VTODO']),
    },
    {
      name: 'task-done.ics',
      uid: 'seed-task-done@devstack',
      body: vcalendar(['BEGIN:VTODO', 'UID:seed-task-done@devstack', `DTSTAMP:${stamp}`, 'SUMMARY:Book flights', 'STATUS:COMPLETED', `COMPLETED:${icsDate(new Date(day0.getTime() - DAY))}`, 'PERCENT-COMPLETE:100', 'END:VTODO']),
    },
  ];
}

function vcard(uid: string, lines: string[]): string {
  return ['BEGIN:VCARD', 'VERSION:3.0', `UID:${uid}`, ...lines, 'END:VCARD', ''].join('\r\n');
}

/** A few contacts, one with Cyrillic and one with Japanese names. */
export function seedContacts(): DavObject[] {
  return [
    { name: 'maria.vcf', uid: 'seed-maria@devstack', body: vcard('seed-maria@devstack', ['FN:Maria Schmidt', 'N:Schmidt;Maria;;;', 'ORG:Example GmbH;Engineering', 'TITLE:Team lead', 'EMAIL;TYPE=INTERNET,WORK:maria.schmidt@example.test', 'TEL;TYPE=WORK,VOICE:+49 30 1234567', 'TEL;TYPE=CELL:+49 170 7654321', 'ADR;TYPE=WORK:;;Alexanderplatz 1;Berlin;;10178;Germany', 'BDAY:1985-04-12']) },
    { name: 'ivan.vcf', uid: 'seed-ivan@devstack', body: vcard('seed-ivan@devstack', ['FN:Иван Петров', 'N:Петров;Иван;;;', 'EMAIL;TYPE=INTERNET,HOME:ivan.petrov@example.test', 'TEL;TYPE=HOME:+7 495 000 00 00']) },
    { name: 'yuki.vcf', uid: 'seed-yuki@devstack', body: vcard('seed-yuki@devstack', ['FN:田中 由紀', 'N:田中;由紀;;;', 'EMAIL;TYPE=INTERNET,WORK:yuki.tanaka@example.test', 'NOTE:Prefers mail in Japanese.']) },
  ];
}
