import { isBackendError } from '../../backends/errors.ts';
import type { DirectoryEntry } from '../../backends/directory/types.ts';
import {
  buildGalProperties,
  buildSearchResponse,
  parseSearchRequest,
  SearchStatus,
  SearchStore,
  type GalEntry,
  type SearchRequest,
  type SearchResponse,
} from '../../protocol/commands/search.ts';
import type { ByteRange } from '../../protocol/commands/item-operations.ts';
import { emailToApplicationData } from '../../protocol/types/email.ts';
import { versionAtLeast, type ProtocolVersion } from '../../protocol/version.ts';
import type { WbxmlElement } from '../../protocol/wbxml/tree.ts';
import type { Services } from '../server/services.ts';
import { MAX_GAL_QUERY_CHARS, MAX_GAL_QUERY_WORDS, MAX_GAL_RESULTS } from './directory/limits.ts';
import { PictureBudget } from './directory/pictures.ts';
import { isRefusal, planSearchQuery } from './mailbox-search/plan.ts';
import { buildPage, runMailboxSearch } from './mailbox-search/run.ts';
import type { CommandContext, CommandHandler, CommandResult } from './types.ts';

/**
 * Search (MS-ASCMD 2.2.1.16).
 *
 * Store Mailbox: src/commands/mailbox-search/ (conditions -> IMAP SEARCH
 * across folders, newest first). Results are Class Email with a LongId
 * (src/commands/fetch/long-id.ts) that ItemOperations, SmartReply,
 * SmartForward, MeetingResponse and MoveItems accept, the CollectionId of
 * the folder holding it, and the same Email properties Sync sends, body
 * per BodyPreference. Range: default 0-99, at most MAX_SEARCH_RESULTS
 * (100) results per answer; Total counts every hit. The hits are kept per
 * device for SEARCH_RESULTS_TTL_MS so later pages do not shift;
 * RebuildResults searches again. Store Status: 2 for a query the grammar
 * or this server does not take (ConversationId, an unknown CollectionId,
 * an unparsable date), 8 for one over the caps of mailbox-search/limits.ts,
 * 10 when IMAP does not answer within EAS_SEARCH_TIMEOUT_MS.
 *
 * Store GAL: a word-prefix search of the directory
 * (backends/directory/match.ts) in display-name order.
 *
 * - Range: default 0-99; at most MAX_GAL_RESULTS (100) results whatever
 *   the Range asks, as Exchange. Range in the answer covers what was
 *   returned; Total counts every match. No match: no Result, Total 0.
 * - A query shorter than EAS_GAL_MIN_QUERY_LENGTH: Store Status 1, no
 *   results, the directory not asked (Exchange 2010 SP3 RU1 and later do
 *   this below MinGALSearchLength, default 4).
 * - A query over MAX_GAL_QUERY_CHARS or MAX_GAL_QUERY_WORDS, or one the
 *   directory refuses: Store Status 2 (the request was invalid).
 * - The directory refuses this user: Store Status 5 (access denied).
 *   Unreachable: HTTP 503 with Retry-After (mapError, ARCHITECTURE rule 9).
 * - 14.1 Picture: gal:Picture per result (directory/pictures.ts).
 *
 * Store Document Library (UNC and SharePoint links) is not offered: Store
 * Status 3 with a `search.store-unsupported` log line; a Store name the
 * spec does not know: Store Status 2.
 */
export const searchHandler: CommandHandler<SearchRequest, Services> = {
  name: 'Search',
  parse: (body, ctx) => parseSearchRequest(body, ctx.protocolVersion),
  handle: handleSearch,
};

/** The Search answer with a Store part: global Status 1 (MS-ASCMD 2.2.3.177.13), the outcome in the Store. */
function answer(store: NonNullable<SearchResponse['store']>, version: ProtocolVersion): CommandResult {
  return { body: buildSearchResponse({ status: SearchStatus.Success, store }, version), easStatus: store.status };
}

async function handleSearch(ctx: CommandContext<Services>, req: SearchRequest): Promise<CommandResult> {
  const v = ctx.protocolVersion;
  const name = req.store;
  const storeKind = name.toLowerCase();
  if (storeKind === SearchStore.Mailbox.toLowerCase()) return answer(await searchMailboxStore(ctx, req), v);
  if (storeKind !== SearchStore.Gal.toLowerCase()) {
    const known = storeKind === SearchStore.DocumentLibrary.toLowerCase();
    ctx.log.info({ event: 'search.store-unsupported', store: name.slice(0, 40) }, 'Search of a store this server does not offer');
    return answer({ name, status: known ? SearchStatus.ServerError : SearchStatus.InvalidRequest, results: [] }, v);
  }
  if (req.query.kind !== 'text') return answer({ name, status: SearchStatus.InvalidRequest, results: [] }, v);
  const found = await searchGal(ctx, req.query.text, req.options.range, req.options.picture);
  const results = found.entries.map((properties) => ({ properties }));
  return answer(
    {
      name,
      status: found.status,
      results,
      ...(results.length ? { range: { start: found.start, end: found.start + results.length - 1 } } : {}),
      ...(found.total !== undefined ? { total: found.total } : {}),
    },
    v,
  );
}

/** A GAL search's outcome: a Search Store Status (1, 2 or 5), the gal:* properties of each entry, where they start and the Total. */
export interface GalSearchOutcome {
  readonly status: number;
  readonly entries: readonly WbxmlElement[][];
  readonly start: number;
  readonly total?: number;
}

/** The GAL part of Search, also used by Find's GAL criterion (see the rules on `searchHandler`). */
export async function searchGal(
  ctx: CommandContext<Services>,
  query: string,
  range: ByteRange | undefined,
  picture: { readonly maxSize?: number; readonly maxPictures?: number } | undefined,
): Promise<GalSearchOutcome> {
  const v = ctx.protocolVersion;
  const directory = ctx.services.directory;
  const none = (status: number, total?: number): GalSearchOutcome => ({ status, entries: [], start: 0, ...(total !== undefined ? { total } : {}) });
  if (!directory) {
    ctx.log.info({ event: 'search.no-directory' }, 'GAL search without a configured directory');
    return none(SearchStatus.Success, 0);
  }
  const text = query.trim();
  const chars = [...text].length;
  if (chars > MAX_GAL_QUERY_CHARS || text.split(/\s+/u).length > MAX_GAL_QUERY_WORDS) {
    ctx.log.info({ event: 'search.query-too-long', chars }, 'GAL query over the limits');
    return none(SearchStatus.InvalidRequest);
  }
  if (chars < ctx.services.config.galMinQueryLength) return none(SearchStatus.Success, 0);

  const r = range ?? { start: 0, end: MAX_GAL_RESULTS - 1 };
  const limit = Math.min(r.end - r.start + 1, MAX_GAL_RESULTS);
  const pictures = versionAtLeast(v, '14.1') ? picture : undefined;
  let found;
  try {
    found = await directory.search({ user: ctx.mailbox, password: ctx.password }, text, { limit, offset: r.start, pictures: pictures !== undefined });
  } catch (e) {
    if (isBackendError(e, 'Forbidden')) return none(SearchStatus.AccessDenied);
    if (isBackendError(e, 'Invalid')) return none(SearchStatus.InvalidRequest);
    throw e;
  }
  const budget = pictures ? new PictureBudget(pictures) : undefined;
  const entries = found.entries.map((e) => buildGalProperties(galEntry(e, budget), v));
  ctx.log.debug({ event: 'search.gal', results: entries.length, total: found.total }, 'GAL search');
  return { status: SearchStatus.Success, entries, start: r.start, total: found.total };
}

/** Store Mailbox: plan, run, and the page's results as Class Email with LongId and CollectionId. */
async function searchMailboxStore(ctx: CommandContext<Services>, req: SearchRequest): Promise<NonNullable<SearchResponse['store']>> {
  const name = req.store;
  const refuse = (status: number, reason: string): NonNullable<SearchResponse['store']> => {
    ctx.log.info({ event: 'search.mailbox-refused', status, reason }, 'mailbox search refused');
    return { name, status, results: [] };
  };
  if (req.query.kind !== 'mailbox') return refuse(SearchStatus.InvalidRequest, 'a Mailbox query needs conditions, not text');
  const plan = planSearchQuery(req.query.condition);
  if (isRefusal(plan)) return refuse(plan.refused === 'tooComplex' ? SearchStatus.TooComplex : SearchStatus.InvalidRequest, plan.reason);
  const o = req.options;
  const outcome = await runMailboxSearch(ctx, { plan, deepTraversal: o.deepTraversal, rebuildResults: o.rebuildResults, ...(o.range ? { range: o.range } : {}) });
  if (outcome.kind === 'refused') return refuse(outcome.refused === 'timedOut' ? SearchStatus.TimedOut : SearchStatus.InvalidRequest, outcome.reason);
  const body = { bodyPreferences: o.bodyPreferences, ...(o.bodyPartPreferences.length ? { bodyPartPreferences: o.bodyPartPreferences } : {}) };
  const built = await buildPage(ctx, outcome.page, body, (h) => h.longId);
  const results = built.map((b) => ({
    class: 'Email',
    longId: b.hit.longId,
    collectionId: String(b.hit.folder.id),
    properties: emailToApplicationData(b.email, ctx.protocolVersion),
  }));
  return {
    name,
    status: SearchStatus.Success,
    results,
    ...(results.length ? { range: { start: outcome.start, end: outcome.start + results.length - 1 } } : {}),
    total: outcome.total,
  };
}

/** The gal:* properties of one entry (MS-ASCMD 2.2.3.110.1). */
export function galEntry(e: DirectoryEntry, pictures?: PictureBudget): GalEntry {
  const g: { -readonly [K in keyof GalEntry]: GalEntry[K] } = { displayName: e.displayName, emailAddress: e.emails[0] ?? '' };
  if (e.phones.work) g.phone = e.phones.work;
  if (e.office) g.office = e.office;
  if (e.title) g.title = e.title;
  if (e.company) g.company = e.company;
  if (e.alias) g.alias = e.alias;
  // Some phones (Nokia, older Android) list nobody without FirstName and LastName, so both are always sent.
  g.firstName = e.firstName ?? '';
  g.lastName = e.lastName ?? (e.firstName ? '' : e.displayName);
  if (e.phones.home) g.homePhone = e.phones.home;
  if (e.phones.mobile) g.mobilePhone = e.phones.mobile;
  if (pictures) g.picture = pictures.next(e);
  return g;
}
