/**
 * Issue 10 on the real stack: CardDAV address books as EAS Contacts folders
 * (MS-ASCNTC) that sync both ways against Radicale through the one Sync
 * engine. The field rows are those of the mapping's unit test
 * (test/unit/helpers/vcard-rows.ts), here written to and read from a real
 * CardDAV server in vCard 3.0 and 4.0, at EAS 12.1, 14.1 and 16.1.
 */
import { rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { vcardToEasContact } from '../../backends/carddav/vcard.ts';
import { contactFromApplicationData, contactToApplicationData, type EasContact } from '../../protocol/types/contact.ts';
import type { ProtocolVersion } from '../../protocol/version.ts';
import { el, type WbxmlElement } from '../../protocol/wbxml/tree.ts';
import { useStack } from '../harness/use-stack.ts';
import { ROWS, card, jpegOf, linesOf } from '../unit/helpers/vcard-rows.ts';
import { davSide, findText } from './dav-helpers.ts';
import { startTestServer, type TestServer } from './server-setup.ts';
import { initialSync, setUpPhone, syncOne } from './sync-helpers.ts';

const stack = useStack();
let server: TestServer;
const USER = 'alice@example.test';
const OTHER = 'bob@example.test';
const dav = davSide(stack, USER);
const VCARD = 'text/vcard; charset=utf-8';
const VERSIONS: readonly ProtocolVersion[] = ['12.1', '14.1', '16.1'];
let main: string;
let cards3: string;
let cards4: string;

/** What a test compares: the contact without FileAs (derived when absent) and with the body as type + text. */
function comparable(c: EasContact): EasContact {
  const { fileAs: _f, body, ...rest } = c;
  return { ...rest, ...(body ? { body: { type: body.type, data: body.data ?? '' } } : {}) };
}
const contactsOf = (changes: { kind: string; data?: WbxmlElement }[], version: ProtocolVersion) =>
  changes.filter((c) => c.kind === 'Add' || c.kind === 'Change').map((c) => contactFromApplicationData(c.data!, version));
const appData = (c: EasContact, version: ProtocolVersion = '14.1') => el('AirSync', 'ApplicationData', contactToApplicationData(c, version));
/** Lines of a card as Radicale stores it, with the `\\;` its vobject writes in 4.0 text turned back into `;` (RFC 6350 leaves it bare). */
const radicaleLines = (text: string): string[] => linesOf(text).map((l) => l.replace(/\\;/g, ';'));
const storedCards = async (book: string) => Promise.all((await dav.members(book)).map((h) => dav.get(new URL(h, book).toString()).then((g) => g.body)));

beforeAll(async () => {
  const s = stack();
  main = await s.ensureAddressBook(USER, 'contacts', 'Contacts');
  cards3 = await s.ensureAddressBook(USER, 'cards3', 'Cards 3.0');
  cards4 = await s.ensureAddressBook(USER, 'cards4', 'Cards 4.0');
  // Radicale refuses a card without FN; the rows without one get it (FileAs is not compared).
  const withFn = (lines: readonly string[], i: number) => (lines.some((l) => l.startsWith('FN:')) ? lines : [`FN:Row ${i}`, ...lines]);
  for (const [i, row] of ROWS.entries()) {
    await dav.put(`${cards3}r${i}.vcf`, card('3.0', [...withFn(row.v3, i), 'X-KEEP-ME;X-P=1:kept'], `row${i}-v3`), VCARD);
    await dav.put(`${cards4}r${i}.vcf`, card('4.0', [...withFn(row.v4 ?? row.v3, i), 'X-KEEP-ME;X-P=1:kept'], `row${i}-v4`), VCARD);
  }
  await dav.put(`${main}maria.vcf`, card('3.0', ['N:Schmidt;Maria;;;', 'FN:Maria Schmidt', 'EMAIL;TYPE=INTERNET:maria@example.test'], 'maria'), VCARD);
  // Bob's own book: nothing of it may ever reach Alice.
  const bobs = await s.ensureAddressBook(OTHER, 'private', 'Private');
  await davSide(stack, OTHER).put(`${bobs}secret.vcf`, card('3.0', ['N:Secret;Bob;;;', 'FN:Bob Secret'], 'secret'), VCARD);
  server = await startTestServer(s, { env: { EAS_DAV_POLL_SECONDS: '1' } });
}, 120_000);
afterAll(async () => {
  await server?.stop();
  server?.cleanup();
});

const phone = (deviceId: string, version: ProtocolVersion = '14.1') => server.client({ user: USER, version, deviceId });

describe('folders', () => {
  it.each(VERSIONS)('at %s every address book is a Contacts folder: one default (9), the others user folders (14); no other user\'s book', async (version) => {
    const c = phone(`cfold${version.replace('.', '')}`, version);
    await c.provision();
    const fs = await c.folderSync('0');
    const books = fs.adds.filter((f) => f.type === 9 || f.type === 14);
    expect(books.map((f) => f.displayName).sort()).toEqual(['Cards 3.0', 'Cards 4.0', 'Contacts']);
    expect(books.filter((f) => f.type === 9).map((f) => f.displayName)).toEqual(['Contacts']);
    expect(fs.adds.some((f) => f.displayName === 'Private')).toBe(false);
  });

  it('EAS_CARDDAV_DEFAULT_BOOK picks the default Contacts folder by name', async () => {
    const other = await startTestServer(stack(), { env: { EAS_CARDDAV_DEFAULT_BOOK: 'Cards 4.0' } });
    try {
      const c = other.client({ user: USER, deviceId: 'cfold-conf' });
      await c.provision();
      const fs = await c.folderSync('0');
      expect(fs.adds.filter((f) => f.type === 9).map((f) => f.displayName)).toEqual(['Cards 4.0']);
      expect(fs.adds.filter((f) => f.type === 14).map((f) => f.displayName)).toContain('Contacts');
    } finally {
      await other.stop();
      other.cleanup();
    }
  });

  it('FolderCreate, FolderUpdate and FolderDelete of a contact folder are MKCOL, PROPPATCH and DELETE on Radicale', async () => {
    const c = phone('cfold-ops');
    await c.provision();
    const fs = await c.folderSync('0');
    const created = await c.folderCreate({ syncKey: fs.syncKey!, parentId: '0', displayName: 'Made on phone', type: 14 });
    expect(created.status).toBe(1);
    const session = { user: USER, password: stack().user(USER).password };
    const made = (await server.services.dav!.listCollections(session, 'carddav')).find((l) => l.displayName === 'Made on phone');
    expect(made).toBeDefined();
    const upd = await c.folderUpdate({ syncKey: created.syncKey!, serverId: created.serverId!, parentId: '0', displayName: 'Renamed on phone' });
    expect(upd.status).toBe(1);
    expect((await server.services.dav!.listCollections(session, 'carddav')).find((l) => l.href === made!.href)?.displayName).toBe('Renamed on phone');
    const del = await c.folderDelete({ syncKey: upd.syncKey!, serverId: created.serverId! });
    expect(del.status).toBe(1);
    expect((await server.services.dav!.listCollections(session, 'carddav')).some((l) => l.href === made!.href)).toBe(false);
  });

  it('a book deleted in CardDAV leaves at the next FolderSync; a Sync on it is then refused without touching other books', async () => {
    const s = stack();
    const gone = await s.ensureAddressBook(USER, 'doomed', 'Doomed');
    await dav.put(`${gone}a.vcf`, card('3.0', ['N:A;B;;;', 'FN:B A'], 'doomed-a'), VCARD);
    const c = phone('cfold-del');
    const { byName } = await setUpPhone(c);
    const col = byName.get('Doomed')!;
    const r = await initialSync(c, col);
    expect(r.changes).toHaveLength(1);
    expect(await dav.del(gone)).toBe(200);
    const res = await syncOne(c, { collectionId: col, syncKey: r.syncKey });
    expect(res.httpStatus).toBe(200);
    expect(res.topStatus ?? res.status).toBe(12);
    const fs = await c.folderSync('0');
    expect(fs.adds.some((f) => f.serverId === col)).toBe(false);
    expect(fs.adds.some((f) => f.displayName === 'Contacts')).toBe(true);
  });
});

describe('every field, server to phone', () => {
  for (const version of VERSIONS) {
    it(`${version}: each row read from a 3.0 and from a 4.0 card in Radicale is the EAS contact of the row`, async () => {
      const c = phone(`cread${version.replace('.', '')}`, version);
      const { byName } = await setUpPhone(c);
      for (const [book, tag] of [['Cards 3.0', 'v3'], ['Cards 4.0', 'v4']] as const) {
        const r = await initialSync(c, byName.get(book)!, { windowSize: 3 });
        const got = contactsOf(r.changes, version).map(comparable);
        expect(got, `${book} at ${version}`).toHaveLength(ROWS.length);
        for (const row of ROWS) expect(got, `${row.name} (${tag}, ${version})`).toContainEqual(comparable(row.item));
      }
    });
  }
});

describe('every field, phone to server', () => {
  for (const version of VERSIONS) {
    it(`${version}: each row added on the phone is stored as a 3.0 card with the row's lines, and read back the same`, async () => {
      const book = await stack().ensureAddressBook(USER, `adds${version.replace('.', '')}`, `Adds ${version}`);
      const c = phone(`cadd${version.replace('.', '')}`, version);
      const { byName } = await setUpPhone(c);
      const col = byName.get(`Adds ${version}`)!;
      const r = await initialSync(c, col);
      const res = await syncOne(c, { collectionId: col, syncKey: r.syncKey, commands: ROWS.map((row, i) => ({ kind: 'Add' as const, clientId: `row-${i}`, applicationData: appData(row.item, version) })) });
      expect(res.responses.map((x) => x.status)).toEqual(ROWS.map(() => 1));
      const stored = await storedCards(book);
      expect(stored).toHaveLength(ROWS.length);
      for (const row of ROWS) {
        const mine = stored.filter((t) => row.out3.every((l) => linesOf(t).includes(l)));
        expect(mine, row.name).toHaveLength(1);
        expect(linesOf(mine[0]!)).toContain('VERSION:3.0');
        expect(comparable(vcardToEasContact(mine[0]!).item)).toEqual(comparable(row.item));
      }
      // And what we wrote is not sent back as a change.
      expect((await syncOne(c, { collectionId: col, syncKey: res.syncKey! })).changes).toEqual([]);
    });
  }

  it('a phone Change of a 4.0 card writes each row as 4.0 lines and keeps the properties EAS does not model', async () => {
    const book = await stack().ensureAddressBook(USER, 'edit4', 'Edit 4.0');
    for (const [i] of ROWS.entries()) {
      await dav.put(`${book}e${i}.vcf`, card('4.0', [`FN:Blank ${i}`, 'N:;;;;', 'X-SOCIALPROFILE;TYPE=twitter:x.com/who', 'KIND:individual', 'X-KEEP-ME;X-P=1:kept'], `edit-${i}`), VCARD);
    }
    const c = phone('cedit4', '16.1');
    const { byName } = await setUpPhone(c);
    const col = byName.get('Edit 4.0')!;
    const r = await initialSync(c, col);
    const sidOf = new Map(r.changes.map((x) => [contactFromApplicationData(x.data!, '16.1').fileAs, x.serverId]));
    const res = await syncOne(c, {
      collectionId: col,
      syncKey: r.syncKey,
      commands: ROWS.map((row, i) => ({ kind: 'Change' as const, serverId: sidOf.get(`Blank ${i}`)!, applicationData: appData({ fileAs: `Blank ${i}`, ...row.item }, '16.1') })),
    });
    expect(res.status).toBe(1);
    expect(res.responses.filter((x) => x.status !== 1)).toEqual([]);
    for (const [i, row] of ROWS.entries()) {
      const text = (await dav.get(`${book}e${i}.vcf`)).body;
      const lines = radicaleLines(text);
      expect(lines[1], row.name).toBe('VERSION:4.0');
      expect(lines, row.name).toEqual(expect.arrayContaining(row.out4));
      expect(lines, row.name).toEqual(expect.arrayContaining(['X-SOCIALPROFILE;TYPE=twitter:x.com/who', 'KIND:individual', 'X-KEEP-ME;X-P=1:kept', `UID:edit-${i}`]));
      expect(comparable(vcardToEasContact(text).item)).toEqual(comparable(row.item));
    }
  });
});

describe('changes, conflicts and retries', () => {
  it('an edit and a delete in CardDAV reach the phone as Change and Delete; a phone Delete removes the card', async () => {
    const book = await stack().ensureAddressBook(USER, 'both', 'Both ways');
    await dav.put(`${book}a.vcf`, card('3.0', ['N:Alpha;Ann;;;', 'FN:Ann Alpha'], 'both-a'), VCARD);
    await dav.put(`${book}b.vcf`, card('3.0', ['N:Beta;Ben;;;', 'FN:Ben Beta'], 'both-b'), VCARD);
    await dav.put(`${book}c.vcf`, card('3.0', ['N:Gamma;Gus;;;', 'FN:Gus Gamma'], 'both-c'), VCARD);
    const c = phone('cboth');
    const { byName } = await setUpPhone(c);
    const col = byName.get('Both ways')!;
    const r = await initialSync(c, col);
    const sid = (name: string) => r.changes.find((x) => contactFromApplicationData(x.data!, '14.1').fileAs === name)!.serverId;
    await dav.put(`${book}a.vcf`, card('3.0', ['N:Alpha;Ann;;;', 'FN:Ann Alpha', 'TEL;TYPE=CELL:+49 170 1'], 'both-a'), VCARD);
    expect(await dav.del(`${book}b.vcf`)).toBe(200);
    const next = await syncOne(c, { collectionId: col, syncKey: r.syncKey });
    expect(next.changes.map((x) => [x.kind, x.serverId])).toEqual(expect.arrayContaining([['Change', sid('Ann Alpha')], ['Delete', sid('Ben Beta')]]));
    expect(next.changes).toHaveLength(2);
    expect(contactsOf(next.changes, '14.1')[0]!.mobilePhoneNumber).toBe('+49 170 1');
    const del = await syncOne(c, { collectionId: col, syncKey: next.syncKey!, commands: [{ kind: 'Delete', serverId: sid('Gus Gamma') }] });
    expect(del.responses.filter((x) => x.status !== 1)).toEqual([]);
    expect((await dav.get(`${book}c.vcf`)).status).toBe(404);
  });

  it('a retried Add (the response was lost) creates one card and answers the same ServerId', async () => {
    const book = await stack().ensureAddressBook(USER, 'retry', 'Retry');
    const c = phone('cretry');
    const { byName } = await setUpPhone(c);
    const col = byName.get('Retry')!;
    const r = await initialSync(c, col);
    const add = { kind: 'Add' as const, clientId: 'once', applicationData: appData({ firstName: 'Only', lastName: 'Once', email1Address: 'once@example.test' }) };
    const first = await syncOne(c, { collectionId: col, syncKey: r.syncKey, commands: [add] });
    const retry = await syncOne(c, { collectionId: col, syncKey: r.syncKey, commands: [add] });
    expect(first.responses[0]).toMatchObject({ status: 1 });
    expect(retry.responses[0]).toMatchObject({ status: 1, serverId: first.responses[0]!.serverId });
    expect(await dav.members(book)).toHaveLength(1);
  });

  it('a phone Change of a card edited in CardDAV meanwhile: server wins with Status 7 and the server version; Conflict 0 lets the phone win', async () => {
    const book = await stack().ensureAddressBook(USER, 'conflict', 'Conflict');
    await dav.put(`${book}x.vcf`, card('3.0', ['N:Orig;Olga;;;', 'FN:Olga Orig'], 'conflict-x'), VCARD);
    const c = phone('cconf');
    const { byName } = await setUpPhone(c);
    const col = byName.get('Conflict')!;
    const r = await initialSync(c, col);
    const sid = r.changes[0]!.serverId;
    await dav.put(`${book}x.vcf`, card('3.0', ['N:Server;Olga;;;', 'FN:Olga Server', 'X-SERVER-SIDE:kept'], 'conflict-x'), VCARD);
    const change = (last: string) => ({ kind: 'Change' as const, serverId: sid, applicationData: appData({ firstName: 'Olga', lastName: last }) });
    const res = await syncOne(c, { collectionId: col, syncKey: r.syncKey, commands: [change('Phone')] });
    expect(res.responses).toEqual([expect.objectContaining({ kind: 'Change', serverId: sid, status: 7 })]);
    expect(contactsOf(res.changes, '14.1').map((x) => x.lastName)).toEqual(['Server']);
    expect((await dav.get(`${book}x.vcf`)).body).toContain('N:Server;Olga;;;');
    await dav.put(`${book}x.vcf`, card('3.0', ['N:Again;Olga;;;', 'FN:Olga Again', 'X-SERVER-SIDE:kept'], 'conflict-x'), VCARD);
    const res2 = await syncOne(c, { collectionId: col, syncKey: res.syncKey!, options: [{ conflict: 0, bodyPreferences: [], bodyPartPreferences: [] }], commands: [change('Wins')] });
    expect(res2.responses).toEqual([]);
    const stored = (await dav.get(`${book}x.vcf`)).body;
    expect(stored).toContain('N:Wins;Olga;;;');
    expect(stored).toContain('X-SERVER-SIDE:kept');
  });
});

describe('photos', () => {
  it('a 30 KB JPEG goes out as is; with EAS_CONTACT_PICTURE_MAX_BYTES=10240 it is scaled under the limit and the original stays on the server', async () => {
    const book = await stack().ensureAddressBook(USER, 'photos', 'Photos');
    let side = 60;
    let photo = jpegOf(side);
    while (photo.length < 30_000) photo = jpegOf((side += 10));
    await dav.put(`${book}p.vcf`, card('3.0', ['N:Photo;Pia;;;', 'FN:Pia Photo', `PHOTO;ENCODING=b;TYPE=JPEG:${photo.toString('base64')}`], 'photo-p'), VCARD);
    const c = phone('cphoto1');
    const { byName } = await setUpPhone(c);
    const full = await initialSync(c, byName.get('Photos')!);
    expect(contactsOf(full.changes, '14.1')[0]!.picture).toBe(photo.toString('base64'));
    const small = await startTestServer(stack(), { env: { EAS_CONTACT_PICTURE_MAX_BYTES: '10240' } });
    try {
      const sc = small.client({ user: USER, deviceId: 'cphoto2' });
      const f = await setUpPhone(sc);
      const col = f.byName.get('Photos')!;
      const r = await initialSync(sc, col);
      const sent = contactsOf(r.changes, '14.1')[0]!;
      const bytes = Buffer.from(sent.picture!, 'base64');
      expect(bytes.length).toBeLessThanOrEqual(10240);
      expect(bytes.subarray(0, 3)).toEqual(Buffer.from([0xff, 0xd8, 0xff]));
      // The phone echoes the scaled picture back with a name change: the full-size PHOTO is kept.
      const res = await syncOne(sc, { collectionId: col, syncKey: r.syncKey, commands: [{ kind: 'Change', serverId: r.changes[0]!.serverId, applicationData: appData({ ...sent, firstName: 'Pia-Maria' }) }] });
      expect(res.responses).toEqual([]);
      const stored = (await dav.get(`${book}p.vcf`)).body;
      expect(stored).toContain('N:Photo;Pia-Maria;;;');
      expect(stored.replace(/\r\n[ \t]/g, '')).toContain(photo.toString('base64'));
    } finally {
      await small.stop();
      small.cleanup();
    }
  });

  it('a 4.0 data: URI photo is sent as the Picture; a phone Picture is stored as a data: URI in a 4.0 card', async () => {
    const book = await stack().ensureAddressBook(USER, 'photos4', 'Photos 4.0');
    const pic = jpegOf(16).toString('base64');
    // The comma escaped: Radicale cuts a bare data: URI at its comma (see uriValue in backends/carddav/vcard-lines.ts).
    await dav.put(`${book}q.vcf`, card('4.0', ['FN:Quinn', 'N:;Quinn;;;', `PHOTO:data:image/jpeg;base64\\,${pic}`], 'photo-q'), VCARD);
    const c = phone('cphoto4', '16.1');
    const { byName } = await setUpPhone(c);
    const col = byName.get('Photos 4.0')!;
    const r = await initialSync(c, col);
    expect(contactsOf(r.changes, '16.1')[0]!.picture).toBe(pic);
    const other = jpegOf(24).toString('base64');
    const res = await syncOne(c, { collectionId: col, syncKey: r.syncKey, commands: [{ kind: 'Change', serverId: r.changes[0]!.serverId, applicationData: appData({ fileAs: 'Quinn', firstName: 'Quinn', picture: other }, '16.1') }] });
    expect(res.responses).toEqual([]);
    expect(radicaleLines((await dav.get(`${book}q.vcf`)).body)).toContain(`PHOTO:data:image/jpeg;base64\\,${other}`);
  });

  it('a 20 MB photo: from CardDAV the contact syncs without it (the photo stays on the server); from the phone the request is refused (400) or, at 8 MB, the Add gets Status 6 and nothing is stored', async () => {
    const book = await stack().ensureAddressBook(USER, 'huge', 'Huge');
    const huge = Buffer.alloc(20 * 1024 * 1024, 0x41);
    huge.set([0xff, 0xd8, 0xff, 0xe0]);
    await dav.put(`${book}big.vcf`, card('3.0', ['N:Big;Bert;;;', 'FN:Bert Big', `PHOTO;ENCODING=b;TYPE=JPEG:${huge.toString('base64')}`], 'huge-big'), VCARD);
    const c = phone('chuge');
    const { byName } = await setUpPhone(c);
    const col = byName.get('Huge')!;
    const r = await initialSync(c, col);
    const got = contactsOf(r.changes, '14.1');
    expect(got.map((x) => x.lastName)).toEqual(['Big']);
    expect(got[0]!.picture).toBeUndefined();
    const before = await dav.members(book);
    // 20 MB is 28 MB of base64 text: over the WBXML string limit (protocol/limits.ts), the request is refused whole.
    const res = await syncOne(c, { collectionId: col, syncKey: r.syncKey, commands: [{ kind: 'Add', clientId: 'huge', applicationData: appData({ lastName: 'Huge', picture: huge.toString('base64') }) }] });
    expect(res.httpStatus).toBe(400);
    // 8 MB passes the wire but not the stored-picture cap (backends/carddav/vcard-photo.ts): Status 6 for that item only.
    const big = huge.subarray(0, 8 * 1024 * 1024).toString('base64');
    const res2 = await syncOne(c, { collectionId: col, syncKey: r.syncKey, commands: [{ kind: 'Add', clientId: 'big', applicationData: appData({ lastName: 'Big' , picture: big }) }, { kind: 'Add', clientId: 'fine', applicationData: appData({ lastName: 'Fine' }) }] });
    expect(res2.httpStatus).toBe(200);
    expect(res2.responses.map((x) => [x.clientId, x.status])).toEqual([['big', 6], ['fine', 1]]);
    expect(await dav.members(book)).toHaveLength(before.length + 1);
  }, 60_000);
});

describe('bad input', () => {
  it('hostile strings stay inside their property, in Radicale and back on the phone', async () => {
    const book = await stack().ensureAddressBook(USER, 'hostile', 'Hostile');
    const c = phone('chostile');
    const { byName } = await setUpPhone(c);
    const col = byName.get('Hostile')!;
    const r = await initialSync(c, col);
    const evil: EasContact = {
      firstName: 'Eve\r\nEND:VCARD\r\nBEGIN:VCARD',
      lastName: 'O\'Brien; DROP TABLE;,\\',
      companyName: '<script>alert(1)</script>',
      jobTitle: 'ünïcødé 🎉 "quoted"',
      body: { type: 1, data: 'line1\nEND:VCARD\nUID:stolen' },
      categories: ['a,b', 'c;d'],
    };
    const res = await syncOne(c, { collectionId: col, syncKey: r.syncKey, commands: [{ kind: 'Add', clientId: 'evil', applicationData: appData(evil) }] });
    expect(res.responses.map((x) => x.status)).toEqual([1]);
    const stored = await storedCards(book);
    expect(stored).toHaveLength(1);
    expect(stored[0]!.match(/^BEGIN:VCARD/gm)).toHaveLength(1);
    expect(stored[0]).not.toMatch(/^UID:stolen/m);
    const c2 = phone('chostile2');
    const f2 = await setUpPhone(c2);
    const back = contactsOf((await initialSync(c2, f2.byName.get('Hostile')!)).changes, '14.1')[0]!;
    expect(back.lastName).toBe(evil.lastName);
    expect(back.companyName).toBe(evil.companyName);
    expect(back.jobTitle).toBe(evil.jobTitle);
    expect(back.categories).toEqual(evil.categories);
    expect(back.body?.data).toBe(evil.body!.data);
    // CR/LF cannot start a line: it is an escaped \n inside N, and comes back as a line break of the name.
    expect(back.firstName).toBe('Eve\nEND:VCARD\nBEGIN:VCARD');
    expect(stored[0]).not.toMatch(/^END:VCARD\r\nBEGIN:VCARD/m);
  });

  it('an unknown ServerId is Status 8 and a wrong SyncKey Status 3; Radicale is unchanged', async () => {
    const c = phone('cbad');
    const { byName } = await setUpPhone(c);
    const col = byName.get('Contacts')!;
    const r = await initialSync(c, col);
    const before = await storedCards(main);
    const unknown = await syncOne(c, { collectionId: col, syncKey: r.syncKey, commands: [{ kind: 'Change', serverId: `${col}:99999`, applicationData: appData({ lastName: 'x' }) }] });
    expect(unknown.responses.map((x) => x.status)).toEqual([8]);
    expect((await syncOne(c, { collectionId: col, syncKey: '{00000000-0000-0000-0000-000000000000}9' })).status).toBe(3);
    expect(await storedCards(main)).toEqual(before);
  });
});

describe('push, estimates and fetch', () => {
  it('a Ping on a Contacts folder wakes when a card is written in CardDAV', async () => {
    const c = phone('cping');
    const { byName } = await setUpPhone(c);
    const col = byName.get('Contacts')!;
    await initialSync(c, col);
    const ping = c.ping({ heartbeatInterval: 60, folders: [{ id: col, class: 'Contacts' }] });
    await new Promise((r) => setTimeout(r, 1500));
    await dav.put(`${main}pinged.vcf`, card('3.0', ['N:Ping;Pat;;;', 'FN:Pat Ping'], 'pinged'), VCARD);
    const res = await ping;
    expect(findText(res.body, 'Status')).toBe('2');
    expect(findText(res.body, 'Folder')).toBe(col);
  });

  it('GetItemEstimate counts a new card; ItemOperations fetches a contact', async () => {
    const c = phone('cest');
    const { byName } = await setUpPhone(c);
    const col = byName.get('Cards 3.0')!;
    const r = await initialSync(c, col);
    await dav.put(`${cards3}late.vcf`, card('3.0', ['N:Late;Lou;;;', 'FN:Lou Late'], 'late'), VCARD);
    const est = await c.command('GetItemEstimate', el('GetItemEstimate', 'GetItemEstimate', [el('GetItemEstimate', 'Collections', [el('GetItemEstimate', 'Collection', [el('AirSync', 'SyncKey', r.syncKey), el('GetItemEstimate', 'CollectionId', col)])])]));
    expect(findText(est.body, 'Estimate')).toBe('1');
    const sid = r.changes[0]!.serverId;
    const fetched = await c.command('ItemOperations', el('ItemOperations', 'ItemOperations', [el('ItemOperations', 'Fetch', [el('ItemOperations', 'Store', 'Mailbox'), el('AirSync', 'CollectionId', col), el('AirSync', 'ServerId', sid)])]));
    expect(findText(fetched.body, 'Class')).toBe('Contacts');
    expect(findText(fetched.body, 'Status')).toBe('1');
    const expected = contactsOf([r.changes[0]!], '14.1')[0]!;
    const props = fetched.body?.children?.find((x) => x.name === 'Response')?.children?.find((x) => x.name === 'Fetch')?.children?.find((x) => x.name === 'Properties');
    expect(comparable(contactFromApplicationData(props!, '14.1'))).toEqual(comparable(expected));
  });
});

describe('a book the CardDAV server cannot read', () => {
  // Radicale refuses a card that does not parse at PUT (400) and cannot list a book holding one
  // (500 for the whole collection). A parse failure of ours on a card the server did accept is
  // skipped with a log line by the shared DAV window (src/sync/dav/window.ts, sync.dav-item-invalid);
  // our reader accepts everything Radicale does, so here the broken card is put on disk behind
  // Radicale's back, as a crashed desktop client or a restore could leave it.
  it('gets a clear status, changes nothing, and the other books still sync; it syncs again once repaired', async () => {
    const book = await stack().ensureAddressBook(USER, 'broken', 'Broken');
    await dav.put(`${book}good.vcf`, card('3.0', ['N:Good;Gina;;;', 'FN:Gina Good'], 'broken-good'), VCARD);
    const c = phone('cbroken');
    const { byName } = await setUpPhone(c);
    const col = byName.get('Broken')!;
    const r = await initialSync(c, col);
    expect(contactsOf(r.changes, '14.1').map((x) => x.lastName)).toEqual(['Good']);
    const file = join(stack().dir, 'radicale', 'collections', 'collection-root', USER, 'broken', 'bad.vcf');
    writeFileSync(file, 'BEGIN:VCARD\r\nVERSION:3.0\r\nN:Bad;;;\r\nthis is not a content line, and there is no END\r\n');
    const res = await syncOne(c, { collectionId: col, syncKey: r.syncKey });
    expect(res.httpStatus).toBe(503);
    const other = await initialSync(c, byName.get('Contacts')!);
    expect(contactsOf(other.changes, '14.1').length).toBeGreaterThan(0);
    rmSync(file);
    const again = await syncOne(c, { collectionId: col, syncKey: r.syncKey });
    expect(again.status).toBe(1);
    expect(again.changes).toEqual([]);
  });
});
