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
import { versionAtLeast, type ProtocolVersion } from '../../protocol/version.ts';
import type { Services } from '../server/services.ts';
import { MAX_GAL_QUERY_CHARS, MAX_GAL_QUERY_WORDS, MAX_GAL_RESULTS } from './directory/limits.ts';
import { PictureBudget } from './directory/pictures.ts';
import type { CommandContext, CommandHandler, CommandResult } from './types.ts';

/**
 * Search (MS-ASCMD 2.2.1.16), Store GAL: a word-prefix search of the
 * directory (backends/directory/match.ts) in display-name order.
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
 * Store Mailbox and Document Library are not implemented: Store Status 3
 * (server error: "server misconfiguration") with a `search.store-unsupported`
 * log line; a Store name the spec does not know: Store Status 2.
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
  if (storeKind !== SearchStore.Gal.toLowerCase()) {
    const known = [SearchStore.Mailbox, SearchStore.DocumentLibrary].some((s) => s.toLowerCase() === storeKind);
    ctx.log.info({ event: 'search.store-unsupported', store: name.slice(0, 40) }, 'Search of a store other than the GAL');
    return answer({ name, status: known ? SearchStatus.ServerError : SearchStatus.InvalidRequest, results: [] }, v);
  }
  const directory = ctx.services.directory;
  if (!directory) {
    ctx.log.info({ event: 'search.no-directory' }, 'GAL search without a configured directory');
    return answer({ name, status: SearchStatus.Success, results: [], total: 0 }, v);
  }
  if (req.query.kind !== 'text') return answer({ name, status: SearchStatus.InvalidRequest, results: [] }, v);
  const text = req.query.text.trim();
  const chars = [...text].length;
  if (chars > MAX_GAL_QUERY_CHARS || text.split(/\s+/u).length > MAX_GAL_QUERY_WORDS) {
    ctx.log.info({ event: 'search.query-too-long', chars }, 'GAL query over the limits');
    return answer({ name, status: SearchStatus.InvalidRequest, results: [] }, v);
  }
  if (chars < ctx.services.config.galMinQueryLength) return answer({ name, status: SearchStatus.Success, results: [], total: 0 }, v);

  const range = req.options.range ?? { start: 0, end: MAX_GAL_RESULTS - 1 };
  const limit = Math.min(range.end - range.start + 1, MAX_GAL_RESULTS);
  const picture = versionAtLeast(v, '14.1') ? req.options.picture : undefined;
  let found;
  try {
    found = await directory.search({ user: ctx.mailbox, password: ctx.password }, text, { limit, offset: range.start, pictures: picture !== undefined });
  } catch (e) {
    if (isBackendError(e, 'Forbidden')) return answer({ name, status: SearchStatus.AccessDenied, results: [] }, v);
    if (isBackendError(e, 'Invalid')) return answer({ name, status: SearchStatus.InvalidRequest, results: [] }, v);
    throw e;
  }
  const budget = picture ? new PictureBudget(picture) : undefined;
  const results = found.entries.map((e) => ({ properties: buildGalProperties(galEntry(e, budget), v) }));
  ctx.log.debug({ event: 'search.gal', results: results.length, total: found.total }, 'GAL search');
  return answer(
    {
      name,
      status: SearchStatus.Success,
      results,
      ...(results.length ? { range: { start: range.start, end: range.start + results.length - 1 } } : {}),
      total: found.total,
    },
    v,
  );
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
