/**
 * A phone's view of Sync, for the tests and the eas-client CLI: read a Sync
 * response into typed changes, and drive a collection through SyncKey 0 and
 * the windows until MoreAvailable stops.
 */
import type { EasClient } from './eas-client.ts';
import type { SyncClientCommand, SyncOptions } from '../../protocol/commands/sync.ts';
import { emailFromServerApplicationData, type EasEmail } from '../../protocol/types/email.ts';
import { child, childText, childrenNamed, hasChild, type WbxmlElement } from '../../protocol/wbxml/tree.ts';

const AS = 'AirSync';

export interface ServerChange {
  readonly kind: 'Add' | 'Change' | 'Delete' | 'SoftDelete';
  readonly serverId: string;
  readonly email?: EasEmail;
  readonly data?: WbxmlElement;
}

export interface ItemAnswer {
  readonly kind: string;
  readonly serverId?: string;
  readonly clientId?: string;
  readonly status: number;
  readonly email?: EasEmail;
}

export interface CollectionResult {
  readonly syncKey?: string;
  readonly collectionId?: string;
  readonly status?: number;
  readonly moreAvailable: boolean;
  readonly changes: ServerChange[];
  readonly responses: ItemAnswer[];
}

export interface SyncResult {
  readonly httpStatus: number;
  /** Top-level Status (errors such as 13). */
  readonly status?: number;
  readonly collections: CollectionResult[];
  readonly raw: Buffer;
}

/** Reads a Sync response body. */
export function readSync(httpStatus: number, body: WbxmlElement | undefined, raw: Buffer): SyncResult {
  if (!body) return { httpStatus, collections: [], raw };
  const cols = child(body, 'Collections', AS);
  const top = childText(body, 'Status', AS);
  return {
    httpStatus,
    ...(top !== undefined ? { status: Number(top) } : {}),
    raw,
    collections: (cols ? childrenNamed(cols, 'Collection', AS) : []).map((c) => {
      const cmds = child(c, 'Commands', AS);
      const resp = child(c, 'Responses', AS);
      const status = childText(c, 'Status', AS);
      const syncKey = childText(c, 'SyncKey', AS);
      const collectionId = childText(c, 'CollectionId', AS);
      return {
        ...(syncKey !== undefined ? { syncKey } : {}),
        ...(collectionId !== undefined ? { collectionId } : {}),
        ...(status !== undefined ? { status: Number(status) } : {}),
        moreAvailable: hasChild(c, 'MoreAvailable', AS),
        changes: (cmds?.children ?? []).map((x) => {
          const data = child(x, 'ApplicationData', AS);
          return {
            kind: x.name as ServerChange['kind'],
            serverId: childText(x, 'ServerId', AS) ?? '',
            ...(data ? { data, email: emailFromServerApplicationData(data) } : {}),
          };
        }),
        responses: (resp?.children ?? []).map((x) => {
          const data = child(x, 'ApplicationData', AS);
          const serverId = childText(x, 'ServerId', AS);
          const clientId = childText(x, 'ClientId', AS);
          return {
            kind: x.name,
            status: Number(childText(x, 'Status', AS) ?? '0'),
            ...(serverId !== undefined ? { serverId } : {}),
            ...(clientId !== undefined ? { clientId } : {}),
            ...(data ? { email: emailFromServerApplicationData(data) } : {}),
          };
        }),
      };
    }),
  };
}

/** One Sync of one collection. */
export async function syncOne(
  c: EasClient,
  r: { collectionId: string; syncKey: string; windowSize?: number; options?: SyncOptions[]; commands?: SyncClientCommand[]; deletesAsMoves?: boolean; getChanges?: boolean },
): Promise<CollectionResult & { httpStatus: number; topStatus?: number }> {
  const res = await c.sync({
    collections: [
      {
        syncKey: r.syncKey,
        collectionId: r.collectionId,
        options: r.options ?? [],
        commands: r.commands ?? [],
        ...(r.windowSize !== undefined ? { windowSize: r.windowSize } : {}),
        ...(r.deletesAsMoves !== undefined ? { deletesAsMoves: r.deletesAsMoves } : {}),
        ...(r.getChanges !== undefined ? { getChanges: r.getChanges } : {}),
      },
    ],
  });
  const s = readSync(res.status, res.body, res.raw);
  const col = s.collections[0] ?? { moreAvailable: false, changes: [], responses: [] };
  return { ...col, httpStatus: res.status, ...(s.status !== undefined ? { topStatus: s.status } : {}) };
}

/** Options asking for HTML (or another type) truncated at `size`. */
export function bodyOptions(type: number, truncationSize?: number, extra: Partial<SyncOptions> = {}): SyncOptions[] {
  return [
    {
      bodyPreferences: [{ type, ...(truncationSize !== undefined ? { truncationSize } : {}) }],
      bodyPartPreferences: [],
      ...extra,
    },
  ];
}

/** SyncKey 0, then windows until MoreAvailable stops. Returns every change in order and the final key. */
export async function initialSync(
  c: EasClient,
  collectionId: string,
  opts: { windowSize?: number; options?: SyncOptions[]; maxRounds?: number } = {},
): Promise<{ syncKey: string; changes: ServerChange[]; rounds: number }> {
  const first = await syncOne(c, { collectionId, syncKey: '0', ...(opts.options ? { options: opts.options } : {}) });
  if (first.status !== 1 || !first.syncKey) throw new Error(`SyncKey 0 failed: status ${first.status} http ${first.httpStatus}`);
  let key = first.syncKey;
  const changes: ServerChange[] = [];
  let rounds = 0;
  for (;;) {
    rounds++;
    if (rounds > (opts.maxRounds ?? 1000)) throw new Error('too many rounds');
    const r = await syncOne(c, { collectionId, syncKey: key, ...(opts.windowSize !== undefined ? { windowSize: opts.windowSize } : {}), ...(opts.options ? { options: opts.options } : {}) });
    if (r.status !== 1 || !r.syncKey) throw new Error(`Sync failed: status ${r.status} http ${r.httpStatus}`);
    changes.push(...r.changes);
    key = r.syncKey;
    if (!r.moreAvailable) break;
  }
  return { syncKey: key, changes, rounds };
}

/** Provisions and folder-syncs; returns folder ids by type and by display name. */
export async function setUpPhone(c: EasClient): Promise<{ byType: Map<number, string>; byName: Map<string, string> }> {
  await c.provision();
  const fs = await c.folderSync('0');
  if (fs.status !== 1) throw new Error(`FolderSync failed: ${fs.status}`);
  const byType = new Map<number, string>();
  const byName = new Map<string, string>();
  for (const f of fs.adds) {
    if (!byType.has(f.type)) byType.set(f.type, f.serverId);
    byName.set(f.displayName, f.serverId);
  }
  return { byType, byName };
}
