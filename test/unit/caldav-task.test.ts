import { describe, expect, it } from 'vitest';
import { easTaskToIcs, icsToEasTask } from '../../backends/caldav/task.ts';
import { isBackendError } from '../../backends/errors.ts';
import type { EasTask } from '../../protocol/types/task.ts';

const NOW = new Date('2026-11-30T12:00:00Z');
const d = (iso: string): Date => new Date(iso);

/** A VCALENDAR around one VTODO with `lines` (UID and DTSTAMP added), CRLF as on the wire. */
function vtodo(lines: string[], extra: string[] = []): string {
  return ['BEGIN:VCALENDAR', 'VERSION:2.0', 'PRODID:-//test//EN', ...extra, 'BEGIN:VTODO', 'UID:t1@test', 'DTSTAMP:20260101T000000Z', ...lines, 'END:VTODO', 'END:VCALENDAR', ''].join('\r\n');
}

/** Unfolded content lines of an iCalendar text (RFC 5545 3.1). */
const linesOf = (ics: string): string[] => ics.replace(/\r\n[ \t]/g, '').split('\r\n').filter((l) => l !== '');

/** The VTODO's own property lines, without those of its VALARMs. */
function todoLines(ics: string): string[] {
  const out: string[] = [];
  let depth = 0;
  for (const l of linesOf(ics)) {
    if (l === 'BEGIN:VALARM') depth++;
    else if (l === 'END:VALARM') depth--;
    else if (depth === 0) out.push(l);
  }
  return out;
}

const read = (lines: string[], extra?: string[]): EasTask => icsToEasTask(vtodo(lines, extra)).item;

function invalid(fn: () => unknown): boolean {
  try {
    fn();
  } catch (e) {
    return isBackendError(e, 'Invalid');
  }
  return false;
}

describe('VTODO -> EAS Task (MS-ASTASK 2.2.2)', () => {
  const cases: [string, string[], Partial<EasTask>][] = [
    ['SUMMARY is Subject', ['SUMMARY:Write the report'], { subject: 'Write the report' }],
    ['DESCRIPTION is a plain-text Body', ['DESCRIPTION:two\\nlines'], { body: { type: 1, data: 'two\nlines', estimatedDataSize: 9 } }],
    ['DUE;VALUE=DATE is midnight for both forms', ['DUE;VALUE=DATE:20261220'], { dueDate: d('2026-12-20T00:00:00Z'), utcDueDate: d('2026-12-20T00:00:00Z') }],
    ['DTSTART;VALUE=DATE is midnight for both forms', ['DTSTART;VALUE=DATE:20261201'], { startDate: d('2026-12-01T00:00:00Z'), utcStartDate: d('2026-12-01T00:00:00Z') }],
    ['DUE with TZID: local wall time and the real instant', ['DUE;TZID=Europe/Berlin:20261220T170000'], { dueDate: d('2026-12-20T17:00:00Z'), utcDueDate: d('2026-12-20T16:00:00Z') }],
    ['DTSTART with TZID in summer time', ['DTSTART;TZID=America/New_York:20260701T090000'], { startDate: d('2026-07-01T09:00:00Z'), utcStartDate: d('2026-07-01T13:00:00Z') }],
    ['DUE in UTC: local = UTC', ['DUE:20261220T170000Z'], { dueDate: d('2026-12-20T17:00:00Z'), utcDueDate: d('2026-12-20T17:00:00Z') }],
    ['DTSTART + DURATION gives the due date', ['DTSTART;VALUE=DATE:20261201', 'DURATION:P2D'], { dueDate: d('2026-12-03T00:00:00Z'), utcDueDate: d('2026-12-03T00:00:00Z') }],
    ['STATUS:COMPLETED with COMPLETED', ['STATUS:COMPLETED', 'COMPLETED:20261201T100000Z'], { complete: true, dateCompleted: d('2026-12-01T10:00:00Z') }],
    ['COMPLETED alone means done', ['COMPLETED:20261201T100000Z'], { complete: true, dateCompleted: d('2026-12-01T10:00:00Z') }],
    ['STATUS:COMPLETED without COMPLETED dates from DTSTAMP', ['STATUS:COMPLETED'], { complete: true, dateCompleted: d('2026-01-01T00:00:00Z') }],
    ['STATUS:NEEDS-ACTION is open', ['STATUS:NEEDS-ACTION'], { complete: false }],
    ['STATUS:IN-PROCESS is open, a stale COMPLETED notwithstanding', ['STATUS:IN-PROCESS', 'COMPLETED:20261201T100000Z'], { complete: false }],
    ['absolute VALARM is the reminder', ['BEGIN:VALARM', 'ACTION:DISPLAY', 'DESCRIPTION:x', 'TRIGGER;VALUE=DATE-TIME:20261219T080000Z', 'END:VALARM'], { reminderSet: true, reminderTime: d('2026-12-19T08:00:00Z') }],
    ['relative VALARM on DUE (RELATED=END)', ['DUE:20261220T170000Z', 'BEGIN:VALARM', 'ACTION:DISPLAY', 'DESCRIPTION:x', 'TRIGGER;RELATED=END:-PT30M', 'END:VALARM'], { reminderSet: true, reminderTime: d('2026-12-20T16:30:00Z') }],
    ['relative VALARM on DTSTART', ['DTSTART:20261201T090000Z', 'DUE:20261220T170000Z', 'BEGIN:VALARM', 'ACTION:AUDIO', 'TRIGGER:-P1D', 'END:VALARM'], { reminderSet: true, reminderTime: d('2026-11-30T09:00:00Z') }],
    ['an EMAIL alarm is no reminder', ['BEGIN:VALARM', 'ACTION:EMAIL', 'SUMMARY:s', 'DESCRIPTION:x', 'ATTENDEE:mailto:a@b.c', 'TRIGGER;VALUE=DATE-TIME:20261219T080000Z', 'END:VALARM'], { reminderSet: false }],
    ['CATEGORIES', ['CATEGORIES:Work,Urgent', 'CATEGORIES:Home'], { categories: ['Work', 'Urgent', 'Home'] }],
    ['CLASS:PUBLIC is normal', ['CLASS:PUBLIC'], { sensitivity: 0 }],
    ['CLASS:PRIVATE is private', ['CLASS:PRIVATE'], { sensitivity: 2 }],
    ['CLASS:CONFIDENTIAL is confidential', ['CLASS:CONFIDENTIAL'], { sensitivity: 3 }],
    ['no CLASS is normal', [], { sensitivity: 0 }],
    [
      'weekly RRULE with Start (required for Tasks)',
      ['DTSTART;VALUE=DATE:20261201', 'DUE;VALUE=DATE:20261201', 'RRULE:FREQ=WEEKLY;BYDAY=TU;COUNT=5'],
      { recurrence: { type: 1, dayOfWeek: 4, occurrences: 5, start: d('2026-12-01T00:00:00Z') } },
    ],
    [
      'monthly nth weekday until a date',
      ['DUE;VALUE=DATE:20261201', 'RRULE:FREQ=MONTHLY;BYDAY=1TU;UNTIL=20270601'],
      { recurrence: { type: 3, weekOfMonth: 1, dayOfWeek: 4, until: d('2027-06-01T00:00:00Z'), start: d('2026-12-01T00:00:00Z') } },
    ],
    ['yearly with interval', ['DUE;VALUE=DATE:20261201', 'RRULE:FREQ=YEARLY;INTERVAL=2'], { recurrence: { type: 5, interval: 2, monthOfYear: 12, dayOfMonth: 1, start: d('2026-12-01T00:00:00Z') } }],
  ];
  it.each(cases)('%s', (_name, lines, expected) => {
    expect(read(lines)).toMatchObject(expected);
  });

  it('the UID is returned and there are no warnings for a plain task', () => {
    const p = icsToEasTask(vtodo(['SUMMARY:x']));
    expect(p.uid).toBe('t1@test');
    expect(p.warnings).toEqual([]);
  });

  it('an RRULE EAS cannot say gives the closest pattern and a caldav.rrule-lossy warning', () => {
    const p = icsToEasTask(vtodo(['DUE;VALUE=DATE:20261201', 'RRULE:FREQ=YEARLY;BYWEEKNO=20;BYDAY=MO', 'EXDATE;VALUE=DATE:20271201']));
    expect(p.item.recurrence?.type).toBe(5);
    expect(p.warnings).toHaveLength(1);
    expect(p.warnings[0]!.event).toBe('caldav.rrule-lossy');
    expect(p.warnings[0]!.detail['lost']).toEqual(expect.arrayContaining(['EXDATE', 'BYWEEKNO']));
  });

  it('PRIORITY 1-4 is high, 5, 0 and none normal, 6-9 low', () => {
    const table: [string | undefined, number][] = [
      ['1', 2], ['2', 2], ['3', 2], ['4', 2], ['5', 1], ['0', 1], [undefined, 1], ['6', 0], ['7', 0], ['8', 0], ['9', 0],
    ];
    for (const [priority, importance] of table) {
      expect(read(priority === undefined ? [] : [`PRIORITY:${priority}`]).importance, `PRIORITY ${priority}`).toBe(importance);
    }
  });

  it('malformed iCalendar, no VTODO or no UID: BackendError Invalid', () => {
    expect(invalid(() => icsToEasTask('garbage'))).toBe(true);
    expect(invalid(() => icsToEasTask('BEGIN:VCALENDAR\r\nBEGIN:VTODO\r\nUID:x\r\n'))).toBe(true);
    expect(invalid(() => icsToEasTask('BEGIN:VCARD\r\nVERSION:4.0\r\nEND:VCARD\r\n'))).toBe(true);
    expect(invalid(() => icsToEasTask(['BEGIN:VCALENDAR', 'BEGIN:VEVENT', 'UID:e', 'DTSTART:20260101T000000Z', 'END:VEVENT', 'END:VCALENDAR'].join('\r\n')))).toBe(true);
    expect(invalid(() => icsToEasTask(['BEGIN:VCALENDAR', 'BEGIN:VTODO', 'SUMMARY:no uid', 'END:VTODO', 'END:VCALENDAR'].join('\r\n')))).toBe(true);
    expect(invalid(() => easTaskToIcs({ subject: 'x' }, { uid: 'u', base: 'not ical' }))).toBe(true);
  });
});

describe('EAS Task -> VTODO', () => {
  const fresh = (t: EasTask): string[] => linesOf(easTaskToIcs(t, { uid: 'new@test', now: NOW }));

  it('a new task is a VCALENDAR 2.0 with our PRODID, the uid and DTSTAMP, and CRLF line ends', () => {
    const ics = easTaskToIcs({ subject: 'Call the bank', complete: false, importance: 1 }, { uid: 'new@test', now: NOW });
    expect(ics.endsWith('\r\n')).toBe(true);
    expect(ics.replace(/\r\n/g, '')).not.toMatch(/[\r\n]/);
    const lines = linesOf(ics);
    expect(lines).toEqual(expect.arrayContaining(['VERSION:2.0', 'PRODID:-//eas-server//EN', 'UID:new@test', 'DTSTAMP:20261130T120000Z', 'SUMMARY:Call the bank', 'STATUS:NEEDS-ACTION', 'PRIORITY:5']));
  });

  const cases: [string, EasTask, string[]][] = [
    ['Subject is SUMMARY', { subject: 'Pay rent' }, ['SUMMARY:Pay rent']],
    ['a plain-text Body is DESCRIPTION', { body: { type: 1, data: 'a\nb' } }, ['DESCRIPTION:a\\nb']],
    ['an HTML Body becomes its text', { body: { type: 2, data: '<p>Hello&amp;bye</p>' } }, ['DESCRIPTION:Hello&bye']],
    ['a due day (midnight local) is DUE;VALUE=DATE', { dueDate: d('2026-12-20T00:00:00Z'), utcDueDate: d('2026-12-19T23:00:00Z') }, ['DUE;VALUE=DATE:20261220']],
    ['a start day is DTSTART;VALUE=DATE', { startDate: d('2026-12-01T00:00:00Z'), utcStartDate: d('2026-11-30T23:00:00Z'), dueDate: d('2026-12-20T00:00:00Z'), utcDueDate: d('2026-12-19T23:00:00Z') }, ['DTSTART;VALUE=DATE:20261201', 'DUE;VALUE=DATE:20261220']],
    ['a due time without a known zone keeps the instant in UTC', { dueDate: d('2026-12-20T17:00:00Z'), utcDueDate: d('2026-12-20T16:00:00Z') }, ['DUE:20261220T160000Z']],
    ['a start at midnight with a timed due makes both timed (RFC 5545 3.8.2.3)', { startDate: d('2026-12-01T00:00:00Z'), utcStartDate: d('2026-12-01T00:00:00Z'), dueDate: d('2026-12-20T17:00:00Z'), utcDueDate: d('2026-12-20T17:00:00Z') }, ['DTSTART:20261201T000000Z', 'DUE:20261220T170000Z']],
    ['only a local due time is floating', { dueDate: d('2026-12-20T17:00:00Z') }, ['DUE:20261220T170000']],
    ['Complete with DateCompleted', { complete: true, dateCompleted: d('2026-12-03T09:00:00Z') }, ['STATUS:COMPLETED', 'COMPLETED:20261203T090000Z', 'PERCENT-COMPLETE:100']],
    ['Complete without DateCompleted is completed now', { complete: true }, ['STATUS:COMPLETED', 'COMPLETED:20261130T120000Z']],
    ['Importance 2 is PRIORITY 1', { importance: 2 }, ['PRIORITY:1']],
    ['Importance 1 is PRIORITY 5', { importance: 1 }, ['PRIORITY:5']],
    ['Importance 0 is PRIORITY 9', { importance: 0 }, ['PRIORITY:9']],
    ['a reminder is an absolute DISPLAY alarm', { subject: 's', reminderSet: true, reminderTime: d('2026-12-19T08:00:00Z') }, ['BEGIN:VALARM', 'ACTION:DISPLAY', 'DESCRIPTION:s', 'TRIGGER;VALUE=DATE-TIME:20261219T080000Z']],
    ['Categories', { categories: ['Work', 'a,b'] }, ['CATEGORIES:Work,a\\,b']],
    ['Sensitivity 2 is CLASS:PRIVATE', { sensitivity: 2 }, ['CLASS:PRIVATE']],
    ['Sensitivity 3 is CLASS:CONFIDENTIAL', { sensitivity: 3 }, ['CLASS:CONFIDENTIAL']],
    ['weekly Recurrence is an RRULE', { dueDate: d('2026-12-01T00:00:00Z'), utcDueDate: d('2026-12-01T00:00:00Z'), recurrence: { type: 1, dayOfWeek: 4, interval: 2, start: d('2026-12-01T00:00:00Z') } }, ['RRULE:FREQ=WEEKLY;INTERVAL=2;BYDAY=TU']],
    ['Until of a date task is a DATE', { dueDate: d('2026-12-01T00:00:00Z'), recurrence: { type: 0, until: d('2026-12-31T00:00:00Z'), start: d('2026-12-01T00:00:00Z') } }, ['RRULE:FREQ=DAILY;UNTIL=20261231']],
    ['monthly on the nth weekday', { dueDate: d('2026-12-01T00:00:00Z'), recurrence: { type: 3, weekOfMonth: 5, dayOfWeek: 32, occurrences: 3, start: d('2026-12-01T00:00:00Z') } }, ['RRULE:FREQ=MONTHLY;COUNT=3;BYDAY=-1FR']],
    ['yearly on the nth weekday', { dueDate: d('2026-12-01T00:00:00Z'), recurrence: { type: 6, weekOfMonth: 2, dayOfWeek: 2, monthOfYear: 3, start: d('2026-12-01T00:00:00Z') } }, ['RRULE:FREQ=YEARLY;BYMONTH=3;BYDAY=2MO']],
  ];
  it.each(cases)('%s', (_name, task, expected) => {
    expect(fresh(task)).toEqual(expect.arrayContaining(expected));
  });

  it('Sensitivity 0 and no Importance write no CLASS and no PRIORITY', () => {
    const lines = fresh({ subject: 'x', sensitivity: 0 });
    expect(lines.some((l) => l.startsWith('CLASS'))).toBe(false);
    expect(lines.some((l) => l.startsWith('PRIORITY'))).toBe(false);
  });

  it('every field reads back as it was written', () => {
    const task: EasTask = {
      subject: 'Quarterly report',
      body: { type: 1, data: 'Numbers\nand words', estimatedDataSize: 17 },
      importance: 2,
      startDate: d('2026-12-01T00:00:00Z'),
      utcStartDate: d('2026-12-01T00:00:00Z'),
      dueDate: d('2026-12-20T00:00:00Z'),
      utcDueDate: d('2026-12-20T00:00:00Z'),
      categories: ['Work', 'Finance'],
      recurrence: { type: 2, dayOfMonth: 1, interval: 3, occurrences: 4, start: d('2026-12-01T00:00:00Z') },
      complete: true,
      dateCompleted: d('2026-12-02T15:30:00Z'),
      sensitivity: 3,
      reminderSet: true,
      reminderTime: d('2026-12-19T08:00:00Z'),
    };
    const back = icsToEasTask(easTaskToIcs(task, { uid: 'rt@test', now: NOW }));
    expect(back.uid).toBe('rt@test');
    expect(back.warnings).toEqual([]);
    expect(back.item).toEqual(task);
  });

  it('a due day does not shift for a phone in any time zone (UTC-11 to UTC+14)', () => {
    for (let offsetHours = -11; offsetHours <= 14; offsetHours++) {
      // The phone's midnight of Dec 20 in its own zone, as an instant.
      const utcDueDate = new Date(Date.UTC(2026, 11, 20) - offsetHours * 3_600_000);
      const ics = easTaskToIcs({ dueDate: d('2026-12-20T00:00:00Z'), utcDueDate }, { uid: 'tz@test', now: NOW });
      expect(linesOf(ics), `UTC${offsetHours >= 0 ? '+' : ''}${offsetHours}`).toContain('DUE;VALUE=DATE:20261220');
      expect(icsToEasTask(ics).item.dueDate).toEqual(d('2026-12-20T00:00:00Z'));
    }
  });

  it('importance round-trips for every level, and PRIORITY keeps its value while the level is unchanged', () => {
    for (const importance of [0, 1, 2]) {
      expect(icsToEasTask(easTaskToIcs({ importance }, { uid: 'p', now: NOW })).item.importance).toBe(importance);
    }
    const base = vtodo(['PRIORITY:3', 'SUMMARY:s']);
    expect(linesOf(easTaskToIcs({ subject: 's', importance: 2 }, { uid: 'p', base, now: NOW }))).toContain('PRIORITY:3');
    expect(linesOf(easTaskToIcs({ subject: 's', importance: 0 }, { uid: 'p', base, now: NOW }))).toContain('PRIORITY:9');
  });

  it('hostile strings: a CRLF in Subject, Categories or Body never starts a new property', () => {
    const evil = 'Hi\r\nATTENDEE:mailto:evil@example.com\rX-EVIL:1\nEND:VTODO';
    const ics = easTaskToIcs({ subject: evil, categories: [evil], body: { type: 1, data: evil } }, { uid: 'u\r\nX-UID:1', now: NOW });
    const lines = linesOf(ics);
    expect(lines.some((l) => /^(ATTENDEE|X-EVIL|X-UID)/.test(l))).toBe(false);
    expect(lines.filter((l) => l === 'END:VTODO')).toHaveLength(1);
    expect(ics.replace(/\r\n/g, '')).not.toMatch(/[\r\n]/);
    const back = icsToEasTask(ics).item;
    expect(back.subject).toBe('Hi\nATTENDEE:mailto:evil@example.com\nX-EVIL:1\nEND:VTODO');
    expect(back.categories).toEqual(['Hi\nATTENDEE:mailto:evil@example.com\nX-EVIL:1\nEND:VTODO']);
  });
});

describe('EAS Task -> VTODO as a patch of the stored object', () => {
  const BASE = vtodo(
    [
      'SUMMARY;LANGUAGE=de:Bericht schreiben',
      'DESCRIPTION:keep me',
      'DUE;TZID=Europe/Berlin:20261220T170000',
      'PRIORITY:1',
      'STATUS:NEEDS-ACTION',
      'CLASS:PRIVATE',
      'X-KEEP;X-PARAM=1:me',
      'X-APPLE-SORT-ORDER:12',
      'ATTACH:https://example.com/file.pdf',
      'BEGIN:VALARM',
      'ACTION:DISPLAY',
      'DESCRIPTION:due soon',
      'X-WR-ALARMUID:A1',
      'TRIGGER;RELATED=END:-PT1H',
      'END:VALARM',
      'BEGIN:VALARM',
      'ACTION:EMAIL',
      'SUMMARY:mail',
      'DESCRIPTION:mail',
      'ATTENDEE:mailto:me@example.com',
      'TRIGGER;VALUE=DATE-TIME:20261219T080000Z',
      'END:VALARM',
    ],
    ['X-WR-CALNAME:Tasks'],
  );

  it('a phone that sends back what it got changes nothing but DTSTAMP, and keeps X- properties, parameters and components', () => {
    const item = icsToEasTask(BASE).item;
    const out = easTaskToIcs(item, { uid: 't1@test', base: BASE, now: NOW });
    const drop = (ls: string[]): string[] => ls.filter((l) => !l.startsWith('DTSTAMP'));
    expect(drop(linesOf(out))).toEqual(drop(linesOf(BASE)));
    expect(linesOf(out)).toContain('DTSTAMP:20261130T120000Z');
    expect(icsToEasTask(out).item).toEqual(item);
  });

  it('a changed due time in the stored zone stays in that zone', () => {
    const item = icsToEasTask(BASE).item;
    const out = easTaskToIcs({ ...item, dueDate: d('2026-12-21T18:00:00Z'), utcDueDate: d('2026-12-21T17:00:00Z') }, { uid: 't1@test', base: BASE, now: NOW });
    expect(linesOf(out)).toContain('DUE;TZID=Europe/Berlin:20261221T180000');
  });

  it('a due day replaces a timed due with DUE;VALUE=DATE', () => {
    const item = icsToEasTask(BASE).item;
    const out = easTaskToIcs({ ...item, dueDate: d('2026-12-22T00:00:00Z'), utcDueDate: d('2026-12-21T23:00:00Z') }, { uid: 't1@test', base: BASE, now: NOW });
    expect(linesOf(out)).toContain('DUE;VALUE=DATE:20261222');
  });

  it('an unchanged reminder stays relative; a moved one becomes absolute in the same alarm', () => {
    const item = icsToEasTask(BASE).item;
    expect(item.reminderTime).toEqual(d('2026-12-20T15:00:00Z'));
    const moved = linesOf(easTaskToIcs({ ...item, reminderTime: d('2026-12-20T07:00:00Z') }, { uid: 't1@test', base: BASE, now: NOW }));
    expect(moved).toContain('TRIGGER;VALUE=DATE-TIME:20261220T070000Z');
    expect(moved).toContain('X-WR-ALARMUID:A1');
    expect(moved).not.toContain('TRIGGER;RELATED=END:-PT1H');
  });

  it('fields the device leaves out are removed, except Body; the EMAIL alarm is kept; empty Subject clears', () => {
    const ics = easTaskToIcs({ subject: '', complete: false }, { uid: 't1@test', base: BASE, now: NOW });
    const out = linesOf(ics);
    expect(todoLines(ics).some((l) => l.startsWith('SUMMARY'))).toBe(false);
    expect(out.some((l) => l.startsWith('DUE'))).toBe(false);
    expect(out.some((l) => l.startsWith('PRIORITY'))).toBe(false);
    expect(out.some((l) => l.startsWith('CLASS'))).toBe(false);
    expect(out).toContain('DESCRIPTION:keep me');
    expect(out).toContain('ACTION:EMAIL');
    expect(out).not.toContain('ACTION:DISPLAY');
    expect(out).toContain('X-KEEP;X-PARAM=1:me');
    expect(out).toContain('X-WR-CALNAME:Tasks');
    expect(out).toContain('ATTACH:https://example.com/file.pdf');
  });

  it('completing and reopening toggle STATUS, COMPLETED and PERCENT-COMPLETE both ways', () => {
    const open = icsToEasTask(BASE).item;
    const done = easTaskToIcs({ ...open, complete: true, dateCompleted: d('2026-12-03T09:00:00Z') }, { uid: 't1@test', base: BASE, now: NOW });
    expect(linesOf(done)).toEqual(expect.arrayContaining(['STATUS:COMPLETED', 'COMPLETED:20261203T090000Z', 'PERCENT-COMPLETE:100']));
    expect(linesOf(done)).not.toContain('STATUS:NEEDS-ACTION');
    expect(icsToEasTask(done).item).toMatchObject({ complete: true, dateCompleted: d('2026-12-03T09:00:00Z') });

    const reopened = easTaskToIcs({ ...icsToEasTask(done).item, complete: false }, { uid: 't1@test', base: done, now: NOW });
    const lines = linesOf(reopened);
    expect(lines).toContain('STATUS:NEEDS-ACTION');
    expect(lines.some((l) => l.startsWith('COMPLETED') || l.startsWith('PERCENT-COMPLETE'))).toBe(false);
    expect(icsToEasTask(reopened).item.complete).toBe(false);
    expect(icsToEasTask(reopened).item.dateCompleted).toBeUndefined();
  });

  it('an open task keeps its own STATUS and progress while it stays open', () => {
    const base = vtodo(['SUMMARY:s', 'STATUS:IN-PROCESS', 'PERCENT-COMPLETE:40']);
    const out = linesOf(easTaskToIcs({ subject: 's', complete: false }, { uid: 't1@test', base, now: NOW }));
    expect(out).toEqual(expect.arrayContaining(['STATUS:IN-PROCESS', 'PERCENT-COMPLETE:40']));
  });

  it('an unchanged recurrence keeps the stored RRULE, including what EAS could not carry', () => {
    const base = vtodo(['DUE;VALUE=DATE:20261201', 'RRULE:FREQ=YEARLY;BYWEEKNO=20;BYDAY=MO']);
    const item = icsToEasTask(base).item;
    expect(linesOf(easTaskToIcs(item, { uid: 't1@test', base, now: NOW }))).toContain('RRULE:FREQ=YEARLY;BYWEEKNO=20;BYDAY=MO');
    const changed = linesOf(easTaskToIcs({ ...item, recurrence: { type: 0, start: d('2026-12-01T00:00:00Z') } }, { uid: 't1@test', base, now: NOW }));
    expect(changed).toContain('RRULE:FREQ=DAILY');
    const removed = linesOf(easTaskToIcs({ ...item, recurrence: undefined }, { uid: 't1@test', base, now: NOW }));
    expect(removed.some((l) => l.startsWith('RRULE'))).toBe(false);
  });

  it('a base without VTODO is Invalid', () => {
    const base = ['BEGIN:VCALENDAR', 'BEGIN:VEVENT', 'UID:e', 'DTSTART:20260101T000000Z', 'END:VEVENT', 'END:VCALENDAR', ''].join('\r\n');
    expect(invalid(() => easTaskToIcs({ subject: 'x' }, { uid: 'u', base }))).toBe(true);
  });
});
