/**
 * Issue 9 on the real stack: CalDAV calendars as EAS Calendar folders that
 * sync both ways through the one Sync engine (keys, windows, retries),
 * against Radicale. Each test reads what the phone gets and what Radicale
 * stores, so a mapping missing on either side fails it.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { calendarFromApplicationData } from '../../protocol/types/calendar.ts';
import type { ProtocolVersion } from '../../protocol/version.ts';
import { el, textOf, type WbxmlElement } from '../../protocol/wbxml/tree.ts';
import { useStack } from '../harness/use-stack.ts';
import { davSide, icsUtc, vcal, vevent } from './dav-helpers.ts';
import { startTestServer, type TestServer } from './server-setup.ts';
import { initialSync, setUpPhone, syncOne } from './sync-helpers.ts';

const stack = useStack();
let server: TestServer;
const USER = 'alice@example.test';
const dav = davSide(stack, USER);
let home: string;
let work: string;
let both: string;
const DAY = 86_400_000;
const soon = (days: number, hour: number): Date => new Date(Math.floor(Date.now() / DAY) * DAY + days * DAY + hour * 3_600_000);

beforeAll(async () => {
  const s = stack();
  home = await s.ensureCalendar(USER, 'personal', 'Personal');
  work = await s.ensureCalendar(USER, 'work', 'Work');
  // A collection holding events and tasks: MKCALENDAR with both components (RFC 4791 5.3.1).
  both = `${s.caldavUrl}${USER}/mixed/`;
  await fetch(both, {
    method: 'MKCALENDAR',
    headers: { authorization: `Basic ${Buffer.from(`${USER}:${s.user(USER).password}`).toString('base64')}`, 'content-type': 'application/xml' },
    body: '<?xml version="1.0"?><C:mkcalendar xmlns:D="DAV:" xmlns:C="urn:ietf:params:xml:ns:caldav"><D:set><D:prop><D:displayname>Mixed</D:displayname><C:supported-calendar-component-set><C:comp name="VEVENT"/><C:comp name="VTODO"/></C:supported-calendar-component-set></D:prop></D:set></C:mkcalendar>',
  }).then((r) => r.arrayBuffer());
  await dav.put(`${home}review.ics`, vevent('review@test', 'Design review', icsUtc(soon(1, 14)), icsUtc(soon(1, 15)), ['LOCATION:Room 4.12', 'DESCRIPTION:Walk through the sync engine.', 'X-CUSTOM-THING;X-PARAM=kept:keep me']));
  await dav.put(`${home}holiday.ics`, vcal(['BEGIN:VEVENT', 'UID:holiday@test', 'DTSTAMP:20260101T000000Z', `DTSTART;VALUE=DATE:${icsUtc(soon(5, 0)).slice(0, 8)}`, `DTEND;VALUE=DATE:${icsUtc(soon(6, 0)).slice(0, 8)}`, 'SUMMARY:Company holiday', 'TRANSP:TRANSPARENT', 'END:VEVENT']));
  server = await startTestServer(s);
}, 120_000);
afterAll(async () => {
  await server?.stop();
  server?.cleanup();
});

/** The text of the first element named `name` anywhere in a tree. */
function findText(e: WbxmlElement | undefined, name: string): string | undefined {
  if (!e) return undefined;
  if (e.name === name) return textOf(e);
  for (const c of e.children ?? []) {
    const t = findText(c, name);
    if (t !== undefined) return t;
  }
  return undefined;
}

const phone = (deviceId: string, version: ProtocolVersion = '14.1') => server.client({ user: USER, version, deviceId });
const itemsOf = (changes: { kind: string; data?: WbxmlElement }[], version = '14.1') =>
  changes.filter((c) => c.kind === 'Add' || c.kind === 'Change').map((c) => calendarFromApplicationData(c.data!, version as '14.1'));

describe('folders', () => {
  it('lists each calendar as a Calendar folder, the first as the default (8), a mixed collection also as Tasks', async () => {
    const c = phone('calfolders1');
    await c.provision();
    const fs = await c.folderSync('0');
    const cal = fs.adds.filter((f) => f.type === 8 || f.type === 13);
    expect(cal.map((f) => f.displayName).sort()).toEqual(['Mixed', 'Personal', 'Work']);
    expect(cal.filter((f) => f.type === 8)).toHaveLength(1);
    const tasks = fs.adds.filter((f) => f.type === 7 || f.type === 15);
    expect(tasks.map((f) => f.displayName)).toEqual(['Mixed']);
    expect(tasks[0]!.type).toBe(7);
    // Ids are stable: a second device (and a restart) gets the same ones.
    const c2 = phone('calfolders2');
    await c2.provision();
    const again = await c2.folderSync('0');
    expect(new Map(again.adds.map((f) => [f.displayName + f.type, f.serverId]))).toEqual(new Map(fs.adds.map((f) => [f.displayName + f.type, f.serverId])));
  });

  it('shows a renamed and a deleted collection at the next FolderSync', async () => {
    const s = stack();
    const extra = await s.ensureCalendar(USER, 'extra', 'Extra');
    const c = phone('calfolders3');
    await c.provision();
    const fs = await c.folderSync('0');
    const id = fs.adds.find((f) => f.displayName === 'Extra')!.serverId;
    expect(await dav.rename(extra, 'Renamed')).toBe(207);
    const fs2 = await c.folderSync(fs.syncKey!);
    expect(fs2.updates.map((f) => [f.serverId, f.displayName])).toEqual([[id, 'Renamed']]);
    expect(await dav.del(extra)).toBe(200);
    const fs3 = await c.folderSync(fs2.syncKey!);
    expect(fs3.deletes).toEqual([id]);
  });

  it('FolderCreate, FolderUpdate and FolderDelete of a user calendar act on Radicale', async () => {
    const c = phone('calfolders4');
    await c.provision();
    const fs = await c.folderSync('0');
    const created = await c.folderCreate({ syncKey: fs.syncKey!, parentId: '0', displayName: 'Phone made', type: 13 });
    expect(created.status).toBe(1);
    const listed = await server.services.dav!.listCollections({ user: USER, password: stack().user(USER).password }, 'caldav');
    const made = listed.find((l) => l.displayName === 'Phone made');
    expect(made?.components).toEqual(['VEVENT']);
    const upd = await c.folderUpdate({ syncKey: created.syncKey!, serverId: created.serverId!, parentId: '0', displayName: 'Phone renamed' });
    expect(upd.status).toBe(1);
    const after = await server.services.dav!.listCollections({ user: USER, password: stack().user(USER).password }, 'caldav');
    expect(after.find((l) => l.href === made!.href)?.displayName).toBe('Phone renamed');
    const del = await c.folderDelete({ syncKey: upd.syncKey!, serverId: created.serverId! });
    expect(del.status).toBe(1);
    const gone = await server.services.dav!.listCollections({ user: USER, password: stack().user(USER).password }, 'caldav');
    expect(gone.some((l) => l.href === made!.href)).toBe(false);
  });
});

describe('server to phone', () => {
  it('sends the events with subject, location, body, times and all-day dates; a quiet Sync keeps its key', async () => {
    const c = phone('calsync1');
    const { byName } = await setUpPhone(c);
    const r = await initialSync(c, byName.get('Personal')!);
    const items = itemsOf(r.changes);
    const review = items.find((i) => i.subject === 'Design review')!;
    expect(review.location).toBe('Room 4.12');
    expect(review.body?.data).toBe('Walk through the sync engine.');
    expect(review.startTime?.toISOString()).toBe(soon(1, 14).toISOString());
    expect(review.endTime?.toISOString()).toBe(soon(1, 15).toISOString());
    expect(review.uid).toBe('review@test');
    const holiday = items.find((i) => i.subject === 'Company holiday')!;
    expect(holiday.allDayEvent).toBe(true);
    expect(holiday.busyStatus).toBe(0);
    const quiet = await syncOne(c, { collectionId: byName.get('Personal')!, syncKey: r.syncKey });
    expect(quiet.syncKey).toBe(r.syncKey);
    expect(quiet.changes).toEqual([]);
  });

  it('an edit and a delete made in CalDAV reach the phone as Change and Delete', async () => {
    await dav.put(`${work}a.ics`, vevent('a@test', 'First', icsUtc(soon(2, 9)), icsUtc(soon(2, 10))));
    await dav.put(`${work}b.ics`, vevent('b@test', 'Second', icsUtc(soon(3, 9)), icsUtc(soon(3, 10))));
    const c = phone('calsync2');
    const { byName } = await setUpPhone(c);
    const col = byName.get('Work')!;
    const r = await initialSync(c, col);
    expect(itemsOf(r.changes).map((i) => i.subject).sort()).toEqual(['First', 'Second']);
    const idOf = (subject: string) => r.changes.find((x) => x.data && calendarFromApplicationData(x.data, '14.1').subject === subject)!.serverId;
    await dav.put(`${work}a.ics`, vevent('a@test', 'First, moved', icsUtc(soon(2, 11)), icsUtc(soon(2, 12))));
    expect(await dav.del(`${work}b.ics`)).toBe(200);
    const next = await syncOne(c, { collectionId: col, syncKey: r.syncKey });
    const change = next.changes.find((x) => x.kind === 'Change')!;
    expect(change.serverId).toBe(idOf('First'));
    expect(calendarFromApplicationData(change.data!, '14.1').startTime?.toISOString()).toBe(soon(2, 11).toISOString());
    expect(next.changes.filter((x) => x.kind === 'Delete').map((x) => x.serverId)).toEqual([idOf('Second')]);
  });

  it('windows a big calendar with MoreAvailable and skips an unparsable resource with the rest synced', async () => {
    const s = stack();
    const big = await s.ensureCalendar(USER, 'big', 'Big');
    for (let i = 0; i < 25; i++) await dav.put(`${big}e${i}.ics`, vevent(`big-${i}@test`, `Event ${i}`, icsUtc(soon(1 + i, 8)), icsUtc(soon(1 + i, 9))));
    await dav.put(`${big}broken.ics`, 'BEGIN:VCALENDAR\r\nVERSION:2.0\r\nBEGIN:VEVENT\r\nUID:broken\r\nDTSTART:garbage\r\nEND:VCALENDAR\r\n').catch(() => undefined);
    const c = phone('calsync3');
    const { byName } = await setUpPhone(c);
    const r = await initialSync(c, byName.get('Big')!, { windowSize: 10 });
    expect(r.rounds).toBeGreaterThanOrEqual(3);
    const subjects = itemsOf(r.changes).map((i) => i.subject);
    expect(new Set(subjects).size).toBe(25);
    expect(subjects).toHaveLength(25);
  });

  it('FilterType sends a weekly series that began months ago but recurs now, and leaves out an old one-off event', async () => {
    const s = stack();
    const cal = await s.ensureCalendar(USER, 'filtered', 'Filtered');
    const start = soon(-120, 9);
    await dav.put(`${cal}series.ics`, vevent('series@test', 'Old weekly', icsUtc(start), icsUtc(new Date(start.getTime() + 3_600_000)), ['RRULE:FREQ=WEEKLY']));
    await dav.put(`${cal}old.ics`, vevent('old@test', 'Long ago', icsUtc(soon(-100, 9)), icsUtc(soon(-100, 10))));
    await dav.put(`${cal}ended.ics`, vevent('ended@test', 'Ended series', icsUtc(soon(-120, 9)), icsUtc(soon(-120, 10)), ['RRULE:FREQ=DAILY;COUNT=3']));
    const c = phone('calsync4');
    const { byName } = await setUpPhone(c);
    const r = await initialSync(c, byName.get('Filtered')!, { options: [{ filterType: 4, bodyPreferences: [], bodyPartPreferences: [] }] });
    expect(itemsOf(r.changes).map((i) => i.subject)).toEqual(['Old weekly']);
  });
});

describe('phone to server', () => {
  it('an Add is stored as iCalendar; the retried request (lost response) creates nothing twice', async () => {
    const s = stack();
    const cal = await s.ensureCalendar(USER, 'adds', 'Adds');
    const c = phone('caladd1');
    const { byName } = await setUpPhone(c);
    const col = byName.get('Adds')!;
    const r = await initialSync(c, col);
    const start = soon(4, 10);
    const add = {
      kind: 'Add' as const,
      clientId: 'c-1',
      applicationData: el('AirSync', 'ApplicationData', [
        el('Calendar', 'Subject', 'Dentist <script>'),
        el('Calendar', 'StartTime', start.toISOString().replace(/[-:]/g, '').replace(/\.\d{3}/, '')),
        el('Calendar', 'EndTime', new Date(start.getTime() + 1_800_000).toISOString().replace(/[-:]/g, '').replace(/\.\d{3}/, '')),
        el('Calendar', 'Location', 'Main St 1'),
        el('Calendar', 'Reminder', 30),
        el('Calendar', 'BusyStatus', 2),
        el('Calendar', 'Sensitivity', 2),
      ]),
    };
    const first = await syncOne(c, { collectionId: col, syncKey: r.syncKey, commands: [add] });
    expect(first.responses[0]).toMatchObject({ kind: 'Add', clientId: 'c-1', status: 1 });
    // The phone never saw that answer and sends the same request again.
    const retry = await syncOne(c, { collectionId: col, syncKey: r.syncKey, commands: [add] });
    expect(retry.responses[0]).toMatchObject({ kind: 'Add', clientId: 'c-1', status: 1, serverId: first.responses[0]!.serverId });
    const hrefs = await dav.members(cal);
    expect(hrefs).toHaveLength(1);
    const stored = await dav.get(new URL(hrefs[0]!, cal).toString());
    expect(stored.body).toContain('SUMMARY:Dentist <script>');
    expect(stored.body).toContain('LOCATION:Main St 1');
    expect(stored.body).toMatch(/CLASS:PRIVATE/);
    expect(stored.body).toMatch(/TRIGGER[^:]*:-PT30M/);
    // Our own write does not come back as a change.
    const after = await syncOne(c, { collectionId: col, syncKey: retry.syncKey! });
    expect(after.changes).toEqual([]);
  });

  it('a Change keeps what EAS does not model; an empty Location clears it; Delete removes the resource', async () => {
    const s = stack();
    const cal = await s.ensureCalendar(USER, 'edits', 'Edits');
    await dav.put(`${cal}keep.ics`, vevent('keep@test', 'Keep extras', icsUtc(soon(2, 9)), icsUtc(soon(2, 10)), ['LOCATION:Somewhere', 'X-VENDOR-FLAG;X-ODD=1:yes', 'DESCRIPTION:Body text']));
    const c = phone('caledit1');
    const { byName } = await setUpPhone(c);
    const col = byName.get('Edits')!;
    const r = await initialSync(c, col);
    const sid = r.changes[0]!.serverId;
    const change = {
      kind: 'Change' as const,
      serverId: sid,
      applicationData: el('AirSync', 'ApplicationData', [
        el('Calendar', 'Subject', 'Edited on the phone'),
        el('Calendar', 'StartTime', icsUtc(soon(2, 9))),
        el('Calendar', 'EndTime', icsUtc(soon(2, 10))),
        el('Calendar', 'Location', ''),
      ]),
    };
    const res = await syncOne(c, { collectionId: col, syncKey: r.syncKey, commands: [change] });
    expect(res.status).toBe(1);
    expect(res.responses).toEqual([]);
    const stored = (await dav.get(`${cal}keep.ics`)).body;
    expect(stored).toContain('SUMMARY:Edited on the phone');
    expect(stored).toContain('X-VENDOR-FLAG;X-ODD=1:yes');
    expect(stored).toContain('DESCRIPTION:Body text');
    expect(stored).not.toContain('LOCATION:Somewhere');
    const del = await syncOne(c, { collectionId: col, syncKey: res.syncKey!, commands: [{ kind: 'Delete', serverId: sid }] });
    expect(del.status).toBe(1);
    expect((await dav.get(`${cal}keep.ics`)).status).toBe(404);
  });

  it('a Change of an event edited in CalDAV meanwhile: server wins (Status 7, server version sent), client wins with Conflict 0', async () => {
    const s = stack();
    const cal = await s.ensureCalendar(USER, 'conflicts', 'Conflicts');
    await dav.put(`${cal}x.ics`, vevent('x@test', 'Original', icsUtc(soon(2, 9)), icsUtc(soon(2, 10))));
    const c = phone('calconf1');
    const { byName } = await setUpPhone(c);
    const col = byName.get('Conflicts')!;
    const r = await initialSync(c, col);
    const sid = r.changes[0]!.serverId;
    await dav.put(`${cal}x.ics`, vevent('x@test', 'Changed on the server', icsUtc(soon(2, 9)), icsUtc(soon(2, 10))));
    const change = (subject: string) => ({
      kind: 'Change' as const,
      serverId: sid,
      applicationData: el('AirSync', 'ApplicationData', [el('Calendar', 'Subject', subject), el('Calendar', 'StartTime', icsUtc(soon(2, 9))), el('Calendar', 'EndTime', icsUtc(soon(2, 10)))]),
    });
    const res = await syncOne(c, { collectionId: col, syncKey: r.syncKey, commands: [change('Changed on the phone')] });
    expect(res.responses).toEqual([expect.objectContaining({ kind: 'Change', serverId: sid, status: 7 })]);
    expect(itemsOf(res.changes).map((i) => i.subject)).toEqual(['Changed on the server']);
    expect((await dav.get(`${cal}x.ics`)).body).toContain('SUMMARY:Changed on the server');
    // Conflict 0: the phone's edit goes over the server's newer version.
    await dav.put(`${cal}x.ics`, vevent('x@test', 'Server again', icsUtc(soon(2, 9)), icsUtc(soon(2, 10)), ['X-SERVER-SIDE:kept']));
    const opts = [{ conflict: 0, bodyPreferences: [], bodyPartPreferences: [] }];
    const res2 = await syncOne(c, { collectionId: col, syncKey: res.syncKey!, options: opts, commands: [change('Phone wins')] });
    expect(res2.responses).toEqual([]);
    const stored = (await dav.get(`${cal}x.ics`)).body;
    expect(stored).toContain('SUMMARY:Phone wins');
    expect(stored).toContain('X-SERVER-SIDE:kept');
  });
});

describe('state', () => {
  it('a sync token the server refuses rescans by ETag without sending what the phone already has', async () => {
    const c = phone('caltoken1');
    const { byName } = await setUpPhone(c);
    const col = byName.get('Personal')!;
    const r = await initialSync(c, col);
    expect(r.changes.length).toBeGreaterThan(0);
    server.services.db.prepare("UPDATE sync_collections SET dav_token = 'sync:http://radicale.org/ns/sync/bogus' WHERE device_id = ? AND collection_id = ?").run('caltoken1', col);
    await dav.put(`${home}late.ics`, vevent('late@test', 'Added late', icsUtc(soon(7, 9)), icsUtc(soon(7, 10))));
    const next = await syncOne(c, { collectionId: col, syncKey: r.syncKey });
    expect(next.changes.map((x) => x.kind)).toEqual(['Add']);
    expect(itemsOf(next.changes)[0]!.subject).toBe('Added late');
  });

  it('GetItemEstimate counts the changes; ItemOperations fetches one event', async () => {
    const c = phone('calest1');
    const { byName } = await setUpPhone(c);
    const col = byName.get('Work')!;
    const r = await initialSync(c, col);
    await dav.put(`${work}est.ics`, vevent('est@test', 'Estimated', icsUtc(soon(9, 9)), icsUtc(soon(9, 10))));
    const est = await c.command('GetItemEstimate', el('GetItemEstimate', 'GetItemEstimate', [el('GetItemEstimate', 'Collections', [el('GetItemEstimate', 'Collection', [el('AirSync', 'SyncKey', r.syncKey), el('GetItemEstimate', 'CollectionId', col)])])]));
    expect(findText(est.body, 'Estimate')).toBe('1');
    const sid = r.changes[0]!.serverId;
    const fetch = await c.command('ItemOperations', el('ItemOperations', 'ItemOperations', [el('ItemOperations', 'Fetch', [el('ItemOperations', 'Store', 'Mailbox'), el('AirSync', 'CollectionId', col), el('AirSync', 'ServerId', sid)])]));
    expect(findText(fetch.body, 'Class')).toBe('Calendar');
    expect(findText(fetch.body, 'Subject')).toBeDefined();
  });
});
