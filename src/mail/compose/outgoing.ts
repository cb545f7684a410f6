import { randomUUID } from 'node:crypto';
import addressparser from 'nodemailer/lib/addressparser';
import { encodeWords } from 'nodemailer/lib/mime-funcs';
import { getHeader, getHeaders, joinMessage, removeHeader, setHeader, splitMessage } from './header-block.ts';

/** Who sends: the authenticated mailbox's address, and optionally a default display name. */
export interface Sender {
  readonly address: string;
  readonly name?: string;
}

/** A message ready for submission and for the Sent folder. */
export interface OutgoingMessage {
  /** SMTP envelope: MAIL FROM is always the user, RCPT TO every To, Cc and Bcc address once. */
  readonly envelope: { readonly from: string; readonly to: readonly string[] };
  /** What is submitted: the message without its Bcc field (RFC 5322 3.6.3). */
  readonly transmit: Buffer;
  /** What is saved in Sent Items: identical, but keeps Bcc so the user sees whom they blind-copied. */
  readonly sentCopy: Buffer;
  /** The Message-ID field value, `<...>`, existing or added. */
  readonly messageId: string;
}

/** Thrown for a message we cannot send (no recipients): mapped to MS-ASCMD 2.2.2 status 119 MessageHasNoRecipient. */
export class NoRecipientsError extends Error {
  override readonly name = 'NoRecipientsError';
}

/** RFC 5322 3.3 date-time in UTC ("Mon, 23 Nov 2026 18:46:45 +0000"). */
export function formatRfc5322Date(d: Date): string {
  const days = ['Sun', 'Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat'];
  const months = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];
  const p = (n: number): string => String(n).padStart(2, '0');
  return `${days[d.getUTCDay()]}, ${p(d.getUTCDate())} ${months[d.getUTCMonth()]} ${d.getUTCFullYear()} ${p(d.getUTCHours())}:${p(d.getUTCMinutes())}:${p(d.getUTCSeconds())} +0000`;
}

/** A new RFC 5322 3.6.4 msg-id under the sender's domain. */
export function newMessageId(address: string): string {
  const at = address.lastIndexOf('@');
  const domain = at >= 0 ? address.slice(at + 1) : 'localhost';
  return `<${randomUUID()}@${domain}>`;
}

/** `"Name" <addr>` with the name quoted or RFC 2047-encoded as needed. */
export function formatMailbox(address: string, name?: string): string {
  if (!name) return address;
  // Already RFC 2047 encoded (copied from a device's header): encoded-words must stay outside quotes to be decoded.
  if (/^=\?[^?\s]+\?[bq]\?[^?\s]*\?=(\s+=\?[^?\s]+\?[bq]\?[^?\s]*\?=)*$/i.test(name)) return `${name} <${address}>`;
  // eslint-disable-next-line no-control-regex
  const ascii = /^[\x20-\x7e]*$/.test(name);
  const display = ascii ? `"${name.replace(/(["\\])/g, '\\$1')}"` : encodeWords(name, 'Q', 52, true);
  return `${display} <${address}>`;
}

/** Every mailbox address in the named fields, groups flattened, each once (case-insensitive). */
export function recipientsOf(values: readonly string[]): string[] {
  const seen = new Set<string>();
  const out: string[] = [];
  for (const v of values) {
    for (const a of addressparser(v, { flatten: true })) {
      const addr = a.address.trim();
      if (!addr || !addr.includes('@')) continue;
      const key = addr.toLowerCase();
      if (seen.has(key)) continue;
      seen.add(key);
      out.push(addr);
    }
  }
  return out;
}

/**
 * Turns a device's MIME message (MS-ASCMD 2.2.1.17 SendMail, or the output of
 * the SmartReply/SmartForward composer) into what is submitted and what is
 * saved:
 * - From is the authenticated user's address: a device that sends another
 *   address (or none) gets its From replaced, keeping its display name, so
 *   nobody can send as someone else through us. Sender is dropped for the
 *   same reason.
 * - Date and Message-ID are added when missing (RFC 5322 3.6.1, 3.6.4);
 *   the Sent copy and the recipient's copy then share one Message-ID.
 * - Bcc is removed from the transmitted message but its addresses stay in
 *   the envelope (RFC 5322 3.6.3, first method).
 */
export function prepareOutgoing(raw: Buffer, sender: Sender, now: Date = new Date()): OutgoingMessage {
  const m = splitMessage(raw);
  const fromValue = getHeader(m, 'From');
  const fromAddrs = fromValue ? addressparser(fromValue, { flatten: true }) : [];
  const own = fromAddrs.length === 1 && fromAddrs[0]!.address.toLowerCase() === sender.address.toLowerCase();
  if (!own) {
    const name = fromAddrs[0]?.name || sender.name;
    setHeader(m, 'From', formatMailbox(sender.address, name));
  }
  removeHeader(m, 'Sender');
  if (!getHeader(m, 'Date')) setHeader(m, 'Date', formatRfc5322Date(now));
  let messageId = getHeader(m, 'Message-ID');
  if (!messageId || !/^<[^<>\s]+@[^<>\s]+>$/.test(messageId)) {
    messageId = newMessageId(sender.address);
    setHeader(m, 'Message-ID', messageId);
  }
  if (!getHeader(m, 'MIME-Version')) m.fields.push({ name: 'MIME-Version', raw: 'MIME-Version: 1.0' });

  const to = recipientsOf([...getHeaders(m, 'To'), ...getHeaders(m, 'Cc'), ...getHeaders(m, 'Bcc')]);
  if (to.length === 0) throw new NoRecipientsError('the message has no To, Cc or Bcc recipient');

  const sentCopy = joinMessage(m);
  removeHeader(m, 'Bcc');
  const transmit = joinMessage(m);
  return { envelope: { from: sender.address, to }, transmit, sentCopy, messageId };
}
