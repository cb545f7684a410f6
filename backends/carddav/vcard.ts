/**
 * vCard 3.0 (RFC 2426) and 4.0 (RFC 6350), and the 2.1 forms old phones
 * still write, <-> the EAS Contact class with Contacts2 (MS-ASCNTC 2.2.2).
 *
 * A CardDAV resource holds one card (RFC 6352 5.1). It becomes one
 * EasContact; a device's contact goes back as a patch of the stored card, so
 * that whatever EAS does not model survives a round trip through a phone.
 *
 * Modules: vcard-lines.ts (content lines, escaping, folding), vcard-read.ts
 * (fields from properties), vcard-write.ts (the patch), vcard-kinds.ts
 * (phone, address and relation kinds, Apple labels), vcard-dates.ts (the
 * birthday rule), vcard-photo.ts (pictures and their size limit).
 */
import type { EasContact } from '../../protocol/types/contact.ts';
import { BackendError } from '../errors.ts';
import { parseCards } from './vcard-lines.ts';
import type { VcardCard, VcardWarning } from './vcard-lines.ts';
import { DEFAULT_MAX_PICTURE_BYTES } from './vcard-photo.ts';
import { readCard } from './vcard-read.ts';
import { writeCard } from './vcard-write.ts';

export type { VcardWarning } from './vcard-lines.ts';
export { DEFAULT_MAX_PICTURE_BYTES } from './vcard-photo.ts';
export { PRODID } from './vcard-write.ts';

/** One contact read from CardDAV. */
export interface ParsedContact {
  readonly item: EasContact;
  /** The card's UID; '' (with a `carddav.no-uid` warning) when it has none. */
  readonly uid: string;
  /** e.g. { event: 'carddav.photo-too-large', detail: { bytes, limit, kind } } */
  readonly warnings: VcardWarning[];
}

function parseOne(text: string): { card: VcardCard; warnings: VcardWarning[] } {
  const { cards, warnings } = parseCards(text);
  const card = cards[0];
  if (!card) throw new BackendError('Invalid', 'no complete BEGIN:VCARD … END:VCARD in the data');
  if (cards.length > 1) warnings.push({ event: 'carddav.extra-cards', detail: { count: cards.length - 1 } });
  return { card, warnings };
}

/**
 * The EAS contact of a vCard. Properties EAS cannot hold are dropped with a
 * warning, never an error; BackendError `Invalid` only when the text holds
 * no complete card. A picture over `maxPictureBytes` (decoded; default 48
 * KiB, Exchange's limit) is scaled down when it is a JPEG, left out otherwise.
 */
export function vcardToEasContact(text: string, opts: { maxPictureBytes?: number } = {}): ParsedContact {
  const { card, warnings } = parseOne(text);
  const r = readCard(card, opts.maxPictureBytes ?? DEFAULT_MAX_PICTURE_BYTES);
  return { item: r.item, uid: r.uid, warnings: [...warnings, ...r.warnings] };
}

/**
 * The vCard for an EAS contact. With `base` (the stored card), a patch of it:
 * only properties EAS models change, PRODID and REV (`now`) are updated when
 * anything did, and `base` itself comes back when nothing did. An absent Body
 * or Picture keeps NOTE or PHOTO; any other absent or empty field removes its
 * property. Written as 4.0 when the base is 4.0, else as 3.0. `maxPictureBytes`
 * must be the limit the card was read with, so that a scaled picture echoed
 * back by the device is recognised as unchanged. BackendError `Invalid` when
 * `base` holds no card.
 */
export function easContactToVcard(c: EasContact, opts: { uid: string; base?: string; now?: Date; maxPictureBytes?: number }): string {
  const base = opts.base === undefined ? undefined : { card: parseOne(opts.base).card, text: opts.base };
  return writeCard(c, base, {
    uid: opts.uid,
    maxPictureBytes: opts.maxPictureBytes ?? DEFAULT_MAX_PICTURE_BYTES,
    ...(opts.now ? { now: opts.now } : {}),
  });
}
