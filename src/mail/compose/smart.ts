import { simpleParser } from 'mailparser';
import type { AddressObject, Attachment, ParsedMail } from 'mailparser';
import MailComposer from 'nodemailer/lib/mail-composer';
import type { MailComposerAttachment } from 'nodemailer/lib/mail-composer';
import { getHeader, joinMessage, removeHeader, setHeader, splitMessage } from './header-block.ts';
import type { SplitMessage } from './header-block.ts';
import {
  appendToHtml,
  escapeHtml,
  forwardHeaderLines,
  htmlBodyContent,
  htmlToText,
  quoteText,
  replyAttribution,
  textToHtml,
} from './quote.ts';
import type { OriginalSummary } from './quote.ts';

/** Which smart command is composing (MS-ASCMD 2.2.1.19 SmartForward / 2.2.1.20 SmartReply). */
export type SmartKind = 'reply' | 'forward';

/** Input of `composeSmart`: the device's MIME, the original message's source, and ReplaceMime. */
export interface SmartComposeInput {
  readonly kind: SmartKind;
  /** The Mime element (14.0+) or the request body (12.x) as the device sent it. */
  readonly clientMime: Buffer;
  /** The whole RFC 822 source of the message being replied to or forwarded. */
  readonly original: Buffer;
  /**
   * MS-ASCMD 2.2.3.148 ReplaceMime: when present "the server MUST NOT include
   * the body or attachments of the original message"; the device's MIME is
   * sent as it is (threading headers are still added to a reply).
   */
  readonly replaceMime: boolean;
}

const PARSE_OPTS = {
  // Keep cid: references as they are, so that inline images of the original travel as related parts.
  skipImageLinks: true,
  skipTextToHtml: true,
  skipTextLinks: true,
} as const;

/** Content-* fields of the top level belong to the body we replace; everything else is the device's to keep. */
const BODY_FIELDS = ['Content-Type', 'Content-Transfer-Encoding', 'Content-Disposition', 'Content-ID', 'Content-Description', 'MIME-Version'];

function addressText(a: AddressObject | AddressObject[] | undefined): string | undefined {
  if (!a) return undefined;
  const list = Array.isArray(a) ? a : [a];
  const t = list.map((x) => x.text).filter(Boolean).join(', ');
  return t || undefined;
}

function summary(p: ParsedMail): OriginalSummary {
  return { from: addressText(p.from), to: addressText(p.to), cc: addressText(p.cc), date: p.date, subject: p.subject };
}

function textOf(p: ParsedMail): string {
  if (p.text) return p.text;
  return typeof p.html === 'string' ? htmlToText(p.html) : '';
}

function msgIdList(v: string | string[] | undefined): string[] {
  if (!v) return [];
  const s = Array.isArray(v) ? v.join(' ') : v;
  return s.match(/<[^<>\s]+>/g) ?? [];
}

/**
 * RFC 5322 3.6.4 threading for a reply: In-Reply-To is the original's
 * Message-ID and References its References plus that id. Devices that set
 * them already keep theirs.
 */
export function addReplyThreading(m: SplitMessage, original: { messageId?: string; references?: string | string[] }): void {
  const id = msgIdList(original.messageId)[0];
  if (!id) return;
  if (!getHeader(m, 'In-Reply-To')) setHeader(m, 'In-Reply-To', id);
  if (!getHeader(m, 'References')) {
    const refs = [...msgIdList(original.references).filter((r) => r !== id), id];
    // Fold long chains: one id per continuation line keeps every line under 998 octets.
    setHeader(m, 'References', refs.join('\r\n '));
  }
}

function toComposerAttachment(a: Attachment): MailComposerAttachment {
  return {
    content: a.content,
    contentType: a.contentType,
    filename: a.filename ?? false,
    cid: a.contentId ? a.contentId.replace(/^<|>$/g, '') : undefined,
    contentDisposition: a.contentDisposition === 'inline' ? 'inline' : 'attachment',
  };
}

function referencedCids(html: string): Set<string> {
  const out = new Set<string>();
  for (const m of html.matchAll(/cid:([^"'\s)>]+)/gi)) out.add(m[1]!.toLowerCase());
  return out;
}

/**
 * Builds the message a SmartReply or SmartForward sends (MS-ASCMD 2.2.1.19,
 * 2.2.1.20). The device's own header fields are kept byte for byte; without
 * ReplaceMime the body becomes the device's text followed by the original:
 * quoted ("> ") for a reply, under a "Forwarded message" header for a
 * forward, in plain text and, when either side has HTML, in HTML too. A
 * forward carries every attachment of the original; a reply only the inline
 * images its quoted HTML refers to. The device's own attachments are kept.
 */
export async function composeSmart(input: SmartComposeInput): Promise<Buffer> {
  const original = await simpleParser(input.original, PARSE_OPTS);
  const head = splitMessage(input.clientMime);
  if (input.kind === 'reply') addReplyThreading(head, original);
  if (input.replaceMime) return joinMessage(head);

  const client = await simpleParser(input.clientMime, PARSE_OPTS);
  const o = summary(original);
  const clientText = textOf(client).replace(/\s+$/, '');
  const origText = textOf(original).replace(/\s+$/, '');

  const introLines = input.kind === 'reply' ? [replyAttribution(o)] : forwardHeaderLines(o);
  const quotedText = input.kind === 'reply' ? quoteText(origText) : origText;
  const text = `${clientText}\n\n${introLines.join('\n')}\n${input.kind === 'forward' ? '\n' : ''}${quotedText}\n`;

  const clientHtml = typeof client.html === 'string' ? client.html : undefined;
  const origHtml = typeof original.html === 'string' ? original.html : undefined;
  let html: string | undefined;
  if (clientHtml !== undefined || origHtml !== undefined) {
    const inner = origHtml !== undefined ? htmlBodyContent(origHtml) : textToHtml(origText);
    const intro = introLines.map(escapeHtml).join('<br>\n');
    const block =
      input.kind === 'reply'
        ? `<div>${intro}</div><blockquote type="cite" style="margin:0 0 0 .8ex;border-left:1px solid #ccc;padding-left:1ex">${inner}</blockquote>`
        : `<div>${intro}</div><br>\n${inner}`;
    const base = clientHtml ?? `<html><body><div>${textToHtml(clientText)}</div></body></html>`;
    html = appendToHtml(base, `<br>\n${block}`);
  }

  const attachments: MailComposerAttachment[] = client.attachments.map(toComposerAttachment);
  if (input.kind === 'forward') {
    attachments.push(...original.attachments.map(toComposerAttachment));
  } else if (html !== undefined) {
    const cids = referencedCids(html);
    for (const a of original.attachments) {
      const cid = a.contentId?.replace(/^<|>$/g, '').toLowerCase();
      if (cid && cids.has(cid)) attachments.push(toComposerAttachment(a));
    }
  }

  const built = await new MailComposer({ text, html, attachments }).compile().build();
  const composed = splitMessage(built);
  for (const name of BODY_FIELDS) removeHeader(head, name);
  head.fields.push(...composed.fields.filter((f) => BODY_FIELDS.some((n) => n.toLowerCase() === f.name.toLowerCase())));
  return joinMessage(head, composed.body);
}
