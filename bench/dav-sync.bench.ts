/**
 * Initial sync of a CalDAV calendar of 500 events (a quarter of them weekly
 * series with a moved and a deleted occurrence, a third meetings with
 * attendees) and of a 1,000-task list, end to end through the server (EAS
 * client -> HTTP -> WBXML -> sync engine -> DAV client -> Radicale), and,
 * in the same run against the same Radicale, tsdav's fetchCalendarObjects
 * of the same collection as the baseline (the raw fetch every DAV-backed
 * server must do at least). Then the median latency of a calendar Sync that
 * finds no change (one sync-collection REPORT).
 *
 * Goals: initial sync <= 1.5x the raw fetch; a no-change Sync p50 at most
 * 10 ms above the raw sync-collection REPORT it needs (measured alongside). One process: the phone and the baseline share this event
 * loop with the server, so both sides pay the same overhead.
 */
import { fetchCalendarObjects } from 'tsdav';
import { startStack } from '../src/devstack/stack.ts';
import { putAll } from './dav-put.ts';
import { startTestServer } from '../test/integration/server-setup.ts';
import { initialSync, setUpPhone, syncOne } from '../src/client/sync-session.ts';

export const name = 'dav-sync';

const EVENTS = Number(process.env.BENCH_DAV_EVENTS ?? 500);
const TASKS = Number(process.env.BENCH_DAV_TASKS ?? 1000);
const ROUNDS = 3;
const NO_CHANGE_ROUNDS = 60;
const GOAL_RATIO = 1.5;
const GOAL_NO_CHANGE_MS = 10;
const USER = 'alice@example.test';
const DAY = 86_400_000;

const ics = (d: Date): string => d.toISOString().replace(/[-:]/g, '').replace(/\.\d{3}/, '');
const vcal = (lines: string[]): string => ['BEGIN:VCALENDAR', 'VERSION:2.0', 'PRODID:-//bench//EN', ...lines, 'END:VCALENDAR', ''].join('\r\n');

/** Event i: every 4th a weekly series with an override and an EXDATE, every 3rd a meeting. */
function event(i: number, base: number): string {
  const start = new Date(base + (i % 60) * DAY + (8 + (i % 9)) * 3_600_000);
  const end = new Date(start.getTime() + 3_600_000);
  const uid = `bench-${i}@bench`;
  const meeting = i % 3 === 0 ? ['ORGANIZER;CN=Organizer:mailto:org@example.test', `ATTENDEE;CN=Alice;PARTSTAT=ACCEPTED:mailto:${USER}`, 'ATTENDEE;CN=Bob;PARTSTAT=NEEDS-ACTION:mailto:bob@example.test', 'ATTENDEE;CN=Carol;PARTSTAT=TENTATIVE;ROLE=OPT-PARTICIPANT:mailto:carol@example.test'] : [];
  const master = ['BEGIN:VEVENT', `UID:${uid}`, 'DTSTAMP:20260101T000000Z', `DTSTART:${ics(start)}`, `DTEND:${ics(end)}`, `SUMMARY:Bench event ${i}`, 'LOCATION:Room 1', `DESCRIPTION:Agenda of event ${i}, with a few lines of text to carry.`, 'BEGIN:VALARM', 'ACTION:DISPLAY', 'TRIGGER:-PT15M', 'DESCRIPTION:r', 'END:VALARM', ...meeting];
  if (i % 4 !== 0) return vcal([...master, 'END:VEVENT']);
  const moved = new Date(start.getTime() + 7 * DAY);
  const deleted = new Date(start.getTime() + 14 * DAY);
  return vcal([
    ...master,
    'RRULE:FREQ=WEEKLY;COUNT=20',
    `EXDATE:${ics(deleted)}`,
    'END:VEVENT',
    'BEGIN:VEVENT',
    `UID:${uid}`,
    'DTSTAMP:20260101T000000Z',
    `RECURRENCE-ID:${ics(moved)}`,
    `DTSTART:${ics(new Date(moved.getTime() + 3_600_000))}`,
    `DTEND:${ics(new Date(moved.getTime() + 7_200_000))}`,
    `SUMMARY:Bench event ${i} (moved)`,
    'END:VEVENT',
  ]);
}

const todo = (i: number): string =>
  vcal(['BEGIN:VTODO', `UID:task-${i}@bench`, 'DTSTAMP:20260101T000000Z', `SUMMARY:Task ${i}`, `DUE;VALUE=DATE:202612${String(1 + (i % 28)).padStart(2, '0')}`, `PRIORITY:${1 + (i % 9)}`, i % 5 === 0 ? 'STATUS:COMPLETED' : 'STATUS:NEEDS-ACTION', 'END:VTODO']);

const ITEM = { prefix: 'item-', ext: '.ics', contentType: 'text/calendar; charset=utf-8' };

/** One sync-collection REPORT (RFC 6578) asking for ETags only; the response text. */
async function syncCollection(collection: string, headers: Record<string, string>, token: string): Promise<string> {
  const body = `<?xml version="1.0"?><D:sync-collection xmlns:D="DAV:"><D:sync-token>${token}</D:sync-token><D:sync-level>1</D:sync-level><D:prop><D:getetag/></D:prop></D:sync-collection>`;
  const res = await fetch(collection, { method: 'REPORT', headers: { ...headers, depth: '1', 'content-type': 'application/xml' }, body });
  return res.text();
}

const median = (xs: number[]): number => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;

export async function run(): Promise<Record<string, unknown>> {
  const stack = await startStack();
  try {
    const base = Date.now() - 7 * DAY;
    const cal = await stack.ensureCalendar(USER, 'bench', 'Bench');
    const tasks = await stack.ensureTaskList(USER, 'benchtasks', 'Bench tasks');
    await putAll(stack, USER, cal, Array.from({ length: EVENTS }, (_, i) => event(i, base)), ITEM);
    await putAll(stack, USER, tasks, Array.from({ length: TASKS }, (_, i) => todo(i)), ITEM);
    const server = await startTestServer(stack, { env: { EAS_LOG_LEVEL: 'silent' } });
    try {
      const headers = { authorization: `Basic ${Buffer.from(`${USER}:${stack.user(USER).password}`).toString('base64')}` };
      const measure = async (collection: string, displayName: string, expected: number, component: 'VEVENT' | 'VTODO') => {
        // tsdav's default filter asks for VEVENT only; a task list needs a VTODO comp-filter.
        const filters = [{ 'comp-filter': { _attributes: { name: 'VCALENDAR' }, 'comp-filter': { _attributes: { name: component } } } }];
        let raw = Infinity;
        let eas = Infinity;
        let key = '';
        let col = '';
        let c = server.client({ user: USER, version: '16.1', deviceId: 'benchwarm' });
        for (let round = 0; round < ROUNDS; round++) {
          const t0 = performance.now();
          const objs = await fetchCalendarObjects({ calendar: { url: collection } as never, headers, filters });
          raw = Math.min(raw, performance.now() - t0);
          if (objs.length !== expected) throw new Error(`baseline fetched ${objs.length} of ${expected}`);
          c = server.client({ user: USER, version: '16.1', deviceId: `bench${displayName.replace(/\W/g, '')}${round}` });
          const { byName } = await setUpPhone(c);
          col = byName.get(displayName)!;
          const t1 = performance.now();
          const r = await initialSync(c, col, { windowSize: 100 });
          eas = Math.min(eas, performance.now() - t1);
          if (r.changes.length !== expected) throw new Error(`EAS synced ${r.changes.length} of ${expected}`);
          key = r.syncKey;
        }
        // The baseline of a no-change Sync: the one sync-collection REPORT with a current token that it
        // needs, straight to the DAV server (Radicale walks the whole collection for it).
        const token = /<(?:\w+:)?sync-token>([^<]+)</.exec(await syncCollection(collection, headers, ''))?.[1] ?? '';
        const quiet: number[] = [];
        const rawQuiet: number[] = [];
        for (let i = 0; i < NO_CHANGE_ROUNDS; i++) {
          const t = performance.now();
          const r = await syncOne(c, { collectionId: col, syncKey: key });
          quiet.push(performance.now() - t);
          if (r.changes.length) throw new Error('a no-change Sync sent changes');
          const t2 = performance.now();
          await syncCollection(collection, headers, token);
          rawQuiet.push(performance.now() - t2);
        }
        const p50 = median(quiet);
        const rawP50 = median(rawQuiet);
        return {
          items: expected,
          easMs: Math.round(eas),
          rawFetchMs: Math.round(raw),
          ratio: Number((eas / raw).toFixed(2)),
          itemsPerSec: Math.round(expected / (eas / 1000)),
          noChangeP50Ms: Number(p50.toFixed(2)),
          rawSyncCollectionP50Ms: Number(rawP50.toFixed(2)),
          noChangeOverheadMs: Number((p50 - rawP50).toFixed(2)),
        };
      };
      const events = await measure(cal, 'Bench', EVENTS, 'VEVENT');
      const todos = await measure(tasks, 'Bench tasks', TASKS, 'VTODO');
      return {
        events,
        tasks: todos,
        goals: {
          ratioMax: GOAL_RATIO,
          noChangeOverheadMaxMs: GOAL_NO_CHANGE_MS,
          met: events.ratio <= GOAL_RATIO && todos.ratio <= GOAL_RATIO && events.noChangeOverheadMs < GOAL_NO_CHANGE_MS && todos.noChangeOverheadMs < GOAL_NO_CHANGE_MS,
        },
      };
    } finally {
      await server.stop();
      server.cleanup();
    }
  } finally {
    await stack.stop();
  }
}
