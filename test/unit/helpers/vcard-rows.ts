/**
 * vCard 3.0 / 4.0 lines and the EAS contact they stand for, one row per
 * group of MS-ASCNTC fields: shared by the mapping's unit test and the
 * contact sync test through Radicale (test/integration/sync-contacts.test.ts).
 */
import jpeg from 'jpeg-js';
import type { EasContact } from '../../../protocol/types/contact.ts';

export const CRLF = '\r\n';

/** A card: BEGIN, VERSION, the lines, a UID, END. */
export function card(version: '2.1' | '3.0' | '4.0', lines: string[], uid = 'u-1'): string {
  return ['BEGIN:VCARD', `VERSION:${version}`, ...lines, `UID:${uid}`, 'END:VCARD', ''].join(CRLF);
}
/** Logical lines of a card (unfolded). */
export const linesOf = (text: string): string[] => text.replace(/\r\n[ \t]/g, '').split(CRLF).filter((l) => l !== '');

/** A small JPEG (pure JS encoder), noisy enough that `side` controls its size. */
export function jpegOf(side: number, quality = 90): Buffer {
  const data = new Uint8Array(side * side * 4);
  let s = 7;
  for (let i = 0; i < data.length; i++) {
    s = (s * 1103515245 + 12345) & 0x7fffffff;
    data[i] = i % 4 === 3 ? 255 : (s >> 16) & 0xff;
  }
  return Buffer.from(jpeg.encode({ width: side, height: side, data }, quality).data);
}
export const SMALL_JPEG = jpegOf(8);
export const SMALL_B64 = SMALL_JPEG.toString('base64');

export interface Row {
  name: string;
  /** vCard 3.0 lines that give `item`. */
  v3: string[];
  /** vCard 4.0 lines that give `item` (defaults to v3). */
  v4?: string[];
  item: EasContact;
  /** Lines easContactToVcard writes for `item` in a new 3.0 card, and into a 4.0 base. */
  out3: string[];
  out4: string[];
}

export const ROWS: Row[] = [
  {
    name: 'N and FN <-> names and FileAs',
    v3: ['N:Doe;John;Quincy;Dr.;Jr.', 'FN:John Doe'],
    item: { lastName: 'Doe', firstName: 'John', middleName: 'Quincy', title: 'Dr.', suffix: 'Jr.', fileAs: 'John Doe' },
    out3: ['N:Doe;John;Quincy;Dr.;Jr.', 'FN:John Doe'],
    out4: ['N:Doe;John;Quincy;Dr.;Jr.', 'FN:John Doe'],
  },
  {
    name: 'Apple X-PHONETIC-* <-> Yomi names',
    v3: ['X-PHONETIC-FIRST-NAME:Taro', 'X-PHONETIC-LAST-NAME:Yamada', 'X-PHONETIC-ORG:Kabushiki'],
    item: { yomiFirstName: 'Taro', yomiLastName: 'Yamada', yomiCompanyName: 'Kabushiki' },
    out3: ['X-PHONETIC-FIRST-NAME:Taro', 'X-PHONETIC-LAST-NAME:Yamada', 'X-PHONETIC-ORG:Kabushiki'],
    out4: ['X-PHONETIC-FIRST-NAME:Taro', 'X-PHONETIC-LAST-NAME:Yamada', 'X-PHONETIC-ORG:Kabushiki'],
  },
  {
    name: 'ORG, TITLE and X-…-OFFICE <-> company, department, job title, office',
    v3: ['ORG:Acme\\, Inc.;Research', 'TITLE:Chief Tinkerer', 'X-EVOLUTION-OFFICE:Building 4'],
    item: { companyName: 'Acme, Inc.', department: 'Research', jobTitle: 'Chief Tinkerer', officeLocation: 'Building 4' },
    out3: ['ORG:Acme\\, Inc.;Research', 'TITLE:Chief Tinkerer', 'X-EVOLUTION-OFFICE:Building 4'],
    out4: ['ORG:Acme\\, Inc.;Research', 'TITLE:Chief Tinkerer', 'X-EVOLUTION-OFFICE:Building 4'],
  },
  {
    name: 'EMAIL <-> Email1..3 in preference order',
    v3: ['EMAIL;TYPE=INTERNET:b@example.com', 'EMAIL;TYPE=INTERNET,pref:a@example.com', 'EMAIL;TYPE=INTERNET:c@example.com'],
    v4: ['EMAIL;PREF=2:b@example.com', 'EMAIL;PREF=1:a@example.com', 'EMAIL:c@example.com'],
    item: { email1Address: 'a@example.com', email2Address: 'b@example.com', email3Address: 'c@example.com' },
    out3: ['EMAIL;TYPE=INTERNET:a@example.com', 'EMAIL;TYPE=INTERNET:b@example.com', 'EMAIL;TYPE=INTERNET:c@example.com'],
    out4: ['EMAIL:a@example.com', 'EMAIL:b@example.com', 'EMAIL:c@example.com'],
  },
  {
    name: 'TEL by TYPE <-> every EAS phone field',
    v3: [
      'TEL;TYPE=WORK,VOICE:+1 111',
      'TEL;TYPE=WORK:+1 112',
      'TEL;TYPE=HOME,VOICE:+1 221',
      'TEL;TYPE=HOME:+1 222',
      'TEL;TYPE=CELL:+1 333',
      'TEL;TYPE=CAR:+1 444',
      'TEL;TYPE=PAGER:+1 555',
      'TEL;TYPE=X-RADIO:+1 666',
      'TEL;TYPE=X-ASSISTANT:+1 777',
      'TEL;TYPE=WORK,FAX:+1 888',
      'TEL;TYPE=HOME,FAX:+1 999',
      'TEL;TYPE=X-COMPANY-MAIN:+1 000',
    ],
    v4: [
      'TEL;TYPE=work,voice:+1 111',
      'TEL;TYPE="work":+1 112',
      'TEL;TYPE=home,voice:+1 221',
      'TEL;TYPE=home:+1 222',
      'TEL;VALUE=uri;TYPE=cell:tel:+1 333',
      'TEL;TYPE=x-car:+1 444',
      'TEL;TYPE=pager:+1 555',
      'TEL;TYPE=x-radio:+1 666',
      'TEL;TYPE=x-assistant:+1 777',
      'TEL;TYPE=work,fax:+1 888',
      'TEL;TYPE=home,fax:+1 999',
      'TEL;TYPE=x-company:+1 000',
    ],
    item: {
      businessPhoneNumber: '+1 111',
      business2PhoneNumber: '+1 112',
      homePhoneNumber: '+1 221',
      home2PhoneNumber: '+1 222',
      mobilePhoneNumber: '+1 333',
      carPhoneNumber: '+1 444',
      pagerNumber: '+1 555',
      radioPhoneNumber: '+1 666',
      assistantPhoneNumber: '+1 777',
      businessFaxNumber: '+1 888',
      homeFaxNumber: '+1 999',
      companyMainPhone: '+1 000',
    },
    out3: [
      'TEL;TYPE=WORK,VOICE:+1 111',
      'TEL;TYPE=WORK,VOICE:+1 112',
      'TEL;TYPE=HOME,VOICE:+1 221',
      'TEL;TYPE=HOME,VOICE:+1 222',
      'TEL;TYPE=CELL,VOICE:+1 333',
      'item1.TEL;TYPE=CAR,VOICE:+1 444',
      'item1.X-ABLABEL:Car',
      'TEL;TYPE=PAGER:+1 555',
      'item2.TEL;TYPE=X-RADIO:+1 666',
      'item2.X-ABLABEL:Radio',
      'item3.TEL;TYPE=X-ASSISTANT:+1 777',
      'item3.X-ABLABEL:_$!<Assistant>!$_',
      'TEL;TYPE=WORK,FAX:+1 888',
      'TEL;TYPE=HOME,FAX:+1 999',
      'item4.TEL;TYPE=WORK,X-COMPANY-MAIN:+1 000',
      'item4.X-ABLABEL:Company Main',
    ],
    out4: [
      'TEL;TYPE=work,voice:+1 111',
      'TEL;TYPE=work,voice:+1 112',
      'TEL;TYPE=home,voice:+1 221',
      'TEL;TYPE=home,voice:+1 222',
      'TEL;TYPE=cell,voice:+1 333',
      'TEL;TYPE=car,voice:+1 444',
      'TEL;TYPE=pager:+1 555',
      'TEL;TYPE=x-radio:+1 666',
      'TEL;TYPE=x-assistant:+1 777',
      'TEL;TYPE=work,fax:+1 888',
      'TEL;TYPE=home,fax:+1 999',
      'TEL;TYPE=work,x-company-main:+1 000',
    ],
  },
  {
    name: 'ADR work/home/other <-> business/home/other address, street + extended on two lines',
    v3: [
      'ADR;TYPE=WORK:;Suite 5;1 Main St;Springfield;IL;62701;USA',
      'ADR;TYPE=HOME:;;2 Elm St;Shelbyville;IL;62565;USA',
      'item1.ADR:;;3 Oak St;Capital City;;;USA',
      'item1.X-ABLABEL:_$!<Other>!$_',
    ],
    v4: ['ADR;TYPE=work:;Suite 5;1 Main St;Springfield;IL;62701;USA', 'ADR;TYPE=home:;;2 Elm St;Shelbyville;IL;62565;USA', 'ADR:;;3 Oak St;Capital City;;;USA'],
    item: {
      businessAddressStreet: '1 Main St\nSuite 5',
      businessAddressCity: 'Springfield',
      businessAddressState: 'IL',
      businessAddressPostalCode: '62701',
      businessAddressCountry: 'USA',
      homeAddressStreet: '2 Elm St',
      homeAddressCity: 'Shelbyville',
      homeAddressState: 'IL',
      homeAddressPostalCode: '62565',
      homeAddressCountry: 'USA',
      otherAddressStreet: '3 Oak St',
      otherAddressCity: 'Capital City',
      otherAddressCountry: 'USA',
    },
    out3: [
      'ADR;TYPE=WORK:;;1 Main St\\nSuite 5;Springfield;IL;62701;USA',
      'ADR;TYPE=HOME:;;2 Elm St;Shelbyville;IL;62565;USA',
      'item1.ADR:;;3 Oak St;Capital City;;;USA',
      'item1.X-ABLABEL:_$!<Other>!$_',
    ],
    out4: ['ADR;TYPE=work:;;1 Main St\\nSuite 5;Springfield;IL;62701;USA', 'ADR;TYPE=home:;;2 Elm St;Shelbyville;IL;62565;USA', 'ADR:;;3 Oak St;Capital City;;;USA'],
  },
  {
    name: 'BDAY and ANNIVERSARY / X-ANNIVERSARY <-> Birthday and Anniversary',
    v3: ['BDAY:1985-04-13', 'X-ANNIVERSARY:2001-06-01'],
    v4: ['BDAY:19850413', 'ANNIVERSARY:20010601'],
    item: { birthday: new Date('1985-04-13T11:59:00Z'), anniversary: new Date('2001-06-01T11:59:00Z') },
    out3: ['BDAY:1985-04-13', 'X-ANNIVERSARY:2001-06-01'],
    out4: ['BDAY:19850413', 'ANNIVERSARY:20010601'],
  },
  {
    name: 'URL, NICKNAME, CATEGORIES <-> web page, nickname, categories',
    // The comma escaped as vobject (Radicale) and Apple write it: Radicale cuts an unescaped URL at its first comma.
    v3: ['URL:https://example.com/a\\,b', 'NICKNAME:Jimbo', 'CATEGORIES:Friends,Golf\\, Tennis'],
    item: { webPage: 'https://example.com/a,b', nickName: 'Jimbo', categories: ['Friends', 'Golf, Tennis'] },
    out3: ['URL:https://example.com/a\\,b', 'NICKNAME:Jimbo', 'CATEGORIES:Friends,Golf\\, Tennis'],
    out4: ['URL:https://example.com/a\\,b', 'NICKNAME:Jimbo', 'CATEGORIES:Friends,Golf\\, Tennis'],
  },
  {
    name: 'related names (Apple X-ABRELATEDNAMES, 4.0 RELATED) <-> spouse, manager, assistant, children',
    v3: [
      'item1.X-ABRELATEDNAMES:Jane',
      'item1.X-ABLABEL:_$!<Spouse>!$_',
      'item2.X-ABRELATEDNAMES:Mr. Burns',
      'item2.X-ABLABEL:_$!<Manager>!$_',
      'item3.X-ABRELATEDNAMES:Smithers',
      'item3.X-ABLABEL:_$!<Assistant>!$_',
      'item4.X-ABRELATEDNAMES:Ann',
      'item4.X-ABLABEL:_$!<Child>!$_',
      'item5.X-ABRELATEDNAMES:Ben',
      'item5.X-ABLABEL:_$!<Child>!$_',
    ],
    v4: [
      'RELATED;TYPE=spouse;VALUE=text:Jane',
      'RELATED;TYPE=x-manager;VALUE=text:Mr. Burns',
      'RELATED;TYPE=x-assistant;VALUE=text:Smithers',
      'RELATED;TYPE=child;VALUE=text:Ann',
      'RELATED;TYPE=child;VALUE=text:Ben',
    ],
    item: { spouse: 'Jane', managerName: 'Mr. Burns', assistantName: 'Smithers', children: ['Ann', 'Ben'] },
    out3: [
      'item1.X-ABRELATEDNAMES:Jane',
      'item1.X-ABLABEL:_$!<Spouse>!$_',
      'item2.X-ABRELATEDNAMES:Mr. Burns',
      'item2.X-ABLABEL:_$!<Manager>!$_',
      'item3.X-ABRELATEDNAMES:Smithers',
      'item3.X-ABLABEL:_$!<Assistant>!$_',
      'item4.X-ABRELATEDNAMES:Ann',
      'item4.X-ABLABEL:_$!<Child>!$_',
      'item5.X-ABRELATEDNAMES:Ben',
      'item5.X-ABLABEL:_$!<Child>!$_',
    ],
    out4: [
      'RELATED;TYPE=spouse;VALUE=text:Jane',
      'RELATED;TYPE=x-manager;VALUE=text:Mr. Burns',
      'RELATED;TYPE=x-assistant;VALUE=text:Smithers',
      'RELATED;TYPE=child;VALUE=text:Ann',
      'RELATED;TYPE=child;VALUE=text:Ben',
    ],
  },
  {
    name: 'IMPP <-> IMAddress 1..3 (a handle without scheme gets im:)',
    // In the order Radicale stores them (it sorts properties by name, keeping the order within one name).
    v3: ['IMPP:xmpp:jdoe@example.com', 'IMPP:im:jd', 'X-AIM:jdoe99'],
    item: { imAddress: 'xmpp:jdoe@example.com', imAddress2: 'jd', imAddress3: 'jdoe99' },
    out3: ['IMPP:xmpp:jdoe@example.com', 'IMPP:im:jd', 'IMPP:im:jdoe99'],
    out4: ['IMPP:xmpp:jdoe@example.com', 'IMPP:im:jd', 'IMPP:im:jdoe99'],
  },
  {
    name: 'NOTE <-> plain-text body',
    v3: ['NOTE:first\\nsecond\\, with\\; punctuation \\\\o/'],
    v4: ['NOTE:first\\nsecond\\, with; punctuation \\\\o/'],
    item: { body: { type: 1, data: 'first\nsecond, with; punctuation \\o/', estimatedDataSize: 35 } },
    out3: ['NOTE:first\\nsecond\\, with\\; punctuation \\\\o/'],
    out4: ['NOTE:first\\nsecond\\, with; punctuation \\\\o/'],
  },
  {
    name: 'PHOTO (3.0 ENCODING=b, 4.0 data: URI) <-> picture',
    v3: [`PHOTO;ENCODING=b;TYPE=JPEG:${SMALL_B64}`],
    // Comma escaped: Radicale drops all of an unescaped data: URI after its comma (vcard-lines.ts uriValue).
    v4: [`PHOTO:data:image/jpeg;base64\\,${SMALL_B64}`],
    item: { picture: SMALL_B64 },
    out3: [`PHOTO;ENCODING=b;TYPE=JPEG:${SMALL_B64}`],
    out4: [`PHOTO:data:image/jpeg;base64\\,${SMALL_B64}`],
  },
];
