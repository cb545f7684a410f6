import { randomBytes } from 'node:crypto';
import type { Db } from '../state/db.ts';
import type { CollectionOptions } from './options.ts';

/**
 * SQLite repository of the Sync engine's per-device collection state
 * (schema: src/state/migrations/002-sync.ts). Pure storage: the rules about
 * keys, retries and windows live in src/sync/engine.ts.
 */

/** Which collection of which device. */
export interface CollectionRef {
  readonly mailbox: string;
  readonly deviceId: string;
  readonly collectionId: string;
}

export interface CollectionRow extends CollectionRef {
  readonly gen: string;
  readonly syncKey: number;
  readonly prevSyncKey: number | null;
  readonly lastIssued: number;
  readonly path: string;
  readonly uidValidity: number | null;
  readonly modseq: bigint | null;
  readonly needsRescan: boolean;
  readonly nextItem: number;
  readonly options: CollectionOptions;
  readonly lastResponses: StoredResponse[] | null;
  readonly lastResponsesKey: number | null;
  /** DAV folders: how far change detection has looked (`sync:<token>` or `ctag:<ctag>`). */
  readonly davToken: string | null;
}

/** One answer to a client operation, kept so a retried request is answered the same way without acting twice. */
export interface StoredResponse {
  readonly kind: 'Add' | 'Change' | 'Delete';
  /** ClientId for Add, ServerId otherwise. */
  readonly id: string;
  readonly serverId?: string;
  readonly status: number;
  readonly class?: string;
}

/** A pending UID and what the device holds for it (nothing: the UID is new to the device). */
export interface PendingEntry {
  readonly uid: number;
  readonly item?: ItemRow;
}

/** What the device holds of one message. */
export interface ItemRow {
  readonly serverId: string;
  readonly uid: number;
  /** Sorted IMAP flags as last sent to (or set by) the device. */
  readonly flags: readonly string[];
  readonly internalDate: number;
}

interface RawCollection {
  mailbox: string;
  device_id: string;
  collection_id: string;
  gen: string;
  sync_key: number;
  prev_sync_key: number | null;
  last_issued: number;
  path: string;
  uid_validity: number | null;
  modseq: string | null;
  needs_rescan: number;
  next_item: number;
  options: string;
  last_responses: string | null;
  last_responses_key: number | null;
  dav_token: string | null;
}

interface RawItem {
  server_id: string;
  uid: number;
  flags: string;
  internal_date: number;
}

const toItem = (r: RawItem): ItemRow => ({ serverId: r.server_id, uid: r.uid, flags: r.flags ? r.flags.split(' ') : [], internalDate: r.internal_date });

/** Flags as stored: sorted, space separated (IMAP flags never contain spaces). */
export function flagsKey(flags: readonly string[]): string {
  // Most messages carry no flag or one (\Seen): nothing to sort or copy.
  if (flags.length < 2) return flags.length === 0 ? '' : flags[0]!;
  return [...flags].sort().join(' ');
}

/** The wire form of a sync key: `<gen>-<n>` (MS-ASCMD 2.2.3.166.4: opaque to the client, up to 64 characters). */
export function formatSyncKey(gen: string, n: number): string {
  return `${gen}-${n}`;
}

/** Splits a wire key; undefined for anything that is not one of ours ("0" included). */
export function parseSyncKey(key: string): { gen: string; n: number } | undefined {
  const m = /^([0-9a-f]{8})-([1-9]\d{0,14})$/.exec(key);
  return m ? { gen: m[1]!, n: Number(m[2]) } : undefined;
}

/** Statements over one database, prepared once. */
export class SyncStateRepository {
  private readonly st;

  constructor(private readonly db: Db) {
    const where = 'mailbox = ? AND device_id = ? AND collection_id = ?';
    this.st = {
      get: db.prepare(`SELECT * FROM sync_collections WHERE ${where}`),
      del: db.prepare(`DELETE FROM sync_collections WHERE ${where}`),
      insert: db.prepare(
        `INSERT INTO sync_collections (mailbox, device_id, collection_id, gen, sync_key, prev_sync_key, last_issued, path,
           uid_validity, modseq, needs_rescan, next_item, options, updated_at)
         VALUES (?, ?, ?, ?, 1, NULL, 1, ?, NULL, NULL, 1, 1, ?, ?)`,
      ),
      setKeys: db.prepare(`UPDATE sync_collections SET sync_key = ?, prev_sync_key = ?, last_issued = MAX(last_issued, ?), updated_at = ? WHERE ${where}`),
      setOptions: db.prepare(`UPDATE sync_collections SET options = ? WHERE ${where}`),
      setScan: db.prepare(`UPDATE sync_collections SET uid_validity = ?, modseq = ?, needs_rescan = ?, path = ? WHERE ${where}`),
      setDavScan: db.prepare(`UPDATE sync_collections SET dav_token = ?, needs_rescan = ? WHERE ${where}`),
      setRescan: db.prepare(`UPDATE sync_collections SET needs_rescan = 1 WHERE ${where}`),
      setNext: db.prepare(`UPDATE sync_collections SET next_item = ? WHERE ${where}`),
      setResponses: db.prepare(`UPDATE sync_collections SET last_responses = ?, last_responses_key = ? WHERE ${where}`),
      items: db.prepare(`SELECT server_id, uid, flags, internal_date FROM sync_items WHERE ${where}`),
      itemByUid: db.prepare(`SELECT server_id, uid, flags, internal_date FROM sync_items WHERE ${where} AND uid = ?`),
      itemById: db.prepare(`SELECT server_id, uid, flags, internal_date FROM sync_items WHERE ${where} AND server_id = ?`),
      itemsBefore: db.prepare(`SELECT uid FROM sync_items WHERE ${where} AND internal_date < ?`),
      itemCount: db.prepare(`SELECT COUNT(*) AS n FROM sync_items WHERE ${where}`),
      putItem: db.prepare(
        `INSERT INTO sync_items (mailbox, device_id, collection_id, server_id, uid, flags, internal_date) VALUES (?, ?, ?, ?, ?, ?, ?)
         ON CONFLICT (mailbox, device_id, collection_id, server_id) DO UPDATE SET uid = excluded.uid, flags = excluded.flags, internal_date = excluded.internal_date`,
      ),
      delItem: db.prepare(`DELETE FROM sync_items WHERE ${where} AND server_id = ?`),
      putUndo: db.prepare(
        `INSERT OR IGNORE INTO sync_undo (mailbox, device_id, collection_id, key, server_id, uid, flags, internal_date) VALUES (?, ?, ?, ?, ?, ?, ?, ?)`,
      ),
      undoRows: db.prepare(`SELECT server_id, uid, flags, internal_date FROM sync_undo WHERE ${where} AND key = ?`),
      purgeUndo: db.prepare(`DELETE FROM sync_undo WHERE ${where} AND key <= ?`),
      dropUndo: db.prepare(`DELETE FROM sync_undo WHERE ${where} AND key = ?`),
      markDirty: db.prepare(
        `INSERT INTO sync_dirty (mailbox, device_id, collection_id, uid, sent_key) VALUES (?, ?, ?, ?, NULL)
         ON CONFLICT (mailbox, device_id, collection_id, uid) DO UPDATE SET sent_key = NULL`,
      ),
      pending: db.prepare(`SELECT uid FROM sync_dirty WHERE ${where} AND sent_key IS NULL ORDER BY uid DESC`),
      pendingPage: db.prepare(
        `SELECT d.uid AS uid, i.server_id AS server_id, i.flags AS flags, i.internal_date AS internal_date
         FROM sync_dirty d LEFT JOIN sync_items i
           ON i.mailbox = d.mailbox AND i.device_id = d.device_id AND i.collection_id = d.collection_id AND i.uid = d.uid
         WHERE d.mailbox = ? AND d.device_id = ? AND d.collection_id = ? AND d.sent_key IS NULL AND d.uid < ?
         ORDER BY d.uid DESC LIMIT ?`,
      ),
      pendingBelow: db.prepare(`SELECT 1 FROM sync_dirty WHERE ${where} AND sent_key IS NULL AND uid < ? LIMIT 1`),
      markSentMany: db.prepare(`UPDATE sync_dirty SET sent_key = ? WHERE ${where} AND sent_key IS NULL AND uid IN (SELECT value FROM json_each(?))`),
      pendingCount: db.prepare(`SELECT COUNT(*) AS n FROM sync_dirty WHERE ${where} AND sent_key IS NULL`),
      markSent: db.prepare(`UPDATE sync_dirty SET sent_key = ? WHERE ${where} AND uid = ? AND sent_key IS NULL`),
      unsend: db.prepare(`UPDATE sync_dirty SET sent_key = NULL WHERE ${where} AND sent_key = ?`),
      purgeSent: db.prepare(`DELETE FROM sync_dirty WHERE ${where} AND sent_key IS NOT NULL AND sent_key <= ?`),
      clearDirty: db.prepare(`DELETE FROM sync_dirty WHERE ${where} AND uid = ?`),
      getRequest: db.prepare('SELECT request FROM sync_requests WHERE mailbox = ? AND device_id = ?'),
      putRequest: db.prepare(
        `INSERT INTO sync_requests (mailbox, device_id, request, updated_at) VALUES (?, ?, ?, ?)
         ON CONFLICT (mailbox, device_id) DO UPDATE SET request = excluded.request, updated_at = excluded.updated_at`,
      ),
    };
  }

  /** Runs `fn` in one SQLite transaction (ARCHITECTURE rule 2). */
  transaction<T>(fn: () => T): T {
    return this.db.transaction(fn)();
  }

  get(c: CollectionRef): CollectionRow | undefined {
    const r = this.st.get.get(c.mailbox, c.deviceId, c.collectionId) as RawCollection | undefined;
    if (!r) return undefined;
    return {
      mailbox: r.mailbox,
      deviceId: r.device_id,
      collectionId: r.collection_id,
      gen: r.gen,
      syncKey: r.sync_key,
      prevSyncKey: r.prev_sync_key,
      lastIssued: r.last_issued,
      path: r.path,
      uidValidity: r.uid_validity,
      modseq: r.modseq === null ? null : BigInt(r.modseq),
      needsRescan: r.needs_rescan === 1,
      nextItem: r.next_item,
      options: JSON.parse(r.options) as CollectionOptions,
      lastResponses: r.last_responses ? (JSON.parse(r.last_responses) as StoredResponse[]) : null,
      lastResponsesKey: r.last_responses_key,
      davToken: r.dav_token,
    };
  }

  /** Forgets a collection and everything the device held in it (SyncKey 0, UIDVALIDITY change). */
  reset(c: CollectionRef): void {
    this.st.del.run(c.mailbox, c.deviceId, c.collectionId);
  }

  /** Starts a collection life at key n = 1 with a fresh generation; returns the generation. */
  create(c: CollectionRef, path: string, options: CollectionOptions): string {
    const gen = randomBytes(4).toString('hex');
    this.st.insert.run(c.mailbox, c.deviceId, c.collectionId, gen, path, JSON.stringify(options), Date.now());
    return gen;
  }

  setKeys(c: CollectionRef, syncKey: number, prevSyncKey: number | null): void {
    this.st.setKeys.run(syncKey, prevSyncKey, syncKey, Date.now(), c.mailbox, c.deviceId, c.collectionId);
  }

  setOptions(c: CollectionRef, options: CollectionOptions): void {
    this.st.setOptions.run(JSON.stringify(options), c.mailbox, c.deviceId, c.collectionId);
  }

  /** Records how far change detection has looked (the state the dirty set is complete for). */
  setScanState(c: CollectionRef, s: { uidValidity: number | null; modseq: bigint | null; needsRescan: boolean; path: string }): void {
    this.st.setScan.run(s.uidValidity, s.modseq === null ? null : s.modseq.toString(), s.needsRescan ? 1 : 0, s.path, c.mailbox, c.deviceId, c.collectionId);
  }

  /** `setScanState` for DAV folders: the token the pending set is complete for. */
  setDavScanState(c: CollectionRef, token: string | null, needsRescan = false): void {
    this.st.setDavScan.run(token, needsRescan ? 1 : 0, c.mailbox, c.deviceId, c.collectionId);
  }

  requireRescan(c: CollectionRef): void {
    this.st.setRescan.run(c.mailbox, c.deviceId, c.collectionId);
  }

  setNextItem(c: CollectionRef, next: number): void {
    this.st.setNext.run(next, c.mailbox, c.deviceId, c.collectionId);
  }

  setResponses(c: CollectionRef, key: number, responses: readonly StoredResponse[]): void {
    this.st.setResponses.run(JSON.stringify(responses), key, c.mailbox, c.deviceId, c.collectionId);
  }

  items(c: CollectionRef): ItemRow[] {
    return (this.st.items.all(c.mailbox, c.deviceId, c.collectionId) as RawItem[]).map(toItem);
  }

  itemCount(c: CollectionRef): number {
    return (this.st.itemCount.get(c.mailbox, c.deviceId, c.collectionId) as { n: number }).n;
  }

  itemByUid(c: CollectionRef, uid: number): ItemRow | undefined {
    const r = this.st.itemByUid.get(c.mailbox, c.deviceId, c.collectionId, uid) as RawItem | undefined;
    return r && toItem(r);
  }

  itemByServerId(c: CollectionRef, serverId: string): ItemRow | undefined {
    const r = this.st.itemById.get(c.mailbox, c.deviceId, c.collectionId, serverId) as RawItem | undefined;
    return r && toItem(r);
  }

  /** UIDs of items received before `before` (epoch ms): they left the FilterType window. */
  uidsBefore(c: CollectionRef, before: number): number[] {
    return (this.st.itemsBefore.all(c.mailbox, c.deviceId, c.collectionId, before) as { uid: number }[]).map((r) => r.uid);
  }

  /**
   * Writes an item; with `undoKey`, first remembers the row as it was so
   * that a retry with the previous key can restore it (server changes only).
   */
  putItem(c: CollectionRef, item: ItemRow, undoKey?: number, isNew = false): void {
    // A new ServerId (from the item counter, never reused) had no row before: undo means delete, no lookup needed.
    if (undoKey !== undefined) {
      if (isNew) this.st.putUndo.run(c.mailbox, c.deviceId, c.collectionId, undoKey, item.serverId, null, null, null);
      else this.remember(c, item.serverId, undoKey);
    }
    this.st.putItem.run(c.mailbox, c.deviceId, c.collectionId, item.serverId, item.uid, flagsKey(item.flags), item.internalDate);
  }

  deleteItem(c: CollectionRef, serverId: string, undoKey?: number): void {
    if (undoKey !== undefined) this.remember(c, serverId, undoKey);
    this.st.delItem.run(c.mailbox, c.deviceId, c.collectionId, serverId);
  }

  private remember(c: CollectionRef, serverId: string, key: number): void {
    const old = this.itemByServerId(c, serverId);
    // INSERT OR IGNORE: the first change within one response holds the state before it.
    this.st.putUndo.run(c.mailbox, c.deviceId, c.collectionId, key, serverId, old?.uid ?? null, old ? flagsKey(old.flags) : null, old?.internalDate ?? null);
  }

  /** Restores the items changed by the response that issued `key`, and makes its changes pending again. */
  rollback(c: CollectionRef, key: number): void {
    const rows = this.st.undoRows.all(c.mailbox, c.deviceId, c.collectionId, key) as { server_id: string; uid: number | null; flags: string | null; internal_date: number | null }[];
    for (const r of rows) {
      if (r.uid === null) this.st.delItem.run(c.mailbox, c.deviceId, c.collectionId, r.server_id);
      else this.st.putItem.run(c.mailbox, c.deviceId, c.collectionId, r.server_id, r.uid, r.flags ?? '', r.internal_date ?? 0);
    }
    this.st.dropUndo.run(c.mailbox, c.deviceId, c.collectionId, key);
    this.st.unsend.run(c.mailbox, c.deviceId, c.collectionId, key);
  }

  /** The device confirmed `key`: what was sent up to it is final. */
  confirm(c: CollectionRef, key: number): void {
    this.st.purgeUndo.run(c.mailbox, c.deviceId, c.collectionId, key);
    this.st.purgeSent.run(c.mailbox, c.deviceId, c.collectionId, key);
  }

  markDirty(c: CollectionRef, uids: Iterable<number>): void {
    for (const uid of uids) this.st.markDirty.run(c.mailbox, c.deviceId, c.collectionId, uid);
  }

  /** Pending UIDs, newest (highest UID) first so that a phone shows recent mail first. */
  pendingUids(c: CollectionRef): number[] {
    return (this.st.pending.all(c.mailbox, c.deviceId, c.collectionId) as { uid: number }[]).map((r) => r.uid);
  }

  /**
   * Up to `limit` pending UIDs below `belowUid`, newest first, each with the
   * item the device holds for it (if any): one indexed read per window
   * instead of the whole pending set plus a lookup per UID.
   */
  pendingPage(c: CollectionRef, belowUid: number, limit: number): PendingEntry[] {
    const rows = this.st.pendingPage.all(c.mailbox, c.deviceId, c.collectionId, belowUid, limit) as (RawItem | (Omit<RawItem, 'server_id'> & { server_id: null }))[];
    return rows.map((r) => (r.server_id === null ? { uid: r.uid } : { uid: r.uid, item: toItem(r) }));
  }

  /** Whether any UID below `belowUid` is pending (MoreAvailable). */
  hasPendingBelow(c: CollectionRef, belowUid: number): boolean {
    return this.st.pendingBelow.get(c.mailbox, c.deviceId, c.collectionId, belowUid) !== undefined;
  }

  pendingCount(c: CollectionRef): number {
    return (this.st.pendingCount.get(c.mailbox, c.deviceId, c.collectionId) as { n: number }).n;
  }

  markSent(c: CollectionRef, uid: number, key: number): void {
    this.st.markSent.run(key, c.mailbox, c.deviceId, c.collectionId, uid);
  }

  /** `markSent` for a whole window in one statement (a window is hundreds of UIDs). */
  markSentMany(c: CollectionRef, uids: readonly number[], key: number): void {
    if (uids.length === 0) return;
    this.st.markSentMany.run(key, c.mailbox, c.deviceId, c.collectionId, JSON.stringify(uids));
  }

  clearDirty(c: CollectionRef, uid: number): void {
    this.st.clearDirty.run(c.mailbox, c.deviceId, c.collectionId, uid);
  }

  lastRequest(mailbox: string, deviceId: string): unknown {
    const r = this.st.getRequest.get(mailbox, deviceId) as { request: string } | undefined;
    return r ? (JSON.parse(r.request) as unknown) : undefined;
  }

  saveRequest(mailbox: string, deviceId: string, request: unknown): void {
    this.st.putRequest.run(mailbox, deviceId, JSON.stringify(request), Date.now());
  }
}
