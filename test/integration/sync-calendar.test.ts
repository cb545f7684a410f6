/**
 * Issue 9 on the real stack: CalDAV calendars as EAS Calendar folders that
 * sync both ways through the one Sync engine (keys, windows, retries),
 * against Radicale. Each test reads what the phone gets and what Radicale
 * stores, so a mapping missing on either side fails it.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { calendarFromApplicationData } from '../../protocol/types/calendar.ts';
import { offsetAt } from '../../protocol/types/timezone.ts';
import type { ProtocolVersion } from '../../protocol/version.ts';
import { el, textOf, type WbxmlElement } from '../../protocol/wbxml/tree.ts';
import { useStack } from '../harness/use-stack.ts';
import { davSide, icsUtc, vcal, vevent } from './dav-helpers.ts';
import { findText } from './dav-helpers.ts';
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
  server = await startTestServer(s, { env: { EAS_DAV_POLL_SECONDS: '1' } });
}, 120_000);
afterAll(async () => {
  await server?.stop();
  server?.cleanup();
});

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

const BERLIN = ['BEGIN:VTIMEZONE', 'TZID:Europe/Berlin', 'BEGIN:DAYLIGHT', 'TZOFFSETFROM:+0100', 'TZOFFSETTO:+0200', 'TZNAME:CEST', 'DTSTART:19700329T020000', 'RRULE:FREQ=YEARLY;BYMONTH=3;BYDAY=-1SU', 'END:DAYLIGHT', 'BEGIN:STANDARD', 'TZOFFSETFROM:+0200', 'TZOFFSETTO:+0100', 'TZNAME:CET', 'DTSTART:19701025T030000', 'RRULE:FREQ=YEARLY;BYMONTH=10;BYDAY=-1SU', 'END:STANDARD', 'END:VTIMEZONE'];

describe('mapping through Radicale', () => {
  it('time zones: a 09:00 Berlin series, a New York and a Sydney event across their DST changes keep their local times', async () => {
    const s = stack();
    const cal = await s.ensureCalendar(USER, 'zones', 'Zones');
    await dav.put(`${cal}berlin.ics`, vcal([...BERLIN, 'BEGIN:VEVENT', 'UID:berlin@test', 'DTSTAMP:20260101T000000Z', 'DTSTART;TZID=Europe/Berlin:20270318T090000', 'DTEND;TZID=Europe/Berlin:20270318T100000', 'RRULE:FREQ=WEEKLY;COUNT=4', 'SUMMARY:Berlin weekly', 'END:VEVENT']));
    await dav.put(`${cal}ny.ics`, vcal(['BEGIN:VEVENT', 'UID:ny@test', 'DTSTAMP:20260101T000000Z', 'DTSTART;TZID=America/New_York:20271107T090000', 'DTEND;TZID=America/New_York:20271107T100000', 'SUMMARY:New York after fall back', 'END:VEVENT']));
    await dav.put(`${cal}syd.ics`, vcal(['BEGIN:VEVENT', 'UID:syd@test', 'DTSTAMP:20260101T000000Z', 'DTSTART;TZID=Australia/Sydney:20271003T090000', 'DTEND;TZID=Australia/Sydney:20271003T100000', 'SUMMARY:Sydney after spring forward', 'END:VEVENT']));
    const c = phone('calzones1');
    const { byName } = await setUpPhone(c);
    const items = itemsOf((await initialSync(c, byName.get('Zones')!)).changes);
    const berlin = items.find((i) => i.subject === 'Berlin weekly')!;
    // 18 March 2027 is still CET (UTC+1): 08:00Z; the blob must put the 25 March occurrence after the change at 07:00Z.
    expect(berlin.startTime?.toISOString()).toBe('2027-03-18T08:00:00.000Z');
    expect(berlin.recurrence).toMatchObject({ type: 1, occurrences: 4 });
    expect(offsetAt(berlin.timeZone!, new Date('2027-03-18T08:00:00Z'))).toBe(60);
    expect(offsetAt(berlin.timeZone!, new Date('2027-03-29T07:00:00Z'))).toBe(120);
    expect(items.find((i) => i.subject === 'New York after fall back')!.startTime?.toISOString()).toBe('2027-11-07T14:00:00.000Z');
    expect(items.find((i) => i.subject === 'Sydney after spring forward')!.startTime?.toISOString()).toBe('2027-10-02T22:00:00.000Z');
  });

  it('a series with a deleted and a moved occurrence comes as Exceptions; at 16.1 Location is airsyncbase', async () => {
    const s = stack();
    const cal = await s.ensureCalendar(USER, 'series', 'Series');
    await dav.put(
      `${cal}s.ics`,
      vcal([
        'BEGIN:VEVENT', 'UID:series@test', 'DTSTAMP:20260101T000000Z', 'DTSTART:20270104T100000Z', 'DTEND:20270104T110000Z', 'RRULE:FREQ=WEEKLY;COUNT=6', 'EXDATE:20270111T100000Z', 'SUMMARY:Team', 'LOCATION:Room A', 'END:VEVENT',
        'BEGIN:VEVENT', 'UID:series@test', 'DTSTAMP:20260101T000000Z', 'RECURRENCE-ID:20270118T100000Z', 'DTSTART:20270118T140000Z', 'DTEND:20270118T150000Z', 'SUMMARY:Team (moved)', 'LOCATION:Room A', 'END:VEVENT',
      ]),
    );
    for (const version of ['14.1', '16.1'] as const) {
      const c = phone(`calseries${version.replace('.', '')}`, version);
      const { byName } = await setUpPhone(c);
      const [item] = itemsOf((await initialSync(c, byName.get('Series')!)).changes, version);
      expect(item!.location).toBe('Room A');
      const ex = [...(item!.exceptions ?? [])].sort((a, b) => a.exceptionStartTime.getTime() - b.exceptionStartTime.getTime());
      expect(ex.map((x) => [x.exceptionStartTime.toISOString(), !!x.deleted])).toEqual([
        ['2027-01-11T10:00:00.000Z', true],
        ['2027-01-18T10:00:00.000Z', false],
      ]);
      expect(ex[1]!.subject).toBe('Team (moved)');
      expect(ex[1]!.startTime?.toISOString()).toBe('2027-01-18T14:00:00.000Z');
    }
  });

  it('an all-day event added by a phone in Honolulu and one in Kiritimati keep their dates; hostile text stays inside its property', async () => {
    const s = stack();
    const cal = await s.ensureCalendar(USER, 'allday', 'All day');
    const c = phone('calallday1');
    const { byName } = await setUpPhone(c);
    const col = byName.get('All day')!;
    const r = await initialSync(c, col);
    const { timeZoneFromIana } = await import('../../protocol/types/timezone-iana.ts');
    const { timeZoneToBase64 } = await import('../../protocol/types/timezone.ts');
    const { allDayTimes } = await import('../../protocol/types/all-day.ts');
    const add = (clientId: string, zone: string, subject: string) => {
      const tz = timeZoneFromIana(zone, 2027);
      const t = allDayTimes('2027-02-10', '2027-02-11', tz);
      return { kind: 'Add' as const, clientId, applicationData: el('AirSync', 'ApplicationData', [el('Calendar', 'TimeZone', timeZoneToBase64(tz)), el('Calendar', 'AllDayEvent', 1), el('Calendar', 'StartTime', icsUtc(t.startTime)), el('Calendar', 'EndTime', icsUtc(t.endTime)), el('Calendar', 'Subject', subject)]) };
    };
    const res = await syncOne(c, { collectionId: col, syncKey: r.syncKey, commands: [add('h', 'Pacific/Honolulu', 'Aloha\r\nBEGIN:VALARM'), add('k', 'Pacific/Kiritimati', 'Line Islands')] });
    expect(res.responses.map((x) => x.status)).toEqual([1, 1]);
    const bodies = await Promise.all((await dav.members(cal)).map((h) => dav.get(new URL(h, cal).toString()).then((g) => g.body)));
    expect(bodies).toHaveLength(2);
    for (const b of bodies) expect(b.replace(/\r\n[ \t]/g, '')).toMatch(/DTSTART;VALUE=DATE:20270210/);
    const aloha = bodies.find((b) => b.includes('Aloha'))!;
    expect(aloha).not.toMatch(/^BEGIN:VALARM/m);
  });

  it('an event with an unknown TZID still syncs, with a time zone the phone can read', async () => {
    const s = stack();
    const cal = await s.ensureCalendar(USER, 'oddzone', 'Odd zone');
    await dav.put(`${cal}odd.ics`, vcal(['BEGIN:VEVENT', 'UID:odd@test', 'DTSTAMP:20260101T000000Z', 'DTSTART;TZID=Mars/Olympus_Mons:20270301T100000', 'DTEND;TZID=Mars/Olympus_Mons:20270301T110000', 'SUMMARY:On Mars', 'END:VEVENT']));
    const c = phone('caloddzone');
    const { byName } = await setUpPhone(c);
    const items = itemsOf((await initialSync(c, byName.get('Odd zone')!)).changes);
    expect(items.map((i) => i.subject)).toEqual(['On Mars']);
    expect(items[0]!.startTime).toBeInstanceOf(Date);
  });
});

describe('push', () => {
  it('a Ping on a calendar folder wakes when an event is written in CalDAV', async () => {
    const c = phone('calping1');
    const { byName } = await setUpPhone(c);
    const col = byName.get('Work')!;
    await initialSync(c, col);
    const ping = c.ping({ heartbeatInterval: 60, folders: [{ id: col, class: 'Calendar' }] });
    await new Promise((r) => setTimeout(r, 1500));
    await dav.put(`${work}pinged.ics`, vevent('pinged@test', 'Wake up', icsUtc(soon(8, 9)), icsUtc(soon(8, 10))));
    const res = await ping;
    expect(findText(res.body, 'Status')).toBe('2');
    expect(findText(res.body, 'Folder')).toBe(col);
  });
});

describe('bad input and a CalDAV outage', () => {
  it('an unknown ServerId, a wrong SyncKey and an unreachable CalDAV server get clear statuses and change nothing', async () => {
    const c = phone('calbad1');
    const { byName } = await setUpPhone(c);
    const col = byName.get('Personal')!;
    const r = await initialSync(c, col);
    const before = await dav.members(home);
    // MS-ASCMD 2.2.3.177.17: a Change of an item the device cannot hold is Status 8; nothing is written.
    const unknown = await syncOne(c, { collectionId: col, syncKey: r.syncKey, commands: [{ kind: 'Change', serverId: `${col}:99999`, applicationData: el('AirSync', 'ApplicationData', [el('Calendar', 'Subject', 'x')]) }] });
    expect(unknown.responses.map((x) => x.status)).toEqual([8]);
    expect(await dav.members(home)).toEqual(before);
    // A SyncKey the server never gave: Status 3, the device starts over from 0.
    const wrong = await syncOne(c, { collectionId: col, syncKey: '{00000000-0000-0000-0000-000000000000}7' });
    expect(wrong.status).toBe(3);
    // The same database behind a server whose CalDAV server is down: 503, and the key still works afterwards.
    const down = await startTestServer(stack(), { dbFile: server.dbFile, env: { EAS_CALDAV_URL: 'http://127.0.0.1:9/' } });
    try {
      const dc = down.client({ user: USER, version: '14.1', deviceId: 'calbad1' });
      await dc.provision();
      const res = await syncOne(dc, { collectionId: col, syncKey: unknown.syncKey ?? r.syncKey });
      expect(res.httpStatus).toBe(503);
    } finally {
      await down.stop();
    }
    await c.provision(); // the outage server provisioned the same device anew
    const after = await syncOne(c, { collectionId: col, syncKey: unknown.syncKey ?? r.syncKey });
    expect(after.status).toBe(1);
    expect(after.changes).toEqual([]);
    expect(await dav.members(home)).toEqual(before);
  });
});
