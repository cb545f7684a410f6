/**
 * iMIP (RFC 6047): an iTIP message (RFC 5546) as mail. The message is
 * multipart/alternative of a plain-text part for people and a text/calendar
 * part whose `method` parameter equals the object's METHOD (RFC 6047 2.4),
 * which calendar clients act on. `Content-Class: urn:content-classes:
 * calendarmessage` is what Exchange and Outlook put on their own meeting
 * mail; with it Outlook shows the message as a meeting item rather than a
 * mail with an attachment.
 */
import { randomUUID } from 'node:crypto';
import { encode as base64Encode } from 'nodemailer/lib/base64';
import { encodeWords, foldLines } from 'nodemailer/lib/mime-funcs';
import { encode as qpEncode, wrap as qpWrap } from 'nodemailer/lib/qp';
import { formatMailbox, formatRfc5322Date, newMessageId } from './outgoing.ts';

/** The iTIP methods we send (RFC 5546 1.4). */
export type ItipMethod = 'REQUEST' | 'REPLY' | 'CANCEL';

/** Input of `itipMessage`. */
export interface ItipMessageInput {
  /** The sender's address: the authenticated user. */
  readonly from: string;
  readonly fromName?: string;
  readonly to: readonly string[];
  readonly subject: string;
  /** The plain-text part. */
  readonly text: string;
  /** The iTIP object (backends/caldav/itip.ts). */
  readonly ics: string;
  readonly method: ItipMethod;
  readonly date?: Date;
  /** `<id@domain>`; a new one under the sender's domain when absent or malformed. */
  readonly messageId?: string;
}

/**
 * An address as header text: a bare addr-spec with no white space, control
 * characters, brackets, quotes or separators, so that a hostile ATTENDEE or
 * ORGANIZER can neither add a header nor smuggle in another recipient.
 */
const ADDRESS = /^[^\s<>()[\]",;:\\@\u0000-\u001f\u007f]+@[^\s<>()[\]",;:\\@\u0000-\u001f\u007f]+$/;

function checkedAddress(a: string): string {
  const s = a.trim();
  if (!ADDRESS.test(s)) throw new Error(`not a mailbox address: ${JSON.stringify(a).slice(0, 80)}`);
  return s;
}

/** Header text from user data: control characters (CR, LF, TAB among them) become spaces. */
const oneLine = (s: string): string => s.replace(/[\u0000-\u001f\u007f]+/g, ' ').trim();

/** A whole header field, RFC 2047-encoded where needed and folded under 78 columns (RFC 5322 2.1.1, 2.2.3). */
function field(name: string, value: string): string {
  let v = encodeWords(value, 'Q', 52);
  // A word too long to fold would break the 998-octet line limit: encoded words can be split anywhere.
  if (/\S{900}/.test(v)) v = encodeWords(value, 'Q', 52, true);
  return foldLines(`${name}: ${v}`, 76);
}

const crlf = (s: string): string => s.replace(/\r\n|\r|\n/g, '\r\n');

const KNOWN_METHODS = new Set(['PUBLISH', 'REQUEST', 'REPLY', 'ADD', 'CANCEL', 'REFRESH', 'COUNTER', 'DECLINECOUNTER']);

/**
 * The calendar text and the `method` parameter for it. RFC 6047 2.4: the
 * parameter MUST equal the object's METHOD, so a METHOD is added when the
 * text has none, and a different one is refused, with one exception: an
 * attendee's counter-proposal is METHOD:COUNTER (RFC 5546 3.2.7), which
 * backends/caldav/itip.ts `attendeeReply` returns in place of the REPLY
 * when new times are proposed, and which travels the same way, so it is
 * labelled as what it is.
 */
function calendarPart(ics: string, method: ItipMethod): { ics: string; method: string } {
  let text = crlf(ics);
  if (!text.endsWith('\r\n')) text += '\r\n';
  const unfolded = text.replace(/\r\n[ \t]/g, '');
  const found = /^METHOD:([^\r\n]*)$/im.exec(unfolded)?.[1]?.trim().toUpperCase();
  if (!found) {
    const begin = /^BEGIN:VCALENDAR\r\n/im.exec(text);
    if (!begin) throw new Error('iTIP object without VCALENDAR');
    const at = begin.index + begin[0].length;
    return { ics: `${text.slice(0, at)}METHOD:${method}\r\n${text.slice(at)}`, method };
  }
  if (found === method || (method === 'REPLY' && found === 'COUNTER')) return { ics: text, method: found };
  throw new Error(`iTIP object has METHOD:${KNOWN_METHODS.has(found) ? found : '?'}, not ${method}`);
}

function base64Lines(data: Buffer): string {
  return (base64Encode(data).match(/.{1,76}/g) ?? []).join('\r\n');
}

/**
 * The raw RFC 5322 message carrying an iTIP object (RFC 6047): From, To,
 * Subject (RFC 2047 for non-ASCII), Date, Message-ID, and a
 * multipart/alternative body of `text` (quoted-printable) and the calendar
 * object as `text/calendar; charset=utf-8; method=...` (base64, so its CRLF
 * line ends arrive byte for byte). Lines end in CRLF. Throws when an
 * address is not a plain addr-spec or there is no recipient.
 */
export function itipMessage(o: ItipMessageInput): Buffer {
  const from = checkedAddress(o.from);
  const to = o.to.map(checkedAddress);
  if (to.length === 0) throw new Error('iTIP message without recipients');
  const cal = calendarPart(o.ics, o.method);
  const messageId = o.messageId && /^<[^<>\s]+@[^<>\s]+>$/.test(o.messageId) ? o.messageId : newMessageId(from);
  const name = o.fromName === undefined ? '' : oneLine(o.fromName);
  const boundary = `=_itip_${randomUUID().replace(/-/g, '')}`;

  const head = [
    foldLines(`From: ${formatMailbox(from, name || undefined)}`, 76),
    foldLines(`To: ${to.join(', ')}`, 76),
    field('Subject', oneLine(o.subject)),
    `Date: ${formatRfc5322Date(o.date ?? new Date())}`,
    `Message-ID: ${messageId}`,
    'MIME-Version: 1.0',
    'Content-Class: urn:content-classes:calendarmessage',
    `Content-Type: multipart/alternative;\r\n boundary="${boundary}"`,
  ];
  const body = [
    `--${boundary}`,
    'Content-Type: text/plain; charset=utf-8',
    'Content-Transfer-Encoding: quoted-printable',
    '',
    qpWrap(qpEncode(crlf(o.text)), 76),
    `--${boundary}`,
    `Content-Type: text/calendar; charset=utf-8; method=${cal.method}`,
    'Content-Transfer-Encoding: base64',
    '',
    base64Lines(Buffer.from(cal.ics, 'utf8')),
    `--${boundary}--`,
    '',
  ];
  return Buffer.from([...head, '', ...body].join('\r\n'), 'utf8');
}

const REPLY_PREFIX: Readonly<Record<string, string>> = { ACCEPTED: 'Accepted', TENTATIVE: 'Tentative', DECLINED: 'Declined' };

/** The subject Outlook gives a meeting response: 'Accepted: X', 'Tentative: X', 'Declined: X'; other PARTSTATs leave X as is. */
export function replySubject(partstat: string, summary: string): string {
  const prefix = REPLY_PREFIX[partstat.toUpperCase()];
  return prefix ? `${prefix}: ${summary}` : summary;
}
