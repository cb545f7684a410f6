import { buildPingResponse, parsePingRequest, PingStatus, type PingRequest, type PingResponse } from '../../protocol/commands/ping.ts';
import type { UserSession } from '../../backends/types.ts';
import type { FolderRow } from '../state/folders.ts';
import type { CoreRepositories } from '../state/index.ts';
import type { HoldResult } from '../push/hub.ts';
import type { Push } from '../push/service.ts';
import { DAV_KEY_PREFIX } from '../push/watcher-manager.ts';
import type { CommandContext, CommandHandler, CommandResult } from './types.ts';

/**
 * Which of `folders` hold changes that this device has not received yet
 * (the sync engine's cheap check; src/sync). Returns the folder ids.
 */
export type PendingChangesFn = (
  who: { readonly mailbox: string; readonly deviceId: string; readonly session: UserSession },
  folders: readonly Pick<FolderRow, 'id'>[],
) => Promise<readonly number[]>;

/** What the Ping handler takes from the server's services. */
export interface PingServices {
  readonly repos: Pick<CoreRepositories, 'folders' | 'folderSync'>;
  readonly push: Push;
  /**
   * The sync engine's "has changes" check. Absent: every watcher event on a
   * watched folder wakes the Ping (a device's own Sync then wakes its own
   * Ping too), and there is no check before holding.
   */
  readonly pendingChanges?: PendingChangesFn;
  /** The backend folders a device's folder carries (a merged Contacts folder: every book, src/sync/dav/book-merge.ts); absent = the folder itself. */
  readonly contactBooks?: { booksOf(mailbox: string, deviceId: string, folder: FolderRow): readonly FolderRow[] };
}

type Ctx = CommandContext<PingServices>;

/**
 * Ping (MS-ASCMD 2.2.1.13): holds the request until one of the device's
 * folders has changes for it (Status 2 with their ids) or the heartbeat
 * ends (Status 1). The folders and HeartbeatInterval come from the request,
 * or from the device's last Ping when absent (Status 3 when none stored).
 * Status 5 / 6 carry the allowed HeartbeatInterval / MaxFolders, 7 asks for
 * a FolderSync when a folder id is unknown to the device, 4 is a malformed
 * body (thrown by the parser), 8 any server error (src/commands/errors.ts).
 *
 * A newer Ping or hanging Sync from the same device ends this one at once
 * with Status 1, as does server shutdown, so that phones re-Ping at once.
 */
export const pingHandler: CommandHandler<PingRequest, PingServices> = {
  name: 'Ping',
  // MS-ASPROV 3.2.5.1: Ping is allowed before provisioning (no 449 loop while idle).
  allowedWithoutPolicy: true,
  acceptsEmptyBody: true,
  parse: (body, ctx) => parsePingRequest(body, ctx.protocolVersion),
  handle: handlePing,
};

// Not async: the held part is holdPing's promise itself, without another promise and frame wrapped around it.
function handlePing(ctx: Ctx, req: PingRequest): Promise<CommandResult> {
  const checked = checkPing(ctx, req);
  if (!('rows' in checked)) return Promise.resolve(answerPing(ctx, checked));
  // Only ids and watch keys are held for the heartbeat, not the folder rows.
  return holdPing(ctx, checked.rows.flatMap((r) => watchKeys(ctx, r).map((key) => ({ id: r.id, key }))), checked.heartbeatSec);
}

function answerPing(ctx: Ctx, res: PingResponse): CommandResult {
  return { body: buildPingResponse(res, ctx.protocolVersion), easStatus: res.status };
}

/**
 * The Ping's folders and heartbeat, or the status that refuses it. Synchronous
 * and apart from the holding function, so that nothing it builds (the parsed
 * request, the device's folder snapshot) stays reachable while the Ping is held.
 */
function checkPing(ctx: Ctx, req: PingRequest): { rows: FolderRow[]; heartbeatSec: number } | PingResponse {
  const { push, repos } = ctx.services;
  const cfg = push.config;
  const stored = push.pingParams.get(ctx.mailbox, ctx.deviceId);
  const given = req.empty ? undefined : req;
  const heartbeatSec = given?.heartbeatInterval ?? stored?.heartbeatSec;
  const folders = given?.folders ?? stored?.folders;
  if (heartbeatSec === undefined || !folders || folders.length === 0) {
    ctx.log.info({ event: 'ping.missing-parameters', stored: !!stored });
    return { status: PingStatus.MissingParameters };
  }
  if (heartbeatSec < cfg.minHeartbeatSec) return { status: PingStatus.HeartbeatOutOfBounds, heartbeatInterval: cfg.minHeartbeatSec };
  if (heartbeatSec > cfg.maxHeartbeatSec) return { status: PingStatus.HeartbeatOutOfBounds, heartbeatInterval: cfg.maxHeartbeatSec };
  if (folders.length > cfg.maxFolders) return { status: PingStatus.TooManyFolders, maxFolders: cfg.maxFolders };

  // Every folder must be one the device got from FolderSync and that still
  // exists; otherwise the device's hierarchy is stale (Status 7).
  const known = new Set(repos.folderSync.get(ctx.mailbox, ctx.deviceId)?.snapshot.map((f) => f.serverId) ?? []);
  const rows: FolderRow[] = [];
  for (const f of folders) {
    const row = known.has(f.id) ? repos.folders.getByServerId(ctx.mailbox, f.id) : undefined;
    if (!row) {
      ctx.log.info({ event: 'ping.unknown-folder', folder: f.id });
      return { status: PingStatus.FolderSyncRequired };
    }
    if (!rows.some((r) => r.id === row.id)) rows.push(row);
  }
  if (given) push.pingParams.put(ctx.mailbox, ctx.deviceId, { heartbeatSec, folders });
  return { rows, heartbeatSec };
}

async function holdPing(ctx: Ctx, watched: readonly { id: number; key: string }[], heartbeatSec: number): Promise<CommandResult> {
  const { push } = ctx.services;
  const answer = (res: PingResponse): CommandResult => answerPing(ctx, res);

  // A plain array: cheaper than a Map for a handful of folders, and held for the whole heartbeat.
  const byKey = (k: string): { id: number; key: string } | undefined => watched.find((w) => w.key === k);
  const session: UserSession = { user: ctx.mailbox, password: ctx.password };
  const pending = ctx.services.pendingChanges;
  const hasChanges = pending
    ? async (keys: readonly string[]): Promise<string[]> => {
        const asked = keys.map(byKey).filter((w) => w !== undefined);
        const folders = [...new Set(asked.map((w) => w.id))].map((id) => ({ id }));
        const ids = new Set(await pending({ mailbox: ctx.mailbox, deviceId: ctx.deviceId, session }, folders));
        return asked.filter((w) => ids.has(w.id)).map((w) => w.key);
      }
    : undefined;

  const result: HoldResult = await push.hub.hold({
    mailbox: ctx.mailbox,
    deviceId: ctx.deviceId,
    session,
    keys: watched.map((w) => w.key),
    heartbeatMs: heartbeatSec * 1000,
    signal: ctx.signal,
    kind: 'ping',
    hasChanges,
  });
  ctx.log.info({ event: 'ping.answer', reason: result.reason, heartbeatSec, folders: watched.length });
  if (result.reason === 'changed') {
    const ids = result.changed.map(byKey).filter((w) => w !== undefined).map((w) => String(w.id));
    return answer({ status: PingStatus.ChangesFound, folders: [...new Set(ids)] });
  }
  // Heartbeat expiry; also a newer request from this device, the client
  // gone, or shutdown: "no changes" lets a still-listening phone re-Ping.
  return answer({ status: PingStatus.NoChanges });
}

/** The hub keys that wake a device's folder: one per backend folder it carries. */
export function watchKeys(ctx: CommandContext<Pick<PingServices, 'contactBooks'>>, f: FolderRow): string[] {
  const books = ctx.services.contactBooks?.booksOf(ctx.mailbox, ctx.deviceId, f) ?? [f];
  return books.map(watchKey);
}

/** The hub key of a folder: its IMAP path, or `dav:<href>` for DAV collections. */
export function watchKey(f: Pick<FolderRow, 'source' | 'path'>): string {
  return f.source === 'imap' ? f.path : DAV_KEY_PREFIX + f.path;
}
