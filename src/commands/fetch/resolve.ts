import type { Services } from '../../server/services.ts';
import { collectionOfServerId, parseFileReference } from '../../sync/file-reference.ts';
import type { CollectionRef, ItemRow } from '../../sync/state.ts';
import { extrasOf } from '../compose/deps.ts';
import type { CommandContext } from '../types.ts';

/** A message the requesting device holds, located on the IMAP server. */
export interface ResolvedItem {
  readonly ref: CollectionRef;
  readonly serverId: string;
  readonly path: string;
  readonly uid: number;
  /** UIDVALIDITY the device's state was built under (null before the first sync): with the UID, names immutable content. */
  readonly uidValidity: number | null;
  readonly item: ItemRow;
}

/**
 * Finds an item ServerId (`<collectionId>:<n>`) in the requesting device's
 * own sync state (src/sync/state.ts). Ids are only meaningful per device and
 * mailbox, so an id from another user or device resolves to nothing, never
 * to someone else's message. `collectionId`, when given, must agree with the
 * id's own collection.
 */
export function resolveItem(ctx: CommandContext<Services>, serverId: string, collectionId?: string): ResolvedItem | undefined {
  const own = collectionOfServerId(serverId);
  if (!own || (collectionId !== undefined && collectionId !== own)) return undefined;
  // Mail only: calendar items, tasks and contacts have no IMAP location.
  if (!ctx.services.sync.mailFolder(ctx.mailbox, own)) return undefined;
  const ref: CollectionRef = { mailbox: ctx.mailbox, deviceId: ctx.deviceId, collectionId: own };
  const repo = extrasOf(ctx.services).syncState;
  const coll = repo.get(ref);
  if (!coll) return undefined;
  const item = repo.itemByServerId(ref, serverId);
  if (!item) return undefined;
  return { ref, serverId, path: coll.path, uid: item.uid, uidValidity: coll.uidValidity, item };
}

/**
 * Search LongIds (MS-ASCMD 2.2.3.98) are accepted when they carry an item
 * ServerId of ours; anything else names nothing this device holds.
 */
export function resolveLongId(ctx: CommandContext<Services>, longId: string): ResolvedItem | undefined {
  return resolveItem(ctx, longId);
}

/** An attachment FileReference (MS-ASAIRS 2.2.2.24) resolved to its message and MIME part. */
export function resolveFileReference(ctx: CommandContext<Services>, ref: string): (ResolvedItem & { readonly part: string }) | undefined {
  const f = parseFileReference(ref);
  if (!f) return undefined;
  const item = resolveItem(ctx, f.serverId, f.collectionId);
  return item && { ...item, part: f.part };
}
