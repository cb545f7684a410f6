import type { Logger } from 'pino';
import type { SyncClientCommand, SyncItemResponse } from '../../protocol/commands/sync.ts';
import type { FolderRow } from '../state/folders.ts';
import type { SyncBudget, SyncCaller } from './engine.ts';
import type { CollectionOptions } from './options.ts';
import type { CollectionRef, CollectionRow, SyncStateRepository } from './state.ts';
import type { WindowResult } from './window.ts';

/**
 * The seam between the Sync engine and one class of items (mail over IMAP;
 * calendars, tasks and contacts over DAV). The engine owns what must hold
 * for every class (ARCHITECTURE rules 1-4): sync keys and their replay,
 * the per-collection lock, one commit transaction per response, windowing
 * across collections, GetItemEstimate and the push check. A source owns
 * what differs: how changes are found, how an item is built, how the
 * device's own changes reach the backend.
 *
 * A source speaks to the engine's state in one vocabulary: each backend
 * item has a positive integer id within the collection (an IMAP UID; for
 * DAV a number kept per href, src/sync/dav/members.ts), a change marker
 * (IMAP flags; a DAV ETag) and a date for FilterType. Pending changes are
 * those ids in `sync_dirty`; what the device holds is `sync_items`.
 */
export interface CollectionSource {
  /** Log and metric name ("mail", "calendar", ...). */
  readonly name: string;
  /** Whether this source syncs `folder`. */
  serves(folder: FolderRow): boolean;
  /** The EAS class of the folder's items (Email, Calendar, Tasks, Contacts). */
  className(folder: FolderRow): string;
  /**
   * Change detection: adds every id whose state may differ from what the
   * device holds to the pending set (`repo.markDirty`) and records how far
   * it looked. Cheap when nothing changed. Throws GenerationChanged when
   * the backend folder is no longer the one the device synced.
   */
  detect(run: SourceRun): Promise<void>;
  /** The device's own Add/Change/Delete/Fetch, answered per item and idempotent (src/sync/client-commands.ts). */
  applyClientCommands(run: SourceRun, commands: readonly SyncClientCommand[]): Promise<ClientCommandsResult>;
  /** At most `limit` pending changes as server commands; writes nothing (the engine commits). */
  fillWindow(run: SourceRun, limit: number, budget: SyncBudget): Promise<WindowResult>;
  /** ItemOperations Fetch of an item the device holds (mail has its own path, src/commands/fetch). */
  fetchItem?(run: SourceRun, serverId: string): Promise<SyncItemResponse>;
  /** After the engine committed a response: e.g. start building the next window. */
  committed?(run: SourceRun, window: WindowResult, issuedKey: number | undefined): void;
  /** The collection starts over (SyncKey 0, generation change): drop whatever the source keeps for it. */
  forget?(ref: CollectionRef): void;
}

/** Everything a source needs for one collection of one request. */
export interface SourceRun {
  readonly caller: SyncCaller;
  readonly ref: CollectionRef;
  readonly folder: FolderRow;
  /** The collection state as it was when the request's key was accepted. */
  readonly state: CollectionRow;
  readonly options: CollectionOptions;
  /** The key the request was made with (client answers are recorded under it). */
  readonly requestKey: number;
  /** The next item number for new ServerIds (`<collectionId>:<n>`). */
  readonly nextItem: number;
  /** MS-ASCMD 2.2.3.45 DeletesAsMoves as the request says it (mail only). */
  readonly deletesAsMoves?: boolean;
  readonly repo: SyncStateRepository;
  readonly log: Logger;
}

export interface ClientCommandsResult {
  readonly responses: SyncItemResponse[];
  /** Whether anything was applied or answered that needs a new sync key (Fetch alone does not). */
  readonly changed: boolean;
  readonly nextItem: number;
}

/**
 * The backend folder is not the one the device synced (IMAP UIDVALIDITY
 * changed; a DAV collection replaced): every id the device knows is void
 * and the collection starts over from SyncKey 0 (Status 3).
 */
export class GenerationChanged extends Error {
  override readonly name: string = 'GenerationChanged';
}
