/**
 * Issue 9 item 4 on the real stack: CalDAV task lists as EAS Tasks folders
 * (MS-ASTASK) that sync both ways against Radicale, through the same engine
 * as mail and calendars.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { taskFromApplicationData } from '../../protocol/types/task.ts';
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
});
