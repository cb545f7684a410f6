import type { UserSession } from '../../backends/types.ts';
import type { FolderRow } from '../state/folders.ts';
import type { SyncEngine } from './engine.ts';

/**
 * The engine's change check in the shape Ping wants (src/commands/ping.ts
 * `PendingChangesFn`): the ids of `folders` that hold changes this device has
 * not received. A folder whose check fails counts as changed, so the device
 * syncs and meets the error where Sync can report it.
 */
export function pendingChangesFn(engine: SyncEngine) {
  return async (who: { readonly mailbox: string; readonly deviceId: string; readonly session: UserSession }, folders: readonly Pick<FolderRow, 'id'>[]): Promise<readonly number[]> => {
    const out: number[] = [];
    for (const f of folders) {
      if (!engine.collection(who.mailbox, String(f.id))) continue;
      try {
        if (await engine.hasChanges(who, String(f.id))) out.push(f.id);
      } catch {
        out.push(f.id);
      }
    }
    return out;
  };
}
