/**
 * Issue 9 item 4 on the real stack: CalDAV task lists as EAS Tasks folders
 * (MS-ASTASK) that sync both ways against Radicale, through the same engine
 * as mail and calendars.
 */
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { taskFromApplicationData, taskToApplicationData, type EasTask } from '../../protocol/types/task.ts';
import { el } from '../../protocol/wbxml/tree.ts';
import { useStack } from '../harness/use-stack.ts';
import { davSide, vcal } from './dav-helpers.ts';
import { startTestServer, type TestServer } from './server-setup.ts';
import { initialSync, setUpPhone, syncOne } from './sync-helpers.ts';

const stack = useStack();
let server: TestServer;
const USER = 'bob@example.test';
const dav = davSide(stack, USER);
let list: string;

beforeAll(async () => {
  list = await stack().ensureTaskList(USER, 'todo', 'To do');
  await dav.put(`${list}open.ics`, vcal(['BEGIN:VTODO', 'UID:open@test', 'DTSTAMP:20260101T000000Z', 'DUE;VALUE=DATE:20261220', 'SUMMARY:Write the report', 'PRIORITY:1', 'STATUS:NEEDS-ACTION', 'X-KEEP:me', 'END:VTODO']));
  await dav.put(`${list}done.ics`, vcal(['BEGIN:VTODO', 'UID:done@test', 'DTSTAMP:20260101T000000Z', 'SUMMARY:Book flights', 'STATUS:COMPLETED', 'COMPLETED:20261201T100000Z', 'END:VTODO']));
  server = await startTestServer(stack());
}, 120_000);
afterAll(async () => {
  await server?.stop();
  server?.cleanup();
});

describe('tasks', () => {
  it('sends open and completed tasks with due date, importance and completion; FilterType 8 keeps the open one only', async () => {
    const c = server.client({ user: USER, version: '14.1', deviceId: 'task1' });
    const { byType } = await setUpPhone(c);
    const col = byType.get(7)!;
    const r = await initialSync(c, col);
    const tasks = r.changes.map((x) => taskFromApplicationData(x.data!, '14.1'));
    const open = tasks.find((t) => t.subject === 'Write the report')!;
    expect(open.complete).toBe(false);
    expect(open.importance).toBe(2);
    expect(open.dueDate?.toISOString()).toBe('2026-12-20T00:00:00.000Z');
    const done = tasks.find((t) => t.subject === 'Book flights')!;
    expect(done.complete).toBe(true);
    expect(done.dateCompleted?.toISOString()).toBe('2026-12-01T10:00:00.000Z');
    const c2 = server.client({ user: USER, version: '14.1', deviceId: 'task2' });
    const f2 = await setUpPhone(c2);
    const r2 = await initialSync(c2, f2.byType.get(7)!, { options: [{ filterType: 8, bodyPreferences: [], bodyPartPreferences: [] }] });
    expect(r2.changes.map((x) => taskFromApplicationData(x.data!, '14.1').subject)).toEqual(['Write the report']);
  });

  it('completing a task on the phone writes STATUS:COMPLETED and keeps unknown properties; an Add creates a VTODO', async () => {
    const c = server.client({ user: USER, version: '14.1', deviceId: 'task3' });
    const { byType } = await setUpPhone(c);
    const col = byType.get(7)!;
    const r = await initialSync(c, col);
    const open = r.changes.find((x) => taskFromApplicationData(x.data!, '14.1').subject === 'Write the report')!;
    const res = await syncOne(c, {
      collectionId: col,
      syncKey: r.syncKey,
      commands: [
        { kind: 'Change', serverId: open.serverId, applicationData: el('AirSync', 'ApplicationData', [el('Tasks', 'Subject', 'Write the report'), el('Tasks', 'Complete', 1), el('Tasks', 'DateCompleted', '2026-12-03T09:00:00.000Z'), el('Tasks', 'Importance', 2)]) },
        { kind: 'Add', clientId: 't-new', applicationData: el('AirSync', 'ApplicationData', [el('Tasks', 'Subject', 'Call the bank'), el('Tasks', 'Complete', 0), el('Tasks', 'Importance', 1)]) },
      ],
    });
    expect(res.status).toBe(1);
    expect(res.responses.filter((x) => x.status !== 1)).toEqual([]);
    const stored = (await dav.get(`${list}open.ics`)).body;
    expect(stored).toContain('STATUS:COMPLETED');
    expect(stored).toContain('X-KEEP:me');
    const all = await dav.members(list);
    expect(all).toHaveLength(3);
    const bodies = await Promise.all(all.map((h) => dav.get(new URL(h, list).toString()).then((g) => g.body)));
    expect(bodies.some((b) => b.includes('BEGIN:VTODO') && b.includes('SUMMARY:Call the bank'))).toBe(true);
  });

  it('a phone Add with every Tasks field is stored as that VTODO: DATE due days, RRULE, VALARM, CATEGORIES, CLASS, DESCRIPTION', async () => {
    const c = server.client({ user: USER, version: '16.1', deviceId: 'task4' });
    const { byType } = await setUpPhone(c);
    const col = byType.get(7)!;
    const r = await initialSync(c, col);
    // A phone in New York: the due *day* is 2026-12-20 local, i.e. UtcDueDate 05:00Z. The day must not shift.
    const task: EasTask = {
      subject: 'Renew passport',
      body: { type: 1, data: 'Bring two photos.' },
      importance: 2,
      startDate: new Date('2026-12-14T00:00:00Z'),
      utcStartDate: new Date('2026-12-14T05:00:00Z'),
      dueDate: new Date('2026-12-20T00:00:00Z'),
      utcDueDate: new Date('2026-12-20T05:00:00Z'),
      categories: ['Admin', 'Travel'],
      recurrence: { type: 1, interval: 2, dayOfWeek: 2, start: new Date('2026-12-14T00:00:00Z'), occurrences: 5 },
      complete: false,
      sensitivity: 2,
      reminderSet: true,
      reminderTime: new Date('2026-12-19T14:00:00Z'),
    };
    const res = await syncOne(c, { collectionId: col, syncKey: r.syncKey, commands: [{ kind: 'Add', clientId: 't-full', applicationData: el('AirSync', 'ApplicationData', taskToApplicationData(task, '16.1')) }] });
    expect(res.responses.map((x) => x.status)).toEqual([1]);
    const bodies = await Promise.all((await dav.members(list)).map((h) => dav.get(new URL(h, list).toString()).then((g) => g.body)));
    const stored = bodies.find((b) => b.includes('SUMMARY:Renew passport'))!.replace(/\r\n[ \t]/g, '');
    expect(stored).toContain('DUE;VALUE=DATE:20261220');
    expect(stored).toContain('DTSTART;VALUE=DATE:20261214');
    expect(stored).toMatch(/RRULE:.*FREQ=WEEKLY/);
    expect(stored).toMatch(/RRULE:.*INTERVAL=2/);
    expect(stored).toMatch(/RRULE:.*COUNT=5/);
    expect(stored).toMatch(/RRULE:.*BYDAY=MO/);
    expect(stored).toMatch(/BEGIN:VALARM[\s\S]*TRIGGER[^\r\n]*20261219T140000Z[\s\S]*END:VALARM/);
    expect(stored).toContain('CATEGORIES:Admin,Travel');
    expect(stored).toContain('CLASS:PRIVATE');
    expect(stored).toContain('DESCRIPTION:Bring two photos.');
    expect(stored).toContain('PRIORITY:1');
    expect(stored).toContain('STATUS:NEEDS-ACTION');
    // And back: another phone reads the same fields.
    const c2 = server.client({ user: USER, version: '16.1', deviceId: 'task5' });
    const f2 = await setUpPhone(c2);
    const r2 = await initialSync(c2, f2.byType.get(7)!);
    const back = r2.changes.map((x) => taskFromApplicationData(x.data!, '16.1')).find((t) => t.subject === 'Renew passport')!;
    expect(back.dueDate?.toISOString()).toBe('2026-12-20T00:00:00.000Z');
    expect(back.startDate?.toISOString()).toBe('2026-12-14T00:00:00.000Z');
    expect(back.recurrence).toMatchObject({ type: 1, interval: 2, dayOfWeek: 2, occurrences: 5 });
    expect(back.reminderTime?.toISOString()).toBe('2026-12-19T14:00:00.000Z');
    expect(back.categories).toEqual(['Admin', 'Travel']);
    expect(back.sensitivity).toBe(2);
    expect(back.importance).toBe(2);
  });

  it('an edit in CalDAV (timed due in a zone, reopened, reminder) reaches the phone as a Change with local and UTC dates', async () => {
    const c = server.client({ user: USER, version: '14.1', deviceId: 'task6' });
    const { byType } = await setUpPhone(c);
    const col = byType.get(7)!;
    const r = await initialSync(c, col);
    const before = r.changes.find((x) => taskFromApplicationData(x.data!, '14.1').subject === 'Book flights')!;
    await dav.put(
      `${list}done.ics`,
      vcal([
        'BEGIN:VTIMEZONE', 'TZID:Europe/Berlin',
        'BEGIN:STANDARD', 'DTSTART:19701025T030000', 'RRULE:FREQ=YEARLY;BYMONTH=10;BYDAY=-1SU', 'TZOFFSETFROM:+0200', 'TZOFFSETTO:+0100', 'END:STANDARD',
        'BEGIN:DAYLIGHT', 'DTSTART:19700329T020000', 'RRULE:FREQ=YEARLY;BYMONTH=3;BYDAY=-1SU', 'TZOFFSETFROM:+0100', 'TZOFFSETTO:+0200', 'END:DAYLIGHT',
        'END:VTIMEZONE',
        'BEGIN:VTODO', 'UID:done@test', 'DTSTAMP:20260101T000000Z', 'SUMMARY:Book flights (again)', 'STATUS:NEEDS-ACTION',
        'DUE;TZID=Europe/Berlin:20261218T170000', 'PRIORITY:9', 'CATEGORIES:Travel',
        'BEGIN:VALARM', 'ACTION:DISPLAY', 'DESCRIPTION:x', 'TRIGGER;RELATED=END:-PT1H', 'END:VALARM',
        'END:VTODO',
      ]),
    );
    const res = await syncOne(c, { collectionId: col, syncKey: r.syncKey });
    expect(res.changes.map((x) => [x.kind, x.serverId])).toEqual([['Change', before.serverId]]);
    const t = taskFromApplicationData(res.changes[0]!.data!, '14.1');
    expect(t.subject).toBe('Book flights (again)');
    expect(t.complete).toBe(false);
    expect(t.dueDate?.toISOString()).toBe('2026-12-18T17:00:00.000Z');
    expect(t.utcDueDate?.toISOString()).toBe('2026-12-18T16:00:00.000Z');
    expect(t.importance).toBe(0);
    expect(t.reminderSet).toBe(true);
    expect(t.reminderTime?.toISOString()).toBe('2026-12-18T15:00:00.000Z');
    expect(t.categories).toEqual(['Travel']);
  });

  it('reopening a completed task clears COMPLETED; a retried Add creates one VTODO; a Delete removes the resource', async () => {
    const c = server.client({ user: USER, version: '14.1', deviceId: 'task7' });
    const { byType } = await setUpPhone(c);
    const col = byType.get(7)!;
    await dav.put(`${list}reopen.ics`, vcal(['BEGIN:VTODO', 'UID:reopen@test', 'DTSTAMP:20260101T000000Z', 'SUMMARY:Pay invoice', 'STATUS:COMPLETED', 'COMPLETED:20261201T100000Z', 'PERCENT-COMPLETE:100', 'END:VTODO']));
    const r = await initialSync(c, col);
    const item = r.changes.find((x) => taskFromApplicationData(x.data!, '14.1').subject === 'Pay invoice')!;
    const add = { kind: 'Add' as const, clientId: 'retry-1', applicationData: el('AirSync', 'ApplicationData', [el('Tasks', 'Subject', 'Only once'), el('Tasks', 'Complete', 0)]) };
    const change = { kind: 'Change' as const, serverId: item.serverId, applicationData: el('AirSync', 'ApplicationData', [el('Tasks', 'Subject', 'Pay invoice'), el('Tasks', 'Complete', 0)]) };
    const first = await syncOne(c, { collectionId: col, syncKey: r.syncKey, commands: [change, add] });
    expect(first.responses.map((x) => x.status)).toEqual([1, 1].slice(0, first.responses.length));
    // The phone lost the answer and sends the same request with the same key again.
    const retry = await syncOne(c, { collectionId: col, syncKey: r.syncKey, commands: [change, add] });
    expect(retry.status).toBe(1);
    const addAnswers = [...first.responses, ...retry.responses].filter((x) => x.clientId === 'retry-1');
    expect(new Set(addAnswers.map((x) => x.serverId)).size).toBe(1);
    const bodies = await Promise.all((await dav.members(list)).map((h) => dav.get(new URL(h, list).toString()).then((g) => g.body)));
    expect(bodies.filter((b) => b.includes('SUMMARY:Only once'))).toHaveLength(1);
    const reopened = (await dav.get(`${list}reopen.ics`)).body;
    expect(reopened).toContain('STATUS:NEEDS-ACTION');
    expect(reopened).not.toContain('COMPLETED:');
    expect(reopened).not.toContain('PERCENT-COMPLETE');
    const del = await syncOne(c, { collectionId: col, syncKey: retry.syncKey!, commands: [{ kind: 'Delete', serverId: item.serverId }] });
    expect(del.status).toBe(1);
    expect((await dav.get(`${list}reopen.ics`)).status).toBe(404);
  });

  it('eas-client (the CLI a new user tries after npm run demo) lists the task list at 12.1, 14.1 and 16.1', async () => {
    for (const version of ['12.1', '14.1', '16.1']) {
      const { stdout } = await promisify(execFile)(process.execPath, ['bin/eas-client.mjs', '--url', server.url, '--user', USER, '--password', stack().user(USER).password, '--version', version, 'sync', 'To do']);
      const lines = stdout.trim().split('\n');
      expect(lines.some((l) => /\[ \] due 2026-12-20T00:00Z\s+Renew passport$/.test(l))).toBe(true);
      expect(lines.at(-1)).toMatch(/^\d+ items from To do /);
    }
  }, 60_000);
});
