import { FolderCommandStatus } from '../../protocol/commands/folder-create.ts';
import { buildFolderUpdateResponse, parseFolderUpdateRequest, type FolderUpdateRequest } from '../../protocol/commands/folder-update.ts';
import type { Services } from '../server/services.ts';
import { StatusError } from './errors.ts';
import { isSpecialFolderType } from './folder-hierarchy.ts';
import { checkHierarchyKey, commitHierarchyChange } from './folder-state.ts';
import { hierarchyFor, sessionOf } from './folder-sync.ts';
import { renameDavFolder } from './dav-folders.ts';
import type { CommandHandler } from './types.ts';

/**
 * FolderUpdate (MS-ASCMD 2.2.1.6) → IMAP RENAME: rename and/or move. The
 * folder keeps its ServerId (the map follows the new path, children
 * included). DAV folders → PROPPATCH displayname. Default folders are
 * Status 3.
 */
export const folderUpdateHandler: CommandHandler<FolderUpdateRequest, Services> = {
  name: 'FolderUpdate',
  parse: (body, ctx) => parseFolderUpdateRequest(body, ctx.protocolVersion),
  async handle(ctx, req) {
    const { repos, db } = ctx.services;
    const state = checkHierarchyKey(ctx, 'FolderUpdate', req.syncKey);
    const folder = repos.folders.getByServerId(ctx.mailbox, req.serverId);
    const dav = ctx.services.dav;
    if (!folder || (folder.source !== 'imap' && !dav)) throw new StatusError('FolderUpdate', FolderCommandStatus.NotFound);
    if (isSpecialFolderType(folder.type)) throw new StatusError('FolderUpdate', FolderCommandStatus.SpecialFolder);
    if (folder.source !== 'imap') {
      // DAV collections are flat and keep their href: only the display name changes.
      await renameDavFolder(dav!, sessionOf(ctx), folder, req.displayName);
      await hierarchyFor(ctx);
      const syncKey = commitHierarchyChange(ctx, state, (snap) => snap.map((f) => (f.serverId === req.serverId ? { ...f, displayName: req.displayName } : f)));
      ctx.log.info({ event: 'folder.updated', serverId: req.serverId, path: folder.path });
      return { body: buildFolderUpdateResponse({ status: FolderCommandStatus.Success, syncKey }, ctx.protocolVersion), easStatus: 1 };
    }
    let parentPath: string | null = null;
    let parentId: number | null = null;
    if (req.parentId !== '0') {
      const parent = repos.folders.getByServerId(ctx.mailbox, req.parentId);
      if (!parent || parent.source !== 'imap') throw new StatusError('FolderUpdate', FolderCommandStatus.ParentNotFound);
      parentPath = parent.path;
      parentId = parent.id;
    }
    const renamed = await ctx.services.mail.renameFolder(sessionOf(ctx), folder.path, parentPath, req.displayName);
    // Move the map before listing again, so that the folder and its children keep their ids
    // even on servers where UIDVALIDITY does not survive RENAME.
    db.transaction(() => {
      const oldPrefix = folder.path + renamed.delimiter;
      for (const r of repos.folders.listActive(ctx.mailbox)) {
        if (r.source === 'imap' && r.path.startsWith(oldPrefix)) {
          repos.folders.update(ctx.mailbox, r.id, { ...r, path: renamed.path + renamed.delimiter + r.path.slice(oldPrefix.length) });
        }
      }
      repos.folders.update(ctx.mailbox, folder.id, { ...folder, path: renamed.path, parentId, name: renamed.name });
    })();
    await hierarchyFor(ctx);
    const row = repos.folders.get(ctx.mailbox, folder.id);
    const syncKey = commitHierarchyChange(ctx, state, (snap) =>
      snap.map((f) =>
        f.serverId === req.serverId && row
          ? { ...f, parentId: row.parentId === null ? '0' : String(row.parentId), displayName: row.name }
          : f,
      ),
    );
    ctx.log.info({ event: 'folder.updated', serverId: req.serverId, path: renamed.path });
    return { body: buildFolderUpdateResponse({ status: FolderCommandStatus.Success, syncKey }, ctx.protocolVersion), easStatus: 1 };
  },
};
