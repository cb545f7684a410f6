/**
 * The Contact class (MS-ASCNTC 2.2.2), with its Contacts2 extension (code
 * page 12). Most properties are plain strings, so they are driven by one
 * table: property, namespace, element, first version that has it. Birthday and
 * Anniversary are ISO dates (MS-ASDTYPE 2.3); Picture is base64 text of a JPEG
 * (MS-ASCNTC 2.2.2.55, at most 48 KB on the wire).
 */
import { child, childrenNamed, el, opt, textOf } from '../wbxml/tree.ts';
import type { WbxmlElement } from '../wbxml/tree.ts';
import { versionAtLeast } from '../version.ts';
import type { ProtocolVersion } from '../version.ts';
import { bodyFromElements, bodyToElements, nativeBodyTypeToElements } from './body.ts';
import type { BodyType, EasBody } from './body.ts';
import { categoriesEl, clean, dateEl, readCategories, readDate, readInt, readText } from './values.ts';

/** The string-valued properties of a contact, keyed like EasContact. */
export const CONTACT_STRING_FIELDS = [
  // [property, namespace, element, since]
  ['assistantName', 'Contacts', 'AssistantName', '2.5'],
  ['assistantPhoneNumber', 'Contacts', 'AssistantPhoneNumber', '2.5'],
  ['business2PhoneNumber', 'Contacts', 'Business2PhoneNumber', '2.5'],
  ['businessAddressCity', 'Contacts', 'BusinessAddressCity', '2.5'],
  ['businessAddressCountry', 'Contacts', 'BusinessAddressCountry', '2.5'],
  ['businessAddressPostalCode', 'Contacts', 'BusinessAddressPostalCode', '2.5'],
  ['businessAddressState', 'Contacts', 'BusinessAddressState', '2.5'],
  ['businessAddressStreet', 'Contacts', 'BusinessAddressStreet', '2.5'],
  ['businessFaxNumber', 'Contacts', 'BusinessFaxNumber', '2.5'],
  ['businessPhoneNumber', 'Contacts', 'BusinessPhoneNumber', '2.5'],
  ['carPhoneNumber', 'Contacts', 'CarPhoneNumber', '2.5'],
  ['companyName', 'Contacts', 'CompanyName', '2.5'],
  ['department', 'Contacts', 'Department', '2.5'],
  ['email1Address', 'Contacts', 'Email1Address', '2.5'],
  ['email2Address', 'Contacts', 'Email2Address', '2.5'],
  ['email3Address', 'Contacts', 'Email3Address', '2.5'],
  ['fileAs', 'Contacts', 'FileAs', '2.5'],
  ['firstName', 'Contacts', 'FirstName', '2.5'],
  ['home2PhoneNumber', 'Contacts', 'Home2PhoneNumber', '2.5'],
  ['homeAddressCity', 'Contacts', 'HomeAddressCity', '2.5'],
  ['homeAddressCountry', 'Contacts', 'HomeAddressCountry', '2.5'],
  ['homeAddressPostalCode', 'Contacts', 'HomeAddressPostalCode', '2.5'],
  ['homeAddressState', 'Contacts', 'HomeAddressState', '2.5'],
  ['homeAddressStreet', 'Contacts', 'HomeAddressStreet', '2.5'],
  ['homeFaxNumber', 'Contacts', 'HomeFaxNumber', '2.5'],
  ['homePhoneNumber', 'Contacts', 'HomePhoneNumber', '2.5'],
  ['jobTitle', 'Contacts', 'JobTitle', '2.5'],
  ['lastName', 'Contacts', 'LastName', '2.5'],
  ['middleName', 'Contacts', 'MiddleName', '2.5'],
  ['mobilePhoneNumber', 'Contacts', 'MobilePhoneNumber', '2.5'],
  ['officeLocation', 'Contacts', 'OfficeLocation', '2.5'],
  ['otherAddressCity', 'Contacts', 'OtherAddressCity', '2.5'],
  ['otherAddressCountry', 'Contacts', 'OtherAddressCountry', '2.5'],
  ['otherAddressPostalCode', 'Contacts', 'OtherAddressPostalCode', '2.5'],
  ['otherAddressState', 'Contacts', 'OtherAddressState', '2.5'],
  ['otherAddressStreet', 'Contacts', 'OtherAddressStreet', '2.5'],
  ['pagerNumber', 'Contacts', 'PagerNumber', '2.5'],
  ['radioPhoneNumber', 'Contacts', 'RadioPhoneNumber', '2.5'],
  ['spouse', 'Contacts', 'Spouse', '2.5'],
  ['suffix', 'Contacts', 'Suffix', '2.5'],
  ['title', 'Contacts', 'Title', '2.5'],
  ['webPage', 'Contacts', 'WebPage', '2.5'],
  ['yomiCompanyName', 'Contacts', 'YomiCompanyName', '2.5'],
  ['yomiFirstName', 'Contacts', 'YomiFirstName', '2.5'],
  ['yomiLastName', 'Contacts', 'YomiLastName', '2.5'],
  ['picture', 'Contacts', 'Picture', '2.5'],
  ['alias', 'Contacts', 'Alias', '14.0'],
  ['customerId', 'Contacts2', 'CustomerId', '2.5'],
  ['governmentId', 'Contacts2', 'GovernmentId', '2.5'],
  ['imAddress', 'Contacts2', 'IMAddress', '2.5'],
  ['imAddress2', 'Contacts2', 'IMAddress2', '2.5'],
  ['imAddress3', 'Contacts2', 'IMAddress3', '2.5'],
  ['managerName', 'Contacts2', 'ManagerName', '2.5'],
  ['companyMainPhone', 'Contacts2', 'CompanyMainPhone', '2.5'],
  ['accountName', 'Contacts2', 'AccountName', '2.5'],
  ['nickName', 'Contacts2', 'NickName', '2.5'],
  ['mms', 'Contacts2', 'MMS', '2.5'],
] as const satisfies readonly (readonly [string, string, string, ProtocolVersion])[];

type StringField = (typeof CONTACT_STRING_FIELDS)[number][0];

/** A contact. Email addresses are RFC 5322 mailbox text (`"Name" <a@b>` or a bare address). */
export type EasContact = { [K in StringField]?: string } & {
  birthday?: Date;
  anniversary?: Date;
  categories?: string[];
  children?: string[];
  body?: EasBody;
  nativeBodyType?: BodyType;
  /** 14.0+: how often the user contacts this person (GAL results; server only). */
  weightedRank?: number;
};

/** The children of ApplicationData for a contact in `version` (MS-ASCNTC 2.2.2). */
export function contactToApplicationData(c: EasContact, version: ProtocolVersion): WbxmlElement[] {
  const out: (WbxmlElement | undefined)[] = [];
  // Dates first then strings, matching the alphabetical order of MS-ASCNTC 2.2.2.
  out.push(dateEl('Contacts', 'Anniversary', c.anniversary), dateEl('Contacts', 'Birthday', c.birthday));
  out.push(...bodyToElements(c.body, version, 'Contacts'));
  for (const [key, ns, name, since] of CONTACT_STRING_FIELDS) {
    if (versionAtLeast(version, since)) out.push(opt(ns, name, c[key]));
  }
  out.push(categoriesEl('Contacts', c.categories));
  if (c.children !== undefined) {
    out.push({ ns: 'Contacts', name: 'Children', children: c.children.map((x) => el('Contacts', 'Child', x)) });
  }
  if (versionAtLeast(version, '14.0')) out.push(opt('Contacts', 'WeightedRank', c.weightedRank));
  out.push(...nativeBodyTypeToElements(c.nativeBodyType, version));
  return out.filter((x): x is WbxmlElement => !!x);
}

/**
 * Reads a contact ApplicationData (either direction). Unknown elements are
 * ignored; unreadable dates throw EasDataError. Absent properties stay absent:
 * deciding whether absence means "delete" (MS-ASCMD 2.2.3.168 Supported) is the
 * sync engine's job.
 */
export function contactFromApplicationData(appData: WbxmlElement, _version: ProtocolVersion): EasContact {
  const c: EasContact = {};
  for (const [key, ns, name] of CONTACT_STRING_FIELDS) {
    const v = readText(appData, ns, name);
    if (v !== undefined) c[key] = v;
  }
  const kids = child(appData, 'Children', 'Contacts');
  const nbt = readInt(appData, 'AirSyncBase', 'NativeBodyType');
  return clean<EasContact>({
    ...c,
    birthday: readDate(appData, 'Contacts', 'Birthday'),
    anniversary: readDate(appData, 'Contacts', 'Anniversary'),
    categories: readCategories(appData, 'Contacts'),
    children: kids ? childrenNamed(kids, 'Child', 'Contacts').map((k) => textOf(k) ?? '') : undefined,
    body: bodyFromElements(appData, 'Contacts'),
    nativeBodyType: nbt !== undefined && nbt >= 1 && nbt <= 4 ? (nbt as BodyType) : undefined,
    weightedRank: readInt(appData, 'Contacts', 'WeightedRank'),
  });
}
