import type { MimePart } from '../../backends/types.ts';

/**
 * Which parts of a MIME tree are the body, which are attachments, and what
 * kind of message it is (MS-ASEMAIL 2.2.2.47 MessageClass). Works on the
 * normalised BODYSTRUCTURE, so bodies can be fetched by part without the
 * whole source.
 */
export interface MessageLayout {
  /** First inline text/plain leaf. */
  readonly text?: MimePart;
  /** First inline text/html leaf. */
  readonly html?: MimePart;
  /** text/calendar leaf (invitations). */
  readonly calendar?: MimePart;
  readonly attachments: readonly AttachmentPart[];
  readonly smime: 'signed' | 'encrypted' | undefined;
}

export interface AttachmentPart {
  readonly part: MimePart;
  /** Inline images of multipart/related (referenced by Content-ID from the HTML). */
  readonly inline: boolean;
  /** message/rfc822: MS-ASAIRS Method 5 (embedded message). */
  readonly embeddedMessage: boolean;
}

function isAttachmentLike(p: MimePart): boolean {
  return p.disposition === 'attachment' || p.filename !== undefined;
}

/** Reads the layout; never throws, whatever the structure. */
export function analyseLayout(root: MimePart): MessageLayout {
  const attachments: AttachmentPart[] = [];
  let smime: MessageLayout['smime'];
  if (root.type === 'multipart/signed' && /pkcs7-signature/i.test(root.params['protocol'] ?? '')) smime = 'signed';
  if (root.type === 'application/pkcs7-mime' || root.type === 'application/x-pkcs7-mime') {
    smime = /signed-data/i.test(root.params['smime-type'] ?? '') ? 'signed' : 'encrypted';
  }
  const acc: LayoutAcc = { attachments };
  walkLayout(acc, root, false, 0);
  const out: { -readonly [K in keyof MessageLayout]: MessageLayout[K] } = { attachments, smime };
  if (acc.text) out.text = acc.text;
  if (acc.html) out.html = acc.html;
  if (acc.calendar) out.calendar = acc.calendar;
  return out;
}

/** Decoded size of a part from its stored size (base64 carries 57 bytes per 78-byte line). */
export function decodedSize(p: MimePart): number {
  if (p.encoding === 'base64') return Math.floor((p.size * 57) / 78);
  return p.size;
}

/**
 * MessageClass (MS-ASEMAIL 2.2.2.47, MS-ASCMD 2.2.3.110.3 for S/MIME):
 * invitations by the iTIP METHOD of their text/calendar part (RFC 5546).
 */
export function messageClassOf(layout: MessageLayout): string {
  if (layout.smime === 'signed') return 'IPM.Note.SMIME.MultipartSigned';
  if (layout.smime === 'encrypted') return 'IPM.Note.SMIME';
  const method = (layout.calendar?.params['method'] ?? '').toUpperCase();
  if (method === 'REQUEST') return 'IPM.Schedule.Meeting.Request';
  if (method === 'CANCEL') return 'IPM.Schedule.Meeting.Canceled';
  return 'IPM.Note';
}

/** A readable name for an attachment without one. */
export function attachmentName(p: MimePart): string {
  if (p.filename) return p.filename;
  const ext: Record<string, string> = {
    'message/rfc822': 'eml',
    'text/calendar': 'ics',
    'image/png': 'png',
    'image/jpeg': 'jpg',
    'image/gif': 'gif',
    'application/pdf': 'pdf',
    'application/pkcs7-signature': 'p7s',
  };
  if (p.type === 'application/pkcs7-signature' || p.type === 'application/x-pkcs7-signature') return 'smime.p7s';
  return `attachment-${p.part}.${ext[p.type] ?? 'bin'}`;
}

interface LayoutAcc {
  text?: MimePart;
  html?: MimePart;
  calendar?: MimePart;
  readonly attachments: AttachmentPart[];
}

/** The tree walk of `analyseLayout`, a plain function so that no closure is built per message. */
function walkLayout(acc: LayoutAcc, p: MimePart, related: boolean, depth: number): void {
  if (depth > 40) return;
  if (p.children) {
    const rel = related || p.type === 'multipart/related';
    for (const c of p.children) walkLayout(acc, c, rel, depth + 1);
    return;
  }
  if (p.type === 'text/plain' && !isAttachmentLike(p) && !acc.text) {
    acc.text = p;
    return;
  }
  if (p.type === 'text/html' && !isAttachmentLike(p) && !acc.html) {
    acc.html = p;
    return;
  }
  if (p.type === 'text/calendar' && !acc.calendar) {
    acc.calendar = p;
    if (!isAttachmentLike(p)) return;
  }
  // Unnamed inline text beyond the first body (list footers) is not worth an attachment entry.
  if (p.type.startsWith('text/') && !isAttachmentLike(p)) return;
  acc.attachments.push({
    part: p,
    inline: p.disposition === 'inline' || (related && p.contentId !== undefined && p.disposition !== 'attachment'),
    embeddedMessage: p.type === 'message/rfc822',
  });
}
