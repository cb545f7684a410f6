import { isBackendError } from '../../../backends/errors.ts';
import type { MimePart } from '../../../backends/types.ts';
import type { Services } from '../../server/services.ts';
import { sessionOf } from '../folder-sync.ts';
import type { CommandContext } from '../types.ts';
import { resolveFileReference } from './resolve.ts';

/** An attachment opened by FileReference, ready to stream. */
export interface OpenedAttachment {
  readonly stream: NodeJS.ReadableStream;
  /** The part's MIME type, parameters dropped (AirSyncBase:ContentType, MS-ASAIRS 2.2.2.14). */
  readonly contentType: string;
}

/**
 * Opens the attachment a FileReference (MS-ASAIRS 2.2.2.24) names, through
 * the requesting device's own sync state: references of other users, other
 * devices, unknown messages or parts that no longer exist give undefined.
 */
export async function openAttachment(ctx: CommandContext<Services>, fileReference: string): Promise<OpenedAttachment | undefined> {
  const ref = resolveFileReference(ctx, fileReference);
  if (!ref) return undefined;
  const session = sessionOf(ctx);
  try {
    // IMAP answers a part that does not exist with empty data, not an error: check the structure first.
    const [msg] = await ctx.services.mail.fetch(session, ref.path, [ref.uid], { structure: true });
    const part = msg?.structure && findPart(msg.structure, ref.part);
    if (!part || part.type.startsWith('multipart/')) return undefined;
    const opened = await ctx.services.mail.openPart(session, ref.path, ref.uid, ref.part);
    return { stream: opened.stream, contentType: (opened.contentType.split(';')[0] ?? '').trim() || 'application/octet-stream' };
  } catch (e) {
    if (isBackendError(e, 'NotFound') || isBackendError(e, 'Conflict')) return undefined;
    throw e;
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

/** Thrown by `readAll` when the data exceeds its limit. */
export class DataTooLargeError extends Error {
  override readonly name = 'DataTooLargeError';
}

/** Collects a stream into memory, refusing more than `limit` bytes (destroying the stream so IMAP stops sending). */
export async function readAll(stream: NodeJS.ReadableStream, limit: number): Promise<Buffer> {
  const chunks: Buffer[] = [];
  let total = 0;
  for await (const c of stream as AsyncIterable<Buffer | string>) {
    const b = typeof c === 'string' ? Buffer.from(c) : c;
    total += b.length;
    if (total > limit) {
      (stream as NodeJS.ReadableStream & { destroy?: () => void }).destroy?.();
      throw new DataTooLargeError(`more than ${limit} bytes`);
    }
    chunks.push(b);
  }
  return Buffer.concat(chunks);
}
