import type { DavStore } from '../../../backends/types.ts';
import type { SyncClientCommand } from '../../../protocol/commands/sync.ts';
import type { FolderRow } from '../../state/folders.ts';
import type { CollectionSource, SourceRun } from '../collection-source.ts';
import type { SyncBudget, SyncCaller } from '../engine.ts';
import type { WindowResult } from '../window.ts';
import { applyDavCommands, fetchDavItem, type OnDeviceWrite } from './client-ops.ts';
import { detectDavChanges } from './detect.ts';
import { fillDavWindow } from './window.ts';
import type { DavItemClass } from './item-class.ts';
import { parseDavFolderPath } from './item-class.ts';
import type { DavMembers } from './members.ts';

/**
 * Calendars, task lists and address books as Sync collections: one source
 * per class, over the DAV server of that class. Keys, windows, retries and
 * the commit are the engine's; this finds changes by sync token
 * (detect.ts), builds windows from multigets (window.ts) and writes the
 * device's changes with ETag preconditions (client-ops.ts).
 */
/**
 * While a device pages through changes already found (MoreAvailable), the
 * next window is sent from those without asking the DAV server again for
 * this long. A sync-collection REPORT costs the server a walk over the whole
 * collection (Radicale: about 80 ms per 1,000 members), so asking before each
 * of ten windows made an initial sync four times slower than one raw fetch.
 * Nothing is missed: the stored token is still the one of the last scan, and
 * the first Sync after the pending changes run out (or after this time)
 * asks again; an item changed meanwhile is read fresh by its window anyway.
 */
const RESCAN_WHILE_PENDING_MS = 15_000;

/** The folders whose items `folder` carries for this device, the folder itself first (contacts: src/sync/dav/book-merge.ts). */
export type BooksOf = (caller: Pick<SyncCaller, 'mailbox' | 'deviceId'>, folder: FolderRow) => readonly FolderRow[];

export class DavSource implements CollectionSource {
  readonly name: string;
  /** When each collection of each device was last scanned, to skip rescans while windows are pending. In memory: a restart just scans again. */
  private readonly scannedAt = new Map<string, number>();

  constructor(
    private readonly store: DavStore,
    private readonly cls: DavItemClass,
    private readonly members: DavMembers,
    private readonly onWrite?: OnDeviceWrite,
    private readonly booksOf?: BooksOf,
  ) {
    this.name = cls.className.toLowerCase();
  }

  serves(folder: FolderRow): boolean {
    if (folder.source !== this.cls.kind) return false;
    if (folder.type !== this.cls.defaultType && folder.type !== this.cls.userType) return false;
    return parseDavFolderPath(folder.path).component === this.cls.component;
  }

  className(): string {
    return this.cls.className;
  }

  async detect(run: SourceRun): Promise<void> {
    const key = `${run.ref.mailbox}\0${run.ref.deviceId}\0${run.ref.collectionId}`;
    const last = this.scannedAt.get(key);
    const state = run.repo.get(run.ref);
    if (last !== undefined && Date.now() - last < RESCAN_WHILE_PENDING_MS && state && !state.needsRescan && state.davToken && run.repo.pendingCount(run.ref) > 0) return;
    await detectDavChanges(this.store, this.cls, this.members, run, this.books(run));
    this.scannedAt.set(key, Date.now());
    if (this.scannedAt.size > 10_000) this.scannedAt.delete(this.scannedAt.keys().next().value!);
  }

  applyClientCommands(run: SourceRun, commands: readonly SyncClientCommand[]) {
    return applyDavCommands(this.store, this.cls, this.members, run, commands, this.onWrite);
  }

  fetchItem(run: SourceRun, serverId: string) {
    return fetchDavItem(this.store, this.cls, this.members, run, serverId);
  }

  fillWindow(run: SourceRun, limit: number, budget: SyncBudget): Promise<WindowResult> {
    return fillDavWindow(this.store, this.cls, this.members, run, limit, budget, this.books(run));
  }

  /** The collection hrefs whose members this folder carries on this device, its own first. */
  private books(run: SourceRun): readonly string[] {
    const folders = this.booksOf?.(run.caller, run.folder) ?? [run.folder];
    return folders.map((f) => parseDavFolderPath(f.path).href);
  }
}
