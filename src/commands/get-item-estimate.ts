import {
  buildGetItemEstimateResponse,
  GetItemEstimateStatus,
  parseGetItemEstimateRequest,
  type EstimateResult,
  type GetItemEstimateRequest,
} from '../../protocol/commands/get-item-estimate.ts';
import type { Services } from '../server/services.ts';
import type { CommandContext, CommandHandler, CommandResult } from './types.ts';

/**
 * GetItemEstimate (MS-ASCMD 2.2.1.9): how many changes the next Syncs of
 * each collection would bring, i.e. the engine's pending count after change
 * detection. Status 2 unknown collection (or one no class syncs), 3 no sync state yet
 * (SyncKey 0 / never synced), 4 a key the collection does not have.
 *
 * The request's Options (FilterType) are not applied: change detection
 * runs with the collection's stored options, i.e. the FilterType of its
 * last Sync. Phones send the same filter in both, and a different one only
 * takes effect with the Sync that brings it, so the count is what that
 * Sync would deliver unless the filter changes in between.
 */
export const getItemEstimateHandler: CommandHandler<GetItemEstimateRequest, Services> = {
  name: 'GetItemEstimate',
  parse: (body, ctx) => parseGetItemEstimateRequest(body, ctx.protocolVersion),
  handle: handleEstimate,
};

async function handleEstimate(ctx: CommandContext<Services>, req: GetItemEstimateRequest): Promise<CommandResult> {
  const engine = ctx.services.sync;
  const caller = { mailbox: ctx.mailbox, deviceId: ctx.deviceId, session: { user: ctx.mailbox, password: ctx.password }, version: ctx.protocolVersion };
  const results: EstimateResult[] = [];
  for (const c of req.collections) {
    const found = engine.collection(ctx.mailbox, c.collectionId);
    const cls = c.options.find((o) => o.class)?.class ?? (found ? found.source.className(found.folder) : 'Email');
    const syncKey = c.syncKey ?? currentKey(ctx, c.collectionId);
    const r = syncKey === undefined ? { status: GetItemEstimateStatus.SyncStateNotPrimed } : await engine.estimate(caller, c.collectionId, syncKey);
    results.push({ status: r.status, class: cls, collectionId: c.collectionId, ...('estimate' in r && r.estimate !== undefined ? { estimate: r.estimate } : {}) });
  }
  const status = results.find((r) => r.status !== GetItemEstimateStatus.Success)?.status ?? GetItemEstimateStatus.Success;
  return { body: buildGetItemEstimateResponse({ results }, ctx.protocolVersion), easStatus: status };
}

/** 2.5 requests carry no SyncKey: the collection's current one applies. */
function currentKey(ctx: CommandContext<Services>, collectionId: string): string | undefined {
  const s = ctx.services.sync.repo.get({ mailbox: ctx.mailbox, deviceId: ctx.deviceId, collectionId });
  return s ? `${s.gen}-${s.syncKey}` : undefined;
}
