import { it } from 'vitest';
import { icsToEasCalendar, easCalendarToIcs } from '../../backends/caldav/event.ts';
import { timeZoneFromIana } from '../../protocol/types/timezone-iana.ts';
it('smoke', () => {
  const ics = ['BEGIN:VCALENDAR','VERSION:2.0','PRODID:x','BEGIN:VEVENT','UID:u1','DTSTAMP:20260101T000000Z','DTSTART;TZID=Europe/Berlin:20260310T090000','DTEND;TZID=Europe/Berlin:20260310T100000','RRULE:FREQ=WEEKLY;COUNT=10','EXDATE;TZID=Europe/Berlin:20260317T090000','SUMMARY:Hi','X-FOO;X-P=1:bar','BEGIN:VALARM','ACTION:DISPLAY','DESCRIPTION:r','TRIGGER:-PT15M','X-WR-ALARMUID:abc','END:VALARM','END:VEVENT',
  'BEGIN:VEVENT','UID:u1','RECURRENCE-ID;TZID=Europe/Berlin:20260324T090000','DTSTART;TZID=Europe/Berlin:20260324T110000','DTEND;TZID=Europe/Berlin:20260324T120000','SUMMARY:Moved','END:VEVENT','END:VCALENDAR',''].join('\r\n');
  const p = icsToEasCalendar(ics);
  console.log(JSON.stringify(p, null, 1));
  const out = easCalendarToIcs({ ...p.item, subject: 'Changed' }, { uid: 'x', base: ics, now: new Date('2026-02-01T00:00:00Z') });
  console.log(out.ics, out.warnings);
  const fresh = easCalendarToIcs({ subject: 'New', startTime: new Date('2026-03-10T08:00:00Z'), endTime: new Date('2026-03-10T09:00:00Z'), timeZone: timeZoneFromIana('America/New_York', 2026), recurrence: { type: 1, dayOfWeek: 4 }, reminder: 10 }, { uid: 'n1', now: new Date('2026-02-01T00:00:00Z') });
  console.log(fresh.ics);
  console.log(JSON.stringify(icsToEasCalendar(fresh.ics).item.timeZone));
});
