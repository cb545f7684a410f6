import type { DavStore } from '../../../backends/types.ts';
import type { SyncClientCommand } from '../../../protocol/commands/sync.ts';
import type { FolderRow } from '../../state/folders.ts';
import type { CollectionSource, SourceRun } from '../collection-source.ts';
import type { SyncBudget } from '../engine.ts';
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
export class DavSource implements CollectionSource {
  readonly name: string;

  constructor(
    private readonly store: DavStore,
    private readonly cls: DavItemClass,
    private readonly members: DavMembers,
    private readonly onWrite?: OnDeviceWrite,
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

  detect(run: SourceRun): Promise<void> {
    return detectDavChanges(this.store, this.cls, this.members, run);
  }

  applyClientCommands(run: SourceRun, commands: readonly SyncClientCommand[]) {
    return applyDavCommands(this.store, this.cls, this.members, run, commands, this.onWrite);
  }

  fetchItem(run: SourceRun, serverId: string) {
    return fetchDavItem(this.store, this.cls, this.members, run, serverId);
  }

  fillWindow(run: SourceRun, limit: number, budget: SyncBudget): Promise<WindowResult> {
    return fillDavWindow(this.store, this.cls, this.members, run, limit, budget);
  }
}
