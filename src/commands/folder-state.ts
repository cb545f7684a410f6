import { FolderCommandStatus } from '../../protocol/commands/folder-create.ts';
import type { Services } from '../server/services.ts';
import type { FolderEntry, FolderSyncState } from '../state/folder-sync-states.ts';
import { StatusError } from './errors.ts';
import type { CommandContext } from './types.ts';

/**
 * FolderCreate/Update/Delete carry the device's current hierarchy key
 * (MS-ASCMD 2.2.3.166.2..4); anything else is Status 9 and the device runs
 * FolderSync first.
 */
export function checkHierarchyKey(ctx: CommandContext<Services>, command: string, syncKey: string): FolderSyncState {
  const state = ctx.services.repos.folderSync.get(ctx.mailbox, ctx.deviceId);
  if (!state || syncKey !== String(state.syncKey)) {
    ctx.log.info({ event: 'foldersync.bad-key', syncKey }, `${command} with an unknown hierarchy key`);
    throw new StatusError(command, FolderCommandStatus.InvalidSyncKey);
  }
  return state;
}

/**
 * Records the device's own hierarchy change: a new key whose snapshot is the
 * old one with just this change applied, the old key kept as previous.
 * Returns the new key for the response.
 */
export function commitHierarchyChange(
  ctx: CommandContext<Services>,
  state: FolderSyncState,
  apply: (snapshot: readonly FolderEntry[]) => FolderEntry[],
): string {
  const { repos, db } = ctx.services;
  const syncKey = state.syncKey + 1;
  db.transaction(() =>
    repos.folderSync.save(ctx.mailbox, ctx.deviceId, {
      syncKey,
      snapshot: apply(state.snapshot),
      prevSyncKey: state.syncKey,
      prevSnapshot: state.snapshot,
    }),
  )();
  return String(syncKey);
}
