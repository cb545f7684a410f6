import type { Db } from './db.ts';

/** A folder as one device holds it (MS-ASCMD 2.2.3.186 FolderSync Add/Update fields). */
export interface FolderEntry {
  readonly serverId: string;
  /** "0" for the top level. */
  readonly parentId: string;
  readonly displayName: string;
  readonly type: number;
}

/** A device's FolderSync state: the current key and snapshot, and the previous ones for replay. */
export interface FolderSyncState {
  readonly syncKey: number;
  readonly snapshot: readonly FolderEntry[];
  readonly prevSyncKey: number | null;
  readonly prevSnapshot: readonly FolderEntry[] | null;
}

interface RawState {
  sync_key: number;
  snapshot: string;
  prev_sync_key: number | null;
  prev_snapshot: string | null;
}

/** Per-device folder hierarchy state (MS-ASCMD 2.2.3.166.3 FolderSync SyncKey). */
export class FolderSyncStateRepository {
  constructor(private readonly db: Db) {}

  get(mailbox: string, deviceId: string): FolderSyncState | undefined {
    const r = this.db
      .prepare('SELECT sync_key, snapshot, prev_sync_key, prev_snapshot FROM folder_sync_states WHERE mailbox = ? AND device_id = ?')
      .get(mailbox, deviceId) as RawState | undefined;
    if (!r) return undefined;
    return {
      syncKey: r.sync_key,
      snapshot: JSON.parse(r.snapshot) as FolderEntry[],
      prevSyncKey: r.prev_sync_key,
      prevSnapshot: r.prev_snapshot === null ? null : (JSON.parse(r.prev_snapshot) as FolderEntry[]),
    };
  }

  save(mailbox: string, deviceId: string, s: FolderSyncState, now = Date.now()): void {
    this.db
      .prepare(
        `INSERT INTO folder_sync_states (mailbox, device_id, sync_key, snapshot, prev_sync_key, prev_snapshot, updated_at)
         VALUES (@mailbox, @deviceId, @syncKey, @snapshot, @prevSyncKey, @prevSnapshot, @now)
         ON CONFLICT(mailbox, device_id) DO UPDATE SET sync_key = @syncKey, snapshot = @snapshot,
           prev_sync_key = @prevSyncKey, prev_snapshot = @prevSnapshot, updated_at = @now`,
      )
      .run({
        mailbox,
        deviceId,
        syncKey: s.syncKey,
        snapshot: JSON.stringify(s.snapshot),
        prevSyncKey: s.prevSyncKey,
        prevSnapshot: s.prevSnapshot === null ? null : JSON.stringify(s.prevSnapshot),
        now,
      });
  }
}
