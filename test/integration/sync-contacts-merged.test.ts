/**
 * Issue 10, "clients that show one contact folder only get the others too"
 * (src/sync/dav/book-merge.ts), on the real Radicale: an iPhone gets every
 * address book in its default Contacts folder and no user contact folders;
 * its changes land in the book each card lives in; a device of another
 * type keeps one folder per book.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { contactFromApplicationData, contactToApplicationData } from '../../protocol/types/contact.ts';
import { el } from '../../protocol/wbxml/tree.ts';
import { useStack } from '../harness/use-stack.ts';
import { card } from '../unit/helpers/vcard-rows.ts';
import { davSide, findText } from './dav-helpers.ts';
import { startTestServer, type TestServer } from './server-setup.ts';
import { initialSync, setUpPhone, syncOne, type ServerChange } from './sync-helpers.ts';

const stack = useStack();
const USER = 'carol@example.test';
const VCARD = 'text/vcard; charset=utf-8';
const dav = davSide(stack, USER);
let server: TestServer;
let main: string;
let family: string;
let work: string;

const nameOf = (c: ServerChange) => contactFromApplicationData(c.data!, '14.1').lastName;
const adds = (changes: readonly ServerChange[]) => changes.filter((c) => c.kind === 'Add');
const person = (last: string, uid: string) => card('3.0', [`N:${last};Pat;;;`, `FN:Pat ${last}`], uid);

beforeAll(async () => {
  const s = stack();
  await s.addUser(USER, 'carol-secret');
  main = await s.ensureAddressBook(USER, 'contacts', 'Contacts');
  family = await s.ensureAddressBook(USER, 'family', 'Family');
  work = await s.ensureAddressBook(USER, 'work', 'Work');
  await dav.put(`${main}m1.vcf`, person('Main', 'm1'), VCARD);
  await dav.put(`${family}f1.vcf`, person('Mother', 'f1'), VCARD);
  await dav.put(`${family}f2.vcf`, person('Father', 'f2'), VCARD);
  await dav.put(`${work}w1.vcf`, person('Boss', 'w1'), VCARD);
  server = await startTestServer(s, { env: { EAS_DAV_POLL_SECONDS: '1' } });
}, 120_000);
afterAll(async () => {
  await server?.stop();
  server?.cleanup();
});

const iphone = (deviceId: string) => server.client({ user: USER, deviceId, deviceType: 'iPhone' });

describe('a client that shows one contact folder', () => {
  it('gets one Contacts folder holding every book; a device of another type gets one folder per book', async () => {
    const c = iphone('mergefold');
    await c.provision();
    const fs = await c.folderSync('0');
    const books = fs.adds.filter((f) => f.type === 9 || f.type === 14);
    expect(books.map((f) => [f.displayName, f.type])).toEqual([['Contacts', 9]]);
    const r = await initialSync(c, books[0]!.serverId, { windowSize: 2 });
    expect(adds(r.changes).map(nameOf).sort()).toEqual(['Boss', 'Father', 'Main', 'Mother']);
    expect(new Set(r.changes.map((x) => x.serverId)).size).toBe(4);

    const other = server.client({ user: USER, deviceId: 'mergeother' });
    await other.provision();
    const ofs = await other.folderSync('0');
    expect(ofs.adds.filter((f) => f.type === 9 || f.type === 14).map((f) => f.displayName).sort()).toEqual(['Contacts', 'Family', 'Work']);
    const own = await initialSync(other, ofs.adds.find((f) => f.type === 9)!.serverId);
    expect(adds(own.changes).map(nameOf)).toEqual(['Main']);
  });

  it('changes in any book reach it; its Change and Delete go to the card\'s own book, its Add to the default book', async () => {
    const c = iphone('mergeops');
    const { byType } = await setUpPhone(c);
    const col = byType.get(9)!;
    const r = await initialSync(c, col);
    const sid = (last: string) => r.changes.find((x) => nameOf(x) === last)!.serverId;

    await dav.put(`${work}w1.vcf`, card('3.0', ['N:Boss;Pat;;;', 'FN:Pat Boss', 'TITLE:CEO'], 'w1'), VCARD);
    const next = await syncOne(c, { collectionId: col, syncKey: r.syncKey });
    expect(next.changes.map((x) => [x.kind, x.serverId])).toEqual([['Change', sid('Boss')]]);
    expect(contactFromApplicationData(next.changes[0]!.data!, '14.1').jobTitle).toBe('CEO');

    const change = el('AirSync', 'ApplicationData', contactToApplicationData({ firstName: 'Pat', lastName: 'Mother', mobilePhoneNumber: '+49 170 2' }, '14.1'));
    const add = el('AirSync', 'ApplicationData', contactToApplicationData({ firstName: 'New', lastName: 'Friend' }, '14.1'));
    const ops = await syncOne(c, {
      collectionId: col,
      syncKey: next.syncKey!,
      commands: [
        { kind: 'Change', serverId: sid('Mother'), applicationData: change },
        { kind: 'Delete', serverId: sid('Father') },
        { kind: 'Add', clientId: 'friend', applicationData: add },
      ],
    });
    // Successful Changes and Deletes get no answer (MS-ASCMD 2.2.3.24.2); the Add does.
    expect(ops.responses.map((x) => [x.kind, x.status])).toEqual([['Add', 1]]);
    expect((await dav.get(`${family}f1.vcf`)).body).toContain('+49 170 2');
    expect((await dav.get(`${family}f2.vcf`)).status).toBe(404);
    const inMain = await Promise.all((await dav.members(main)).map((h) => dav.get(new URL(h, main).toString()).then((g) => g.body)));
    expect(inMain.filter((t) => t.includes('Friend'))).toHaveLength(1);
    expect((await dav.members(family)).length + (await dav.members(work)).length).toBe(2);
    // Its own writes do not come back to it.
    const quiet = await syncOne(c, { collectionId: col, syncKey: ops.syncKey! });
    expect(quiet.changes).toEqual([]);
  });

  it('a Ping on the merged folder wakes when a card is written in another book', async () => {
    const c = iphone('mergeping');
    const { byType } = await setUpPhone(c);
    const col = byType.get(9)!;
    await initialSync(c, col);
    const ping = c.ping({ heartbeatInterval: 60, folders: [{ id: col, class: 'Contacts' }] });
    await new Promise((r) => setTimeout(r, 1500));
    await dav.put(`${work}w2.vcf`, person('Colleague', 'w2'), VCARD);
    const res = await ping;
    expect(findText(res.body, 'Status')).toBe('2');
    expect(findText(res.body, 'Folder')).toBe(col);
  });

  it('a book created in CardDAV joins at the next FolderSync; a deleted one leaves, even before a FolderSync', async () => {
    const c = iphone('mergebooks');
    const { byType } = await setUpPhone(c);
    const col = byType.get(9)!;
    const r = await initialSync(c, col);
    const before = r.changes.length;

    const club = await stack().ensureAddressBook(USER, 'club', 'Club');
    await dav.put(`${club}c1.vcf`, person('Captain', 'c1'), VCARD);
    const fs = await c.folderSync('0');
    expect(fs.adds.filter((f) => f.type === 9 || f.type === 14).map((f) => f.displayName)).toEqual(['Contacts']);
    const joined = await syncOne(c, { collectionId: col, syncKey: r.syncKey });
    expect(joined.changes.map((x) => [x.kind, nameOf(x)])).toEqual([['Add', 'Captain']]);

    expect(await dav.del(club)).toBe(200);
    const left = await syncOne(c, { collectionId: col, syncKey: joined.syncKey! });
    expect(left.status).toBe(1);
    expect(left.changes.map((x) => [x.kind, x.serverId])).toEqual([['Delete', joined.changes[0]!.serverId]]);
    expect(before).toBeGreaterThan(0);
  });
});
