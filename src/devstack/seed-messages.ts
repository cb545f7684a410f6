/**
 * Deterministic generator of varied mail for tests and the demo: plain, HTML,
 * multipart/alternative, attachments, inline images (multipart/related with
 * Content-ID), RFC 2047 headers, legacy charsets, quoted-printable and base64
 * bodies, S/MIME multipart/signed (RFC 8551), an iMIP meeting request
 * (RFC 6047) and a reply thread (RFC 5322 3.6.4). Same seed, same bytes.
 */
import { encodeCharset, encodeWord, type SeedCharset } from './seed-charsets.ts';
import { leaf, message, multipart, rfc5322Date, type MimeEntity } from './seed-mime.ts';

/** The structural kind of a generated message (tests pick messages by kind). */
export type SeedKind =
  | 'plain'
  | 'html'
  | 'alternative'
  | 'attachments'
  | 'inline-image'
  | 'latin1'
  | 'cp1252'
  | 'koi8r'
  | 'iso2022jp'
  | 'quoted-printable'
  | 'base64'
  | 'smime'
  | 'meeting'
  | 'thread';

/** One generated message, ready for IMAP APPEND. */
export interface SeedMessage {
  readonly kind: SeedKind;
  readonly raw: Buffer;
  /** The subject as a reader sees it (decoded). */
  readonly subject: string;
  readonly messageId: string;
  readonly date: Date;
  readonly flags: readonly string[];
}

export interface GenerateOptions {
  readonly count: number;
  /** PRNG seed (default 1). */
  readonly seed?: number;
  /** Newest message date (default: today 12:00 UTC, so a day's runs agree). */
  readonly now?: Date;
  /** Mailbox owner: the To of received mail. */
  readonly owner?: string;
  /** Spread of dates backwards from `now`, in days (default 90). */
  readonly days?: number;
}

/** mulberry32: tiny, fast, good enough for test data. */
export function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** A 1x1 PNG, small and valid (image viewers and thumbnailers accept it). */
export const TINY_PNG = Buffer.from('iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8DwHwAFBQIAX8jx0gAAAABJRU5ErkJggg==', 'base64');

const PEOPLE = [
  ['Maria Schmidt', 'maria.schmidt@example.test'],
  ['John Carter', 'john.carter@example.test'],
  ['Yuki Tanaka', 'yuki.tanaka@example.test'],
  ['Иван Петров', 'ivan.petrov@example.test'],
  ['François Dubois', 'francois.dubois@example.test'],
  ['Priya Natarajan', 'priya@example.test'],
] as const;

const TOPICS = ['Quarterly report', 'Lunch on Friday', 'Build is broken', 'Invoice 2024-117', 'Holiday plans', 'Design review', 'Server maintenance', 'Welcome aboard', 'Weekly sync notes', 'Travel booking'];

const KINDS: readonly SeedKind[] = ['plain', 'html', 'alternative', 'attachments', 'inline-image', 'latin1', 'cp1252', 'koi8r', 'iso2022jp', 'quoted-printable', 'base64', 'smime', 'meeting', 'thread'];

/** Display name in the message's charset when it fits (as old clients wrote it), else UTF-8. */
function addr(name: string, email: string, charset: SeedCharset = 'utf-8'): string {
  if (/^[\x20-\x7e]*$/.test(name)) return `"${name}" <${email}>`;
  let word: string;
  try {
    word = encodeWord(name, charset);
  } catch {
    word = encodeWord(name, 'utf-8');
  }
  return `${word} <${email}>`;
}

interface Ctx {
  readonly rnd: () => number;
  readonly owner: string;
  readonly i: number;
  readonly date: Date;
  readonly id: string;
}

function pick<T>(rnd: () => number, xs: readonly T[]): T {
  return xs[Math.floor(rnd() * xs.length)]!;
}

function textPart(text: string, charset: SeedCharset, encoding: 'quoted-printable' | 'base64' | '8bit' | '7bit' = '8bit'): MimeEntity {
  return leaf(`text/plain; charset=${charset}`, encodeCharset(text, charset), encoding);
}

function htmlPart(html: string, encoding: 'quoted-printable' | 'base64' = 'quoted-printable'): MimeEntity {
  return leaf('text/html; charset=utf-8', Buffer.from(html, 'utf8'), encoding);
}

/** Builds the entity and the (decoded) subject of one kind. */
function body(kind: SeedKind, c: Ctx, topic: string, sender: string): { subject: string; charset: SeedCharset; entity: MimeEntity } {
  const para = `Hello,\n\nthis is message ${c.i + 1} about "${topic}".\nBest regards,\n${sender}\n`;
  switch (kind) {
    case 'plain':
      return { subject: topic, charset: 'utf-8', entity: textPart(`${para}\nÜmlauts and emoji: Grüße 👋\n`, 'utf-8') };
    case 'html':
      return { subject: `${topic} (HTML)`, charset: 'utf-8', entity: htmlPart(`<html><body><h1>${topic}</h1><p>This is <b>HTML-only</b> mail number ${c.i + 1}.</p><p style="color:#c00">Grüße, ${sender}</p></body></html>`) };
    case 'alternative':
      return {
        subject: `${topic} — both formats`,
        charset: 'utf-8',
        entity: multipart('alternative', [textPart(para, 'utf-8', 'quoted-printable'), htmlPart(`<html><body><p>Hello,</p><p>this is message <i>${c.i + 1}</i> about <b>${topic}</b>.</p></body></html>`)], `${c.id}a`),
      };
    case 'attachments':
      return {
        subject: `${topic}: documents attached`,
        charset: 'utf-8',
        entity: multipart(
          'mixed',
          [
            textPart(`${para}\nSee the three attachments.\n`, 'utf-8'),
            leaf('application/pdf; name="report.pdf"', Buffer.from(`%PDF-1.4\n% seed ${c.i}\n1 0 obj <<>> endobj\ntrailer <<>>\n%%EOF\n`, 'latin1'), 'base64', [['Content-Disposition', 'attachment; filename="report.pdf"']]),
            leaf('text/csv; charset=utf-8; name="numbers.csv"', Buffer.from('month,amount\nJan,100\nFeb,120\n', 'utf8'), 'quoted-printable', [['Content-Disposition', 'attachment; filename="numbers.csv"']]),
            // RFC 2231 filename with non-ASCII characters.
            leaf('application/vnd.openxmlformats-officedocument.wordprocessingml.document', Buffer.concat([Buffer.from('PK\x03\x04', 'latin1'), Buffer.alloc(512, c.i & 0xff)]), 'base64', [['Content-Disposition', "attachment; filename*=UTF-8''%C3%9Cbersicht%20Q3.docx"]]),
          ],
          `${c.id}m`,
        ),
      };
    case 'inline-image': {
      const cid = `logo.${c.id}@seed.example.test`;
      return {
        subject: `${topic} with inline image`,
        charset: 'utf-8',
        entity: multipart(
          'related',
          [htmlPart(`<html><body><p>Our logo:</p><img src="cid:${cid}" alt="logo" width="16" height="16"><p>${topic}</p></body></html>`), leaf('image/png; name="logo.png"', TINY_PNG, 'base64', [['Content-ID', `<${cid}>`], ['Content-Disposition', 'inline; filename="logo.png"']])],
          `${c.id}r`,
          '; type="text/html"',
        ),
      };
    }
    case 'latin1':
      return { subject: 'Grüße aus Köln: Straßenfest', charset: 'iso-8859-1', entity: textPart('Hallo,\n\nwir laden Sie herzlich zum Straßenfest in Köln ein. Bitte bestätigen Sie bis Freitag.\n\nMit freundlichen Grüßen\nJürgen Müller\n', 'iso-8859-1') };
    case 'cp1252':
      return { subject: 'Price list “2024” – 50 € off', charset: 'windows-1252', entity: textPart('Dear customer,\n\n“Special offer” – everything now costs 50 € less… Don’t miss it™.\n', 'windows-1252', 'quoted-printable') };
    case 'koi8r':
      return { subject: 'Привет из Москвы', charset: 'koi8-r', entity: textPart('Здравствуйте!\n\nЭто тестовое письмо в кодировке КОИ-8. Ёлка уже стоит.\n\nС уважением,\nИван\n', 'koi8-r') };
    case 'iso2022jp':
      return { subject: 'かいぎのおしらせ「テスト」', charset: 'iso-2022-jp', entity: textPart('こんにちは。\nあしたのかいぎは、じゅうじからです。\nよろしくおねがいします。\nタナカ\n', 'iso-2022-jp', '7bit') };
    case 'quoted-printable':
      return { subject: `${topic} (quoted-printable)`, charset: 'utf-8', entity: textPart(`${para}\nA long line that must be soft-wrapped by the quoted-printable encoder because it is far longer than seventy-six characters, with = signs and tabs\tand trailing space \n`, 'utf-8', 'quoted-printable') };
    case 'base64':
      return { subject: `${topic} (base64 body)`, charset: 'utf-8', entity: textPart(`${para}\nThis text/plain body is base64-encoded. Ça marche.\n`, 'utf-8', 'base64') };
    case 'smime': {
      // Structurally a real multipart/signed; the signature bytes are
      // deterministic filler and do not verify (clients show it as unverified).
      const sig = Buffer.alloc(256);
      for (let k = 0; k < sig.length; k++) sig[k] = Math.floor(c.rnd() * 256);
      return {
        subject: `Signed: ${topic}`,
        charset: 'utf-8',
        entity: multipart(
          'signed',
          [textPart(`${para}\nThis message is S/MIME signed.\n`, 'utf-8', 'quoted-printable'), leaf('application/pkcs7-signature; name="smime.p7s"', sig, 'base64', [['Content-Disposition', 'attachment; filename="smime.p7s"']])],
          `${c.id}s`,
          '; protocol="application/pkcs7-signature"; micalg=sha-256',
        ),
      };
    }
    case 'meeting': {
      const start = new Date(c.date.getTime() + 3 * 86_400_000);
      const ics = (d: Date): string => d.toISOString().replace(/[-:]/g, '').replace(/\.\d{3}/, '');
      const cal = ['BEGIN:VCALENDAR', 'PRODID:-//eas-server seed//EN', 'VERSION:2.0', 'METHOD:REQUEST', 'BEGIN:VEVENT', `UID:meeting-${c.id}@seed.example.test`, `DTSTAMP:${ics(c.date)}`, `DTSTART:${ics(start)}`, `DTEND:${ics(new Date(start.getTime() + 3_600_000))}`, `SUMMARY:${topic}`, 'LOCATION:Room 4.12', 'ORGANIZER;CN=Maria Schmidt:mailto:maria.schmidt@example.test', `ATTENDEE;ROLE=REQ-PARTICIPANT;PARTSTAT=NEEDS-ACTION;RSVP=TRUE:mailto:${c.owner}`, 'SEQUENCE:0', 'END:VEVENT', 'END:VCALENDAR', ''].join('\r\n');
      return {
        subject: `Invitation: ${topic}`,
        charset: 'utf-8',
        entity: multipart('alternative', [textPart(`You are invited to "${topic}".\n`, 'utf-8'), leaf('text/calendar; charset=utf-8; method=REQUEST', Buffer.from(cal, 'utf8'), '8bit')], `${c.id}c`),
      };
    }
    case 'thread':
      return { subject: topic, charset: 'utf-8', entity: textPart(para, 'utf-8') };
  }
}

function flagsFor(rnd: () => number, kind: SeedKind): string[] {
  const f: string[] = [];
  if (rnd() < 0.65) f.push('\\Seen');
  if (rnd() < 0.12) f.push('\\Flagged');
  if (rnd() < 0.06) f.push('$Forwarded');
  if (rnd() < 0.06) f.push('Important');
  if (kind === 'smime' && !f.includes('\\Flagged')) f.push('\\Flagged');
  return f;
}

/** Generates `count` messages, oldest first (so UIDs follow dates when appended in order). */
export function generateMessages(opts: GenerateOptions): SeedMessage[] {
  const rnd = prng(opts.seed ?? 1);
  const now = opts.now ?? new Date(new Date().toISOString().slice(0, 10) + 'T12:00:00Z');
  const owner = opts.owner ?? 'alice@example.test';
  const spanMs = (opts.days ?? 90) * 86_400_000;
  const out: SeedMessage[] = [];
  let threadRoot: { id: string; subject: string; refs: string[] } | undefined;
  let threadLeft = 0;
  for (let i = 0; i < opts.count; i++) {
    // Newest last; evenly spread with jitter so FilterType windows hold some mail.
    const age = ((opts.count - 1 - i) / Math.max(1, opts.count - 1)) * spanMs;
    const date = new Date(Math.floor((now.getTime() - age - rnd() * 3_600_000) / 1000) * 1000);
    let kind = KINDS[i % KINDS.length]!;
    if (threadLeft > 0) kind = 'thread';
    const id = `seed${opts.seed ?? 1}.${i}`;
    const messageId = `<${id}@seed.example.test>`;
    const [name, email] = pick(rnd, PEOPLE);
    const topic = pick(rnd, TOPICS);
    const c: Ctx = { rnd, owner, i, date, id };
    const { subject, charset, entity } = body(kind, c, topic, name);
    const top: [string, string][] = [
      ['Date', rfc5322Date(date)],
      ['From', addr(name, email, charset)],
      ['To', addr('Mailbox Owner', owner)],
      ['Message-ID', messageId],
    ];
    let subj = subject;
    if (kind === 'thread') {
      if (!threadRoot) {
        threadRoot = { id: messageId, subject: topic, refs: [messageId] };
        threadLeft = 2;
      } else {
        subj = `Re: ${threadRoot.subject}`;
        top.push(['In-Reply-To', threadRoot.refs[threadRoot.refs.length - 1]!], ['References', threadRoot.refs.join(' ')]);
        threadRoot.refs.push(messageId);
        threadLeft--;
      }
    }
    if (i % 7 === 3) top.push(['Cc', `${addr('John Carter', 'john.carter@example.test')}, ${addr('Priya Natarajan', 'priya@example.test')}`]);
    top.push(['Subject', encodeWord(subj, charset)]);
    const flags = flagsFor(rnd, kind);
    // The thread's earlier messages have been answered.
    if (kind === 'thread' && threadLeft > 0) flags.push('\\Answered');
    out.push({ kind, raw: message(top, entity), subject: subj, messageId, date, flags });
  }
  return out;
}

/**
 * A message with one attachment of about `sizeBytes` (deterministic bytes),
 * for ItemOperations / SendMail size tests. The raw message is ~4/3 larger
 * (base64).
 */
export function bigAttachmentMessage(sizeBytes: number, opts: { from?: string; to?: string; subject?: string; date?: Date; filename?: string } = {}): Buffer {
  const rnd = prng(sizeBytes);
  const data = Buffer.alloc(sizeBytes);
  let k = 0;
  for (; k + 4 <= sizeBytes; k += 4) data.writeUInt32LE(Math.floor(rnd() * 0x100000000), k);
  for (; k < sizeBytes; k++) data[k] = Math.floor(rnd() * 256);
  const fn = opts.filename ?? 'big.bin';
  const entity = multipart(
    'mixed',
    [textPart(`Attached: ${fn} (${sizeBytes} bytes).\n`, 'utf-8', '7bit'), leaf(`application/octet-stream; name="${fn}"`, data, 'base64', [['Content-Disposition', `attachment; filename="${fn}"`]])],
    `big${sizeBytes}`,
  );
  return message(
    [
      ['Date', rfc5322Date(opts.date ?? new Date())],
      ['From', opts.from ?? 'sender@example.test'],
      ['To', opts.to ?? 'alice@example.test'],
      ['Message-ID', `<big.${sizeBytes}@seed.example.test>`],
      ['Subject', opts.subject ?? `Big attachment ${sizeBytes} bytes`],
    ],
    entity,
  );
}
