import {
  buildSyncResponse,
  parseSyncRequest,
  SyncStatus,
  type SyncCollectionRequest,
  type SyncCollectionResponse,
  type SyncRequest,
  type SyncRequestBody,
} from '../../protocol/commands/sync.ts';
import { versionAtLeast } from '../../protocol/version.ts';
import type { Services } from '../server/services.ts';
import { HARD_BUDGET_FACTOR, type SyncCaller } from '../sync/engine.ts';
import { formatSyncKey } from '../sync/state.ts';
import { watchKeys } from './ping.ts';
import type { CommandContext, CommandHandler, CommandResult } from './types.ts';

type Ctx = CommandContext<Services>;

/** What is kept of a full request for later empty or Partial ones (MS-ASCMD 2.2.1.21.1.1). */
interface StoredRequest {
  readonly collections: readonly Omit<SyncCollectionRequest, 'syncKey' | 'commands'>[];
  readonly windowSize?: number;
  readonly wait?: number;
  readonly heartbeatInterval?: number;
}

/**
 * Sync (MS-ASCMD 2.2.1.21) for every class: each collection goes through
 * the sync engine (src/sync/engine.ts), which owns keys, windows and state.
 * This handler resolves empty and Partial requests from the device's last
 * full request (12.1+; Status 13 when there is none), shares the global
 * WindowSize and the time budget among collections, and holds a request
 * with Wait/HeartbeatInterval on the push hub until a collection changes
 * (an empty HTTP 200 when none did).
 */
export const syncHandler: CommandHandler<SyncRequest, Services> = {
  name: 'Sync',
  acceptsEmptyBody: true,
  parse: (body, ctx) => parseSyncRequest(body, ctx.protocolVersion),
  handle: handleSync,
};

function toStored(r: SyncRequestBody): StoredRequest {
  return {
    collections: r.collections.map(({ syncKey: _k, commands: _c, ...rest }) => rest),
    ...(r.windowSize !== undefined ? { windowSize: r.windowSize } : {}),
    ...(r.wait !== undefined ? { wait: r.wait } : {}),
    ...(r.heartbeatInterval !== undefined ? { heartbeatInterval: r.heartbeatInterval } : {}),
  };
}

/** The request to run: the body itself, or the stored one filled in (empty) or overlaid (Partial). Undefined: Status 13. */
function resolveRequest(ctx: Ctx, req: SyncRequest): SyncRequestBody | undefined {
  const engine = ctx.services.sync;
  const canReuse = versionAtLeast(ctx.protocolVersion, '12.1');
  if (!req.empty && !req.partial) {
    if (!req.collectionsPresent) return undefined;
    return req;
  }
  if (!canReuse) return undefined;
  const stored = engine.repo.lastRequest(ctx.mailbox, ctx.deviceId) as StoredRequest | undefined;
  if (!stored) return undefined;
  const given = req.empty ? [] : req.collections;
  const byId = new Map<string, SyncCollectionRequest>();
  for (const c of stored.collections) {
    const state = engine.repo.get({ mailbox: ctx.mailbox, deviceId: ctx.deviceId, collectionId: c.collectionId });
    if (!state) continue;
    byId.set(c.collectionId, { ...c, syncKey: formatSyncKey(state.gen, state.syncKey), commands: [] });
  }
  for (const c of given) byId.set(c.collectionId, c);
  if (byId.size === 0) return undefined;
  const merged: SyncRequestBody = {
    empty: false,
    collectionsPresent: true,
    partial: false,
    collections: [...byId.values()],
    ...pick(req.empty ? undefined : req, stored),
  };
  return merged;
}

function pick(r: SyncRequestBody | undefined, s: StoredRequest): { windowSize?: number; wait?: number; heartbeatInterval?: number } {
  const windowSize = r?.windowSize ?? s.windowSize;
  const wait = r?.wait ?? (r?.heartbeatInterval === undefined ? s.wait : undefined);
  const heartbeatInterval = r?.heartbeatInterval ?? (r?.wait === undefined ? s.heartbeatInterval : undefined);
  return {
    ...(windowSize !== undefined ? { windowSize } : {}),
    ...(wait !== undefined ? { wait } : {}),
    ...(heartbeatInterval !== undefined ? { heartbeatInterval } : {}),
  };
}

async function runOnce(ctx: Ctx, caller: SyncCaller, req: SyncRequestBody): Promise<SyncCollectionResponse[]> {
  const soft = ctx.services.config.syncBudgetMs;
  const start = Date.now();
  const budget = { remaining: req.windowSize && req.windowSize > 0 ? req.windowSize : Number.POSITIVE_INFINITY, deadline: start + soft, hardDeadline: start + HARD_BUDGET_FACTOR * soft };
  const out: SyncCollectionResponse[] = [];
  for (const c of req.collections) out.push(await ctx.services.sync.syncCollection(caller, c, budget));
  return out;
}

function quiet(res: readonly SyncCollectionResponse[], req: SyncRequestBody): boolean {
  return res.every((r, i) => r.status === SyncStatus.Success && !r.commands?.length && !r.responses?.length && !r.moreAvailable && r.syncKey === req.collections[i]?.syncKey);
}

async function handleSync(ctx: Ctx, parsed: SyncRequest): Promise<CommandResult> {
  const v = ctx.protocolVersion;
  const req = resolveRequest(ctx, parsed);
  if (!req) {
    ctx.log.info({ event: 'sync.incomplete' }, 'empty or partial Sync with nothing to reuse');
    return { body: buildSyncResponse({ status: SyncStatus.IncompleteRequest }, v), easStatus: SyncStatus.IncompleteRequest };
  }
  const push = ctx.services.push;
  const holdMs = req.wait !== undefined ? req.wait * 60_000 : req.heartbeatInterval !== undefined ? req.heartbeatInterval * 1000 : undefined;
  if (req.wait !== undefined && (req.wait < 1 || req.wait > 59)) {
    return { body: buildSyncResponse({ status: SyncStatus.InvalidWaitOrHeartbeat, limit: req.wait < 1 ? 1 : 59 }, v), easStatus: 14 };
  }
  if (req.heartbeatInterval !== undefined) {
    const { minHeartbeatSec, maxHeartbeatSec } = push.config;
    if (req.heartbeatInterval < minHeartbeatSec || req.heartbeatInterval > maxHeartbeatSec) {
      const limit = req.heartbeatInterval < minHeartbeatSec ? minHeartbeatSec : maxHeartbeatSec;
      return { body: buildSyncResponse({ status: SyncStatus.InvalidWaitOrHeartbeat, limit }, v), easStatus: 14 };
    }
  }
  const session = { user: ctx.mailbox, password: ctx.password };
  const caller: SyncCaller = { mailbox: ctx.mailbox, deviceId: ctx.deviceId, session, version: v, ...(ctx.mailbox.includes('@') ? { address: ctx.mailbox } : {}) };
  let res = await runOnce(ctx, caller, req);
  // Cached for later empty/Partial Syncs only once every collection was accepted: a refused request
  // (unknown collection, bad key, backend down) must not change stored state (ARCHITECTURE rule 9).
  if (versionAtLeast(v, '12.1') && res.every((r) => r.status === SyncStatus.Success)) ctx.services.sync.repo.saveRequest(ctx.mailbox, ctx.deviceId, toStored(req));
  if (holdMs !== undefined && quiet(res, req)) {
    const rows = req.collections.map((c) => ctx.services.sync.collection(ctx.mailbox, c.collectionId)?.folder).filter((f) => f !== undefined);
    const result = await push.hub.hold({
      mailbox: ctx.mailbox,
      deviceId: ctx.deviceId,
      session,
      keys: rows.flatMap((f) => watchKeys(ctx, f)),
      heartbeatMs: holdMs,
      signal: ctx.signal,
      kind: 'sync',
      hasChanges: async (keys) => {
        const changed: string[] = [];
        for (const f of rows) {
          const own = watchKeys(ctx, f).filter((k) => keys.includes(k));
          if (own.length && (await ctx.services.sync.hasChanges(caller, String(f.id)))) changed.push(...own);
        }
        return changed;
      },
    });
    if (result.reason !== 'changed') return { easStatus: 'no-changes' };
    res = await runOnce(ctx, caller, req);
  }
  const status = res.find((r) => r.status !== SyncStatus.Success)?.status ?? SyncStatus.Success;
  const items = res.reduce((n, r) => n + (r.commands?.length ?? 0), 0);
  return { body: buildSyncResponse({ collections: res }, v), easStatus: status, ...(items ? { items } : {}) };
}
