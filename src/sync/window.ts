import type { MailMessageStore, UserSession } from '../../backends/types.ts';
import type { SyncServerCommand } from '../../protocol/commands/sync.ts';
import { emailToApplicationData } from '../../protocol/types/email.ts';
import { versionAtLeast, type ProtocolVersion } from '../../protocol/version.ts';
import { buildEmailChange } from './email-item.ts';
import { formatServerId } from './file-reference.ts';
import { visibleState } from './flags.ts';
import { batchOf, buildAll, type NewItem, type NewItemBuilder, type NewItemsBatch, type NewItemsJob } from './new-items.ts';
import { filterSince, type CollectionOptions } from './options.ts';
import type { CollectionRef, ItemRow, SyncStateRepository } from './state.ts';

/**
 * Fills one collection's window (MS-ASCMD 2.2.3.199 WindowSize): takes the
 * pending UIDs newest first, decides per UID whether the device needs an
 * Add, Change, Delete or SoftDelete (or nothing), fetches only what those
 * need, and stops at the window size or the time budget. Nothing is written
 * here: the caller commits `itemWrites` and `resolved` with the new key.
 *
 * New messages get their ServerIds before they are fetched (the ids are
 * inside the built items: attachment FileReferences), so a message that
 * vanished meanwhile leaves a gap in the numbering; ids are never reused.
 */

/** One write to the device's item set, applied in the commit transaction. */
export type ItemWrite = { readonly kind: 'put'; readonly item: ItemRow; readonly isNew?: boolean } | { readonly kind: 'delete'; readonly serverId: string };

export interface WindowResult {
  readonly commands: SyncServerCommand[];
  readonly itemWrites: ItemWrite[];
  /** Every UID looked at (sent or found to need nothing): no longer pending once committed. */
  readonly resolved: number[];
  readonly moreAvailable: boolean;
  readonly nextItem: number;
  /** Batches still being built when the response had to go: the next request's prefetch. */
  readonly leftover: readonly NewItemsBatch[];
}

export interface WindowInput {
  readonly repo: SyncStateRepository;
  readonly store: MailMessageStore;
  /** Builds the Adds (src/sync/new-items.ts): on this thread or in the item workers. */
  readonly builder: NewItemBuilder;
  readonly session: UserSession;
  readonly ref: CollectionRef;
  readonly path: string;
  /** The folder's UIDVALIDITY after change detection (stale pooled selections are refreshed against it). */
  readonly uidValidity?: number;
  readonly options: CollectionOptions;
  readonly version: ProtocolVersion;
  readonly nextItem: number;
  /** Changes allowed in this response for this collection. */
  readonly limit: number;
  /**
   * Epoch ms after which no further chunk is started and the response takes
   * the batches that are done (MoreAvailable instead of the rest), so a slow
   * IMAP server never keeps the phone waiting past its own timeout.
   */
  readonly deadline: number;
  /** Past this the response goes even with nothing built (default: `deadline`). */
  readonly hardDeadline?: number;
  readonly now?: () => number;
  /** New messages fetched ahead by the previous request of this collection. */
  readonly prefetched?: Prefetch;
}

/** UIDs looked at per step: one window of the largest size, so the time budget is checked per window at worst. */
const CHUNK = 512;
/** Above every IMAP UID (32-bit, RFC 3501 2.3.1.1): the first page of pending UIDs starts here. */
const NO_UID_BELOW = 2 ** 32;

/**
 * New messages built ahead: the next window's, started while the current
 * response travels to the phone and the phone asks again (initial sync of a
 * big folder), or batches a response had no time to wait for. The batches'
 * ServerIds are reserved up to `endItem`, so the prefetch is used only while
 * the collection's counter is still at `baseItem` (it is `endItem` for
 * leftovers, whose ids the last response already counted), and only for the
 * same folder generation, body options and version. A message changed in
 * between is caught by the next change detection like any other.
 */
export interface Prefetch {
  readonly key: string;
  readonly baseItem: number;
  readonly endItem: number;
  readonly batches: readonly NewItemsBatch[];
}

/** The key a prefetch must match: folder generation, options and version decide what was built. */
export function prefetchKey(w: Pick<WindowInput, 'options' | 'version' | 'path' | 'uidValidity'>): string {
  return `${w.path}\u0000${w.uidValidity ?? ''}\u0000${w.version}\u0000${JSON.stringify(w.options)}`;
}

function newItemsJob(w: Pick<WindowInput, 'session' | 'path' | 'options' | 'version' | 'uidValidity'>, items: NewItemsJob['items']): NewItemsJob {
  const since = filterSince(w.options.filterType);
  return {
    session: w.session,
    path: w.path,
    items,
    version: w.version,
    body: w.options,
    ...(w.uidValidity !== undefined ? { uidValidity: w.uidValidity } : {}),
    ...(since ? { sinceMs: since.getTime() } : {}),
  };
}

/** Starts building the new messages the next window will need (at most `limit` pending UIDs), with ServerIds from `nextItem`. */
export function startPrefetch(w: Omit<WindowInput, 'deadline' | 'hardDeadline' | 'prefetched'>): Prefetch | undefined {
  const uids: number[] = [];
  const want = Math.min(w.limit, CHUNK);
  let below = NO_UID_BELOW;
  while (uids.length < want) {
    const page = w.repo.pendingPage(w.ref, below, CHUNK);
    for (const p of page) {
      if (uids.length >= want) break;
      if (!p.item) uids.push(p.uid);
    }
    if (page.length < CHUNK) break;
    below = page[page.length - 1]!.uid;
  }
  if (uids.length === 0) return undefined;
  const items = uids.map((uid, i) => ({ uid, serverId: formatServerId(w.ref.collectionId, w.nextItem + i) }));
  return { key: prefetchKey(w), baseItem: w.nextItem, endItem: w.nextItem + items.length, batches: w.builder.start(newItemsJob(w, items)) };
}

/** What became of the new UIDs of one chunk. */
interface NewItemsOutcome {
  readonly built: Map<number, NewItem>;
  /** UIDs whose batch is not done: still pending, their batches kept for the next request. */
  readonly waiting: Set<number>;
  readonly unfinished: NewItemsBatch[];
}

/**
 * New items for `uids`: from the prefetch where it holds them (a failed
 * prefetched batch is built again with the ServerIds it reserved), built now
 * otherwise with ServerIds drawn from `alloc`. Waits for every batch, except
 * that after the soft deadline it takes what is done as soon as anything is,
 * and after the hard deadline it takes what is done even if that is nothing.
 * A batch that failed fails the request (BackendError: retryable).
 */
async function newItemsFor(w: WindowInput, pre: Prefetch | undefined, uids: readonly number[], alloc: () => string): Promise<NewItemsOutcome> {
  const wanted = new Set(uids);
  const batches: NewItemsBatch[] = [];
  const covered = new Set<number>();
  for (const b of pre?.batches ?? []) {
    if (!b.items.some((i) => wanted.has(i.uid))) continue;
    for (const i of b.items) covered.add(i.uid);
    batches.push(batchOf(b.items, b.result.catch(() => buildAll(w.builder, newItemsJob(w, b.items)))));
  }
  const fresh = uids.filter((u) => !covered.has(u)).map((uid) => ({ uid, serverId: alloc() }));
  if (fresh.length) batches.push(...w.builder.start(newItemsJob(w, fresh)));
  const settled = await settleBy(batches, w.deadline, w.hardDeadline ?? w.deadline, w.now ?? Date.now);
  const built = new Map<number, NewItem>();
  const waiting = new Set<number>();
  const unfinished: NewItemsBatch[] = [];
  for (let k = 0; k < batches.length; k++) {
    const s = settled[k];
    if (s === undefined) {
      unfinished.push(batches[k]!);
      for (const i of batches[k]!.items) if (wanted.has(i.uid)) waiting.add(i.uid);
    } else if (s.status === 'rejected') throw s.reason;
    else for (const i of s.value) if (wanted.has(i.uid)) built.set(i.uid, i);
  }
  return { built, waiting, unfinished };
}

/**
 * The outcome of each batch that settled in time (undefined for the others):
 * all of them, or, past `soft`, whatever has settled once at least one has,
 * or, past `hard`, whatever has settled.
 */
async function settleBy(batches: readonly NewItemsBatch[], soft: number, hard: number, now: () => number): Promise<(PromiseSettledResult<NewItem[]> | undefined)[]> {
  const out: (PromiseSettledResult<NewItem[]> | undefined)[] = new Array(batches.length).fill(undefined);
  let count = 0;
  let wake: (() => void) | undefined;
  const tracked = batches.map((b, k) =>
    b.result.then(
      (value) => void (out[k] = { status: 'fulfilled', value }),
      (reason: unknown) => void (out[k] = { status: 'rejected', reason }),
    ).then(() => {
      count++;
      wake?.();
    }),
  );
  const all = Promise.all(tracked);
  const timers: NodeJS.Timeout[] = [];
  const after = (at: number): Promise<void> => new Promise((r) => timers.push(setTimeout(r, Math.max(0, at - now()))));
  try {
    await Promise.race([
      all,
      after(soft).then(() => (count > 0 ? undefined : new Promise<void>((r) => (wake = r)))),
      after(hard),
    ]);
  } finally {
    for (const t of timers) clearTimeout(t);
  }
  return [...out];
}

export async function fillWindow(w: WindowInput): Promise<WindowResult> {
  const now = w.now ?? Date.now;
  const since = filterSince(w.options.filterType);
  const commands: SyncServerCommand[] = [];
  const itemWrites: ItemWrite[] = [];
  const resolved: number[] = [];
  // A prefetch counts only while the ServerIds it reserved are still the next ones.
  const pre = w.prefetched && w.prefetched.key === prefetchKey(w) && w.prefetched.baseItem === w.nextItem ? w.prefetched : undefined;
  let nextItem = pre ? pre.endItem : w.nextItem;
  const alloc = (): string => formatServerId(w.ref.collectionId, nextItem++);
  const leftover: NewItemsBatch[] = [];
  // Pending UIDs are read a chunk at a time below the last one looked at (newest first), with the held item joined in.
  let below = NO_UID_BELOW;
  let exhausted = false;
  const soft = versionAtLeast(w.version, '12.0');
  while (commands.length < w.limit) {
    if (commands.length > 0 && now() >= w.deadline) break;
    const size = Math.min(CHUNK, w.limit - commands.length);
    const page = w.repo.pendingPage(w.ref, below, size);
    if (page.length < size) exhausted = true;
    if (page.length === 0) break;
    below = page[page.length - 1]!.uid;
    const known = new Map<number, ItemRow>();
    const newUids: number[] = [];
    for (const p of page) {
      if (p.item) known.set(p.uid, p.item);
      else newUids.push(p.uid);
    }
    const [current, fresh] = await Promise.all([
      known.size ? w.store.fetch(w.session, w.path, [...known.keys()], w.uidValidity !== undefined ? { uidValidity: w.uidValidity } : {}) : Promise.resolve([]),
      newUids.length ? newItemsFor(w, pre, newUids, alloc) : Promise.resolve(undefined),
    ]);
    const currentBy = new Map(current.map((m) => [m.uid, m]));
    if (fresh) leftover.push(...fresh.unfinished);
    for (const { uid } of page) {
      if (fresh?.waiting.has(uid)) continue;
      resolved.push(uid);
      const item = known.get(uid);
      if (item) {
        const m = currentBy.get(uid);
        if (!m) {
          commands.push({ kind: 'Delete', serverId: item.serverId });
          itemWrites.push({ kind: 'delete', serverId: item.serverId });
        } else if (since && m.internalDate < since) {
          commands.push(soft ? { kind: 'SoftDelete', serverId: item.serverId } : { kind: 'Delete', serverId: item.serverId });
          itemWrites.push({ kind: 'delete', serverId: item.serverId });
        } else if (visibleState(m.flags) !== visibleState(item.flags)) {
          commands.push({ kind: 'Change', serverId: item.serverId, applicationData: emailToApplicationData(buildEmailChange(m.flags, w.version), w.version) });
          itemWrites.push({ kind: 'put', item: { ...item, flags: m.flags } });
        } else if (item.flags.join(' ') !== m.flags.join(' ')) {
          // Invisible flag change (\Draft, $MDNSent...): remember it, tell the device nothing.
          itemWrites.push({ kind: 'put', item: { ...item, flags: m.flags } });
        }
        continue;
      }
      const n = fresh?.built.get(uid);
      if (!n) continue;
      commands.push({ kind: 'Add', serverId: n.serverId, applicationData: n.applicationData });
      itemWrites.push({ kind: 'put', isNew: true, item: { serverId: n.serverId, uid, flags: n.flags, internalDate: n.internalDate } });
    }
    if (exhausted || leftover.length) break;
  }
  const moreAvailable = leftover.length > 0 || (!exhausted && w.repo.hasPendingBelow(w.ref, below));
  return { commands, itemWrites, resolved, moreAvailable, nextItem, leftover };
}
