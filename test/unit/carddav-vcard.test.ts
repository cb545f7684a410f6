import { describe, expect, it } from 'vitest';
import jpeg from 'jpeg-js';
import { PRODID, easContactToVcard, vcardToEasContact } from '../../backends/carddav/vcard.ts';
import { isBackendError } from '../../backends/errors.ts';
import type { EasContact } from '../../protocol/types/contact.ts';
import { CRLF, ROWS, SMALL_B64, SMALL_JPEG, card, jpegOf, linesOf } from './helpers/vcard-rows.ts';

const NOW = new Date('2024-05-06T07:08:09Z');

const read = (text: string, maxPictureBytes?: number): EasContact => vcardToEasContact(text, maxPictureBytes === undefined ? {} : { maxPictureBytes }).item;
const write3 = (c: EasContact): string => easContactToVcard(c, { uid: 'u-1', now: NOW });
const write4 = (c: EasContact): string => easContactToVcard(c, { uid: 'u-1', now: NOW, base: card('4.0', []) });
const withoutFileAs = ({ fileAs: _f, ...rest }: EasContact): EasContact => rest;

describe('vCard <-> EAS Contact, field by field (MS-ASCNTC 2.2.2)', () => {
  for (const row of ROWS) {
    it(`${row.name}: 3.0 and 4.0 cards read the same`, () => {
      expect(read(card('3.0', row.v3))).toEqual(row.item);
      expect(read(card('4.0', row.v4 ?? row.v3))).toEqual(row.item);
    });
    it(`${row.name}: written into a new 3.0 card and into a 4.0 card, and read back`, () => {
      const v3 = write3(row.item);
      const v4 = write4(row.item);
      expect(linesOf(v3)).toEqual(expect.arrayContaining(row.out3));
      expect(linesOf(v4)).toEqual(expect.arrayContaining(row.out4));
      expect(linesOf(v3)[1]).toBe('VERSION:3.0');
      expect(linesOf(v4)[1]).toBe('VERSION:4.0');
      expect(withoutFileAs(read(v3))).toEqual(withoutFileAs(row.item));
      expect(withoutFileAs(read(v4))).toEqual(withoutFileAs(row.item));
    });
  }

  it('URI values are read with or without escaped commas (RFC 6350 writes them bare, vobject escapes them)', () => {
    expect(read(card('3.0', ['URL:https://example.com/a,b'])).webPage).toBe('https://example.com/a,b');
    expect(read(card('4.0', [`PHOTO:data:image/jpeg;base64,${SMALL_B64}`])).picture).toBe(SMALL_B64);
    expect(read(card('4.0', [`PHOTO;VALUE=uri:data:image/jpeg\\;base64\\,${SMALL_B64}`])).picture).toBe(SMALL_B64);
  });

  it('FN is computed from the names when the device sends no FileAs', () => {
    expect(linesOf(write3({ title: 'Dr.', firstName: 'Ann', lastName: 'Lee', suffix: 'PhD' }))).toContain('FN:Dr. Ann Lee PhD');
    expect(linesOf(write3({ companyName: 'Acme' }))).toContain('FN:Acme');
    expect(linesOf(write3({ email1Address: '"Bob" <bob@example.com>' }))).toContain('FN:bob@example.com');
  });

  it('a new 3.0 card has VERSION, PRODID, UID, N and REV; N even when empty', () => {
    const l = linesOf(write3({ companyName: 'Acme' }));
    expect(l.slice(0, 4)).toEqual(['BEGIN:VCARD', 'VERSION:3.0', `PRODID:${PRODID}`, 'UID:u-1']);
    expect(l).toContain('N:;;;;');
    expect(l).toContain('REV:2024-05-06T07:08:09Z');
    expect(l.at(-1)).toBe('END:VCARD');
  });

  it('4.0 output keeps VERSION first and writes REV in basic format (RFC 6350 6.7.4)', () => {
    const l = linesOf(write4({ firstName: 'Ann' }));
    expect(l.slice(0, 3)).toEqual(['BEGIN:VCARD', 'VERSION:4.0', `PRODID:${PRODID}`]);
    expect(l).toContain('REV:20240506T070809Z');
    expect(l).not.toContain('N:;;;;');
  });

  it('email display names from the device ("Name" <addr>) are reduced to the address', () => {
    const l = linesOf(write3({ email1Address: '"Doe, John" <john@example.com>', email2Address: 'Jane <jane@example.com>', email3Address: 'x@example.com (X)' }));
    expect(l).toEqual(expect.arrayContaining(['EMAIL;TYPE=INTERNET:john@example.com', 'EMAIL;TYPE=INTERNET:jane@example.com', 'EMAIL;TYPE=INTERNET:x@example.com']));
  });

  it('a fourth email is not sent, with a warning, and survives a change on the device', () => {
    const base = card('3.0', ['N:;A;;;', 'FN:A', 'EMAIL:1@x.org', 'EMAIL:2@x.org', 'EMAIL:3@x.org', 'EMAIL:4@x.org']);
    const p = vcardToEasContact(base);
    expect(p.item.email3Address).toBe('3@x.org');
    expect(p.warnings).toContainEqual({ event: 'carddav.unmapped', detail: { property: 'EMAIL', count: 1 } });
    const out = easContactToVcard({ ...p.item, email1Address: 'one@x.org' }, { uid: 'u-1', base, now: NOW });
    expect(linesOf(out)).toEqual(expect.arrayContaining(['EMAIL:one@x.org', 'EMAIL:4@x.org']));
    expect(linesOf(out)).not.toContain('EMAIL:1@x.org');
  });

  it('office location also comes from KAddressBook; ROLE is left alone', () => {
    const c = read(card('3.0', ['X-KADDRESSBOOK-X-OFFICE:Room 12', 'ROLE:Project lead']));
    expect(c).toEqual({ officeLocation: 'Room 12' });
  });

  it('spouse, manager and assistant from Evolution and KAddressBook properties', () => {
    const c = read(card('3.0', ['X-EVOLUTION-SPOUSE:Jane', 'X-KADDRESSBOOK-X-MANAGERSNAME:Burns', 'X-EVOLUTION-ASSISTANT:Smithers']));
    expect(c).toEqual({ spouse: 'Jane', managerName: 'Burns', assistantName: 'Smithers' });
  });

  it('a 4.0 RELATED that is a URI takes the slot but sends no name', () => {
    const base = card('4.0', ['FN:A', 'RELATED;TYPE=spouse:urn:uuid:03a0e51f-d1aa-4385-8a53-e29025acd8af']);
    expect(read(base)).toEqual({ fileAs: 'A' });
    expect(easContactToVcard({ fileAs: 'A' }, { uid: 'u-1', base })).toBe(base);
    const out = linesOf(easContactToVcard({ fileAs: 'A', spouse: 'Jane' }, { uid: 'u-1', base, now: NOW }));
    expect(out).toContain('RELATED;TYPE=spouse;VALUE=text:Jane');
    expect(out.filter((l) => l.startsWith('RELATED'))).toHaveLength(1);
  });
});

describe('Apple grouped properties (itemN. + X-ABLABEL)', () => {
  const apple = card('3.0', [
    'PRODID:-//Apple Inc.//iPhone OS 17.4//EN',
    'N:Appleseed;Johnny;;;',
    'FN:Johnny Appleseed',
    'item1.TEL:+1 100',
    'item1.X-ABLABEL:_$!<Assistant>!$_',
    'item2.TEL;type=pref:+1 200',
    'item2.X-ABLABEL:_$!<Mobile>!$_',
    'item3.TEL:+1 300',
    'item3.X-ABLABEL:_$!<HomeFAX>!$_',
    'item4.TEL:+1 400',
    'item4.X-ABLABEL:_$!<WorkFAX>!$_',
    'item5.TEL:+1 500',
    'item5.X-ABLABEL:_$!<Pager>!$_',
    'item6.TEL:+1 600',
    'item6.X-ABLABEL:radio',
    'item7.TEL:+1 700',
    'item7.X-ABLABEL:_$!<Main>!$_',
    'item8.URL;type=pref:http\\://apple.com',
    'item8.X-ABLABEL:_$!<HomePage>!$_',
    'item9.ADR;type=WORK;type=pref:;;1 Infinite Loop;Cupertino;CA;95014;United States',
    'item9.X-ABADR:us',
    'item10.X-ABDATE;type=pref:2004-06-01',
    'item10.X-ABLABEL:_$!<Anniversary>!$_',
    'X-ABShowAs:PERSON',
  ]);

  it('labels decide the phone field when there is no TYPE', () => {
    expect(read(apple)).toEqual({
      lastName: 'Appleseed',
      firstName: 'Johnny',
      fileAs: 'Johnny Appleseed',
      assistantPhoneNumber: '+1 100',
      mobilePhoneNumber: '+1 200',
      homeFaxNumber: '+1 300',
      businessFaxNumber: '+1 400',
      pagerNumber: '+1 500',
      radioPhoneNumber: '+1 600',
      companyMainPhone: '+1 700',
      webPage: 'http://apple.com',
      businessAddressStreet: '1 Infinite Loop',
      businessAddressCity: 'Cupertino',
      businessAddressState: 'CA',
      businessAddressPostalCode: '95014',
      businessAddressCountry: 'United States',
      anniversary: new Date('2004-06-01T11:59:00Z'),
    });
  });

  it('an unchanged contact gives the stored card back byte for byte', () => {
    expect(easContactToVcard(read(apple), { uid: 'u-1', base: apple, now: NOW })).toBe(apple);
  });

  it('a changed number keeps its group and label; a removed one takes its label along', () => {
    const { pagerNumber: _p, ...rest } = read(apple);
    const out = linesOf(easContactToVcard({ ...rest, assistantPhoneNumber: '+1 101' }, { uid: 'u-1', base: apple, now: NOW }));
    expect(out).toContain('item1.TEL:+1 101');
    expect(out).toContain('item1.X-ABLABEL:_$!<Assistant>!$_');
    expect(out.filter((l) => l.startsWith('item5.'))).toEqual([]);
    expect(out).toContain('item9.X-ABADR:us');
    expect(out).toContain('X-ABShowAs:PERSON');
  });

  it('new grouped properties get a group number the card does not use yet', () => {
    const out = linesOf(easContactToVcard({ ...read(apple), carPhoneNumber: '+1 800' }, { uid: 'u-1', base: apple, now: NOW }));
    expect(out).toEqual(expect.arrayContaining(['item11.TEL;TYPE=CAR,VOICE:+1 800', 'item11.X-ABLABEL:Car']));
  });

  it('an Apple anniversary is updated in its X-ABDATE', () => {
    const out = linesOf(easContactToVcard({ ...read(apple), anniversary: new Date('2005-07-02T00:00:00Z') }, { uid: 'u-1', base: apple, now: NOW }));
    expect(out).toContain('item10.X-ABDATE;type=pref:2005-07-02');
    expect(out).toContain('item10.X-ABLABEL:_$!<Anniversary>!$_');
    expect(out.some((l) => l.startsWith('X-ANNIVERSARY'))).toBe(false);
  });
});

describe('birthdays across time zones (MS-ASCNTC 2.2.2.6)', () => {
  const cases: [string, string, string][] = [
    ['iOS at UTC+2 (local midnight)', '1985-04-12T22:00:00.000Z', '1985-04-13'],
    ['iOS at UTC+5:30', '1985-04-12T18:30:00.000Z', '1985-04-13'],
    ['iOS at UTC+12 (local midnight)', '1985-04-12T12:00:00.000Z', '1985-04-13'],
    ['iOS at UTC-5 (local midnight)', '1985-04-13T05:00:00.000Z', '1985-04-13'],
    ['iOS at UTC-10 (local midnight)', '1985-04-13T10:00:00.000Z', '1985-04-13'],
    ['UTC midnight (Android, servers)', '1985-04-13T00:00:00.000Z', '1985-04-13'],
    ['08:00 UTC', '1985-04-13T08:00:00.000Z', '1985-04-13'],
    ['11:59 UTC (Exchange, and what we send)', '1985-04-13T11:59:00.000Z', '1985-04-13'],
    ['local noon at UTC+9', '1985-04-13T03:00:00.000Z', '1985-04-13'],
    ['leap day at UTC+1', '2000-02-28T23:00:00.000Z', '2000-02-29'],
    ['year boundary at UTC+1', '1999-12-31T23:00:00.000Z', '2000-01-01'],
    // Known limits of a rule that has no time zone to go by (vcard-dates.ts):
    ['limit: local midnight at UTC+13 reads as the day before', '1985-04-12T11:00:00.000Z', '1985-04-12'],
    ['limit: local noon at UTC-5 reads as the day after', '1985-04-13T17:00:00.000Z', '1985-04-14'],
  ];
  for (const [name, instant, date] of cases) {
    it(`${name}: ${instant} is ${date}`, () => {
      expect(linesOf(write3({ birthday: new Date(instant) }))).toContain(`BDAY:${date}`);
      expect(linesOf(write4({ anniversary: new Date(instant) }))).toContain(`ANNIVERSARY:${date.replace(/-/g, '')}`);
    });
  }

  it('a stored date goes out at 11:59 UTC: the same local day from UTC-11 to UTC+12', () => {
    const t = read(card('3.0', ['BDAY:1985-04-13'])).birthday!;
    expect(t.toISOString()).toBe('1985-04-13T11:59:00.000Z');
    for (let offsetMin = -11 * 60; offsetMin <= 12 * 60; offsetMin += 30) {
      expect(new Date(t.getTime() + offsetMin * 60_000).toISOString().slice(0, 10)).toBe('1985-04-13');
    }
  });

  it('a date with a time, or in basic format, is still that date', () => {
    expect(read(card('4.0', ['BDAY:19850413T235900Z'])).birthday).toEqual(new Date('1985-04-13T11:59:00Z'));
    expect(read(card('3.0', ['BDAY;VALUE=date:1985-04-13'])).birthday).toEqual(new Date('1985-04-13T11:59:00Z'));
  });

  it('a year-less birthday (4.0 --MMDD, Apple 1604) round-trips through the year 1604', () => {
    const v4 = card('4.0', ['FN:A', 'BDAY:--0413']);
    const apple = card('3.0', ['FN:A', 'BDAY;X-APPLE-OMIT-YEAR=1604:1604-04-13']);
    expect(read(v4).birthday).toEqual(new Date('1604-04-13T11:59:00Z'));
    expect(read(apple).birthday).toEqual(new Date('1604-04-13T11:59:00Z'));
    expect(easContactToVcard(read(v4), { uid: 'u-1', base: v4 })).toBe(v4);
    expect(linesOf(write4({ birthday: new Date('1604-04-13T11:59:00Z') }))).toContain('BDAY:--0413');
    expect(linesOf(write3({ birthday: new Date('1604-04-13T11:59:00Z') }))).toContain('BDAY;X-APPLE-OMIT-YEAR=1604:1604-04-13');
    const withYear = linesOf(easContactToVcard({ ...read(apple), birthday: new Date('1990-04-13T00:00:00Z') }, { uid: 'u-1', base: apple, now: NOW }));
    expect(withYear).toContain('BDAY:1990-04-13');
  });

  it('a date EAS cannot hold is not sent, and stays when the device sends no birthday', () => {
    const base = card('4.0', ['FN:A', 'BDAY;VALUE=text:circa 1800', 'BDAY:1985-02-30']);
    const p = vcardToEasContact(base);
    expect(p.item.birthday).toBeUndefined();
    expect(p.warnings).toContainEqual({ event: 'carddav.bad-date', detail: { property: 'BDAY', value: 'circa 1800' } });
    expect(easContactToVcard({ fileAs: 'A' }, { uid: 'u-1', base })).toBe(base);
    const out = linesOf(easContactToVcard({ fileAs: 'A', birthday: new Date('1801-01-01T00:00:00Z') }, { uid: 'u-1', base, now: NOW }));
    expect(out).toContain('BDAY:18010101');
    expect(out.some((l) => l.includes('circa'))).toBe(false);
  });

  it('years before 100 are not read as 19xx', () => {
    expect(read(card('3.0', ['BDAY:0042-03-01'])).birthday!.getUTCFullYear()).toBe(42);
  });
});

describe('patching the stored card', () => {
  const base = card('3.0', [
    'PRODID:-//Example Corp//Contacts 1.0//EN',
    'N:Doe;Jane;;;',
    'FN:Jane Doe',
    'ORG:Acme;Sales;EMEA',
    'EMAIL;TYPE=INTERNET,WORK;X-CUSTOM="a;b":jane@acme.example',
    'TEL;TYPE=CELL:+1 555 0100',
    'TEL;TYPE=VIDEO:+1 555 0199',
    'NOTE:Met at the fair',
    `PHOTO;ENCODING=b;TYPE=JPEG:${SMALL_B64}`,
    'X-SOCIALPROFILE;type=twitter:https://twitter.com/jane',
    'X-CUSTOM-THING;X-PARAM=1:keep me',
    'group7.X-UNKNOWN:grouped',
    'REV:2020-01-01T00:00:00Z',
  ]);
  const stored = read(base);

  it('unchanged: the base comes back byte for byte, REV and PRODID included', () => {
    expect(easContactToVcard(stored, { uid: 'u-1', base, now: NOW })).toBe(base);
  });

  it('one change touches one line, keeps every X- property and unknown parameter, and updates PRODID and REV', () => {
    const out = easContactToVcard({ ...stored, jobTitle: 'Head of Sales' }, { uid: 'u-1', base, now: NOW });
    const before = new Set(linesOf(base));
    const after = new Set(linesOf(out));
    expect([...after].filter((l) => !before.has(l)).sort()).toEqual([`PRODID:${PRODID}`, 'REV:2024-05-06T07:08:09Z', 'TITLE:Head of Sales']);
    expect([...before].filter((l) => !after.has(l)).sort()).toEqual(['PRODID:-//Example Corp//Contacts 1.0//EN', 'REV:2020-01-01T00:00:00Z']);
  });

  it('an unmapped number (TYPE=VIDEO is not a field of its own) is filled into a free field, an ORG unit EAS lacks is kept', () => {
    expect(stored.homePhoneNumber).toBe('+1 555 0199');
    const out = linesOf(easContactToVcard({ ...stored, department: 'Marketing' }, { uid: 'u-1', base, now: NOW }));
    expect(out).toContain('ORG:Acme;Marketing;EMEA');
  });

  it('absent fields are removed, empty strings clear', () => {
    const { companyName: _c, department: _d, ...rest } = stored;
    const out = linesOf(easContactToVcard({ ...rest, mobilePhoneNumber: '', email1Address: '' }, { uid: 'u-1', base, now: NOW }));
    expect(out.some((l) => l.startsWith('ORG'))).toBe(false);
    expect(out.some((l) => l.startsWith('EMAIL'))).toBe(false);
    expect(out).not.toContain('TEL;TYPE=CELL:+1 555 0100');
    expect(out).toContain('X-CUSTOM-THING;X-PARAM=1:keep me');
  });

  it('absent Body keeps NOTE and absent Picture keeps PHOTO (ghosted, MS-ASCMD 2.2.3.179)', () => {
    const { body: _b, picture: _p, ...rest } = stored;
    expect(easContactToVcard(rest, { uid: 'u-1', base, now: NOW })).toBe(base);
  });

  it('an empty body clears NOTE; an empty picture clears PHOTO', () => {
    const out = linesOf(easContactToVcard({ ...stored, body: { type: 1, data: '' }, picture: '' }, { uid: 'u-1', base, now: NOW }));
    expect(out.some((l) => l.startsWith('NOTE'))).toBe(false);
    expect(out.some((l) => l.startsWith('PHOTO'))).toBe(false);
  });

  it('an HTML body is stored as text; a truncated or RTF body leaves NOTE alone', () => {
    expect(linesOf(easContactToVcard({ ...stored, body: { type: 2, data: '<p>Hello <b>you</b></p>' } }, { uid: 'u-1', base, now: NOW }))).toContain('NOTE:Hello you');
    expect(easContactToVcard({ ...stored, body: { type: 1, data: 'Met', truncated: true } }, { uid: 'u-1', base, now: NOW })).toBe(base);
    expect(easContactToVcard({ ...stored, body: { type: 3, data: 'e1xydGYxfQ==' } }, { uid: 'u-1', base, now: NOW })).toBe(base);
  });

  it('a device line ending CRLF in the body does not count as a change', () => {
    const b = card('3.0', ['FN:A', 'NOTE:one\\ntwo']);
    expect(easContactToVcard({ fileAs: 'A', body: { type: 1, data: 'one\r\ntwo' } }, { uid: 'u-1', base: b })).toBe(b);
  });

  it('a new picture replaces PHOTO; undecodable base64 is ignored', () => {
    const other = jpegOf(4).toString('base64');
    const out = linesOf(easContactToVcard({ ...stored, picture: other }, { uid: 'u-1', base, now: NOW }));
    expect(out).toContain(`PHOTO;ENCODING=b;TYPE=JPEG:${other}`);
    expect(out).not.toContain(`PHOTO;ENCODING=b;TYPE=JPEG:${SMALL_B64}`);
    expect(easContactToVcard({ ...stored, picture: '%%% not base64 %%%' }, { uid: 'u-1', base, now: NOW })).toBe(base);
  });

  it('a number the untyped fallback placed gets its type when a typed one is added', () => {
    const b = card('3.0', ['FN:A', 'TEL:+1 700']);
    expect(read(b).homePhoneNumber).toBe('+1 700');
    const out = easContactToVcard({ fileAs: 'A', homePhoneNumber: '+1 700', home2PhoneNumber: '+1 701' }, { uid: 'u-1', base: b, now: NOW });
    expect(read(out)).toEqual({ fileAs: 'A', homePhoneNumber: '+1 700', home2PhoneNumber: '+1 701' });
  });

  it('a changed street replaces street, extended address and PO box; a changed city only the city', () => {
    const b = card('3.0', ['FN:A', 'ADR;TYPE=HOME:PO Box 9;Apt 3;1 Main St;Town;ST;12345;USA']);
    const c = read(b);
    expect(c.homeAddressStreet).toBe('1 Main St\nApt 3\nPO Box 9');
    expect(linesOf(easContactToVcard({ ...c, homeAddressCity: 'City' }, { uid: 'u-1', base: b }))).toContain('ADR;TYPE=HOME:PO Box 9;Apt 3;1 Main St;City;ST;12345;USA');
    expect(linesOf(easContactToVcard({ ...c, homeAddressStreet: '2 Side St' }, { uid: 'u-1', base: b }))).toContain('ADR;TYPE=HOME:;;2 Side St;Town;ST;12345;USA');
  });

  it('IM keeps the stored URI scheme when the device sends a bare handle', () => {
    const b = card('3.0', ['FN:A', 'IMPP;X-SERVICE-TYPE=Jabber:xmpp:a@example.com']);
    expect(linesOf(easContactToVcard({ fileAs: 'A', imAddress: 'b@example.com' }, { uid: 'u-1', base: b }))).toContain(
      'IMPP;X-SERVICE-TYPE=Jabber:xmpp:b@example.com',
    );
  });

  it('a 4.0 base is written as 4.0, a 2.1 base as 3.0', () => {
    const b4 = card('4.0', ['FN:A']);
    expect(linesOf(easContactToVcard({ fileAs: 'B' }, { uid: 'u-1', base: b4 }))).toContain('VERSION:4.0');
    const b21 = card('2.1', ['N:Doe;John', 'TEL;CELL;VOICE:123', 'NOTE;ENCODING=QUOTED-PRINTABLE;CHARSET=ISO-8859-1:Caf=E9']);
    const out = easContactToVcard({ ...read(b21), firstName: 'Jon' }, { uid: 'u-1', base: b21, now: NOW });
    expect(linesOf(out)).toEqual(expect.arrayContaining(['VERSION:3.0', 'N:Doe;Jon;;;', 'TEL;TYPE=CELL;TYPE=VOICE:123', 'NOTE:Café']));
    expect(out).not.toMatch(/QUOTED-PRINTABLE|2\.1/);
  });
});

describe('parsing old and odd cards', () => {
  it('folded lines are unfolded, also mid-character-sequence and with tabs', () => {
    const text = ['BEGIN:VCARD', 'VERSION:3.0', 'FN:Jo', ' hn', 'NOTE:a long', '\t note', 'END:VCARD'].join(CRLF);
    expect(read(text)).toEqual({ fileAs: 'John', body: { type: 1, data: 'a long note', estimatedDataSize: 11 } });
  });

  it('vCard 2.1: bare types, QUOTED-PRINTABLE with soft line breaks and CHARSET', () => {
    const text = [
      'BEGIN:VCARD',
      'VERSION:2.1',
      'N;ENCODING=QUOTED-PRINTABLE;CHARSET=UTF-8:M=C3=BCller;J=C3=',
      '=BCrgen;;;',
      'TEL;WORK;VOICE:+49 30 1',
      'TEL;CELL:+49 170 2',
      'NOTE;QUOTED-PRINTABLE:Zeile 1=0D=0AZeile 2',
      'END:VCARD',
    ].join(CRLF);
    expect(read(text)).toEqual({
      lastName: 'Müller',
      firstName: 'Jürgen',
      businessPhoneNumber: '+49 30 1',
      mobilePhoneNumber: '+49 170 2',
      body: { type: 1, data: 'Zeile 1\nZeile 2', estimatedDataSize: 15 },
    });
  });

  it('vCard 2.1: a BASE64 photo folded over lines and ended by a blank line', () => {
    const b64 = SMALL_B64.match(/.{1,40}/g)!;
    const text = ['BEGIN:VCARD', 'VERSION:2.1', 'PHOTO;ENCODING=BASE64;JPEG:', ...b64.map((l) => `  ${l}`), '', 'FN:A', 'END:VCARD'].join(CRLF);
    expect(read(text)).toEqual({ fileAs: 'A', picture: SMALL_B64 });
  });

  it('LF-only line ends, lower-case names and a BOM are accepted', () => {
    expect(read('\uFEFFbegin:vcard\nversion:3.0\nfn:Ann\nend:vcard\n')).toEqual({ fileAs: 'Ann' });
  });

  it('a line that is not a content line is kept and warned about, not fatal', () => {
    const text = card('3.0', ['FN:A', 'this line has no colon', 'TITLE:Boss']);
    const p = vcardToEasContact(text);
    expect(p.item).toEqual({ fileAs: 'A', jobTitle: 'Boss' });
    expect(p.warnings.map((w) => w.event)).toContain('carddav.bad-line');
    expect(linesOf(easContactToVcard({ ...p.item, jobTitle: 'CEO' }, { uid: 'u-1', base: text }))).toContain('this line has no colon');
  });

  it('the UID is returned; a card without one gives "" and a warning', () => {
    expect(vcardToEasContact(card('3.0', ['FN:A'], 'abc-123')).uid).toBe('abc-123');
    const p = vcardToEasContact('BEGIN:VCARD\r\nVERSION:3.0\r\nFN:A\r\nEND:VCARD\r\n');
    expect(p.uid).toBe('');
    expect(p.warnings).toContainEqual({ event: 'carddav.no-uid', detail: {} });
  });

  it('a second card in the resource is ignored with a warning', () => {
    const p = vcardToEasContact(card('3.0', ['FN:A']) + card('3.0', ['FN:B']));
    expect(p.item).toEqual({ fileAs: 'A' });
    expect(p.warnings).toContainEqual({ event: 'carddav.extra-cards', detail: { count: 1 } });
  });

  const malformed: [string, string][] = [
    ['empty text', ''],
    ['no vCard at all', 'hello world'],
    ['an iCalendar object', 'BEGIN:VCALENDAR\r\nVERSION:2.0\r\nEND:VCALENDAR\r\n'],
    ['a card without END', 'BEGIN:VCARD\r\nVERSION:3.0\r\nFN:Cut off'],
    ['binary noise', '\u0000\u0001\u00ff\u00fe\u0089PNG'],
  ];
  for (const [name, text] of malformed) {
    it(`${name} is BackendError Invalid, both ways`, () => {
      let err: unknown;
      try {
        vcardToEasContact(text);
      } catch (e) {
        err = e;
      }
      expect(isBackendError(err, 'Invalid')).toBe(true);
      expect(() => easContactToVcard({ firstName: 'A' }, { uid: 'u-1', base: text })).toThrow(/VCARD/);
    });
  }
});

describe('picture size limit (MS-ASCNTC 2.2.2.55: about 48 KB)', () => {
  it('a picture under the limit is sent as is', () => {
    expect(read(card('3.0', [`PHOTO;ENCODING=b;TYPE=JPEG:${SMALL_B64}`]), SMALL_JPEG.length).picture).toBe(SMALL_B64);
  });

  it('a JPEG over the limit is scaled down under it, with a warning', () => {
    const big = jpegOf(300);
    expect(big.length).toBeGreaterThan(48 * 1024);
    const p = vcardToEasContact(card('4.0', [`PHOTO:data:image/jpeg;base64,${big.toString('base64')}`]));
    const pic = Buffer.from(p.item.picture!, 'base64');
    expect(pic.length).toBeLessThanOrEqual(48 * 1024);
    expect([...pic.subarray(0, 3)]).toEqual([0xff, 0xd8, 0xff]);
    expect(p.warnings.map((w) => w.event)).toEqual(['carddav.photo-scaled']);
    expect(jpeg.decode(pic).width).toBeLessThan(300);
  });

  it('the scaled picture echoed back by the device keeps the full-size original', () => {
    const base = card('3.0', ['FN:A', `PHOTO;ENCODING=b;TYPE=JPEG:${jpegOf(300).toString('base64')}`]);
    expect(easContactToVcard(read(base), { uid: 'u-1', base })).toBe(base);
  });

  it('a PNG over the limit is left out with a warning (no PNG codec), and kept on the server', () => {
    const png = Buffer.concat([Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]), Buffer.alloc(2000, 1)]);
    const base = card('3.0', ['FN:A', `PHOTO;ENCODING=b;TYPE=PNG:${png.toString('base64')}`]);
    const p = vcardToEasContact(base, { maxPictureBytes: 1000 });
    expect(p.item.picture).toBeUndefined();
    expect(p.warnings).toContainEqual({ event: 'carddav.photo-too-large', detail: { bytes: 2008, limit: 1000, kind: 'png' } });
    // The device never saw it: neither an absent nor an empty Picture deletes it.
    expect(easContactToVcard({ fileAs: 'A' }, { uid: 'u-1', base, maxPictureBytes: 1000 })).toBe(base);
    expect(easContactToVcard({ fileAs: 'A', picture: '' }, { uid: 'u-1', base, maxPictureBytes: 1000 })).toBe(base);
  });

  it('a photo at a URL is not fetched: no picture, a warning', () => {
    const p = vcardToEasContact(card('3.0', ['PHOTO;VALUE=uri:https://example.com/me.jpg']));
    expect(p.item.picture).toBeUndefined();
    expect(p.warnings).toContainEqual({ event: 'carddav.photo-unsupported', detail: { reason: 'uri' } });
  });
});

describe('hostile strings', () => {
  const attack = 'Eve\r\nEND:VCARD\r\nBEGIN:VCARD\r\nFN:Mallory';

  it('CR/LF in any field cannot start a new line or a new card', () => {
    const c: EasContact = {
      firstName: attack,
      fileAs: attack,
      jobTitle: attack,
      mobilePhoneNumber: `+1\r\nTEL:666`,
      webPage: `https://x.example/\nURL:evil`,
      email1Address: `a@x.org\r\nEMAIL:b@x.org`,
      imAddress: `me\nIMPP:evil`,
      categories: [attack],
      children: [attack],
      body: { type: 1, data: attack },
    };
    for (const out of [write3(c), write4(c)]) {
      const l = linesOf(out);
      expect(l.filter((x) => /^(BEGIN|END):/i.test(x))).toEqual(['BEGIN:VCARD', 'END:VCARD']);
      for (const name of ['TEL', 'URL', 'EMAIL', 'IMPP', 'FN', 'N', 'TITLE', 'NOTE', 'CATEGORIES']) {
        expect(l.filter((x) => new RegExp(`^(item\\d+\\.)?${name}[;:]`).test(x))).toHaveLength(1);
      }
      const back = read(out);
      expect(back.firstName).toBe('Eve\nEND:VCARD\nBEGIN:VCARD\nFN:Mallory');
      expect(back.body?.data).toBe('Eve\nEND:VCARD\nBEGIN:VCARD\nFN:Mallory');
      expect(back.categories).toEqual(['Eve\nEND:VCARD\nBEGIN:VCARD\nFN:Mallory']);
      expect(back.mobilePhoneNumber).toBe('+1 TEL:666');
    }
  });

  it('a line folded a hundred thousand times parses in linear time', () => {
    const text = ['BEGIN:VCARD', 'VERSION:3.0', 'FN:A', 'X-JUNK=', ...Array<string>(100_000).fill(' ='), 'END:VCARD'].join(CRLF);
    const started = Date.now();
    expect(read(text)).toEqual({ fileAs: 'A' });
    expect(Date.now() - started).toBeLessThan(5_000);
  });

  it('control characters are dropped, TAB kept', () => {
    expect(read(write3({ firstName: 'a\u0000b\u0007c\u001bd\u007fe\u0085f\tg' })).firstName).toBe('abcdef\tg');
  });

  const tricky = ['semi;colon', 'com,ma', 'back\\slash', 'all ;,\\ three', '\\n is not a newline', 'ends with \\', ';', ','];
  for (const s of tricky) {
    it(`${JSON.stringify(s)} round-trips in N, ORG, NOTE, CATEGORIES, NICKNAME and ADR, in 3.0 and 4.0`, () => {
      const c: EasContact = {
        lastName: s,
        firstName: s,
        companyName: s,
        department: s,
        nickName: s,
        categories: [s, 'other'],
        homeAddressStreet: s,
        homeAddressCity: s,
        body: { type: 1, data: s },
      };
      for (const out of [write3(c), write4(c)]) {
        const back = read(out);
        expect(back.lastName).toBe(s);
        expect(back.firstName).toBe(s);
        expect(back.companyName).toBe(s);
        expect(back.department).toBe(s);
        expect(back.nickName).toBe(s);
        expect(back.categories).toEqual([s, 'other']);
        expect(back.homeAddressStreet).toBe(s);
        expect(back.homeAddressCity).toBe(s);
        expect(back.body?.data).toBe(s);
      }
    });
  }

  it('long values fold at 75 octets without splitting a UTF-8 character', () => {
    const s = 'Grüße 👋 '.repeat(40);
    const out = write3({ body: { type: 1, data: s } });
    for (const line of out.split(CRLF)) {
      expect(Buffer.byteLength(line, 'utf8')).toBeLessThanOrEqual(75);
      expect(line).not.toContain('\uFFFD');
      expect(Buffer.from(Buffer.from(line, 'utf8').toString('utf8'), 'utf8').equals(Buffer.from(line, 'utf8'))).toBe(true);
    }
    expect(read(out).body?.data).toBe(s.replace(/ +$/, ' '));
  });

  it('a quoted parameter value with ; and : survives untouched lines and rewritten ones', () => {
    const base = card('3.0', ['FN:A', 'EMAIL;X-NOTE="a;b:c":a@x.org']);
    expect(linesOf(easContactToVcard({ fileAs: 'A', email1Address: 'b@x.org' }, { uid: 'u-1', base }))).toContain('EMAIL;X-NOTE="a;b:c":b@x.org');
  });
});
