import { isBackendError } from '../../../backends/errors.ts';
import type { MailSearchResult } from '../../../backends/types.ts';
import type { ByteRange } from '../../../protocol/commands/item-operations.ts';
import type { EasEmail } from '../../../protocol/types/email.ts';
import { perServices } from '../../server/per-services.ts';
import type { Services } from '../../server/services.ts';
import type { FolderRow } from '../../state/folders.ts';
import type { BodyOptions } from '../../sync/body.ts';
import { buildEmailItems } from '../../sync/new-items.ts';
import { formatLongId } from '../fetch/long-id.ts';
import { hierarchyFor, sessionOf } from '../folder-sync.ts';
import type { CommandContext } from '../types.ts';
import { MAX_SEARCH_RESULTS, SEARCH_CACHE_ENTRIES, SEARCH_RESULTS_TTL_MS } from './limits.ts';
import type { SearchPlan } from './plan.ts';

/**
 * Runs a mailbox search for Search (Store Mailbox) and Find: picks the
 * folders, asks IMAP (backends/imap/search.ts: one UID SEARCH per folder,
 * newest first across folders), keeps the hits for the device's next page,
 * cuts the page the Range asks for and builds its Email items with the sync
 * engine's own conversion, so a result looks exactly like the synced item.
 *
 * Results change no sync state: a message found here and later synced
 * arrives once, through Sync, under its ServerId.
 */

export interface MailboxSearch {
  readonly plan: SearchPlan;
  /** Also search the subfolders of the folders named (MS-ASCMD 2.2.3.45). */
  readonly deepTraversal: boolean;
  /** Search again instead of paging the hits kept from the same query (MS-ASCMD 2.2.3.144). */
  readonly rebuildResults: boolean;
  readonly range?: ByteRange;
}

/** One hit of the page: the message's folder and its place in it. */
export interface PageHit {
  readonly folder: FolderRow;
  readonly uid: number;
  readonly uidValidity: number;
  /** The LongId that names it (src/commands/fetch/long-id.ts). */
  readonly longId: string;
}

export type SearchOutcome =
  | { readonly kind: 'refused'; readonly refused: 'invalid' | 'timedOut'; readonly reason: string }
  | { readonly kind: 'page'; readonly total: number; readonly start: number; readonly page: readonly PageHit[] };

interface Kept {
  readonly key: string;
  readonly at: number;
  readonly result: MailSearchResult;
}

/** Per server: the last query of each device (mailbox + DeviceId), its hits kept for paging. */
const keptOf = perServices(() => new Map<string, Kept>());

/**
 * The folders to search. Named folders must be mail folders of this
 * mailbox (else the query is invalid); DeepTraversal adds their
 * subfolders. No folder named: every mail folder. Folders that mirror
 * others (\All, \Flagged) are left out unless named, or every message would
 * be listed twice.
 */
function foldersOf(ctx: CommandContext<Services>, search: MailboxSearch, virtual: ReadonlySet<string>): FolderRow[] | string {
  const mailbox = ctx.mailbox;
  const mail = ctx.services.repos.folders.listActive(mailbox).filter((f) => ctx.services.sync.mailFolder(mailbox, String(f.id)));
  const ids = search.plan.collectionIds;
  if (ids.length === 0) return mail.filter((f) => !virtual.has(f.path));
  const byId = new Map(mail.map((f) => [String(f.id), f]));
  const out = new Map<number, FolderRow>();
  for (const id of ids) {
    const f = byId.get(id);
    if (!f) return `CollectionId ${JSON.stringify(id.slice(0, 20))} is not a mail folder of this mailbox`;
    out.set(f.id, f);
  }
  if (search.deepTraversal) {
    // Breadth first over parentId; a folder reached twice is kept once.
    const queue = [...out.values()];
    while (queue.length) {
      const parent = queue.shift()!;
      for (const f of mail) {
        if (f.parentId === parent.id && !out.has(f.id) && !virtual.has(f.path)) {
          out.set(f.id, f);
          queue.push(f);
        }
      }
    }
  }
  return [...out.values()];
}

/** Runs the search, or pages the kept hits of the same query. */
export async function runMailboxSearch(ctx: CommandContext<Services>, search: MailboxSearch): Promise<SearchOutcome> {
  const classes = search.plan.classes;
  if (classes.length && !classes.some((c) => c.toLowerCase() === 'email')) return { kind: 'page', total: 0, start: 0, page: [] };
  const cache = keptOf(ctx.services);
  const who = `${ctx.mailbox}\u0000${ctx.deviceId}`;
  const budget = new SearchBudget(ctx.services.config.searchTimeoutMs);
  let entry: Kept | undefined;
  let byPath: Map<string, FolderRow>;
  try {
    const virtual = await budget.run(() => ctx.services.mail.virtualFolders(sessionOf(ctx)));
    // A mailbox that no device has listed yet has no folder ids to search (or to put in LongIds): list it first, as FolderSync would.
    if (ctx.services.repos.folders.listActive(ctx.mailbox).length === 0) await budget.run(() => hierarchyFor(ctx));
    const folders = foldersOf(ctx, search, virtual);
    if (typeof folders === 'string') return { kind: 'refused', refused: 'invalid', reason: folders };
    byPath = new Map(folders.map((f) => [f.path, f]));
    const paths = [...byPath.keys()].sort();
    const key = JSON.stringify({ paths, match: search.plan.match });
    const now = Date.now();
    entry = cache.get(who);
    if (!entry || entry.key !== key || now - entry.at > SEARCH_RESULTS_TTL_MS || search.rebuildResults) {
      const result = await budget.run((signal) => ctx.services.mail.search(sessionOf(ctx), paths, search.plan.match, { signal }));
      entry = { key, at: now, result };
      cache.delete(who);
      cache.set(who, entry);
      if (cache.size > SEARCH_CACHE_ENTRIES) cache.delete(cache.keys().next().value!);
    }
  } catch (e) {
    if (budget.expired) {
      ctx.log.warn({ event: 'search.timeout', timeoutMs: budget.ms }, 'mailbox search abandoned: IMAP did not answer in time');
      return { kind: 'refused', refused: 'timedOut', reason: `no answer within ${budget.ms} ms` };
    }
    if (isBackendError(e, 'Invalid')) return { kind: 'refused', refused: 'invalid', reason: e.message };
    throw e;
  } finally {
    budget.end();
  }
  const hits = entry.result.hits;
  const start = search.range?.start ?? 0;
  const end = Math.min(search.range?.end ?? MAX_SEARCH_RESULTS - 1, start + MAX_SEARCH_RESULTS - 1, hits.length - 1);
  const page: PageHit[] = [];
  for (let i = start; i <= end; i++) {
    const h = hits[i]!;
    const folder = byPath.get(h.path)!;
    const uidValidity = entry.result.uidValidity.get(h.path) ?? 0;
    page.push({ folder, uid: h.uid, uidValidity, longId: formatLongId(ctx.mailbox, { folderId: folder.id, uidValidity, uid: h.uid }) });
  }
  ctx.log.debug({ event: 'search.mailbox', folders: byPath.size, total: hits.length, start, returned: page.length }, 'mailbox search');
  return { kind: 'page', total: hits.length, start, page };
}

/**
 * The time a search may wait on IMAP (EAS_SEARCH_TIMEOUT_MS), the LIST and
 * the SEARCHes together. When it runs out, the signal closes the
 * connection the SEARCH was waiting on (the pool drops it) and a LIST still
 * pending is no longer awaited; the answer is "timed out" instead of a 503:
 * the server is not down, the query was too slow for it.
 */
class SearchBudget {
  private readonly abort = new AbortController();
  private readonly timer: NodeJS.Timeout;
  private readonly expiry: Promise<never>;

  constructor(readonly ms: number) {
    this.timer = setTimeout(() => this.abort.abort(), ms);
    this.expiry = new Promise<never>((_, reject) => this.abort.signal.addEventListener('abort', () => reject(new Error('search timed out')), { once: true }));
    this.expiry.catch(() => undefined);
  }

  get expired(): boolean {
    return this.abort.signal.aborted;
  }

  /** `fn` or the expiry, whichever comes first. */
  run<T>(fn: (signal: AbortSignal) => Promise<T>): Promise<T> {
    const work = fn(this.abort.signal);
    // Abandoned work still settles (its connection closed); its rejection must not go unhandled.
    work.catch(() => undefined);
    return Promise.race([work, this.expiry]);
  }

  end(): void {
    clearTimeout(this.timer);
  }
}

/** A hit of the page with its Email item; messages gone since the search are left out. */
export interface BuiltHit {
  readonly hit: PageHit;
  readonly serverId: string;
  readonly email: EasEmail;
}

/**
 * The Email items of a page, in page order: one batch per folder (the two
 * round trips of an initial sync), under the UIDVALIDITY searched. `idOf`
 * names each item (the LongId for Search, the device's ServerId or the
 * LongId for Find); attachment FileReferences are formed from it.
 */
export async function buildPage(ctx: CommandContext<Services>, page: readonly PageHit[], body: BodyOptions, idOf: (h: PageHit) => string): Promise<BuiltHit[]> {
  const groups = new Map<string, PageHit[]>();
  for (const h of page) {
    const g = groups.get(h.folder.path) ?? [];
    g.push(h);
    groups.set(h.folder.path, g);
  }
  const jobs = [...groups.entries()];
  const built = new Map<PageHit, BuiltHit>();
  await Promise.all(
    jobs.map(async ([path, hits]) => {
      const ids = new Map(hits.map((h) => [h.uid, h]));
      const job = {
        session: sessionOf(ctx),
        path,
        items: hits.map((h) => ({ uid: h.uid, serverId: idOf(h) })),
        uidValidity: hits[0]!.uidValidity,
        version: ctx.protocolVersion,
        body,
      };
      try {
        for (const b of await buildEmailItems(ctx.services.mail, job)) built.set(ids.get(b.uid)!, { hit: ids.get(b.uid)!, serverId: b.serverId, email: b.email });
      } catch (e) {
        // The folder was deleted or renumbered since the search: its hits are gone, the rest of the page stays.
        if (!isBackendError(e, 'NotFound') && !isBackendError(e, 'Conflict')) throw e;
      }
    }),
  );
  return page.flatMap((h) => {
    const b = built.get(h);
    return b ? [b] : [];
  });
}

