import { isBackendError } from '../../backends/errors.ts';
import { SyncStatus, type SyncClientCommand, type SyncItemResponse } from '../../protocol/commands/sync.ts';
import { isEasDataError } from '../../protocol/types/errors.ts';
import type { WbxmlElement } from '../../protocol/wbxml/tree.ts';
import type { ClientCommandsResult, SourceRun } from './collection-source.ts';
import type { ItemRow, StoredResponse } from './state.ts';

/**
 * The one loop that applies a device's `<Commands>` (MS-ASCMD 2.2.3.32) for
 * every class (ARCHITECTURE rule 3). Each answer is per item: an unknown
 * ServerId is Status 8 for that item, a conversion failure Status 6, never a
 * failed batch. Each answer is stored under the request's key, in the same
 * transaction as the item write, before the next operation runs, so a
 * retried request is answered from the record instead of acting twice. A
 * backend outage stops the loop (the caller answers 503); what was done
 * before it stays recorded.
 *
 * The class-specific work sits in `ClientOps`; they act on the backend and
 * return what to write, never writing state themselves.
 */
export interface ClientOps {
  /** Add: on success the new item (ServerId already chosen from `n`). */
  add(clientId: string, appData: WbxmlElement, n: number): Promise<{ response: StoredResponse; item?: ItemRow }>;
  /** Change: the item as the device now holds it; `dirty` keeps an id pending (the server's side goes out too). */
  change(serverId: string, appData: WbxmlElement): Promise<{ response: StoredResponse; item?: ItemRow; dirty?: number }>;
  /**
   * Delete. `resend`: the device dropped the item but the server keeps it
   * (a server-wins conflict), so the item goes back to the device as new.
   */
  remove(serverId: string): Promise<{ response: StoredResponse; resend?: number }>;
  fetch(serverId: string): Promise<SyncItemResponse>;
}

const keyOf = (kind: string, id: string): string => `${kind}\u0000${id}`;

/** Answers recorded for the request's key by an earlier attempt of the same request. */
export function replayOf(run: Pick<SourceRun, 'state' | 'requestKey'>): readonly StoredResponse[] {
  return run.state.lastResponsesKey === run.requestKey ? (run.state.lastResponses ?? []) : [];
}

export async function runClientCommands(run: SourceRun, commands: readonly SyncClientCommand[], ops: ClientOps): Promise<ClientCommandsResult> {
  const { repo, ref } = run;
  const earlier = replayOf(run);
  const replay = new Map(earlier.map((r) => [keyOf(r.kind, r.id), r]));
  const stored: StoredResponse[] = [...earlier];
  const responses: SyncItemResponse[] = [];
  let nextItem = run.nextItem;
  let changed = false;
  const record = (r: StoredResponse, write?: () => void): void => {
    stored.push(r);
    repo.transaction(() => {
      write?.();
      repo.setNextItem(ref, nextItem);
      repo.setResponses(ref, run.requestKey, stored);
    });
  };
  for (const cmd of commands) {
    if (cmd.kind === 'Fetch') {
      responses.push(await ops.fetch(cmd.serverId));
      continue;
    }
    changed = true;
    const id = cmd.kind === 'Add' ? cmd.clientId : cmd.serverId;
    const done = replay.get(keyOf(cmd.kind, id));
    if (done) {
      responses.push(toResponse(done));
      continue;
    }
    let r: StoredResponse;
    let write: (() => void) | undefined;
    try {
      if (cmd.kind === 'Add') {
        const res = await ops.add(cmd.clientId, cmd.applicationData, nextItem);
        if (res.item) {
          nextItem++;
          const item = res.item;
          write = () => repo.putItem(ref, item);
        }
        r = res.response;
      } else if (cmd.kind === 'Change') {
        const res = await ops.change(cmd.serverId, cmd.applicationData);
        r = res.response;
        const { item, dirty } = res;
        if (item || dirty !== undefined) {
          write = () => {
            if (item) repo.putItem(ref, item);
            if (dirty !== undefined) repo.markDirty(ref, [dirty]);
          };
        }
      } else {
        const res = await ops.remove(cmd.serverId);
        r = res.response;
        const { resend } = res;
        if (r.status === SyncStatus.Success || resend !== undefined) {
          const item = repo.itemByServerId(ref, cmd.serverId);
          write = () => {
            repo.deleteItem(ref, cmd.serverId);
            if (resend !== undefined) repo.markDirty(ref, [resend]);
            else if (item) repo.clearDirty(ref, item.uid);
          };
        }
      }
    } catch (e) {
      if (isBackendError(e, 'BackendUnavailable')) throw e;
      run.log.warn({ event: 'sync.client-op-failed', op: cmd.kind, err: e instanceof Error ? e.message : String(e) }, 'client change failed');
      r = { kind: cmd.kind, id, status: statusOf(e), ...(cmd.kind !== 'Add' ? { serverId: cmd.serverId } : {}) };
    }
    record(r, write);
    responses.push(toResponse(r));
  }
  return { responses, changed, nextItem };
}

/** MS-ASCMD 2.2.3.177.17 per-item statuses for a failed client change. */
function statusOf(e: unknown): number {
  if (isEasDataError(e) || isBackendError(e, 'Invalid')) return SyncStatus.ConversionError;
  if (isBackendError(e, 'NotFound')) return SyncStatus.ObjectNotFound;
  if (isBackendError(e, 'TooLarge')) return SyncStatus.ConversionError;
  return SyncStatus.ServerError;
}

function toResponse(r: StoredResponse): SyncItemResponse {
  if (r.kind === 'Add') return { kind: 'Add', clientId: r.id, status: r.status, ...(r.serverId ? { serverId: r.serverId } : {}) };
  if (r.kind === 'Change') return { kind: 'Change', serverId: r.id, status: r.status };
  return { kind: 'Delete', serverId: r.id, status: r.status };
}
