import * as crypto from 'node:crypto';

/**
 * ConversationId and ConversationIndex (MS-ASEMAIL 2.2.2.14, 2.2.2.15; 14.0+)
 * derived from RFC 5322 thread headers, since IMAP servers have no
 * conversation ids of their own.
 */

/** The first Message-ID of a thread: first of References, else In-Reply-To, else the message's own. */
export function threadRoot(h: { references?: string; inReplyTo?: string; messageId?: string; subject?: string }): string {
  const refs = h.references?.match(/<[^<>\s]+>/g);
  if (refs && refs.length) return refs[0]!.toLowerCase();
  const irt = h.inReplyTo?.match(/<[^<>\s]+>/);
  if (irt) return irt[0].toLowerCase();
  if (h.messageId) return h.messageId.trim().toLowerCase();
  // No ids at all: group by the subject without reply prefixes.
  return `subject:${(h.subject ?? '').replace(/^\s*((re|aw|fw|fwd|wg|sv|vs)\s*(\[\d+\])?\s*:\s*)+/i, '').trim().toLowerCase()}`;
}

/** 16 bytes naming the thread: every message of it gets the same value. */
export function conversationId(root: string): Uint8Array {
  // One-shot crypto.hash (Node 20.12+) skips building a Hash object per message of a window.
  const digest = oneShotHash ? oneShotHash('md5', root, 'buffer') : crypto.createHash('md5').update(root).digest();
  return new Uint8Array(digest);
}

const oneShotHash = (crypto as { hash?: (alg: string, data: string, enc: 'buffer') => Buffer }).hash;

/**
 * ConversationIndex: a 22-byte header (one reserved byte, five bytes of the
 * FILETIME of the thread start, 16 bytes of the conversation GUID) followed by
 * one 5-byte child block per reply level, as Exchange lays it out. We know
 * the date of the message, not of the thread start, so the header carries the
 * message date; phones use the index only to order within a conversation.
 */
export function conversationIndex(id: Uint8Array, date: Date, depth: number): Uint8Array {
  const out = new Uint8Array(22 + 5 * Math.min(depth, 50));
  // FILETIME: 100 ns ticks since 1601-01-01.
  const ms = date.getTime() + 11_644_473_600_000;
  out[0] = 0x01;
  if (ms >= 0 && ms < 2 ** 44) {
    // ticks = ms * 10^4 split into 32-bit halves, exact in doubles, without a BigInt per message.
    const lo = (ms % 2 ** 32) * 10_000;
    const hi = Math.floor(ms / 2 ** 32) * 10_000 + Math.floor(lo / 2 ** 32);
    out[1] = (hi >>> 24) & 0xff;
    out[2] = (hi >>> 16) & 0xff;
    out[3] = (hi >>> 8) & 0xff;
    out[4] = hi & 0xff;
    out[5] = ((lo % 2 ** 32) >>> 24) & 0xff;
  } else {
    const ticks = (BigInt(date.getTime()) + 11_644_473_600_000n) * 10_000n;
    for (let i = 0; i < 5; i++) out[1 + i] = Number((ticks >> BigInt(56 - 8 * i)) & 0xffn);
  }
  out.set(id.subarray(0, 16), 6);
  return out;
}

/** Reply depth: the number of Message-IDs in References. */
export function replyDepth(references: string | undefined): number {
  return references?.match(/<[^<>\s]+>/g)?.length ?? 0;
}
