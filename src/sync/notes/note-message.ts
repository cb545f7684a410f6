import { randomUUID } from 'node:crypto';
import MailComposer from 'nodemailer/lib/mail-composer/index.js';
import { simpleParser } from 'mailparser';

/**
 * Notes as Apple Notes keeps them over IMAP: one RFC 5322 message per note
 * in a "Notes" folder, marked `X-Uniform-Type-Identifier:
 * com.apple.mail-note`, identified across edits by
 * `X-Universally-Unique-Identifier`, created at `X-Mail-Created-Date`,
 * last changed at `Date`, titled by `Subject`, with an HTML (Apple) or
 * plain-text body. IMAP messages are immutable, so an edit is a new
 * message with the same UUID and creation date that replaces the old one.
 */

export const NOTE_UTI = 'com.apple.mail-note';

/** One note as stored in IMAP. */
export interface NoteMessage {
  readonly subject: string;
  readonly html?: string;
  readonly text?: string;
  readonly uuid: string;
  readonly created: Date;
  readonly modified: Date;
}

function headerText(v: unknown): string | undefined {
  if (typeof v === 'string') return v;
  if (v && typeof v === 'object' && 'value' in v && typeof (v as { value: unknown }).value === 'string') return (v as { value: string }).value;
  return undefined;
}

function dateOf(v: unknown): Date | undefined {
  const d = v instanceof Date ? v : typeof v === 'string' ? new Date(v) : undefined;
  return d && !Number.isNaN(d.getTime()) ? d : undefined;
}

/**
 * A stored note message (any message in the Notes folder counts: one
 * without the Apple headers is a note titled by its Subject). `fallback`
 * dates it when it has no usable Date (the message's INTERNALDATE).
 */
export async function parseNote(raw: Buffer, fallback: Date): Promise<NoteMessage> {
  const p = await simpleParser(raw, { skipHtmlToText: true, skipTextToHtml: true, skipImageLinks: true, skipTextLinks: true });
  const modified = dateOf(p.date) ?? fallback;
  const created = dateOf(headerText(p.headers.get('x-mail-created-date'))) ?? modified;
  const uuid = headerText(p.headers.get('x-universally-unique-identifier'))?.trim() ?? '';
  return {
    subject: p.subject ?? '',
    ...(typeof p.html === 'string' ? { html: p.html } : p.text !== undefined ? { text: p.text } : {}),
    uuid,
    created,
    modified,
  };
}

/** Fields of a note to write; a new note gets a fresh UUID and creation date. */
export interface NoteFields {
  readonly subject: string;
  readonly html?: string;
  readonly text?: string;
  readonly uuid?: string;
  readonly created?: Date;
  readonly modified: Date;
  readonly from?: string;
}

/** RFC 5322 bytes of a note, with the headers Apple Notes reads (UTF-8, encoded words where needed). */
export async function composeNote(n: NoteFields): Promise<Buffer> {
  const uuid = n.uuid || randomUUID().toUpperCase();
  const created = n.created ?? n.modified;
  const composer = new MailComposer({
    ...(n.from ? { from: n.from } : {}),
    subject: n.subject,
    date: n.modified,
    ...(n.html !== undefined ? { html: n.html } : { text: n.text ?? '' }),
    headers: {
      'X-Uniform-Type-Identifier': NOTE_UTI,
      'X-Universally-Unique-Identifier': uuid,
      'X-Mail-Created-Date': created.toUTCString(),
    },
  } as unknown as ConstructorParameters<typeof MailComposer>[0]);
  return composer.compile().build();
}
