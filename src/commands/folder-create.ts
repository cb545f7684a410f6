import { FolderCommandStatus, buildFolderCreateResponse, parseFolderCreateRequest, type FolderCreateRequest } from '../../protocol/commands/folder-create.ts';
import { FolderType } from '../../protocol/commands/folder-sync.ts';
import type { Services } from '../server/services.ts';
import { StatusError } from './errors.ts';
import { checkHierarchyKey, commitHierarchyChange } from './folder-state.ts';
import { hierarchyFor, sessionOf } from './folder-sync.ts';
import type { FolderSource } from '../state/folders.ts';
import { createDavFolder } from './dav-folders.ts';
import type { CommandContext, CommandHandler } from './types.ts';

/**
 * FolderCreate (MS-ASCMD 2.2.1.3) → IMAP CREATE for mail folders (12, 1),
 * MKCALENDAR for calendars (13) and task lists (15), extended MKCOL for
 * address books (14) when the DAV server is configured (src/commands/
 * dav-folders.ts; DAV folders are flat: they are made at the top level
 * whatever the ParentId). Other types are Status 6. The device's hierarchy
 * key moves on by exactly its own change; other pending changes stay for
 * its next FolderSync.
 */
export const folderCreateHandler: CommandHandler<FolderCreateRequest, Services> = {
  name: 'FolderCreate',
  parse: (body, ctx) => parseFolderCreateRequest(body, ctx.protocolVersion),
  async handle(ctx, req) {
    const state = checkHierarchyKey(ctx, 'FolderCreate', req.syncKey);
    const created = await create(ctx, req);
    await hierarchyFor(ctx);
    const row = ctx.services.repos.folders.byPath(ctx.mailbox, created.source, created.path);
    if (!row) throw new Error(`created folder ${created.path} is not in the listing`);
    const entry = { serverId: String(row.id), parentId: row.parentId === null ? '0' : String(row.parentId), displayName: row.name, type: row.type };
    const syncKey = commitHierarchyChange(ctx, state, (snap) => [...snap.filter((f) => f.serverId !== entry.serverId), entry]);
    ctx.log.info({ event: 'folder.created', serverId: entry.serverId, path: created.path, type: entry.type });
    return {
      body: buildFolderCreateResponse({ status: FolderCommandStatus.Success, syncKey, serverId: entry.serverId }, ctx.protocolVersion),
      easStatus: FolderCommandStatus.Success,
    };
  },
};

async function create(ctx: CommandContext<Services>, req: FolderCreateRequest): Promise<{ source: FolderSource; path: string }> {
  const dav = ctx.services.dav;
  if (dav && DAV_TYPES.has(req.type)) {
    const made = await createDavFolder(dav, sessionOf(ctx), req.type, req.displayName);
    if (made) return made;
  }
  if (req.type !== FolderType.UserMail && req.type !== FolderType.UserGeneric) {
    throw new StatusError('FolderCreate', FolderCommandStatus.ServerError, `folder type ${req.type} is not supported`);
  }
  let parentPath: string | null = null;
  if (req.parentId !== '0') {
    const parent = ctx.services.repos.folders.getByServerId(ctx.mailbox, req.parentId);
    if (!parent || parent.source !== 'imap') throw new StatusError('FolderCreate', FolderCommandStatus.ParentNotFound);
    parentPath = parent.path;
  }
  const made = await ctx.services.mail.createFolder(sessionOf(ctx), parentPath, req.displayName);
  return { source: 'imap', path: made.path };
}

/** User folder types a device may create in DAV: calendar 13, contacts 14, tasks 15. */
const DAV_TYPES = new Set<number>([FolderType.UserCalendar, FolderType.UserContacts, FolderType.UserTasks]);
