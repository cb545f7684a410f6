import { isBackendError } from '../../backends/errors.ts';
import type { Logger } from 'pino';
import type { MailMessageStore, UserSession } from '../../backends/types.ts';
import { SyncStatus, type SyncCollectionRequest, type SyncCollectionResponse, type SyncItemResponse } from '../../protocol/commands/sync.ts';
import type { ProtocolVersion } from '../../protocol/version.ts';
import type { Db } from '../state/db.ts';
import type { FolderRow } from '../state/folders.ts';
import { GenerationChanged, type CollectionSource, type SourceRun } from './collection-source.ts';
import { MailSource } from './mail-source.ts';
import type { NewItemBuilder } from './new-items.ts';
import { mergeOptions, type CollectionOptions } from './options.ts';
import { formatSyncKey, parseSyncKey, SyncStateRepository, type CollectionRef, type CollectionRow } from './state.ts';
import type { WindowResult } from './window.ts';

/**
 * The Sync engine (MS-ASCMD 2.2.1.21; ARCHITECTURE protocol rules 1-5), one
 * for every class: what differs per class sits behind `CollectionSource`
 * (src/sync/collection-source.ts: mail, calendar, tasks, contacts). Per
 * collection and request:
 *
 * 1. SyncKey: "0" starts the collection over (new key, no items). The
 *    current key confirms the last response. The previous key rolls that
 *    response back (its item writes are undone, its changes pending again),
 *    so the retry gets the same changes. Anything else: Status 3.
 * 2. The device's own commands are applied and answered per item.
 * 3. Change detection adds item ids to the pending set; the window takes at
 *    most WindowSize of them, newest first, within the time budget.
 * 4. One transaction writes the items, marks what was sent and moves the
 *    key, before the response leaves (rule 2). A response with nothing in it
 *    keeps the key.
 *
 * A changed backend generation (IMAP UIDVALIDITY, a replaced DAV
 * collection) answers Status 3 after forgetting the collection:
 * every phone handles "start over from SyncKey 0", while deleting and
 * re-adding thousands of items in place is slow and error-prone on devices.
 */

/** Who is syncing. */
export interface SyncCaller {
  readonly mailbox: string;
  readonly deviceId: string;
  readonly session: UserSession;
  readonly version: ProtocolVersion;
  /** The user's address (From of new drafts). */
  readonly address?: string;
}

/** What is left of the request's global window and time (shared by its collections). */
export interface SyncBudget {
  remaining: number;
  /** Past this, answer with what is built (src/sync/window.ts). */
  readonly deadline: number;
  /** Past this, answer even with nothing built. */
  readonly hardDeadline?: number;
}

export interface SyncEngineDeps {
  readonly db: Db;
  readonly store: MailMessageStore;
  /** Where new items are fetched and built (src/sync/item-workers.ts); default: this thread, with `store`. */
  readonly builder?: NewItemBuilder;
  readonly log: Logger;
  /** Further classes (calendars, tasks, contacts); mail is always there. */
  readonly sources?: readonly CollectionSource[];
  /** Folder rows of the mailbox (H5's folder map): collection id -> IMAP path and type. */
  readonly folders: {
    getByServerId(mailbox: string, serverId: string): FolderRow | undefined;
    listActive(mailbox: string): FolderRow[];
  };
}

/**
 * The hard deadline of a Sync is this many times its soft budget
 * (EAS_SYNC_TIME_BUDGET_MS, default 5 s): a phone waits 20 s at worst for a
 * slow IMAP server, well inside the ~30 s after which Gmail gives up.
 */
export const HARD_BUDGET_FACTOR = 4;

const repos = new WeakMap<Db, SyncStateRepository>();

/** The repository of a database, prepared once per database handle. */
export function syncRepository(db: Db): SyncStateRepository {
  let r = repos.get(db);
  if (!r) {
    r = new SyncStateRepository(db);
    repos.set(db, r);
  }
  return r;
}

export class SyncEngine {
  readonly repo: SyncStateRepository;
  /** Serialises requests on one collection: two overlapping Syncs of a device must not interleave their state writes. */
  private readonly locks = new Map<string, Promise<unknown>>();
  private readonly sources: readonly CollectionSource[];

  constructor(private readonly deps: SyncEngineDeps) {
    this.repo = syncRepository(deps.db);
    this.sources = [new MailSource(deps.store, deps.folders, deps.builder), ...(deps.sources ?? [])];
  }

  /**
   * Runs `fn` once earlier work on the same collection is done. Public so that
   * commands writing one collection's state outside Sync (MoveItems) serialise
   * with it instead of inventing a second lock.
   */
  async exclusive<T>(ref: CollectionRef, fn: () => Promise<T>): Promise<T> {
    const k = `${ref.mailbox}\u0000${ref.deviceId}\u0000${ref.collectionId}`;
    const prev = this.locks.get(k) ?? Promise.resolve();
    const run = prev.then(fn, fn);
    const tail = run.catch(() => undefined);
    this.locks.set(k, tail);
    try {
      return await run;
    } finally {
      if (this.locks.get(k) === tail) this.locks.delete(k);
    }
  }

  /** Whether `collectionId` names a mail folder of this mailbox. */
  mailFolder(mailbox: string, collectionId: string): FolderRow | undefined {
    const found = this.collection(mailbox, collectionId);
    return found && found.source.name === 'mail' ? found.folder : undefined;
  }

  /** The folder `collectionId` names and the source that syncs it; undefined for unknown ids and folders no source syncs. */
  collection(mailbox: string, collectionId: string): { folder: FolderRow; source: CollectionSource } | undefined {
    const folder = this.deps.folders.getByServerId(mailbox, collectionId);
    if (!folder) return undefined;
    const source = this.sources.find((s) => s.serves(folder));
    return source ? { folder, source } : undefined;
  }

  /** One collection of a Sync request. Throws BackendError for backend outages (the caller answers 503). */
  syncCollection(caller: SyncCaller, req: SyncCollectionRequest, budget: SyncBudget): Promise<SyncCollectionResponse> {
    const ref: CollectionRef = { mailbox: caller.mailbox, deviceId: caller.deviceId, collectionId: req.collectionId };
    return this.exclusive(ref, () => this.syncLocked(caller, ref, req, budget));
  }

  private async syncLocked(caller: SyncCaller, ref: CollectionRef, req: SyncCollectionRequest, budget: SyncBudget): Promise<SyncCollectionResponse> {
    const found = this.collection(caller.mailbox, req.collectionId);
    const base = { collectionId: req.collectionId, class: req.class ?? (found ? found.source.className(found.folder) : 'Email') };
    if (!found) {
      // Unknown folder, or one no class syncs: the device refreshes its hierarchy (MS-ASCMD 2.2.3.177.17 Status 12).
      return { ...base, syncKey: req.syncKey, status: SyncStatus.FolderHierarchyChanged };
    }
    const { folder, source } = found;
    const cls = source.className(folder);
    const repo = this.repo;
    if (req.syncKey === '0') {
      let gen = '';
      repo.transaction(() => {
        repo.reset(ref);
        gen = repo.create(ref, folder.path, mergeOptions(undefined, req, cls));
      });
      source.forget?.(ref);
      this.deps.log.info({ event: 'sync.start', collection: req.collectionId, class: cls }, 'collection (re)started');
      return { ...base, syncKey: formatSyncKey(gen, 1), status: SyncStatus.Success };
    }
    let state = repo.get(ref);
    const key = parseSyncKey(req.syncKey);
    if (!state || !key || key.gen !== state.gen || (key.n !== state.syncKey && key.n !== state.prevSyncKey)) {
      this.deps.log.info({ event: 'sync.bad-key', collection: req.collectionId, syncKey: req.syncKey }, 'unknown sync key');
      return { ...base, syncKey: '0', status: SyncStatus.InvalidSyncKey };
    }
    const s0 = state;
    if (key.n === s0.syncKey) {
      repo.transaction(() => repo.confirm(ref, key.n));
    } else {
      // The device lost the response that issued the current key: undo it, so this request gets the same changes.
      repo.transaction(() => {
        repo.rollback(ref, s0.syncKey);
        repo.setKeys(ref, key.n, null);
      });
      this.deps.log.info({ event: 'sync.retry', collection: req.collectionId, syncKey: req.syncKey }, 'previous key: replaying');
    }
    const options = mergeOptions(s0.options, req, cls);
    if (JSON.stringify(options) !== JSON.stringify(s0.options)) {
      repo.transaction(() => {
        repo.setOptions(ref, options);
        if (options.filterType !== s0.options.filterType) repo.requireRescan(ref);
      });
    }
    state = repo.get(ref)!;
    const run: SourceRun = {
      caller,
      ref,
      folder,
      state,
      options,
      requestKey: key.n,
      nextItem: state.nextItem,
      ...(req.deletesAsMoves !== undefined ? { deletesAsMoves: req.deletesAsMoves } : {}),
      repo,
      log: this.deps.log,
    };
    return this.run(source, run, req, budget, base);
  }

  private async run(source: CollectionSource, run: SourceRun, req: SyncCollectionRequest, budget: SyncBudget, base: { collectionId: string; class: string }): Promise<SyncCollectionResponse> {
    const { repo, ref, state, options } = run;
    let responses: SyncItemResponse[] = [];
    let clientChanged = false;
    let nextItem = state.nextItem;
    if (req.commands.length) {
      const res = await source.applyClientCommands(run, req.commands);
      responses = res.responses;
      clientChanged = res.changed;
      nextItem = res.nextItem;
    }
    // Exchange sends Change/Delete answers only for failures (MS-ASCMD 2.2.3.24.3, 2.2.3.42.3); Add always carries the ServerId.
    responses = responses.filter((r) => r.kind === 'Add' || r.kind === 'Fetch' || r.status !== SyncStatus.Success);
    const getChanges = req.getChanges ?? true;
    let window: WindowResult | undefined;
    const after: SourceRun = { ...run, state: repo.get(ref)!, nextItem };
    if (getChanges) {
      try {
        await source.detect(after);
      } catch (e) {
        if (isBackendError(e, 'NotFound')) {
          // The backend folder went away since the last FolderSync (a book or mailbox deleted
          // elsewhere): Status 12 makes the device refresh its hierarchy instead of retrying
          // a server error forever (MS-ASCMD 2.2.3.177.17). Nothing is written.
          this.deps.log.info({ event: 'sync.folder-gone', collection: req.collectionId }, 'backend folder gone: hierarchy changed');
          return { ...base, syncKey: req.syncKey, status: SyncStatus.FolderHierarchyChanged };
        }
        if (!(e instanceof GenerationChanged)) throw e;
        repo.transaction(() => repo.reset(ref));
        source.forget?.(ref);
        this.deps.log.warn({ event: 'sync.generation', collection: req.collectionId, reason: e.message }, 'backend folder replaced: collection starts over');
        return { ...base, syncKey: '0', status: SyncStatus.InvalidSyncKey };
      }
      const limit = Math.max(0, Math.min(options.windowSize, budget.remaining));
      window = await source.fillWindow(after, limit, budget);
      budget.remaining -= window.commands.length;
      nextItem = window.nextItem;
    }
    const commands = window?.commands ?? [];
    const newKey = commands.length > 0 || clientChanged ? state.lastIssued + 1 : undefined;
    const sentKey = newKey ?? run.requestKey;
    const writes = window?.itemWrites ?? [];
    const resolved = window?.resolved ?? [];
    // A Sync that found nothing (the common push-driven case) writes nothing.
    if (writes.length || resolved.length || newKey !== undefined || nextItem !== state.nextItem) {
      repo.transaction(() => {
        for (const w of writes) {
          if (w.kind === 'put') repo.putItem(ref, w.item, newKey, w.isNew);
          else repo.deleteItem(ref, w.serverId, newKey);
        }
        repo.markSentMany(ref, resolved, sentKey);
        repo.setNextItem(ref, nextItem);
        if (newKey !== undefined) repo.setKeys(ref, newKey, run.requestKey);
      });
    }
    if (window) source.committed?.(after, window, newKey);
    if (commands.length) this.deps.log.debug({ event: 'sync.export', collection: req.collectionId, count: commands.length, more: window?.moreAvailable }, 'server changes sent');
    return {
      ...base,
      syncKey: formatSyncKey(state.gen, newKey ?? run.requestKey),
      status: SyncStatus.Success,
      ...(window?.moreAvailable ? { moreAvailable: true } : {}),
      ...(commands.length ? { commands } : {}),
      ...(responses.length ? { responses } : {}),
    };
  }

  /**
   * Runs change detection for a collection outside Sync (GetItemEstimate,
   * push). Returns false when the backend generation changed (the device
   * must start over).
   */
  private async detectOnly(source: CollectionSource, caller: Pick<SyncCaller, 'mailbox' | 'deviceId' | 'session'>, ref: CollectionRef, folder: FolderRow, state: CollectionRow): Promise<boolean> {
    const run: SourceRun = {
      caller: { ...caller, version: '14.1' },
      ref,
      folder,
      state,
      options: state.options,
      requestKey: state.syncKey,
      nextItem: state.nextItem,
      repo: this.repo,
      log: this.deps.log,
    };
    try {
      await source.detect(run);
      return true;
    } catch (e) {
      if (e instanceof GenerationChanged) return false;
      throw e;
    }
  }

  /**
   * GetItemEstimate (MS-ASCMD 2.2.1.9): the number of pending changes after
   * change detection. Status 2 unknown collection, 3 not primed (no state),
   * 4 unknown key.
   */
  async estimate(caller: SyncCaller, collectionId: string, syncKey: string): Promise<{ status: 1 | 2 | 3 | 4; estimate?: number }> {
    const found = this.collection(caller.mailbox, collectionId);
    if (!found) return { status: 2 };
    const ref: CollectionRef = { mailbox: caller.mailbox, deviceId: caller.deviceId, collectionId };
    return this.exclusive(ref, async () => {
      const state = this.repo.get(ref);
      if (!state || syncKey === '0') return { status: 3 as const };
      const key = parseSyncKey(syncKey);
      if (!key || key.gen !== state.gen || (key.n !== state.syncKey && key.n !== state.prevSyncKey)) return { status: 4 as const };
      if (!(await this.detectOnly(found.source, caller, ref, found.folder, state))) return { status: 4 as const };
      return { status: 1 as const, estimate: this.repo.pendingCount(ref) };
    });
  }

  /**
   * For push (Ping, hanging Sync): whether the device's collection has
   * changes it has not received. Runs change detection (one STATUS or one
   * sync-collection REPORT when nothing moved). A collection the device
   * never synced has none.
   */
  async hasChanges(caller: Pick<SyncCaller, 'mailbox' | 'deviceId' | 'session'>, collectionId: string): Promise<boolean> {
    const found = this.collection(caller.mailbox, collectionId);
    if (!found) return false;
    const ref: CollectionRef = { mailbox: caller.mailbox, deviceId: caller.deviceId, collectionId };
    return this.exclusive(ref, async () => {
      const state = this.repo.get(ref);
      if (!state) return false;
      if (!(await this.detectOnly(found.source, caller, ref, found.folder, state))) return true;
      return this.repo.pendingCount(ref) > 0;
    });
  }

  /**
   * ItemOperations Fetch (MS-ASCMD 2.2.1.10) of a calendar item, task or
   * contact the device holds, with the collection's options and, when the
   * request has them, its body preferences. Undefined when the id names no
   * item of a class that fetches this way (mail goes through resolveItem).
   */
  async fetchItem(caller: SyncCaller, serverId: string, bodyPreferences?: CollectionOptions['bodyPreferences']): Promise<{ class: string; response: SyncItemResponse } | undefined> {
    const m = /^([1-9]\d{0,9}):[1-9]\d{0,14}$/.exec(serverId);
    const found = m ? this.collection(caller.mailbox, m[1]!) : undefined;
    if (!found?.source.fetchItem) return undefined;
    const ref: CollectionRef = { mailbox: caller.mailbox, deviceId: caller.deviceId, collectionId: m![1]! };
    const state = this.repo.get(ref);
    if (!state) return undefined;
    const options = bodyPreferences?.length ? { ...state.options, bodyPreferences } : state.options;
    const run: SourceRun = { caller, ref, folder: found.folder, state, options, requestKey: state.syncKey, nextItem: state.nextItem, repo: this.repo, log: this.deps.log };
    return { class: found.source.className(found.folder), response: await found.source.fetchItem(run, serverId) };
  }

  /**
   * The IMAP location of an item the device holds (ItemOperations, MoveItems,
   * SmartReply/Forward, attachments by FileReference). Resolved only through
   * this device's own state, so ids from elsewhere resolve to nothing.
   */
  resolveItem(mailbox: string, deviceId: string, serverId: string): { path: string; uid: number; collectionId: string } | undefined {
    const m = /^([1-9]\d{0,9}):[1-9]\d{0,14}$/.exec(serverId);
    if (!m) return undefined;
    const collectionId = m[1]!;
    const folder = this.mailFolder(mailbox, collectionId);
    if (!folder) return undefined;
    const item = this.repo.itemByServerId({ mailbox, deviceId, collectionId }, serverId);
    return item ? { path: folder.path, uid: item.uid, collectionId } : undefined;
  }

  /**
   * Records that an item moved away on the device's request (MoveItems): the
   * device no longer holds it in the source collection, so no Delete is sent
   * for it later.
   */
  forgetItem(mailbox: string, deviceId: string, serverId: string): void {
    const m = /^([1-9]\d{0,9}):/.exec(serverId);
    if (!m) return;
    const ref: CollectionRef = { mailbox, deviceId, collectionId: m[1]! };
    const item = this.repo.itemByServerId(ref, serverId);
    this.repo.transaction(() => {
      this.repo.deleteItem(ref, serverId);
      if (item) this.repo.clearDirty(ref, item.uid);
    });
  }
}
