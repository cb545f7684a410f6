import { isBackendError } from '../../backends/errors.ts';
import {
  MoveItemsStatus,
  buildMoveItemsResponse,
  parseMoveItemsRequest,
  type MoveItem,
  type MoveItemResult,
  type MoveItemsRequest,
} from '../../protocol/commands/move-items.ts';
import type { Services } from '../server/services.ts';
import { formatServerId } from '../sync/file-reference.ts';
import type { CollectionRef } from '../sync/state.ts';
import { extrasOf } from './compose/deps.ts';
import { resolveItem } from './fetch/resolve.ts';
import { sessionOf } from './folder-sync.ts';
import type { CommandContext, CommandHandler } from './types.ts';

/** MS-ASCMD 2.2.3.186.3 folder types that hold mail (a message cannot move into a calendar). */
const MAIL_TYPES = new Set([1, 2, 3, 4, 5, 6, 12]);

function mailFolderPath(ctx: CommandContext<Services>, id: string): string | undefined {
  const f = ctx.services.repos.folders.getByServerId(ctx.mailbox, id);
  return f && f.source === 'imap' && MAIL_TYPES.has(f.type) ? f.path : undefined;
}

/**
 * Moves one message and rewrites the device's sync state in one transaction:
 * the item leaves the source collection (so the next Sync sends no Delete for
 * it) and, when the device syncs the destination, enters it under a new
 * ServerId with the UID the server reported (COPYUID, RFC 4315), so the next
 * Sync sends no Add either. A destination the device has not synced yet gets
 * the id `<dst>:<uid>`: that collection starts from SyncKey 0 and a full
 * download anyway.
 */
async function moveOne(ctx: CommandContext<Services>, m: MoveItem): Promise<MoveItemResult> {
  const fail = (status: number): MoveItemResult => ({ srcMsgId: m.srcMsgId, status });
  const srcPath = mailFolderPath(ctx, m.srcFldId);
  if (!srcPath) return fail(MoveItemsStatus.InvalidSource);
  const item = resolveItem(ctx, m.srcMsgId, m.srcFldId);
  if (!item) return fail(MoveItemsStatus.InvalidSource);
  const dstPath = mailFolderPath(ctx, m.dstFldId);
  if (!dstPath) return fail(MoveItemsStatus.InvalidDestination);
  if (m.srcFldId === m.dstFldId || dstPath === item.path) return fail(MoveItemsStatus.SameSourceAndDestination);

  let uidMap: Map<number, number>;
  try {
    uidMap = await ctx.services.mail.move(sessionOf(ctx), item.path, [item.uid], dstPath);
  } catch (e) {
    if (isBackendError(e, 'NotFound') || isBackendError(e, 'Conflict')) return fail(MoveItemsStatus.InvalidSource);
    if (isBackendError(e, 'BackendUnavailable') || isBackendError(e, 'AuthFailed')) throw e;
    ctx.log.warn({ event: 'moveitems.failed', err: e }, 'IMAP move failed');
    return fail(MoveItemsStatus.Failed);
  }
  const newUid = uidMap.get(item.uid);
  const repo = extrasOf(ctx.services).syncState;
  const dstRef: CollectionRef = { mailbox: ctx.mailbox, deviceId: ctx.deviceId, collectionId: m.dstFldId };
  let dstMsgId: string | undefined;
  const held = item.item;
  repo.transaction(() => {
    // A search result the device never synced (SrcMsgId a LongId): no state to move; a Sync of the destination adds it.
    if (!held) return;
    repo.deleteItem(item.ref, item.serverId);
    repo.clearDirty(item.ref, item.uid);
    const dst = repo.get(dstRef);
    if (newUid === undefined) return;
    if (!dst) {
      dstMsgId = formatServerId(m.dstFldId, newUid);
      return;
    }
    const existing = repo.itemByUid(dstRef, newUid);
    if (existing) {
      dstMsgId = existing.serverId;
      return;
    }
    dstMsgId = formatServerId(m.dstFldId, dst.nextItem);
    repo.putItem(dstRef, { serverId: dstMsgId, uid: newUid, flags: held.flags, internalDate: held.internalDate });
    repo.setNextItem(dstRef, dst.nextItem + 1);
    // The device already has it; if the engine had queued the new UID as an Add, it now resolves to nothing.
    repo.clearDirty(dstRef, newUid);
  });
  ctx.log.info({ event: 'moveitems.moved', src: m.srcMsgId, dst: dstMsgId ?? null });
  // Without COPYUID the new id is unknown; the next Sync of the destination adds the message under its own id.
  return dstMsgId !== undefined
    ? { srcMsgId: m.srcMsgId, status: MoveItemsStatus.Success, dstMsgId }
    : { srcMsgId: m.srcMsgId, status: MoveItemsStatus.Success };
}

/**
 * Runs `fn` holding the sync engine's lock on each of the device's
 * collections `ids`, so that no Sync, GetItemEstimate or Ping check of the
 * source or destination runs between reading the device's items and writing
 * the moved item's new place (a Sync of the destination that detected the new
 * UID meanwhile would otherwise send it as an Add too). Locks are taken in
 * one global order (sorted ids) and Sync takes one at a time, so two holders
 * cannot wait on each other.
 */
async function underCollectionLocks<T>(ctx: CommandContext<Services>, ids: readonly string[], fn: () => Promise<T>): Promise<T> {
  const engine = ctx.services.sync;
  const sorted = [...new Set(ids)].sort();
  const run = (i: number): Promise<T> =>
    i === sorted.length ? fn() : engine.exclusive({ mailbox: ctx.mailbox, deviceId: ctx.deviceId, collectionId: sorted[i]! }, () => run(i + 1));
  return run(0);
}

/**
 * MoveItems (MS-ASCMD 2.2.1.12): IMAP MOVE (or COPY + UID EXPUNGE) of each
 * item, answered per item with the MoveItems statuses of 2.2.3.177.10
 * (1 invalid source, 2 invalid destination, 3 success, 4 same folder,
 * 5 failure) and the item's new ServerId.
 */
export const moveItemsHandler: CommandHandler<MoveItemsRequest, Services> = {
  name: 'MoveItems',
  parse: (body, ctx) => parseMoveItemsRequest(body, ctx.protocolVersion),
  async handle(ctx, req) {
    const results: MoveItemResult[] = [];
    for (const m of req.moves) results.push(await underCollectionLocks(ctx, [m.srcFldId, m.dstFldId], () => moveOne(ctx, m)));
    return { body: buildMoveItemsResponse({ results }, ctx.protocolVersion), easStatus: results.every((r) => r.status === MoveItemsStatus.Success) ? 3 : 'partial' };
  },
};
