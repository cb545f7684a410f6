import type { MailMessageStore, UserSession } from '../../backends/types.ts';
import type { SyncServerCommand } from '../../protocol/commands/sync.ts';
import { emailToApplicationData } from '../../protocol/types/email.ts';
import { versionAtLeast, type ProtocolVersion } from '../../protocol/version.ts';
import { buildEmailChange } from './email-item.ts';
import { formatServerId } from './file-reference.ts';
import { visibleState } from './flags.ts';
import type { NewItem, NewItemBuilder, NewItemsJob } from './new-items.ts';
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
  /** Epoch ms after which no further chunk is started (MoreAvailable instead). */
  readonly deadline: number;
  readonly now?: () => number;
  /** New messages fetched ahead by the previous request of this collection. */
  readonly prefetched?: Prefetch;
}

/** UIDs looked at per step: one window of the largest size, so the time budget is checked per window at worst. */
const CHUNK = 512;
/** Above every IMAP UID (32-bit, RFC 3501 2.3.1.1): the first page of pending UIDs starts here. */
const NO_UID_BELOW = 2 ** 32;

/**
 * New messages of the next window built ahead, while the current response
 * travels to the phone and the phone asks again (initial sync of a big
 * folder). It reserved the ServerIds `baseItem` to `endItem - 1`, so it is
 * used only when the collection's counter is still at `baseItem`, for the
 * same body options and version; a message changed in between is caught by
 * the next change detection like any other.
 */
export interface Prefetch {
  readonly key: string;
  readonly baseItem: number;
  readonly endItem: number;
  readonly items: ReadonlyMap<number, string>;
  readonly result: Promise<NewItem[]>;
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
export function startPrefetch(w: Omit<WindowInput, 'deadline' | 'prefetched'>): Prefetch | undefined {
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
  const result = w.builder.build(newItemsJob(w, items));
  result.catch(() => undefined);
  return { key: prefetchKey(w), baseItem: w.nextItem, endItem: w.nextItem + items.length, items: new Map(items.map((i) => [i.uid, i.serverId])), result };
}

/**
 * New items for `uids`: from the prefetch where it holds them, built now
 * otherwise (with ServerIds drawn from `alloc`). A failed prefetch is built
 * again with the ServerIds it reserved.
 */
async function newItemsFor(w: WindowInput, pre: Prefetch | undefined, uids: readonly number[], alloc: () => string): Promise<Map<number, NewItem>> {
  const fromPre: NewItemsJob['items'][number][] = [];
  const fresh: NewItemsJob['items'][number][] = [];
  for (const uid of uids) {
    const reserved = pre?.items.get(uid);
    if (reserved !== undefined) fromPre.push({ uid, serverId: reserved });
    else fresh.push({ uid, serverId: alloc() });
  }
  const build = (items: NewItemsJob['items']): Promise<NewItem[]> => (items.length ? w.builder.build(newItemsJob(w, items)) : Promise.resolve([]));
  const prebuilt = async (): Promise<NewItem[]> => {
    if (!fromPre.length || !pre) return [];
    const got = await pre.result.catch(() => undefined);
    if (!got) return build(fromPre);
    const want = new Set(fromPre.map((i) => i.uid));
    return got.filter((i) => want.has(i.uid));
  };
  const [a, b] = await Promise.all([prebuilt(), build(fresh)]);
  const out = new Map<number, NewItem>();
  for (const i of a) out.set(i.uid, i);
  for (const i of b) out.set(i.uid, i);
  return out;
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
      newUids.length ? newItemsFor(w, pre, newUids, alloc) : Promise.resolve(new Map<number, NewItem>()),
    ]);
    const currentBy = new Map(current.map((m) => [m.uid, m]));
    for (const { uid } of page) {
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
      const n = fresh.get(uid);
      if (!n) continue;
      commands.push({ kind: 'Add', serverId: n.serverId, applicationData: n.applicationData });
      itemWrites.push({ kind: 'put', isNew: true, item: { serverId: n.serverId, uid, flags: n.flags, internalDate: n.internalDate } });
    }
    if (exhausted) break;
  }
  const moreAvailable = !exhausted && w.repo.hasPendingBelow(w.ref, below);
  return { commands, itemWrites, resolved, moreAvailable, nextItem };
}
