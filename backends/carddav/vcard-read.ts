/**
 * vCard properties -> EAS Contact fields (MS-ASCNTC 2.2.2), remembering which
 * property fills which field ("slot") so that vcard-write.ts can patch exactly
 * those properties and leave the rest of the card alone.
 *
 * Choices worth knowing:
 * - FN is FileAs, as Z-Push does; EAS has no display-name field.
 * - Office location comes from any `X-…-OFFICE` (Evolution's X-EVOLUTION-OFFICE,
 *   KAddressBook's X-KADDRESSBOOK-X-OFFICE). ROLE is not used: it is a
 *   function ("project leader"), not a place.
 * - Of several EMAIL, TEL, ADR, IMPP, URL or PHOTO, the most preferred
 *   (PREF / TYPE=pref) come first, then document order. Properties that find
 *   no EAS field (a fourth email, a second mobile) are not sent and stay
 *   untouched on the server.
 * - A number of no known kind fills the first free of home, home 2, business,
 *   business 2, mobile, after the typed numbers have their fields.
 */
import type { EasContact } from '../../protocol/types/contact.ts';
import { easOfDate, parseVcardDate } from './vcard-dates.ts';
import type { CalendarDate } from './vcard-dates.ts';
import {
  ADDRESS_FALLBACK,
  IM_PROPS,
  PHONE_FALLBACK,
  RELATED_FIELD,
  addressFields,
  addressKind,
  groupLabels,
  phoneSlots,
  relatedKind,
  tokensOf,
} from './vcard-kinds.ts';
import type { AddressKind, PhoneField } from './vcard-kinds.ts';
import { components, paramOf, prefOf, splitEscaped, unescapeText } from './vcard-lines.ts';
import type { VcardCard, VcardProp, VcardWarning } from './vcard-lines.ts';
import { photoOf, pictureForEas } from './vcard-photo.ts';

/** The card as EAS sees it, and where each field came from. */
export interface ReadCard {
  readonly item: EasContact;
  readonly uid: string;
  /** Slot (an EAS field, or `n`, `org`, `adr:home`, `note`, `photo`, `children`, `categories`, `uid`) -> indices into card.props. */
  readonly slots: ReadonlyMap<string, readonly number[]>;
  /** The dates as read, for comparisons without a round trip through Date. */
  readonly dates: { readonly birthday?: CalendarDate; readonly anniversary?: CalendarDate };
  /** TEL properties placed by the no-kind fallback. */
  readonly fallback: ReadonlySet<number>;
  readonly warnings: VcardWarning[];
}

type StringField = { [K in keyof EasContact]-?: EasContact[K] extends string | undefined ? K : never }[keyof EasContact];

const ANNIVERSARY_PROPS = new Set(['ANNIVERSARY', 'X-ANNIVERSARY', 'X-EVOLUTION-ANNIVERSARY', 'X-KADDRESSBOOK-X-ANNIVERSARY', 'X-MS-ANNIVERSARY']);
const SIMPLE: Readonly<Record<string, StringField>> = {
  FN: 'fileAs',
  'X-PHONETIC-FIRST-NAME': 'yomiFirstName',
  'X-PHONETIC-LAST-NAME': 'yomiLastName',
  'X-PHONETIC-ORG': 'yomiCompanyName',
  TITLE: 'jobTitle',
};
export const EMAIL_FIELDS = ['email1Address', 'email2Address', 'email3Address'] as const;
export const IM_FIELDS = ['imAddress', 'imAddress2', 'imAddress3'] as const;
/** Placeholder scheme (RFC 3860) for an IM handle a device sends without one; dropped again when read. */
export const IM_PLACEHOLDER = 'im:';

/** The address in `"Name" <a@b>`, `Name <a@b>`, `a@b (Name)`, `mailto:a@b` or a bare address (MS-ASCNTC 2.2.2.25 sends the first form). */
export function emailAddress(text: string): string {
  const t = text.trim().replace(/^mailto:/i, '');
  const m = /<([^<>]*)>\s*$/.exec(t);
  return (m ? m[1]! : t.replace(/\s*\([^()]*\)\s*$/, '')).trim();
}

/** Reads a card; pictures larger than `maxPictureBytes` are scaled down or left out (vcard-photo.ts). */
export function readCard(card: VcardCard, maxPictureBytes: number): ReadCard {
  const props = card.props;
  const labels = groupLabels(props);
  const c: EasContact = {};
  const slots = new Map<string, number[]>();
  const fallback = new Set<number>();
  const warnings: VcardWarning[] = [];
  const dates: { birthday?: CalendarDate; anniversary?: CalendarDate } = {};
  const own = (key: string, i: number): void => void (slots.get(key) ?? slots.set(key, []).get(key)!).push(i);
  const first = (key: string, i: number): boolean => !slots.has(key) && (own(key, i), true);
  const set = (f: StringField, v: string | undefined): void => {
    if (v !== undefined && v.trim() !== '') c[f] = v;
  };
  const text = (p: VcardProp): string => unescapeText(p.value);
  const lists = (p: VcardProp): string[] => components(p.value).map((l) => l.filter((x) => x !== '').join(' '));

  const many: Record<'EMAIL' | 'TEL' | 'ADR' | 'IM' | 'URL' | 'PHOTO', number[]> = { EMAIL: [], TEL: [], ADR: [], IM: [], URL: [], PHOTO: [] };
  const notes: string[] = [];
  const categories: string[] = [];
  const children: string[] = [];
  let uid = '';

  props.forEach((p, i) => {
    const simple = SIMPLE[p.name];
    if (simple) {
      if (first(simple, i)) set(simple, text(p));
    } else if (p.name === 'N') {
      if (!first('n', i)) return;
      const [last, given, middle, prefix, suffix] = lists(p);
      set('lastName', last);
      set('firstName', given);
      set('middleName', middle);
      set('title', prefix);
      set('suffix', suffix);
    } else if (p.name === 'ORG') {
      if (!first('org', i)) return;
      const [company, department] = lists(p);
      set('companyName', company);
      set('department', department);
    } else if (p.name === 'NICKNAME') {
      if (first('nickName', i)) set('nickName', splitEscaped(p.value, ',').map(unescapeText).filter(Boolean).join(', '));
    } else if (p.name === 'BDAY' || ANNIVERSARY_PROPS.has(p.name) || (p.name === 'X-ABDATE' && tokensOf(p, labels).has('anniversary'))) {
      const field = p.name === 'BDAY' ? 'birthday' : 'anniversary';
      if (!first(field, i)) return;
      const d = paramOf(p.params, 'VALUE')?.toLowerCase() === 'text' ? undefined : parseVcardDate(text(p));
      if (!d) warnings.push({ event: 'carddav.bad-date', detail: { property: p.name, value: p.value.slice(0, 40) } });
      else {
        dates[field] = d;
        c[field] = easOfDate(d);
      }
    } else if (p.name === 'EMAIL' || p.name === 'TEL' || p.name === 'ADR' || p.name === 'URL' || p.name === 'PHOTO') {
      if (p.value.trim() !== '') many[p.name].push(i);
    } else if (IM_PROPS.has(p.name)) {
      if (p.value.trim() !== '') many.IM.push(i);
    } else if (p.name === 'NOTE') {
      own('note', i);
      notes.push(text(p));
    } else if (p.name === 'CATEGORIES') {
      own('categories', i);
      categories.push(...splitEscaped(p.value, ',').map((x) => unescapeText(x).trim()));
    } else if (p.name === 'UID') {
      if (first('uid', i)) uid = text(p).trim();
    } else if (/^X-(.+-)?OFFICE$/.test(p.name)) {
      if (first('officeLocation', i)) set('officeLocation', text(p));
    } else {
      const kind = relatedKind(p, labels);
      if (!kind) return;
      // A 4.0 RELATED is a URI by default (urn:uuid: of another card): no name for the device, but the slot is taken.
      const isUri = p.name === 'RELATED' && paramOf(p.params, 'VALUE')?.toLowerCase() !== 'text' && /^[a-z][a-z0-9+.-]*:/i.test(text(p));
      if (kind === 'child') {
        own('children', i);
        if (!isUri && text(p).trim()) children.push(text(p));
      } else if (first(RELATED_FIELD[kind], i) && !isUri) set(RELATED_FIELD[kind] as StringField, text(p));
    }
  });

  const byPref = (ids: number[]): number[] => [...ids].sort((a, b) => prefOf(props[a]!) - prefOf(props[b]!) || a - b);
  const overflow = (property: string, ids: number[]): void => {
    if (ids.length) warnings.push({ event: 'carddav.unmapped', detail: { property, count: ids.length } });
  };

  const emails = byPref(many.EMAIL);
  emails.slice(0, 3).forEach((i, k) => {
    own(EMAIL_FIELDS[k]!, i);
    set(EMAIL_FIELDS[k]!, emailAddress(text(props[i]!)));
  });
  overflow('EMAIL', emails.slice(3));

  const ims = byPref(many.IM);
  ims.slice(0, 3).forEach((i, k) => {
    own(IM_FIELDS[k]!, i);
    const v = text(props[i]!).trim();
    set(IM_FIELDS[k]!, v.toLowerCase().startsWith(IM_PLACEHOLDER) ? v.slice(IM_PLACEHOLDER.length) : v);
  });
  overflow('IMPP', ims.slice(3));

  const urls = byPref(many.URL);
  if (urls[0] !== undefined) {
    own('webPage', urls[0]);
    set('webPage', text(props[urls[0]]!).trim());
  }

  readPhones(byPref(many.TEL));
  readAddresses(byPref(many.ADR));
  readPhoto(byPref(many.PHOTO));

  if (notes.length) {
    const data = notes.join('\n');
    c.body = { type: 1, data, estimatedDataSize: Buffer.byteLength(data, 'utf8') };
  }
  const cats = [...new Set(categories.filter((x) => x !== ''))];
  if (cats.length) c.categories = cats;
  if (children.length) c.children = children;
  if (!uid) warnings.push({ event: 'carddav.no-uid', detail: {} });
  return { item: c, uid, slots, dates, fallback, warnings };

  function readPhones(ids: number[]): void {
    const untyped: number[] = [];
    const unplaced: number[] = [];
    const place = (i: number, fields: readonly PhoneField[]): boolean => {
      const f = fields.find((x) => !slots.has(x));
      if (!f) return false;
      own(f, i);
      set(f, text(props[i]!).trim().replace(/^tel:/i, ''));
      return true;
    };
    for (const i of ids) {
      const fields = phoneSlots(tokensOf(props[i]!, labels));
      if (fields.length === 0) untyped.push(i);
      else if (!place(i, fields)) unplaced.push(i);
    }
    for (const i of untyped) {
      if (place(i, PHONE_FALLBACK)) fallback.add(i);
      else unplaced.push(i);
    }
    overflow('TEL', unplaced);
  }

  function readAddresses(ids: number[]): void {
    const untyped: number[] = [];
    const unplaced: number[] = [];
    const place = (i: number, kinds: readonly AddressKind[]): boolean => {
      const k = kinds.find((x) => !slots.has(`adr:${x}`));
      if (!k) return false;
      own(`adr:${k}`, i);
      const [pobox = '', ext = '', street = '', city = '', region = '', code = '', country = ''] = components(props[i]!.value).map((l, n) =>
        l.filter((x) => x !== '').join(n <= 2 ? '\n' : ', '),
      );
      const fields = addressFields(k);
      // EAS has one street field: the street line first, then the extended address (apartment, suite), then the PO box.
      [[street, ext, pobox].filter((x) => x !== '').join('\n'), city, region, code, country].forEach((v, n) => set(fields[n] as StringField, v));
      return true;
    };
    for (const i of ids) {
      const k = addressKind(tokensOf(props[i]!, labels));
      if (k === undefined) untyped.push(i);
      else if (!place(i, [k])) unplaced.push(i);
    }
    for (const i of untyped) if (!place(i, ADDRESS_FALLBACK)) unplaced.push(i);
    overflow('ADR', unplaced);
  }

  function readPhoto(ids: number[]): void {
    const i = ids[0];
    if (i === undefined) return;
    own('photo', i);
    const photo = photoOf(props[i]!);
    if ('unsupported' in photo) {
      warnings.push({ event: 'carddav.photo-unsupported', detail: { reason: photo.unsupported } });
      return;
    }
    const r = pictureForEas(photo, maxPictureBytes);
    if (r.warning) warnings.push(r.warning);
    if (r.picture) c.picture = r.picture;
  }
}
