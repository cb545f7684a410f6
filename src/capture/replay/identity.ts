/**
 * Who the replay is: a new device of the same kind as the recorded one, and
 * the replaying user in place of the recorded mailbox owner.
 *
 * A fresh DeviceId keeps the recorded one's length and the character class
 * of every position (digit, upper, lower; '-' and '_' kept), so that a
 * server's device-id checks and per-family rules see the same shape. A
 * leading vendor word ("Appl", "android", "SEC") is kept when it has a
 * letter outside a-f, i.e. when it cannot be part of a hex id. A fresh id
 * means the server holds no state for the device: every replay starts as a
 * newly added account does.
 */
import { randomInt } from 'node:crypto';

const DIGITS = '0123456789';
const UPPER = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ';
const LOWER = 'abcdefghijklmnopqrstuvwxyz';

const pick = (alphabet: string): string => alphabet[randomInt(alphabet.length)]!;

/** A new DeviceId shaped like `original`, never equal to it. */
export function freshDeviceId(original: string): string {
  const prefix = /^[A-Za-z]{3,}(?=[^A-Za-z]|$)/.exec(original)?.[0] ?? '';
  const keep = /[g-zG-Z]/.test(prefix) && prefix.length < original.length ? prefix.length : 0;
  const hex = /^[0-9a-fA-F]+$/.test(original);
  const hexUpper = hex && /[A-F]/.test(original) && !/[a-f]/.test(original);
  for (let attempt = 0; attempt < 5; attempt++) {
    let out = original.slice(0, keep);
    for (const c of original.slice(keep)) {
      if (hex) out += /[0-9]/.test(c) || /[a-fA-F]/.test(c) ? pick(hexUpper ? '0123456789ABCDEF' : '0123456789abcdef') : c;
      else if (/[0-9]/.test(c)) out += pick(DIGITS);
      else if (/[A-Z]/.test(c)) out += pick(UPPER);
      else if (/[a-z]/.test(c)) out += pick(LOWER);
      else out += c;
    }
    if (out !== original) return out;
  }
  return original.length > 1 ? `${original.slice(0, -1)}${original.endsWith('0') ? '1' : '0'}` : original === '0' ? '1' : '0';
}

/** The addresses that stand for the recorded owner, and who replays. */
export interface OwnerMap {
  /** The recorded owner: a hashed `u-HASH@redacted.invalid`, or the address itself when addresses were kept. */
  readonly recorded?: string;
  /** The replaying user's address (the --user login when it is one, or --address). */
  readonly replaying?: string;
  /**
   * Where stand-in messages for redacted MIME go (--mail-to); default the
   * replaying user. A recording does not say whom its mail was for, so a
   * mail to self is the safe default, but it puts a message in the user's
   * INBOX that the recorded session did not get (a later Ping then answers 2).
   */
  readonly mailTo?: string;
}

/** The owner address of a capture file: its mailbox when that is an address (hashed or not). */
export function recordedOwner(mailbox: string): string | undefined {
  return mailbox.includes('@') ? mailbox : undefined;
}

const escapeRe = (s: string): string => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

/** `text` with every occurrence of `from` (case-insensitive) replaced by `to`. */
export function swapAddress(text: string, from: string | undefined, to: string | undefined): string {
  if (!from || !to || !text.toLowerCase().includes(from.toLowerCase())) return text;
  return text.replace(new RegExp(escapeRe(from), 'gi'), to);
}
