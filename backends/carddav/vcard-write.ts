/**
 * EAS Contact -> vCard, as a patch of the stored card when there is one.
 *
 * Each EAS field is compared with the value the stored card gives it
 * (vcard-read.ts); only a field that differs touches its property: changed
 * in place (group, Apple label and unknown parameters kept), removed when the
 * device cleared it, or added. Everything EAS does not model (X- properties,
 * a fourth email, ROLE, KIND, Apple's X-ABADR…) is kept line for line, and
 * a card in which nothing changed comes back byte for byte, REV included.
 *
 * Absent means "deleted" for every field (MS-ASCMD 2.2.3.179: ghosting is
 * the sync engine's job, which merges before calling here) except Body and
 * Picture: a phone that got a truncated body, or no picture because it was
 * too large, leaves them out without meaning to delete them. A property the
 * device could not see (a photo over the limit, BDAY:circa 1800) is likewise
 * kept when the device sends nothing for it.
 */
import { htmlToText } from '../caldav/event-fields.ts';
import type { EasBody } from '../../protocol/types/body.ts';
import type { EasContact } from '../../protocol/types/contact.ts';
import { NO_YEAR, dateKey, dateOfEas, formatVcardDate } from './vcard-dates.ts';
import type { CalendarDate } from './vcard-dates.ts';
import { PHONE_FIELDS, RELATED_FIELD, addressFields, phoneTypes, relatedProps, typeParam } from './vcard-kinds.ts';
import type { RelatedKind } from './vcard-kinds.ts';
import { cardText, escapeText, newProp, safeText, splitEscaped, structuredValue, unescapeText, uriValue } from './vcard-lines.ts';
import type { VcardCard, VcardParam, VcardProp, VcardVersion } from './vcard-lines.ts';
import { BackendError } from '../errors.ts';
import { MAX_STORED_PICTURE_BYTES, fromBase64, setPhoto } from './vcard-photo.ts';
import { EMAIL_FIELDS, IM_FIELDS, IM_PLACEHOLDER, emailAddress, readCard } from './vcard-read.ts';
import type { ReadCard } from './vcard-read.ts';

/** Our PRODID (RFC 6350 6.7.3), written whenever we change a card. */
export const PRODID = '-//eas-server//CardDAV bridge//EN';

const LABEL_PROPS = new Set(['X-ABLABEL', 'X-ABADR']);
const none = (v: string | undefined): v is undefined => v === undefined || v.trim() === '';
const json = (v: readonly string[]): string => JSON.stringify(v);
/** One line of text for a value that is not escaped (URI, phone number): no line break can get through. */
const oneLine = (s: string): string => safeText(s).replace(/\n/g, ' ').trim();
const hasScheme = (s: string): boolean => /^[a-z][a-z0-9+.-]*:/i.test(s);

/** The card's properties under edit, with where new ones go. */
class Patch {
  readonly props: (VcardProp | undefined)[];
  /** A VERSION the base lacked; RFC 6350 6.7.9 wants it first. */
  readonly front: VcardProp[] = [];
  /** Emitted right after VERSION (PRODID). */
  readonly afterVersion: VcardProp[] = [];
  private readonly tail: VcardProp[] = [];
  private readonly touchedGroups = new Set<string>();
  private nextItem: number;
  changed = false;

  constructor(
    base: readonly VcardProp[],
    readonly read: ReadCard,
    readonly version: VcardVersion,
  ) {
    this.props = base.map((p) => ({ ...p, params: p.params.map((x) => ({ ...x, values: [...x.values] })) }));
    const used = base.map((p) => /^item(\d+)$/i.exec(p.group ?? '')?.[1]).filter((x): x is string => !!x);
    this.nextItem = 1 + Math.max(0, ...used.map(Number));
  }

  /** Live properties of a slot. */
  slot(key: string): number[] {
    return (this.read.slots.get(key) ?? []).filter((i) => this.props[i]);
  }

  remove(i: number): void {
    const p = this.props[i];
    if (!p) return;
    if (p.group) this.touchedGroups.add(p.group.toLowerCase());
    this.props[i] = undefined;
    this.changed = true;
  }

  update(i: number, edit: (p: VcardProp) => void): void {
    const p = this.props[i]!;
    edit(p);
    p.raw = undefined;
    this.changed = true;
  }

  /** Adds properties at the end. (Slots fill densely — email 1 before 2 before 3 — so a new one never has to go before a kept one.) */
  add(made: VcardProp[]): void {
    this.changed = true;
    this.tail.push(...made);
  }

  /** A property, grouped with an Apple label in 3.0 when it has one (`item7.TEL` + `item7.X-ABLABEL`). */
  made(name: string, value: string, params: VcardParam[], label?: string): VcardProp[] {
    if (!label || this.version === '4.0') return [newProp(name, value, params)];
    const g = `item${this.nextItem++}`;
    return [newProp(name, value, params, g), newProp('X-ABLABEL', escapeText(label, this.version), [], g)];
  }

  find(name: string): number {
    return this.props.findIndex((p) => p?.name === name);
  }

  finish(): VcardProp[] {
    // A removed grouped property takes its orphaned Apple label with it.
    for (const g of this.touchedGroups) {
      const members = this.props.flatMap((p, i) => (p && p.group?.toLowerCase() === g ? [i] : []));
      if (members.every((i) => LABEL_PROPS.has(this.props[i]!.name))) for (const i of members) this.props[i] = undefined;
    }
    const out = [...this.front];
    if (this.front.length) out.push(...this.afterVersion);
    this.props.forEach((p, i) => {
      if (p) out.push(p);
      if (p?.name === 'VERSION' && !this.front.length) out.push(...this.afterVersion);
    });
    return [...out, ...this.tail];
  }
}

/**
 * One slot: `next` is the device's value, `prev` the stored card's. Equal:
 * nothing. Next empty: the slot's properties go, unless the stored value was
 * empty too (a property the device could not see). Else the first property is
 * edited, or a new one added.
 */
function slot(
  P: Patch,
  key: string,
  next: string | undefined,
  prev: string | undefined,
  edit: (p: VcardProp) => void,
  create: () => VcardProp[],
): void {
  const ids = P.slot(key);
  if (none(next)) {
    if (!none(prev)) for (const i of ids) P.remove(i);
    return;
  }
  if (next === prev) return;
  if (ids.length === 0) return P.add(create());
  P.update(ids[0]!, edit);
  for (const i of ids.slice(1)) P.remove(i);
}

/** Replaces the components whose value changed, keeping the others as written. */
function patchComponents(value: string, next: readonly string[], prev: readonly string[], version: VcardVersion): string {
  const comps = splitEscaped(value, ';');
  while (comps.length < next.length) comps.push('');
  next.forEach((v, k) => {
    if (v !== prev[k]) comps[k] = escapeText(v, version, true);
  });
  return comps.join(';');
}

/** The name a card shows when the device sent no FileAs. */
function formattedName(c: EasContact): string {
  const name = [c.title, c.firstName, c.middleName, c.lastName, c.suffix].filter((x) => !none(x)).join(' ');
  return name || c.companyName?.trim() || (c.email1Address ? emailAddress(c.email1Address) : '') || c.nickName?.trim() || '';
}

/** The plain text a device body stands for; undefined when it says nothing about the note (absent, truncated, RTF/MIME). */
function bodyText(b: EasBody | undefined): string | undefined {
  if (!b || b.truncated || b.data === undefined) return undefined;
  if (b.type === 1) return safeText(b.data);
  if (b.type === 2) return htmlToText(b.data);
  return undefined;
}

function setDate(p: VcardProp, d: CalendarDate, version: VcardVersion): void {
  const v = version === '4.0' ? '4.0' : '3.0';
  p.value = formatVcardDate(d, v);
  p.params = p.params.filter((x) => x.name !== 'X-APPLE-OMIT-YEAR' && !(x.name === 'VALUE' && x.values[0]?.toLowerCase() === 'text'));
  if (v === '3.0' && d.year === NO_YEAR) p.params.push({ name: 'X-APPLE-OMIT-YEAR', values: [String(NO_YEAR)] });
}

export interface WriteOptions {
  readonly uid: string;
  readonly now?: Date;
  readonly maxPictureBytes: number;
}

/**
 * The vCard for `c`: a patch of `base` when given (its text is returned as
 * is when nothing changed), else a new 3.0 card. 4.0 only when the base is 4.0:
 * most servers and phones expect 3.0.
 */
export function writeCard(c: EasContact, base: { card: VcardCard; text: string } | undefined, opts: WriteOptions): string {
  const version: VcardVersion = base?.card.version === '4.0' ? '4.0' : '3.0';
  const read = readCard(base?.card ?? { version, props: [] }, opts.maxPictureBytes);
  const P = new Patch(base?.card.props ?? [], read, version);
  const esc = (s: string): string => escapeText(s, version);
  const str = (f: keyof EasContact): string | undefined => {
    const v = c[f];
    return typeof v === 'string' && v.trim() !== '' ? v : undefined;
  };
  const was = (f: keyof EasContact): string | undefined => read.item[f] as string | undefined;

  const vi = P.find('VERSION');
  if (vi < 0) P.front.push(newProp('VERSION', version));
  else if (P.props[vi]!.value.trim() !== version) P.update(vi, (p) => (p.value = version));
  if (base?.card.version === '2.1') to30(P);

  if (opts.uid) slot(P, 'uid', opts.uid, read.uid || undefined, (p) => (p.value = oneLine(opts.uid)), () => [newProp('UID', oneLine(opts.uid))]);

  const N = ['lastName', 'firstName', 'middleName', 'title', 'suffix'] as const;
  const nNext = N.map((f) => str(f) ?? '');
  const nPrev = N.map((f) => was(f) ?? '');
  const nIds = P.slot('n');
  if (nIds.length && json(nNext) !== json(nPrev)) P.update(nIds[0]!, (p) => (p.value = patchComponents(p.value, nNext, nPrev, version)));
  // N is required in 3.0 (RFC 2426 3.1.2), optional in 4.0; an empty one goes into a stored card only when it is rewritten anyway.
  const nMissing = !nIds.length && version === '3.0' && nNext.every((x) => x === '');
  if (!nIds.length && nNext.some((x) => x !== '')) P.add([newProp('N', structuredValue(nNext, version))]);
  if (nMissing && !base) P.add([newProp('N', ';;;;')]);

  const fn = str('fileAs') ?? formattedName(c);
  const fnIds = P.slot('fileAs');
  if (fnIds.length && fn !== was('fileAs')) P.update(fnIds[0]!, (p) => (p.value = esc(fn)));
  // FN is required (RFC 6350 6.2.1); a stored card without one gets it only when it is rewritten anyway.
  if (!fnIds.length && !base) P.add([newProp('FN', esc(fn))]);

  const simple: [keyof EasContact, string][] = [
    ['yomiFirstName', 'X-PHONETIC-FIRST-NAME'],
    ['yomiLastName', 'X-PHONETIC-LAST-NAME'],
    ['yomiCompanyName', 'X-PHONETIC-ORG'],
    ['jobTitle', 'TITLE'],
    ['officeLocation', 'X-EVOLUTION-OFFICE'],
    ['nickName', 'NICKNAME'],
  ];
  for (const [f, name] of simple) {
    const v = str(f);
    slot(P, f, v, was(f), (p) => (p.value = esc(v!)), () => [newProp(name, esc(v!))]);
  }
  const url = str('webPage')?.trim();
  slot(P, 'webPage', url, was('webPage'), (p) => (p.value = uriValue(oneLine(url!))), () => [newProp('URL', uriValue(oneLine(url!)))]);

  const org = [str('companyName') ?? '', str('department') ?? ''];
  const orgPrev = [was('companyName') ?? '', was('department') ?? ''];
  const orgIds = P.slot('org');
  if (org.every((x) => x === '')) {
    if (orgPrev.some((x) => x !== '')) orgIds.forEach((i) => P.remove(i));
  } else if (orgIds.length) {
    if (json(org) !== json(orgPrev)) P.update(orgIds[0]!, (p) => (p.value = patchComponents(p.value, org, orgPrev, version)));
  } else P.add([newProp('ORG', structuredValue(org, version))]);

  for (const f of EMAIL_FIELDS) {
    const v = str(f) === undefined ? undefined : emailAddress(str(f)!);
    const params = version === '4.0' ? [] : [{ name: 'TYPE', values: ['INTERNET'] }];
    slot(P, f, v, was(f), (p) => (p.value = esc(v!)), () => [newProp('EMAIL', esc(v!), params)]);
  }

  writePhones(P, str, was);
  writeAddresses(P, str, was);

  for (const f of IM_FIELDS) {
    const v = str(f)?.trim();
    // The device shows and sends the handle; the stored property keeps its URI scheme (xmpp:, sip:…).
    const uri = (scheme: string | undefined): string => oneLine(hasScheme(v!) ? v! : (scheme ?? IM_PLACEHOLDER) + v!);
    const edit = (p: VcardProp): void => {
      p.value = p.name === 'IMPP' ? uri(/^[a-z][a-z0-9+.-]*:/i.exec(unescapeText(p.value))?.[0]) : esc(v!);
    };
    slot(P, f, v, was(f), edit, () => [newProp('IMPP', uri(undefined))]);
  }

  for (const [field, name] of [
    ['birthday', 'BDAY'],
    ['anniversary', version === '4.0' ? 'ANNIVERSARY' : 'X-ANNIVERSARY'],
  ] as const) {
    const t = c[field];
    const next = t && !Number.isNaN(t.getTime()) ? dateOfEas(t) : undefined;
    const prev = read.dates[field];
    const make = (): VcardProp[] => {
      const p = newProp(name, '');
      setDate(p, next!, version);
      return [p];
    };
    slot(P, field, next && dateKey(next), prev && dateKey(prev), (p) => setDate(p, next!, version), make);
  }

  for (const kind of ['spouse', 'manager', 'assistant'] as const) {
    const f = RELATED_FIELD[kind];
    const v = str(f);
    const edit = (p: VcardProp): void => {
      p.value = esc(v!);
      if (p.name === 'RELATED') p.params = [...p.params.filter((x) => x.name !== 'VALUE'), { name: 'VALUE', values: ['text'] }];
    };
    slot(P, f, v, was(f), edit, () => related(P, kind, esc(v!)));
  }
  const kids = (c.children ?? []).filter((x) => !none(x));
  if (json(kids) !== json(read.item.children ?? [])) {
    P.slot('children').forEach((i) => P.remove(i));
    for (const k of kids) P.add(related(P, 'child', esc(k)));
  }

  const cats = [...new Set((c.categories ?? []).map((x) => x.trim()).filter((x) => x !== ''))];
  const prevCats = read.item.categories ?? [];
  const catValue = cats.map(esc).join(',');
  slot(P, 'categories', cats.length ? json(cats) : undefined, prevCats.length ? json(prevCats) : undefined, (p) => (p.value = catValue), () => [
    newProp('CATEGORIES', catValue),
  ]);

  const note = bodyText(c.body);
  if (note !== undefined) slot(P, 'note', note, read.item.body?.data, (p) => (p.value = esc(note)), () => [newProp('NOTE', esc(note))]);

  if (c.picture !== undefined) {
    const pic = c.picture.replace(/\s+/g, '');
    const bytes = fromBase64(pic);
    if (bytes && bytes.length > MAX_STORED_PICTURE_BYTES) throw new BackendError('TooLarge', `picture of ${bytes.length} bytes over ${MAX_STORED_PICTURE_BYTES}`);
    const make = (): VcardProp[] => {
      const p = newProp('PHOTO', '');
      setPhoto(p, bytes!, version);
      return [p];
    };
    // Undecodable base64 is read as no picture sent at all, so that garbage cannot delete a photo.
    if (pic === '' || bytes) slot(P, 'photo', pic || undefined, read.item.picture, (p) => setPhoto(p, bytes!, version), make);
  }

  if (base && !P.changed) return base.text;
  if (!fnIds.length && base) P.add([newProp('FN', esc(fn))]);
  if (nMissing && base) P.add([newProp('N', ';;;;')]);
  const pi = P.find('PRODID');
  if (pi >= 0) P.update(pi, (p) => (p.value = PRODID));
  else P.afterVersion.push(newProp('PRODID', PRODID));
  const rev = (opts.now ?? new Date()).toISOString().replace(/\.\d+Z$/, 'Z');
  // RFC 6350 6.7.4 wants the basic format; RFC 2426 3.6.4 examples use the extended one, as Apple writes it.
  const revText = version === '4.0' ? rev.replace(/[-:]/g, '') : rev;
  const ri = P.find('REV');
  if (ri >= 0) P.update(ri, (p) => ((p.value = revText), (p.params = [])));
  else P.add([newProp('REV', revText)]);
  return cardText(P.finish());
}

function related(P: Patch, kind: RelatedKind, value: string): VcardProp[] {
  const r = relatedProps(kind, P.version);
  return P.made(r.name, value, r.params, r.label);
}

/** A 2.1 card is written back as 3.0: every line re-serialised, BASE64 spelled `b`, CHARSET gone (we write UTF-8). */
function to30(P: Patch): void {
  P.props.forEach((p, i) => {
    if (!p || p.name === '' || !P.props[i]) return;
    P.update(i, (x) => {
      x.params = x.params
        .filter((q) => q.name !== 'CHARSET')
        .map((q) => (q.name === 'ENCODING' && q.values[0]?.toUpperCase() === 'BASE64' ? { name: 'ENCODING', values: ['b'] } : q));
    });
  });
}

type Get = (f: keyof EasContact) => string | undefined;

function writePhones(P: Patch, str: Get, was: Get): void {
  let created = false;
  for (const f of PHONE_FIELDS) {
    const v = str(f)?.trim();
    const edit = (p: VcardProp): void => {
      p.value = oneLine(v!);
      p.params = p.params.filter((x) => x.name !== 'VALUE'); // a 4.0 VALUE=uri number becomes text
    };
    const create = (): VcardProp[] => {
      created = true;
      const t = phoneTypes(f);
      return P.made('TEL', oneLine(v!), [typeParam(t.types, P.version)], t.label);
    };
    slot(P, f, v, was(f), edit, create);
  }
  if (!created) return;
  // A number placed by the no-kind fallback would lose its field to a new typed one on the next read: give it its type.
  for (const f of PHONE_FIELDS) {
    for (const i of P.slot(f)) {
      if (P.read.fallback.has(i)) P.update(i, (p) => p.params.push(typeParam(phoneTypes(f).types, P.version)));
    }
  }
}

function writeAddresses(P: Patch, str: Get, was: Get): void {
  for (const k of ['business', 'home', 'other'] as const) {
    const fields = addressFields(k);
    const next = fields.map((f) => str(f) ?? '');
    const prev = fields.map((f) => was(f) ?? '');
    const ids = P.slot(`adr:${k}`);
    if (next.every((x) => x === '')) {
      if (prev.some((x) => x !== '')) ids.forEach((i) => P.remove(i));
      continue;
    }
    if (ids.length) {
      if (json(next) === json(prev)) continue;
      P.update(ids[0]!, (p) => {
        const comps = splitEscaped(p.value, ';');
        while (comps.length < 7) comps.push('');
        const e = (s: string): string => escapeText(s, P.version, true);
        // The EAS street holds street, extended address and PO box (vcard-read.ts): a changed one replaces all three.
        if (next[0] !== prev[0]) comps.splice(0, 3, '', '', e(next[0]!));
        for (let n = 1; n < 5; n++) if (next[n] !== prev[n]) comps[n + 2] = e(next[n]!);
        p.value = comps.join(';');
        p.params = p.params.filter((x) => x.name !== 'LABEL'); // 4.0 LABEL would describe the old address
      });
      continue;
    }
    const value = structuredValue(['', '', ...next], P.version);
    if (k === 'other') P.add(P.made('ADR', value, [], '_$!<Other>!$_'));
    else P.add(P.made('ADR', value, [typeParam([k === 'business' ? 'WORK' : 'HOME'], P.version)]));
  }
}
