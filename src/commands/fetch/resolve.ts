import type { Services } from '../../server/services.ts';
import { collectionOfServerId, parseFileReference } from '../../sync/file-reference.ts';
import type { CollectionRef, ItemRow } from '../../sync/state.ts';
import { extrasOf } from '../compose/deps.ts';
import type { CommandContext } from '../types.ts';
import { parseLongId, type LongIdTarget } from './long-id.ts';

/** A message the requesting device holds or a Search/Find result named by LongId, located on the IMAP server. */
export interface ResolvedItem {
  readonly ref: CollectionRef;
  /** The device's ServerId; for a search result the device does not hold, the LongId. */
  readonly serverId: string;
  readonly path: string;
  readonly uid: number;
  /** UIDVALIDITY the device's state was built under (null before the first sync): with the UID, names immutable content. */
  readonly uidValidity: number | null;
  /** What the device holds of it; undefined for a search result outside its synced state. */
  readonly item?: ItemRow;
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
  // Find results carry a LongId in airsync:ServerId when the device holds no item for them (src/commands/find.ts).
  if (!own) return resolveSearchResult(ctx, serverId, collectionId);
  if (collectionId !== undefined && collectionId !== own) return undefined;
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
 * A Search LongId (MS-ASCMD 2.2.3.98, src/commands/fetch/long-id.ts), or an
 * item ServerId some clients send in its place. A LongId made for another
 * mailbox, forged, or of a folder that is gone resolves to nothing.
 */
export function resolveLongId(ctx: CommandContext<Services>, longId: string, collectionId?: string): ResolvedItem | undefined {
  return collectionOfServerId(longId) ? resolveItem(ctx, longId, collectionId) : resolveSearchResult(ctx, longId, collectionId);
}

/**
 * The message a LongId names. When this device holds it (same folder, same
 * UIDVALIDITY, same UID) the answer is its own item, so that MoveItems and
 * the rest keep the device's state right; otherwise the message alone,
 * with the LongId standing in for a ServerId.
 */
function resolveSearchResult(ctx: CommandContext<Services>, longId: string, collectionId?: string): ResolvedItem | undefined {
  const t = parseLongId(ctx.mailbox, longId);
  if (!t || (collectionId !== undefined && collectionId !== String(t.folderId))) return undefined;
  const folder = ctx.services.sync.mailFolder(ctx.mailbox, String(t.folderId));
  if (!folder) return undefined;
  const ref: CollectionRef = { mailbox: ctx.mailbox, deviceId: ctx.deviceId, collectionId: String(t.folderId) };
  const held = heldItem(ctx, t);
  if (held) return { ref, serverId: held.item.serverId, path: held.path, uid: t.uid, uidValidity: t.uidValidity, item: held.item };
  return { ref, serverId: longId, path: folder.path, uid: t.uid, uidValidity: t.uidValidity };
}

/** This device's item for a message (same folder, UIDVALIDITY and UID), if it synced it. */
export function heldItem(ctx: CommandContext<Services>, t: LongIdTarget): { item: ItemRow; path: string } | undefined {
  const ref: CollectionRef = { mailbox: ctx.mailbox, deviceId: ctx.deviceId, collectionId: String(t.folderId) };
  const repo = extrasOf(ctx.services).syncState;
  const coll = repo.get(ref);
  const item = coll && coll.uidValidity === t.uidValidity ? repo.itemByUid(ref, t.uid) : undefined;
  return item && coll ? { item, path: coll.path } : undefined;
}

/** An attachment FileReference (MS-ASAIRS 2.2.2.24) resolved to its message and MIME part. */
export function resolveFileReference(ctx: CommandContext<Services>, ref: string): (ResolvedItem & { readonly part: string }) | undefined {
  const f = parseFileReference(ref);
  if (!f) {
    // Attachments of a search result the device does not hold: `<LongId>:<part>` (email-item.ts formats FileReferences from the item's id).
    const m = /^([^:]{1,64}):(\d{1,4}(?:\.\d{1,4}){0,20})$/.exec(ref);
    const item = m ? resolveSearchResult(ctx, m[1]!) : undefined;
    return item && m ? { ...item, part: m[2]! } : undefined;
  }
  const item = resolveItem(ctx, f.serverId, f.collectionId);
  return item && { ...item, part: f.part };
}
