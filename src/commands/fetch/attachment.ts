import { isBackendError } from '../../../backends/errors.ts';
import type { MimePart } from '../../../backends/types.ts';
import { perServices } from '../../server/per-services.ts';
import type { Services } from '../../server/services.ts';
import { sessionOf } from '../folder-sync.ts';
import type { CommandContext } from '../types.ts';
import type { ByteSource } from './multipart.ts';
import { resolveFileReference } from './resolve.ts';

/** An attachment opened by FileReference, ready to stream. */
export interface OpenedAttachment {
  readonly stream: NodeJS.ReadableStream;
  /** The part's MIME type, parameters dropped (AirSyncBase:ContentType, MS-ASAIRS 2.2.2.14). */
  readonly contentType: string;
}

/** An attachment found by FileReference, not opened yet: opening costs a pooled IMAP connection until drained. */
export interface LocatedAttachment {
  readonly path: string;
  readonly uid: number;
  readonly part: string;
  /** Key of the part's immutable content (mailbox, folder, UIDVALIDITY, UID, part), when the UIDVALIDITY is known. */
  readonly contentKey: string | undefined;
  /** Lower-case media type from BODYSTRUCTURE (AirSyncBase:ContentType). */
  readonly contentType: string;
  /** Content-Transfer-Encoding from BODYSTRUCTURE. */
  readonly encoding: string | undefined;
  /** Size as stored, still transfer-encoded (RFC 3501 7.4.2 body size). */
  readonly encodedSize: number;
}

/** Transfer encodings that leave the octets as they are: their stored size is the decoded size. */
const IDENTITY_ENCODINGS = new Set([undefined, '', '7bit', '8bit', 'binary']);

/**
 * Finds the attachment a FileReference (MS-ASAIRS 2.2.2.24) names, through
 * the requesting device's own sync state: references of other users, other
 * devices, unknown messages or parts that no longer exist give undefined.
 */
export async function locateAttachment(ctx: CommandContext<Services>, fileReference: string): Promise<LocatedAttachment | undefined> {
  const ref = resolveFileReference(ctx, fileReference);
  if (!ref) return undefined;
  try {
    // IMAP answers a part that does not exist with empty data, not an error: check the structure first.
    const [msg] = await ctx.services.mail.fetch(sessionOf(ctx), ref.path, [ref.uid], { structure: true });
    const part = msg?.structure && findPart(msg.structure, ref.part);
    if (!part || part.type.startsWith('multipart/')) return undefined;
    const contentKey = ref.uidValidity === null ? undefined : [ctx.mailbox, ref.path, ref.uidValidity, ref.uid, ref.part].join('\u0000');
    return { path: ref.path, uid: ref.uid, part: ref.part, contentKey, contentType: part.type || 'application/octet-stream', encoding: part.encoding, encodedSize: part.size };
  } catch (e) {
    if (isBackendError(e, 'NotFound') || isBackendError(e, 'Conflict')) return undefined;
    throw e;
  }
}

/** Streams the attachment's decoded bytes from IMAP (BINARY where the server has it). */
export async function openLocated(ctx: CommandContext<Services>, a: LocatedAttachment): Promise<NodeJS.ReadableStream> {
  return (await ctx.services.mail.openPart(sessionOf(ctx), a.path, a.uid, a.part)).stream;
}

/**
 * The attachment's decoded size, which the multipart offset table and Total
 * need before the first byte is sent. BODYSTRUCTURE only gives the encoded
 * size, exact for identity encodings; base64 and quoted-printable parts are
 * counted by streaming them once (bounded memory, twice the IMAP transfer).
 * The MailMessageStore has no BINARY.SIZE (RFC 3516) call that would answer
 * this without the transfer.
 */
export async function decodedSize(ctx: CommandContext<Services>, a: LocatedAttachment): Promise<number> {
  if (IDENTITY_ENCODINGS.has(a.encoding)) return a.encodedSize;
  const cache = sizeCacheOf(ctx.services);
  const known = a.contentKey !== undefined ? cache.get(a.contentKey) : undefined;
  if (known !== undefined) return known;
  let n = 0;
  for await (const c of (await openLocated(ctx, a)) as AsyncIterable<Buffer | string>) n += typeof c === 'string' ? Buffer.byteLength(c) : c.length;
  if (a.contentKey !== undefined) {
    if (cache.size >= SIZE_CACHE_ENTRIES) cache.delete(cache.keys().next().value!);
    cache.set(a.contentKey, n);
  }
  return n;
}

/**
 * Decoded sizes already counted. A message's content never changes under
 * one UID and UIDVALIDITY (RFC 3501 2.3.1.1), so the size stays right; it
 * spares a phone that fetches a large attachment in Range windows a full
 * count per window. Per Services object, oldest entry dropped first.
 */
const SIZE_CACHE_ENTRIES = 1024;
const sizeCacheOf = perServices(() => new Map<string, number>());

/**
 * Opens the attachment a FileReference names, ready to stream (GetAttachment);
 * undefined as for `locateAttachment`.
 */
export async function openAttachment(ctx: CommandContext<Services>, fileReference: string): Promise<OpenedAttachment | undefined> {
  const a = await locateAttachment(ctx, fileReference);
  if (!a) return undefined;
  try {
    return { stream: await openLocated(ctx, a), contentType: a.contentType };
  } catch (e) {
    if (isBackendError(e, 'NotFound') || isBackendError(e, 'Conflict')) return undefined;
    throw e;
  }
}

/**
 * Bytes `start` to `end` (inclusive) of a source: the bytes before are read
 * and dropped (IMAP partial fetches of BINARY sections would skip them on the
 * server, but the store has no ranged openPart), and the source is closed as
 * soon as the window is complete, which ends the IMAP download early.
 */
export async function* byteWindow(source: ByteSource, start: number, end: number): AsyncGenerator<Buffer> {
  let pos = 0;
  for await (const c of source) {
    const b = typeof c === 'string' ? Buffer.from(c) : c;
    const from = Math.max(start - pos, 0);
    const to = Math.min(end + 1 - pos, b.length);
    pos += b.length;
    if (to > from) yield from === 0 && to === b.length ? b : b.subarray(from, to);
    if (pos > end) return;
  }
}

function findPart(node: MimePart, id: string): MimePart | undefined {
  if (node.part === id) return node;
  for (const c of node.children ?? []) {
    const hit = findPart(c, id);
    if (hit) return hit;
  }
  return undefined;
}
