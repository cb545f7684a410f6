import { FolderCommandStatus } from '../../protocol/commands/folder-create.ts';
import { buildFolderDeleteResponse, parseFolderDeleteRequest, type FolderDeleteRequest } from '../../protocol/commands/folder-delete.ts';
import type { Services } from '../server/services.ts';
import { StatusError } from './errors.ts';
import { isSpecialFolderType, subtreeIds } from './folder-hierarchy.ts';
import { checkHierarchyKey, commitHierarchyChange } from './folder-state.ts';
import { hierarchyFor, sessionOf } from './folder-sync.ts';
import { deleteDavFolder } from './dav-folders.ts';
import type { CommandHandler } from './types.ts';

/**
 * FolderDelete (MS-ASCMD 2.2.1.4) → IMAP DELETE of the folder and its
 * subfolders, DAV DELETE of a calendar, task list or address book.
 * Default folders are Status 3, unknown ids Status 4.
 */
export const folderDeleteHandler: CommandHandler<FolderDeleteRequest, Services> = {
  name: 'FolderDelete',
  parse: (body, ctx) => parseFolderDeleteRequest(body, ctx.protocolVersion),
  async handle(ctx, req) {
    const state = checkHierarchyKey(ctx, 'FolderDelete', req.syncKey);
    const folder = ctx.services.repos.folders.getByServerId(ctx.mailbox, req.serverId);
    const dav = ctx.services.dav;
    if (!folder || (folder.source !== 'imap' && !dav)) throw new StatusError('FolderDelete', FolderCommandStatus.NotFound);
    if (isSpecialFolderType(folder.type)) throw new StatusError('FolderDelete', FolderCommandStatus.SpecialFolder);
    if (folder.source === 'imap') await ctx.services.mail.deleteFolder(sessionOf(ctx), folder.path);
    else if (!(await deleteDavFolder(dav!, sessionOf(ctx), folder, ctx.services.repos.folders.listActive(ctx.mailbox)))) {
      throw new StatusError('FolderDelete', FolderCommandStatus.ServerError, 'the collection is also another folder (calendar and tasks): not deleted');
    }
    await hierarchyFor(ctx);
    const syncKey = commitHierarchyChange(ctx, state, (snap) => {
      const gone = subtreeIds(snap, req.serverId);
      return snap.filter((f) => !gone.has(f.serverId));
    });
    ctx.log.info({ event: 'folder.deleted', serverId: req.serverId, path: folder.path });
    return { body: buildFolderDeleteResponse({ status: FolderCommandStatus.Success, syncKey }, ctx.protocolVersion), easStatus: 1 };
  },
};
