/**
 * What replay sends where a capture says "[redacted N bytes]" (redact.ts of
 * the recorder): text of the same size, so that size limits, truncation and
 * windowing behave as they did. MIME (ComposeMail:Mime, a 12.x SendMail
 * body) gets a well-formed message from and to the replaying user, padded
 * to the size, because a server parses it and would refuse filler text;
 * replay thereby never mails anyone but the replaying user, or the address
 * the tester gave with --mail-to.
 */
import type { WbxmlElement } from '../../../protocol/wbxml/tree.ts';
import type { OwnerMap } from './identity.ts';

/** The recorder's marker, e.g. "[redacted 1532 bytes]". */
export const REDACTED = /^\[redacted (\d+) bytes\]$/;

const FILLER = 'eas-replay placeholder text. ';
/** Where a replay sends mail when it does not know the user's address: a reserved domain (RFC 2606). */
const NOBODY = 'eas-replay@example.invalid';

function filler(size: number): string {
  if (size <= 0) return '';
  return FILLER.repeat(Math.ceil(size / FILLER.length)).slice(0, size);
}

/** A small RFC 5322 message padded to about `size` bytes (never below its headers). */
export function placeholderMime(size: number, owner: OwnerMap): string {
  const from = owner.replaying ?? NOBODY;
  const head = [
    `From: ${from}`,
    `To: ${owner.mailTo ?? from}`,
    'Subject: eas-replay placeholder',
    `Date: ${new Date().toUTCString().replace('GMT', '+0000')}`,
    `Message-ID: <${Date.now().toString(36)}.${Math.random().toString(36).slice(2)}@eas-replay.invalid>`,
    'MIME-Version: 1.0',
    'Content-Type: text/plain; charset=utf-8',
    '',
    '',
  ].join('\r\n');
  return head + filler(Math.max(0, size - head.length - 2)) + '\r\n';
}

const MIME_ELEMENTS = new Set(['ComposeMail:Mime']);

/** Placeholder content for a redacted element of the given size. */
export function placeholderFor(e: WbxmlElement, size: number, owner: OwnerMap): string {
  if (MIME_ELEMENTS.has(`${e.ns}:${e.name}`)) return placeholderMime(size, owner);
  return filler(size);
}
