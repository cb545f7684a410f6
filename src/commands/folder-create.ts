import { FolderCommandStatus, buildFolderCreateResponse, parseFolderCreateRequest, type FolderCreateRequest } from '../../protocol/commands/folder-create.ts';
import { FolderType } from '../../protocol/commands/folder-sync.ts';
import type { Services } from '../server/services.ts';
import { StatusError } from './errors.ts';
import { checkHierarchyKey, commitHierarchyChange } from './folder-state.ts';
import { hierarchyFor, sessionOf } from './folder-sync.ts';
import type { CommandHandler } from './types.ts';

/**
 * FolderCreate (MS-ASCMD 2.2.1.3) → IMAP CREATE. Mail folders only: the
 * calendar, contacts, tasks and notes types need their DAV backends
 * (Status 6 until then). The device's hierarchy key moves on by exactly its
 * own change; other pending changes stay for its next FolderSync.
 */
export const folderCreateHandler: CommandHandler<FolderCreateRequest, Services> = {
  name: 'FolderCreate',
  parse: (body, ctx) => parseFolderCreateRequest(body, ctx.protocolVersion),
  async handle(ctx, req) {
    const state = checkHierarchyKey(ctx, 'FolderCreate', req.syncKey);
    if (req.type !== FolderType.UserMail && req.type !== FolderType.UserGeneric) {
      throw new StatusError('FolderCreate', FolderCommandStatus.ServerError, `folder type ${req.type} is not supported yet`);
    }
    let parentPath: string | null = null;
    if (req.parentId !== '0') {
      const parent = ctx.services.repos.folders.getByServerId(ctx.mailbox, req.parentId);
      if (!parent || parent.source !== 'imap') throw new StatusError('FolderCreate', FolderCommandStatus.ParentNotFound);
      parentPath = parent.path;
    }
    const created = await ctx.services.mail.createFolder(sessionOf(ctx), parentPath, req.displayName);
    await hierarchyFor(ctx);
    const row = ctx.services.repos.folders.byPath(ctx.mailbox, 'imap', created.path);
    if (!row) throw new Error(`created folder ${created.path} is not in the listing`);
    const entry = { serverId: String(row.id), parentId: row.parentId === null ? '0' : String(row.parentId), displayName: row.name, type: row.type };
    const syncKey = commitHierarchyChange(ctx, state, (snap) => [...snap.filter((f) => f.serverId !== entry.serverId), entry]);
    ctx.log.info({ event: 'folder.created', serverId: entry.serverId, path: created.path });
    return {
      body: buildFolderCreateResponse({ status: FolderCommandStatus.Success, syncKey, serverId: entry.serverId }, ctx.protocolVersion),
      easStatus: FolderCommandStatus.Success,
    };
  },
};
