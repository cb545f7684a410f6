import type { FetchWant, FetchedMessage, MailMessageStore, UserSession } from '../../backends/types.ts';
import type { SyncServerCommand } from '../../protocol/commands/sync.ts';
import { emailToApplicationData } from '../../protocol/types/email.ts';
import { versionAtLeast, type ProtocolVersion } from '../../protocol/version.ts';
import { ITEM_FIRST_FETCH, buildEmail, buildEmailChange, planItemFetch } from './email-item.ts';
import { formatServerId } from './file-reference.ts';
import { visibleState } from './flags.ts';
import { filterSince, type CollectionOptions } from './options.ts';
import type { CollectionRef, ItemRow, SyncStateRepository } from './state.ts';

/**
 * Fills one collection's window (MS-ASCMD 2.2.3.199 WindowSize): takes the
 * pending UIDs newest first, decides per UID whether the device needs an
 * Add, Change, Delete or SoftDelete (or nothing), fetches only what those
 * need, and stops at the window size or the time budget. Nothing is written
 * here: the caller commits `itemWrites` and `resolved` with the new key.
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
  readonly session: UserSession;
  readonly ref: CollectionRef;
  readonly path: string;
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
/**
 * New messages are fetched in sub-chunks at once, each on whichever pooled
 * connection is free (the pool caps them per user): the structure and body
 * round trips of different sub-chunks overlap instead of adding up.
 */
const SUB_CHUNK = 128;
/** Above every IMAP UID (32-bit, RFC 3501 2.3.1.1): the first page of pending UIDs starts here. */
const NO_UID_BELOW = 2 ** 32;

async function fetchNew(w: Pick<WindowInput, 'store' | 'session' | 'path' | 'options' | 'version'>, uids: readonly number[], since: Date | undefined): Promise<{ metas: FetchedMessage[]; bodies: Map<number, FetchedMessage> }> {
  const subs: number[][] = [];
  for (let i = 0; i < uids.length; i += SUB_CHUNK) subs.push(uids.slice(i, i + SUB_CHUNK));
  const results = await Promise.all(
    subs.map(async (sub) => {
      const metas = (await w.store.fetch(w.session, w.path, sub, ITEM_FIRST_FETCH)).filter((m) => !since || m.internalDate >= since);
      return { metas, bodies: await fetchBodies(w, metas) };
    }),
  );
  const bodies = new Map<number, FetchedMessage>();
  for (const r of results) for (const [k, v] of r.bodies) bodies.set(k, v);
  return { metas: results.flatMap((r) => r.metas), bodies };
}

/**
 * New messages of the next window fetched ahead, while the current response
 * travels to the phone and the phone asks again (initial sync of a big
 * folder). Used only for the same UIDs with the same body options; a message
 * changed in between is caught by the next change detection like any other.
 */
export interface Prefetch {
  readonly key: string;
  readonly uids: ReadonlySet<number>;
  readonly result: Promise<{ metas: FetchedMessage[]; bodies: Map<number, FetchedMessage> }>;
}

/** The key a prefetch must match: options and version decide what was fetched. */
export function prefetchKey(w: Pick<WindowInput, 'options' | 'version' | 'path'>): string {
  return `${w.path}\u0000${w.version}\u0000${JSON.stringify(w.options)}`;
}

/** Starts fetching the new messages the next window will need (at most `limit` pending UIDs). */
export function startPrefetch(w: Omit<WindowInput, 'nextItem' | 'deadline' | 'prefetched'>): Prefetch | undefined {
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
  const result = fetchNew(w, uids, filterSince(w.options.filterType));
  result.catch(() => undefined);
  return { key: prefetchKey(w), uids: new Set(uids), result };
}

/** New messages: from the prefetch where it covers them, fetched now otherwise. */
async function fetchNewUsing(w: WindowInput, uids: readonly number[], since: Date | undefined): Promise<{ metas: FetchedMessage[]; bodies: Map<number, FetchedMessage> }> {
  const pre = w.prefetched && w.prefetched.key === prefetchKey(w) ? w.prefetched : undefined;
  if (!pre) return fetchNew(w, uids, since);
  const rest = uids.filter((u) => !pre.uids.has(u));
  const [got, more] = await Promise.all([pre.result.catch(() => undefined), fetchNew(w, rest, since)]);
  if (!got) return fetchNew(w, uids, since);
  const want = new Set(uids);
  const metas = [...got.metas.filter((m) => want.has(m.uid)), ...more.metas];
  const bodies = new Map(more.bodies);
  for (const [k, v] of got.bodies) if (want.has(k)) bodies.set(k, v);
  return { metas, bodies };
}

export async function fillWindow(w: WindowInput): Promise<WindowResult> {
  const now = w.now ?? Date.now;
  const since = filterSince(w.options.filterType);
  const commands: SyncServerCommand[] = [];
  const itemWrites: ItemWrite[] = [];
  const resolved: number[] = [];
  let nextItem = w.nextItem;
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
    const chunk = page.map((p) => p.uid);
    const known = new Map<number, ItemRow>();
    for (const p of page) if (p.item) known.set(p.uid, p.item);
    const knownUids = chunk.filter((u) => known.has(u));
    const newUids = chunk.filter((u) => !known.has(u));
    const [current, fresh] = await Promise.all([
      knownUids.length ? w.store.fetch(w.session, w.path, knownUids, {}) : Promise.resolve([]),
      fetchNewUsing(w, newUids, since),
    ]);
    const currentBy = new Map(current.map((m) => [m.uid, m]));
    const { bodies, metas: freshIn } = fresh;
    const freshBy = new Map(freshIn.map((m) => [m.uid, m]));
    for (const uid of chunk) {
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
      const m = freshBy.get(uid);
      if (!m) continue;
      const serverId = formatServerId(w.ref.collectionId, nextItem++);
      const email = buildEmail(m, bodies.get(uid), { version: w.version, body: w.options, serverId });
      commands.push({ kind: 'Add', serverId, applicationData: emailToApplicationData(email, w.version) });
      itemWrites.push({ kind: 'put', isNew: true, item: { serverId, uid, flags: m.flags, internalDate: m.internalDate.getTime() } });
    }
    if (exhausted) break;
  }
  const moreAvailable = !exhausted && w.repo.hasPendingBelow(w.ref, below);
  return { commands, itemWrites, resolved, moreAvailable, nextItem };
}

/**
 * Second round trip: the body parts each new message needs. Messages with
 * the same plan (same part ids and limits, the common case in a mailbox)
 * share one UID FETCH.
 */
async function fetchBodies(w: Pick<WindowInput, 'store' | 'session' | 'path' | 'options' | 'version'>, msgs: readonly FetchedMessage[]): Promise<Map<number, FetchedMessage>> {
  const groups = new Map<string, { want: FetchWant; uids: number[] }>();
  for (const m of msgs) {
    const { want } = planItemFetch(m, { version: w.version, body: w.options });
    if (!want.parts?.length && !want.source) continue;
    const key = JSON.stringify(want);
    const g = groups.get(key) ?? { want, uids: [] };
    g.uids.push(m.uid);
    groups.set(key, g);
  }
  const out = new Map<number, FetchedMessage>();
  const results = await Promise.all([...groups.values()].map((g) => w.store.fetch(w.session, w.path, g.uids, g.want)));
  for (const list of results) for (const m of list) out.set(m.uid, m);
  return out;
}
