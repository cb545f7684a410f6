/**
 * What kind of phone number, address, related person or IM handle a vCard
 * property is, from its TYPE parameters (RFC 2426 3.3.1 / RFC 6350 6.4.1,
 * 2.1 bare types alike) and the Apple label of its group
 * (`item1.TEL` + `item1.X-ABLABEL:_$!<Assistant>!$_`), and which EAS
 * field each kind fills (MS-ASCNTC 2.2.2). Both directions read this table.
 */
import type { EasContact } from '../../protocol/types/contact.ts';
import { typesOf, unescapeText } from './vcard-lines.ts';
import type { VcardParam, VcardProp, VcardVersion } from './vcard-lines.ts';

type Field = keyof EasContact;

/** Apple's built-in labels are `_$!<Name>!$_`; custom ones are the text itself. Both lower-cased. */
export function labelToken(label: string): string {
  const m = /^_\$!<(.*)>!\$_$/.exec(label.trim());
  return (m ? m[1]! : label).trim().toLowerCase();
}

/** Lower-cased group -> label token, from the card's X-ABLABEL properties. */
export function groupLabels(props: readonly VcardProp[]): Map<string, string> {
  const out = new Map<string, string>();
  for (const p of props) if (p.name === 'X-ABLABEL' && p.group) out.set(p.group.toLowerCase(), labelToken(unescapeText(p.value)));
  return out;
}

/** TYPE values plus the group's label. */
export function tokensOf(p: VcardProp, labels: ReadonlyMap<string, string>): Set<string> {
  const t = typesOf(p);
  const label = p.group ? labels.get(p.group.toLowerCase()) : undefined;
  if (label) t.add(label);
  return t;
}

const has = (t: Set<string>, ...names: string[]): boolean => names.some((n) => t.has(n));

// --- phones -----------------------------------------------------------------

/** EAS phone fields, each with the kind that fills it. MMS (Contacts2) has no vCard counterpart and is not mapped. */
export const PHONE_FIELDS = [
  'businessPhoneNumber',
  'business2PhoneNumber',
  'homePhoneNumber',
  'home2PhoneNumber',
  'mobilePhoneNumber',
  'carPhoneNumber',
  'pagerNumber',
  'radioPhoneNumber',
  'assistantPhoneNumber',
  'businessFaxNumber',
  'homeFaxNumber',
  'companyMainPhone',
] as const satisfies readonly Field[];
export type PhoneField = (typeof PHONE_FIELDS)[number];

/** The fields a TEL may fill, best first; [] for a kind EAS has no field for. Specific kinds win over work/home. */
export function phoneSlots(t: Set<string>): PhoneField[] {
  if (has(t, 'x-assistant', 'x-evolution-assistant', 'assistant')) return ['assistantPhoneNumber'];
  if (has(t, 'x-radio', 'x-evolution-radio', 'radio')) return ['radioPhoneNumber'];
  if (has(t, 'car', 'x-car')) return ['carPhoneNumber'];
  if (has(t, 'pager')) return ['pagerNumber'];
  // Apple's "main" and Android's "company main" are both the organisation's switchboard.
  if (has(t, 'x-company-main', 'x-company', 'x-evolution-company', 'company', 'company main', 'companymain', 'main')) return ['companyMainPhone'];
  if (has(t, 'homefax') || (t.has('fax') && t.has('home'))) return ['homeFaxNumber'];
  // A fax that says neither home nor work is filed as business, as Outlook does.
  if (has(t, 'fax', 'workfax', 'otherfax')) return ['businessFaxNumber'];
  if (has(t, 'cell', 'mobile', 'iphone', 'x-mobile')) return ['mobilePhoneNumber'];
  if (t.has('work')) return ['businessPhoneNumber', 'business2PhoneNumber'];
  if (t.has('home')) return ['homePhoneNumber', 'home2PhoneNumber'];
  return [];
}

/** Where a number of no known kind (no TYPE, `voice`, `other`, `video`…) goes, once typed numbers have their fields. */
export const PHONE_FALLBACK: readonly PhoneField[] = ['homePhoneNumber', 'home2PhoneNumber', 'businessPhoneNumber', 'business2PhoneNumber', 'mobilePhoneNumber'];

/** TYPE values and (3.0, for Apple) label of a TEL written for a field. */
export function phoneTypes(f: PhoneField): { types: string[]; label?: string } {
  switch (f) {
    case 'businessPhoneNumber':
    case 'business2PhoneNumber':
      return { types: ['WORK', 'VOICE'] };
    case 'homePhoneNumber':
    case 'home2PhoneNumber':
      return { types: ['HOME', 'VOICE'] };
    case 'mobilePhoneNumber':
      return { types: ['CELL', 'VOICE'] };
    case 'carPhoneNumber':
      return { types: ['CAR', 'VOICE'], label: 'Car' };
    case 'pagerNumber':
      return { types: ['PAGER'] };
    case 'radioPhoneNumber':
      return { types: ['X-RADIO'], label: 'Radio' };
    case 'assistantPhoneNumber':
      return { types: ['X-ASSISTANT'], label: '_$!<Assistant>!$_' };
    case 'businessFaxNumber':
      return { types: ['WORK', 'FAX'] };
    case 'homeFaxNumber':
      return { types: ['HOME', 'FAX'] };
    case 'companyMainPhone':
      // WORK first so that a reader that knows no X- type still files it as a work number.
      return { types: ['WORK', 'X-COMPANY-MAIN'], label: 'Company Main' };
  }
}

/** TYPE parameter for written types: upper case in 3.0 (as RFC 2426 lists them), lower in 4.0 (RFC 6350). */
export function typeParam(types: readonly string[], version: VcardVersion): VcardParam {
  return { name: 'TYPE', values: types.map((t) => (version === '4.0' ? t.toLowerCase() : t)) };
}

// --- addresses --------------------------------------------------------------

export type AddressKind = 'business' | 'home' | 'other';

/** ADR kind; undefined for no kind (filed as other, then home, then business, when free). */
export function addressKind(t: Set<string>): AddressKind | undefined {
  if (t.has('work')) return 'business';
  if (t.has('home')) return 'home';
  if (t.has('other')) return 'other';
  return undefined;
}

export const ADDRESS_FALLBACK: readonly AddressKind[] = ['other', 'home', 'business'];

/** The five EAS fields of an address kind: street, city, state, postal code, country. */
export function addressFields(k: AddressKind): [Field, Field, Field, Field, Field] {
  return [`${k}AddressStreet`, `${k}AddressCity`, `${k}AddressState`, `${k}AddressPostalCode`, `${k}AddressCountry`] as [Field, Field, Field, Field, Field];
}

// --- related people ---------------------------------------------------------

export type RelatedKind = 'spouse' | 'child' | 'manager' | 'assistant';

/** Single-valued vendor properties: Evolution, KAddressBook, and plain X- forms. */
const RELATED_PROPS: Readonly<Record<string, RelatedKind>> = {
  'X-EVOLUTION-SPOUSE': 'spouse',
  'X-KADDRESSBOOK-X-SPOUSESNAME': 'spouse',
  'X-SPOUSE': 'spouse',
  'X-EVOLUTION-MANAGER': 'manager',
  'X-KADDRESSBOOK-X-MANAGERSNAME': 'manager',
  'X-MANAGER': 'manager',
  'X-EVOLUTION-ASSISTANT': 'assistant',
  'X-KADDRESSBOOK-X-ASSISTANTSNAME': 'assistant',
  'X-ASSISTANT': 'assistant',
  'X-CHILD': 'child',
};

/**
 * The related person a property names, if EAS has a field for it: vendor
 * properties above, Apple `X-ABRELATEDNAMES` by label, 4.0 RELATED by TYPE
 * (RFC 6350 6.6.6; it has spouse, child and agent; manager and assistant
 * only as x- types).
 */
export function relatedKind(p: VcardProp, labels: ReadonlyMap<string, string>): RelatedKind | undefined {
  const vendor = RELATED_PROPS[p.name];
  if (vendor) return vendor;
  if (p.name !== 'X-ABRELATEDNAMES' && p.name !== 'RELATED') return undefined;
  const t = tokensOf(p, labels);
  if (has(t, 'spouse', 'partner', 'domestic partner')) return 'spouse';
  if (has(t, 'child')) return 'child';
  if (has(t, 'manager', 'x-manager')) return 'manager';
  if (has(t, 'assistant', 'x-assistant', 'agent')) return 'assistant';
  return undefined;
}

export const RELATED_FIELD: Readonly<Record<Exclude<RelatedKind, 'child'>, Field>> = {
  spouse: 'spouse',
  manager: 'managerName',
  assistant: 'assistantName',
};

/** How a related name is written: 3.0 as Apple does (grouped X-ABRELATEDNAMES + label: Apple and DAVx5 read it), 4.0 as RELATED text. */
export function relatedProps(kind: RelatedKind, version: VcardVersion): { name: string; params: VcardParam[]; label?: string } {
  if (version === '4.0') {
    const type = kind === 'spouse' || kind === 'child' ? kind : `x-${kind}`;
    return { name: 'RELATED', params: [{ name: 'TYPE', values: [type] }, { name: 'VALUE', values: ['text'] }] };
  }
  const label = { spouse: 'Spouse', child: 'Child', manager: 'Manager', assistant: 'Assistant' }[kind];
  return { name: 'X-ABRELATEDNAMES', params: [], label: `_$!<${label}>!$_` };
}

// --- instant messaging ------------------------------------------------------

/** RFC 4770 IMPP and the older per-service properties (Apple, Evolution, KAddressBook). */
export const IM_PROPS = new Set(['IMPP', 'X-AIM', 'X-ICQ', 'X-JABBER', 'X-MSN', 'X-YAHOO', 'X-SKYPE', 'X-SKYPE-USERNAME', 'X-GADUGADU', 'X-GOOGLE-TALK', 'X-GROUPWISE', 'X-QQ', 'X-SIP']);

