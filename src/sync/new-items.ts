import type { FetchWant, FetchedMessage, MailMessageStore, UserSession } from '../../backends/types.ts';
import { emailToApplicationData, type EasEmail } from '../../protocol/types/email.ts';
import type { ProtocolVersion } from '../../protocol/version.ts';
import { encodeElement } from '../../protocol/wbxml/encoder.ts';
import type { EncodedElement } from '../../protocol/wbxml/tree.ts';
import type { BodyOptions } from './body.ts';
import { ITEM_FIRST_FETCH, buildEmail, planItemFetch } from './email-item.ts';

/**
 * The bulk of an initial sync: messages the device does not have yet, turned
 * into Email items (MS-ASEMAIL 2.2.2) and encoded as their Sync
 * ApplicationData element, ready to splice into the response. Two round trips
 * per batch: the first fetch (flags, BODYSTRUCTURE, ENVELOPE, a few headers),
 * then the one body part each message needs, cut on the server.
 *
 * Jobs and results are plain data so that they cross to a worker thread
 * (src/sync/item-workers.ts) unchanged; `buildNewItems` is the same code
 * wherever it runs.
 */

/** What building a batch of new items needs. */
export interface NewItemsJob {
  readonly session: UserSession;
  readonly path: string;
  /** UIDs with the ServerId each one gets if it is still there (and inside the filter). */
  readonly items: readonly { readonly uid: number; readonly serverId: string }[];
  /** The folder generation the engine synced against (FetchWant.uidValidity). */
  readonly uidValidity?: number;
  /** FilterType cut (epoch ms): older INTERNALDATEs are left out of the result. */
  readonly sinceMs?: number;
  readonly version: ProtocolVersion;
  readonly body: BodyOptions;
}

/** One built item. A UID that vanished or falls outside the filter has none. */
export interface NewItem {
  readonly uid: number;
  readonly serverId: string;
  readonly flags: readonly string[];
  readonly internalDate: number;
  /** The whole airsync:ApplicationData element, encoded for `job.version`. */
  readonly applicationData: EncodedElement;
}

/** One sub-batch of a job on its way: the items it covers (with their ServerIds) and their result. */
export interface NewItemsBatch {
  readonly items: NewItemsJob['items'];
  /** Settles once; a rejection is already observed, so an abandoned batch never raises an unhandled rejection. */
  readonly result: Promise<NewItem[]>;
}

/**
 * Builds new items; the engine does not care where. A job is cut into
 * sub-batches that finish independently, so that a Sync short of time can
 * answer with the batches that are done and keep the rest for the next
 * request (src/sync/window.ts).
 */
export interface NewItemBuilder {
  start(job: NewItemsJob): NewItemsBatch[];
  close(): Promise<void>;
}

/** Every batch of `job`, awaited: the built items in the job's order. */
export async function buildAll(builder: NewItemBuilder, job: NewItemsJob): Promise<NewItem[]> {
  const parts = await Promise.all(builder.start(job).map((b) => b.result));
  return parts.flat();
}

/** A batch whose result promise already has a rejection handler attached. */
export function batchOf(items: NewItemsJob['items'], result: Promise<NewItem[]>): NewItemsBatch {
  result.catch(() => undefined);
  return { items, result };
}

/**
 * Messages fetched per IMAP round trip. A window's sub-batches run at once,
 * each on whichever pooled connection is free (the pool caps them per user),
 * so the structure and body round trips of different batches overlap.
 */
export const SUB_BATCH = 128;

/** Splits `items` into batches of at most `size`, in order. */
export function batches<T>(items: readonly T[], size: number): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < items.length; i += size) out.push(items.slice(i, i + size));
  return out;
}

/** Fetches and builds the items of one job with `store` in one batch (the caller splits jobs). */
export async function buildNewItems(store: MailMessageStore, job: NewItemsJob): Promise<NewItem[]> {
  return buildBatch(store, job, job.items);
}

async function buildBatch(store: MailMessageStore, job: NewItemsJob, items: NewItemsJob['items']): Promise<NewItem[]> {
  return (await buildEmailItems(store, job, items)).map(({ email, ...item }) => ({
    ...item,
    applicationData: encodeElement({ ns: 'AirSync', name: 'ApplicationData', children: emailToApplicationData(email, job.version) }, { version: job.version }),
  }));
}

/** One message of a job as an Email item, not yet encoded (Search results wrap it in their own element). */
export interface BuiltEmail {
  readonly uid: number;
  readonly serverId: string;
  readonly flags: readonly string[];
  readonly internalDate: number;
  readonly email: EasEmail;
}

/** The two round trips of a batch: `items` as Email items in their order; vanished UIDs and those before `sinceMs` are left out. */
export async function buildEmailItems(store: MailMessageStore, job: NewItemsJob, items: NewItemsJob['items'] = job.items): Promise<BuiltEmail[]> {
  const ctx = { version: job.version, body: job.body };
  const first = job.uidValidity === undefined ? ITEM_FIRST_FETCH : { ...ITEM_FIRST_FETCH, uidValidity: job.uidValidity };
  const fetched = await store.fetch(job.session, job.path, items.map((i) => i.uid), first);
  const since = job.sinceMs;
  const metas = since === undefined ? fetched : fetched.filter((m) => m.internalDate.getTime() >= since);
  const bodies = await fetchBodies(store, job, metas);
  const byUid = new Map<number, FetchedMessage>();
  for (const m of metas) byUid.set(m.uid, m);
  const out: BuiltEmail[] = [];
  for (const { uid, serverId } of items) {
    const m = byUid.get(uid);
    if (!m) continue;
    out.push({ uid, serverId, flags: m.flags, internalDate: m.internalDate.getTime(), email: buildEmail(m, bodies.get(uid), { ...ctx, serverId }) });
  }
  return out;
}

/**
 * Second round trip: the body parts each message needs. Messages with the
 * same plan (same part ids and limits, the common case in a mailbox) share
 * one UID FETCH.
 */
async function fetchBodies(store: MailMessageStore, job: NewItemsJob, msgs: readonly FetchedMessage[]): Promise<Map<number, FetchedMessage>> {
  const groups = new Map<string, { want: FetchWant; uids: number[] }>();
  for (const m of msgs) {
    const { want: planned } = planItemFetch(m, { version: job.version, body: job.body });
    if (!planned.parts?.length && !planned.source) continue;
    const want = job.uidValidity === undefined ? planned : { ...planned, uidValidity: job.uidValidity };
    const key = JSON.stringify(want);
    const g = groups.get(key) ?? { want, uids: [] };
    g.uids.push(m.uid);
    groups.set(key, g);
  }
  const out = new Map<number, FetchedMessage>();
  const results = await Promise.all([...groups.values()].map((g) => store.fetch(job.session, job.path, g.uids, g.want)));
  for (const list of results) for (const m of list) out.set(m.uid, m);
  return out;
}

/** Builds on this thread with the server's own pooled connections (EAS_SYNC_WORKERS=0); sub-batches run at once. */
export function inThreadBuilder(store: MailMessageStore): NewItemBuilder {
  return {
    start: (job) => batches(job.items, SUB_BATCH).map((items) => batchOf(items, buildBatch(store, job, items))),
    close: async () => undefined,
  };
}
