import type { MailMessageStore } from '../../backends/types.ts';
import type { FolderRow } from '../state/folders.ts';
import { applyClientCommands } from './client-ops.ts';
import type { CollectionSource, SourceRun } from './collection-source.ts';
import { refreshPending } from './detect.ts';
import type { SyncBudget } from './engine.ts';
import { inThreadBuilder, type NewItemBuilder } from './new-items.ts';
import type { CollectionRef } from './state.ts';
import { fillWindow, prefetchKey, startPrefetch, type Prefetch, type WindowResult } from './window.ts';

/** MS-ASCMD 2.2.3.186.3 folder types that hold mail. */
const MAIL_TYPES = new Set([1, 2, 3, 4, 5, 6, 12]);
const DRAFTS = 3;
const TRASH = 4;

/** A prefetched window older than this is not used (the phone went away, or came back much later). */
const PREFETCH_TTL_MS = 60_000;
/** At most this many prefetched windows in memory (each up to WindowSize messages' headers and truncated bodies). */
const PREFETCH_MAX = 64;
const slot = (r: CollectionRef): string => `${r.mailbox}\u0000${r.deviceId}\u0000${r.collectionId}`;

/** Whether a folder row is an IMAP mail folder. */
export function isMailFolder(f: FolderRow): boolean {
  return f.source === 'imap' && MAIL_TYPES.has(f.type);
}

/**
 * Mail folders over IMAP (MS-ASEMAIL): QRESYNC change detection
 * (src/sync/detect.ts), windows of new messages built in the item workers
 * and, for big initial syncs, the next window built ahead while the
 * response travels (src/sync/window.ts).
 */
export class MailSource implements CollectionSource {
  readonly name = 'mail';
  private readonly builder: NewItemBuilder;
  /** The next window's new messages, fetched while the current response travels (initial sync of big folders). */
  private readonly prefetches = new Map<string, { readonly p: Prefetch; readonly at: number }>();

  constructor(
    private readonly store: MailMessageStore,
    private readonly folders: { listActive(mailbox: string): FolderRow[] },
    builder?: NewItemBuilder,
  ) {
    this.builder = builder ?? inThreadBuilder(store);
  }

  serves(folder: FolderRow): boolean {
    return isMailFolder(folder);
  }

  className(): string {
    return 'Email';
  }

  detect(run: SourceRun): Promise<void> {
    return refreshPending(run.repo, this.store, run.caller.session, run.ref, run.repo.get(run.ref)!, run.folder.path);
  }

  applyClientCommands(run: SourceRun, commands: Parameters<CollectionSource['applyClientCommands']>[1]) {
    const { caller, folder } = run;
    return applyClientCommands(
      {
        repo: run.repo,
        store: this.store,
        session: caller.session,
        ref: run.ref,
        path: folder.path,
        isDrafts: folder.type === DRAFTS,
        isTrash: folder.type === TRASH,
        trashPath: this.folders.listActive(caller.mailbox).find((f) => f.source === 'imap' && f.type === TRASH)?.path,
        // Set by the engine from the request (MS-ASCMD 2.2.3.45 DeletesAsMoves, default true).
        deletesAsMoves: run.deletesAsMoves ?? true,
        version: caller.version,
        options: run.options,
        ...(caller.address ? { userAddress: caller.address } : {}),
        log: run.log,
      },
      run,
      commands,
    );
  }

  fillWindow(run: SourceRun, limit: number, budget: SyncBudget): Promise<WindowResult> {
    const uidValidity = run.repo.get(run.ref)!.uidValidity ?? undefined;
    const k = slot(run.ref);
    const pre = this.prefetches.get(k);
    this.prefetches.delete(k);
    return fillWindow({
      ...(pre && Date.now() - pre.at < PREFETCH_TTL_MS ? { prefetched: pre.p } : {}),
      repo: run.repo,
      store: this.store,
      builder: this.builder,
      session: run.caller.session,
      ref: run.ref,
      path: run.folder.path,
      ...(uidValidity !== undefined ? { uidValidity } : {}),
      options: run.options,
      version: run.caller.version,
      nextItem: run.nextItem,
      limit,
      deadline: budget.deadline,
      ...(budget.hardDeadline !== undefined ? { hardDeadline: budget.hardDeadline } : {}),
    });
  }

  committed(run: SourceRun, window: WindowResult, issuedKey: number | undefined): void {
    const uidValidity = run.repo.get(run.ref)?.uidValidity ?? undefined;
    const { caller, folder, options } = run;
    if (window.leftover.length) {
      // Batches the response could not wait for: their ServerIds are counted in nextItem already.
      this.keep(run.ref, { key: prefetchKey({ path: folder.path, uidValidity, version: caller.version, options }), baseItem: window.nextItem, endItem: window.nextItem, batches: window.leftover });
    } else if (window.moreAvailable && issuedKey !== undefined) {
      const p = startPrefetch({
        repo: run.repo,
        store: this.store,
        builder: this.builder,
        session: caller.session,
        ref: run.ref,
        path: folder.path,
        ...(uidValidity !== undefined ? { uidValidity } : {}),
        options,
        version: caller.version,
        limit: options.windowSize,
        nextItem: window.nextItem,
      });
      if (p) this.keep(run.ref, p);
    }
  }

  forget(ref: CollectionRef): void {
    this.prefetches.delete(slot(ref));
  }

  private keep(ref: CollectionRef, p: Prefetch): void {
    if (this.prefetches.size >= PREFETCH_MAX) {
      const oldest = this.prefetches.keys().next().value;
      if (oldest !== undefined) this.prefetches.delete(oldest);
    }
    this.prefetches.set(slot(ref), { p, at: Date.now() });
  }
}
