import { ItemOperationsStatus } from '../../../protocol/commands/item-operations.ts';
import { isBackendError } from '../../../backends/errors.ts';
import type { Services } from '../../server/services.ts';
import { sessionOf } from '../folder-sync.ts';
import type { CommandContext } from '../types.ts';

/**
 * ItemOperations EmptyFolderContents (MS-ASCMD 2.2.3.57): expunges every
 * message of a mail folder (UID EXPUNGE of exactly the UIDs listed, so mail
 * arriving meanwhile survives) and, with DeleteSubFolders (2.2.3.45), deletes
 * its subfolders deepest first. The device learns of both through its next
 * Sync and FolderSync. Returns the ItemOperations status of the operation.
 */
export async function emptyFolderContents(ctx: CommandContext<Services>, collectionId: string, deleteSubFolders: boolean): Promise<number> {
  const folders = ctx.services.repos.folders;
  const folder = folders.getByServerId(ctx.mailbox, collectionId);
  if (!folder || folder.source !== 'imap') return ItemOperationsStatus.DocumentLibraryNotFound;
  const session = sessionOf(ctx);
  const store = ctx.services.mail;
  try {
    const snap = await store.snapshot(session, folder.path);
    const uids = snap.messages.map((m) => m.uid);
    if (uids.length) await store.expunge(session, folder.path, uids);
    if (deleteSubFolders) {
      const all = folders.listActive(ctx.mailbox);
      const below = new Set<number>([folder.id]);
      // The folder map is a tree by parentId; collect descendants breadth-first.
      for (let grew = true; grew; ) {
        grew = false;
        for (const f of all) {
          if (f.parentId !== null && below.has(f.parentId) && !below.has(f.id)) {
            below.add(f.id);
            grew = true;
          }
        }
      }
      const subs = all.filter((f) => f.id !== folder.id && below.has(f.id) && f.source === 'imap');
      subs.sort((a, b) => b.path.length - a.path.length);
      for (const f of subs) await store.deleteFolder(session, f.path);
    }
    ctx.log.info({ event: 'itemops.emptied', collectionId, messages: uids.length, deleteSubFolders });
    return ItemOperationsStatus.Success;
  } catch (e) {
    if (isBackendError(e, 'NotFound')) return ItemOperationsStatus.DocumentLibraryNotFound;
    if (isBackendError(e, 'Forbidden')) return ItemOperationsStatus.AccessDenied;
    throw e;
  }
}
