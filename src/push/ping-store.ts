import type { Db } from '../state/db.ts';

/** One folder of a Ping as the device names it (MS-ASCMD 2.2.3.73 Folder: Id + Class). */
export interface PingFolderRef {
  readonly id: string;
  readonly class?: string;
}

/** A device's last Ping parameters (table `ping_params`, migration 003-push). */
export interface PingParams {
  readonly heartbeatSec: number | undefined;
  readonly folders: readonly PingFolderRef[];
}

/**
 * Stores and reads each device's last Ping parameters, so that an empty Ping
 * (or one without Folders / HeartbeatInterval) reuses them (MS-ASCMD
 * 2.2.1.13). Statements are prepared once; each call is one indexed lookup.
 */
export class PingParamsRepository {
  readonly #get;
  readonly #put;

  constructor(db: Db) {
    this.#get = db.prepare<[string, string], { heartbeat_sec: number | null; folders: string }>(
      'SELECT heartbeat_sec, folders FROM ping_params WHERE mailbox = ? AND device_id = ?',
    );
    this.#put = db.prepare<[string, string, number | null, string, number]>(
      `INSERT INTO ping_params (mailbox, device_id, heartbeat_sec, folders, updated_at) VALUES (?, ?, ?, ?, ?)
       ON CONFLICT (mailbox, device_id) DO UPDATE SET heartbeat_sec = excluded.heartbeat_sec, folders = excluded.folders, updated_at = excluded.updated_at`,
    );
  }

  get(mailbox: string, deviceId: string): PingParams | undefined {
    const row = this.#get.get(mailbox, deviceId);
    if (!row) return undefined;
    let folders: PingFolderRef[] = [];
    try {
      const parsed: unknown = JSON.parse(row.folders);
      if (Array.isArray(parsed)) {
        folders = parsed
          .filter((f): f is { id: string; class?: unknown } => typeof f === 'object' && f !== null && typeof (f as { id?: unknown }).id === 'string')
          .map((f) => (typeof f.class === 'string' ? { id: f.id, class: f.class } : { id: f.id }));
      }
    } catch {
      // A damaged row reads as "no folders stored": the device gets Status 3 and sends them again.
    }
    return { heartbeatSec: row.heartbeat_sec ?? undefined, folders };
  }

  /** Replaces the device's stored parameters. The device row must exist (foreign key). */
  put(mailbox: string, deviceId: string, params: PingParams): void {
    this.#put.run(mailbox, deviceId, params.heartbeatSec ?? null, JSON.stringify(params.folders), Date.now());
  }
}
