import MailComposer from 'nodemailer/lib/mail-composer/index.js';
import { simpleParser } from 'mailparser';
import type { EasEmailChange } from '../../protocol/types/email.ts';

/**
 * Drafts written by 16.x devices (MS-ASEMAIL 3.1.5.3 drafts; MS-ASCMD
 * 2.2.3.7.2 Add, 2.2.3.24.2 Change): the EAS fields become an RFC 5322
 * message that the engine APPENDs to the Drafts folder. A Change rebuilds the
 * whole message from the old one plus the changed fields, since IMAP messages
 * are immutable (the new copy replaces the old under the same ServerId).
 */

/** The fields of a draft message. */
export interface DraftFields {
  from?: string;
  to?: string;
  cc?: string;
  bcc?: string;
  replyTo?: string;
  subject?: string;
  importance?: 0 | 1 | 2;
  text?: string;
  html?: string;
  attachments: { filename?: string; contentType?: string; cid?: string; content: Buffer; inline?: boolean; ref?: string }[];
}

/** Whether a Change carries draft content (not only read/flag/categories). */
export function isDraftEdit(c: EasEmailChange): boolean {
  return (
    c.to !== undefined || c.cc !== undefined || c.bcc !== undefined || c.subject !== undefined || c.body !== undefined || c.attachments !== undefined || c.replyTo !== undefined
  );
}

/** Fields of a new draft from the device's Add. */
export function draftFromChange(c: EasEmailChange, from: string | undefined): DraftFields {
  const d: DraftFields = { attachments: [] };
  return mergeDraft(from ? { ...d, from } : d, c);
}

/** `base` with the changed fields of `c` applied; attachments added and deleted by FileReference/ClientId. */
export function mergeDraft(base: DraftFields, c: EasEmailChange): DraftFields {
  const d: DraftFields = { ...base, attachments: [...base.attachments] };
  if (c.to !== undefined) d.to = c.to;
  if (c.cc !== undefined) d.cc = c.cc;
  if (c.bcc !== undefined) d.bcc = c.bcc;
  if (c.replyTo !== undefined) d.replyTo = c.replyTo;
  if (c.subject !== undefined) d.subject = c.subject;
  if (c.importance !== undefined) d.importance = c.importance;
  if (c.body) {
    delete d.text;
    delete d.html;
    if (c.body.type === 2) d.html = c.body.data ?? '';
    else d.text = c.body.data ?? '';
  }
  if (c.attachments) {
    const gone = new Set(c.attachments.delete);
    d.attachments = d.attachments.filter((a) => !a.ref || !gone.has(a.ref));
    for (const a of c.attachments.add) {
      d.attachments.push({
        content: Buffer.from(a.content),
        ...(a.displayName ? { filename: a.displayName } : {}),
        ...(a.contentType ? { contentType: a.contentType } : {}),
        ...(a.contentId ? { cid: a.contentId } : {}),
        ...(a.isInline !== undefined ? { inline: a.isInline } : {}),
      });
    }
  }
  return d;
}

/**
 * The fields of an existing draft, parsed with mailparser (charsets, encoded
 * words, attachments). `refOf(index)` names each attachment the way the
 * device saw it (its FileReference), so Delete by reference works.
 */
export async function draftFromSource(raw: Buffer, refOf: (index: number) => string | undefined): Promise<DraftFields> {
  const p = await simpleParser(raw, { skipHtmlToText: true, skipTextToHtml: true, skipImageLinks: true, skipTextLinks: true });
  const addr = (a: typeof p.to): string | undefined => (a === undefined ? undefined : Array.isArray(a) ? a.map((x) => x.text).join(', ') : a.text);
  const d: DraftFields = {
    attachments: p.attachments.map((a, i) => {
      const ref = refOf(i);
      return {
        content: a.content,
        ...(a.filename ? { filename: a.filename } : {}),
        contentType: a.contentType,
        ...(a.cid ? { cid: a.cid } : {}),
        inline: a.contentDisposition === 'inline',
        ...(ref ? { ref } : {}),
      };
    }),
  };
  const set = <K extends keyof DraftFields>(k: K, v: DraftFields[K] | undefined): void => {
    if (v !== undefined) d[k] = v;
  };
  set('from', addr(p.from));
  set('to', addr(p.to));
  set('cc', addr(p.cc));
  set('bcc', addr(p.bcc));
  set('replyTo', addr(p.replyTo));
  set('subject', p.subject);
  if (typeof p.html === 'string') d.html = p.html;
  else if (p.text !== undefined) d.text = p.text;
  return d;
}

/** RFC 5322 bytes of a draft (nodemailer's composer: encoded words, charsets, multipart as needed). */
export async function composeDraft(d: DraftFields): Promise<Buffer> {
  const composer = new MailComposer({
    ...(d.from ? { from: d.from } : {}),
    ...(d.to ? { to: d.to } : {}),
    ...(d.cc ? { cc: d.cc } : {}),
    ...(d.bcc ? { bcc: d.bcc } : {}),
    ...(d.replyTo ? { replyTo: d.replyTo } : {}),
    subject: d.subject ?? '',
    ...(d.html !== undefined ? { html: d.html } : { text: d.text ?? '' }),
    ...(d.importance === 2 ? { priority: 'high' as const } : d.importance === 0 ? { priority: 'low' as const } : {}),
    attachments: d.attachments.map((a) => ({
      content: a.content,
      ...(a.filename ? { filename: a.filename } : {}),
      ...(a.contentType ? { contentType: a.contentType } : {}),
      ...(a.cid ? { cid: a.cid } : {}),
      ...(a.inline ? { contentDisposition: 'inline' as const } : {}),
    })),
    // Keep Bcc in the stored draft: the device shows it when the draft is reopened.
    keepBcc: true,
  } as unknown as ConstructorParameters<typeof MailComposer>[0]);
  return composer.compile().build();
}
