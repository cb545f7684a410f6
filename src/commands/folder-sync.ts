import {
  buildFolderSyncResponse,
  FolderSyncStatus,
  FolderType,
  parseFolderSyncRequest,
  type FolderSyncRequest,
} from '../../protocol/commands/folder-sync.ts';
import { notesSupported } from '../../protocol/types/note.ts';
import type { Services } from '../server/services.ts';
import { StatusError } from './errors.ts';
import { currentHierarchy, diffHierarchy } from './folder-hierarchy.ts';
import type { CommandContext, CommandHandler } from './types.ts';

/** The backend session of the requesting user. */
export function sessionOf(ctx: CommandContext<Services>): { user: string; password: string } {
  return { user: ctx.mailbox, password: ctx.password };
}

/**
 * The live hierarchy for this request's mailbox, with the folder map
 * reconciled. Notes folders (10, 17) exist from 14.0 only (MS-ASNOTE 2.2.2):
 * older devices do not get them at all, rather than as mail folders whose
 * items would be note messages they cannot edit. A device that gets merged
 * address books does not get user contact folders (14).
 */
export async function hierarchyFor(ctx: CommandContext<Services>) {
  const s = ctx.services;
  const all = await currentHierarchy({ db: s.db, folders: s.repos.folders, providers: s.folderProviders, log: ctx.log }, sessionOf(ctx), ctx.mailbox);
  const notes = notesSupported(ctx.protocolVersion);
  // A client that shows one contact folder gets the other books inside the default one (src/sync/dav/book-merge.ts).
  const merging = s.contactBooks.merges(ctx.mailbox, ctx.deviceId);
  return all.filter((f) => (notes || (f.type !== FolderType.Notes && f.type !== FolderType.UserNotes)) && !s.contactBooks.hides(f, merging));
}

/**
 * FolderSync (MS-ASCMD 2.2.1.5). SyncKey 0 sends the whole hierarchy (with
 * the ServerIds the mailbox already has, so a device that starts over keeps
 * its folders); the current key sends what changed since; the previous key
 * replays the changes since it (the response was lost); anything else is
 * Status 9. A response with changes carries a new key; without changes the
 * key stays.
 */
export const folderSyncHandler: CommandHandler<FolderSyncRequest, Services> = {
  name: 'FolderSync',
  parse: (body, ctx) => parseFolderSyncRequest(body, ctx.protocolVersion),
  async handle(ctx, req) {
    const { repos, db } = ctx.services;
    const state = repos.folderSync.get(ctx.mailbox, ctx.deviceId);
    const isCurrent = state !== undefined && req.syncKey === String(state.syncKey);
    const isPrevious = state?.prevSyncKey != null && req.syncKey === String(state.prevSyncKey);
    if (req.syncKey !== '0' && !isCurrent && !isPrevious) {
      ctx.log.info({ event: 'foldersync.bad-key', syncKey: req.syncKey }, 'unknown FolderSync key');
      throw new StatusError('FolderSync', FolderSyncStatus.InvalidSyncKey);
    }
    const now = await hierarchyFor(ctx);
    const held = req.syncKey === '0' ? [] : isCurrent ? state!.snapshot : state!.prevSnapshot!;
    const changes = diffHierarchy(held, now);
    const changed = changes.adds.length + changes.updates.length + changes.deletes.length > 0;
    let syncKey: number;
    if (isCurrent && !changed) {
      syncKey = state!.syncKey;
    } else {
      syncKey = (state?.syncKey ?? 0) + 1;
      const prev = req.syncKey === '0' ? null : isCurrent ? { key: state!.syncKey, snap: state!.snapshot } : { key: state!.prevSyncKey!, snap: state!.prevSnapshot! };
      db.transaction(() =>
        repos.folderSync.save(ctx.mailbox, ctx.deviceId, {
          syncKey,
          snapshot: now,
          prevSyncKey: prev?.key ?? null,
          prevSnapshot: prev?.snap ?? null,
        }),
      )();
    }
    ctx.log.debug({ event: 'foldersync.changes', adds: changes.adds.length, updates: changes.updates.length, deletes: changes.deletes.length });
    return {
      body: buildFolderSyncResponse({ status: FolderSyncStatus.Success, syncKey: String(syncKey), changes }, ctx.protocolVersion),
      easStatus: FolderSyncStatus.Success,
    };
  },
};
