/**
 * A directory for the dev stack (issue 10): colleagues as vCards for a
 * shared CardDAV GAL book and as inetOrgPerson entries for slapd, the
 * Radicale rights that share such a book, and a helper that fills a book
 * with one PUT per card. Used by the demo, the directory tests and the GAL
 * benchmark.
 */
import jpeg from 'jpeg-js';
import type { LdapPerson } from './slapd.ts';
import { basicAuth, davSegment } from './radicale.ts';
import type { StackUser } from './users.ts';

/** One colleague, in the terms both vCard and LDAP have. */
export interface Colleague {
  readonly uid: string;
  readonly firstName: string;
  readonly lastName: string;
  readonly email: string;
  readonly workPhone?: string;
  readonly mobilePhone?: string;
  readonly homePhone?: string;
  readonly company?: string;
  readonly title?: string;
  readonly office?: string;
  /** A JPEG. */
  readonly photo?: Uint8Array;
}

/** A small solid-colour JPEG (`side` pixels square), as a directory photo. */
export function tinyJpeg(rgb: readonly [number, number, number], side = 16, quality = 80): Uint8Array {
  const data = Buffer.alloc(side * side * 4);
  for (let i = 0; i < side * side; i++) data.set([rgb[0], rgb[1], rgb[2], 255], i * 4);
  return new Uint8Array(jpeg.encode({ width: side, height: side, data }, quality).data);
}

/** The demo's and tests' colleagues: several Schmidts and a Müller for ambiguity and accent folding. */
export function colleagues(): Colleague[] {
  return [
    { uid: 'maria.schmidt', firstName: 'Maria', lastName: 'Schmidt', email: 'maria.schmidt@example.test', workPhone: '+49 30 1234567', mobilePhone: '+49 170 7654321', company: 'Example GmbH', title: 'Team lead', office: 'Berlin 4.12', photo: tinyJpeg([200, 40, 40]) },
    { uid: 'sara.schmidt', firstName: 'Sara', lastName: 'Schmidt', email: 'sara.schmidt@example.test', company: 'Example GmbH', title: 'Accountant', photo: tinyJpeg([40, 40, 200]) },
    { uid: 'max.schmidt', firstName: 'Max', lastName: 'Schmidt', email: 'max.schmidt@example.test', workPhone: '+49 30 1234568', company: 'Example GmbH', title: 'Engineer', office: 'Berlin 4.14' },
    { uid: 'juergen.mueller', firstName: 'Jürgen', lastName: 'Müller', email: 'juergen.mueller@example.test', homePhone: '+49 89 555', company: 'Example GmbH', title: 'Controller', office: 'München 2.01', photo: tinyJpeg([40, 160, 40], 64, 95) },
    { uid: 'john.carter', firstName: 'John', lastName: 'Carter', email: 'john.carter@example.test', workPhone: '+1 555 0100', company: 'Example Inc.', title: 'Sales', office: 'New York' },
    { uid: 'yuki.tanaka', firstName: '由紀', lastName: '田中', email: 'yuki.tanaka@example.test', company: 'Example KK', office: 'Tokyo' },
    { uid: 'ana.lima', firstName: 'Ana', lastName: 'Lima', email: 'ana.lima@example.test', mobilePhone: '+55 11 5555', company: 'Example Ltda', title: 'Designer' },
  ];
}

function esc(s: string): string {
  return s.replace(/\\/g, '\\\\').replace(/\n/g, '\\n').replace(/,/g, '\\,').replace(/;/g, '\\;');
}

/** A vCard 3.0 of a colleague (RFC 2426). */
export function colleagueVcard(c: Colleague): string {
  const lines = [
    'BEGIN:VCARD',
    'VERSION:3.0',
    `UID:${c.uid}@gal`,
    `FN:${esc(`${c.firstName} ${c.lastName}`)}`,
    `N:${esc(c.lastName)};${esc(c.firstName)};;;`,
    `EMAIL;TYPE=INTERNET,WORK:${c.email}`,
    `NICKNAME:${esc(c.uid)}`,
  ];
  if (c.company) lines.push(`ORG:${esc(c.company)}`);
  if (c.title) lines.push(`TITLE:${esc(c.title)}`);
  if (c.office) lines.push(`X-EVOLUTION-OFFICE:${esc(c.office)}`);
  if (c.workPhone) lines.push(`TEL;TYPE=WORK,VOICE:${c.workPhone}`);
  if (c.mobilePhone) lines.push(`TEL;TYPE=CELL:${c.mobilePhone}`);
  if (c.homePhone) lines.push(`TEL;TYPE=HOME:${c.homePhone}`);
  if (c.photo) lines.push(`PHOTO;ENCODING=b;TYPE=JPEG:${Buffer.from(c.photo).toString('base64')}`);
  lines.push('END:VCARD', '');
  return lines.join('\r\n');
}

/** The slapd entry of a colleague. */
export function colleaguePerson(c: Colleague): LdapPerson {
  return {
    uid: c.uid,
    cn: `${c.firstName} ${c.lastName}`,
    sn: c.lastName,
    givenName: c.firstName,
    mail: [c.email],
    ...(c.workPhone ? { telephoneNumber: c.workPhone } : {}),
    ...(c.mobilePhone ? { mobile: c.mobilePhone } : {}),
    ...(c.homePhone ? { homePhone: c.homePhone } : {}),
    ...(c.company ? { o: c.company } : {}),
    ...(c.title ? { title: c.title } : {}),
    ...(c.office ? { physicalDeliveryOfficeName: c.office } : {}),
    ...(c.photo ? { jpegPhoto: c.photo } : {}),
  };
}

function rx(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

/**
 * Radicale `from_file` rights (Radicale 3 rights documentation): each user
 * reads and writes their own collections; `service` reads every user's
 * collections (free/busy of colleagues); everyone authenticated reads the
 * shared book `<owner>/<book>`, and nothing else of its owner.
 */
export function sharedDavRights(opts: { service: string; galOwner: string; galBook: string }): string {
  return `# Generated by src/devstack/seed-directory.ts
[root]
user: .+
collection:
permissions: R

[own-principal]
user: .+
collection: {user}
permissions: RW

[own-collections]
user: .+
collection: {user}/[^/]+
permissions: rw

[service-principals]
user: ${rx(opts.service)}
collection: [^/]+
permissions: R

[service-collections]
user: ${rx(opts.service)}
collection: [^/]+/[^/]+
permissions: r

[shared-gal]
user: .+
collection: ${rx(opts.galOwner)}/${rx(opts.galBook)}
permissions: r
`;
}

/** PUTs each card into the address book at `bookUrl` as `owner` (8 at a time); returns the card URLs. */
export async function putCards(bookUrl: string, owner: StackUser, cards: readonly { name: string; vcard: string }[]): Promise<string[]> {
  const urls: string[] = [];
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < cards.length) {
      const c = cards[next++]!;
      const url = `${bookUrl}${davSegment(c.name)}`;
      const res = await fetch(url, { method: 'PUT', headers: { authorization: basicAuth(owner), 'content-type': 'text/vcard; charset=utf-8' }, body: c.vcard });
      await res.arrayBuffer();
      if (res.status !== 201 && res.status !== 204) throw new Error(`PUT ${url}: HTTP ${res.status}`);
      urls.push(url);
    }
  };
  await Promise.all(Array.from({ length: 8 }, worker));
  return urls;
}
