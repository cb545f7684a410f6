/**
 * The GAL as one shared CardDAV address book (EAS_GAL_CARDDAV_URL, a full
 * collection URL), held in memory (card-index.ts) and refreshed by its
 * sync-token, so that a search never waits for the DAV server.
 *
 * Two ways to read it:
 * - with a service login (EAS_GAL_USER / EAS_GAL_PASSWORD_FILE): the book
 *   belongs to, or is readable by, that account; every EAS user sees it;
 * - with each user's own login: the DAV server's ACLs decide. The index is
 *   still shared, so a user is first checked to be allowed to read the book
 *   (one PROPFIND as that user, remembered for the refresh interval); one
 *   who is not gets Forbidden, never the entries another user could read.
 *   A success is trusted for ACCESS_MEMORY_MS (or the refresh interval if
 *   longer; with 0, never).
 *
 * Freshness: with `refreshMs` > 0 a search answers from the index it has
 * and, when the last check is older than that, starts a check in the
 * background; with 0, every search checks first (tests).
 */
import { DavClient } from '../dav/dav-client.ts';
import { BackendError, isBackendError } from '../errors.ts';
import type { DavStore, UserSession } from '../types.ts';
import { CardIndex, withPictures, type RefreshOutcome } from './card-index.ts';
import type { Directory, DirectoryEntry, DirectorySearchOptions, DirectorySearchResult } from './types.ts';

export interface CardDavGalOptions {
  /** Full URL of the shared address book collection. */
  readonly url: string;
  /** Read with this login; absent = with each user's own login. */
  readonly service?: UserSession;
  /** How old the index may be before a search triggers a check (ms); 0 = check on every search. */
  readonly refreshMs: number;
  /** The DAV client; default one pinned to the origin of `url`. */
  readonly dav?: DavStore;
  readonly log?: { warn(o: object, msg?: string): void; error(o: object, msg?: string): void; debug(o: object, msg?: string): void };
}

/**
 * How long a user's successful read of the book is trusted (user-login
 * mode): the check is a PROPFIND of the book, which Radicale answers in
 * about 1.4 s for 10,000 cards (bench/gal.bench.ts), so not per search.
 * A revoked ACL takes effect within this time.
 */
const ACCESS_MEMORY_MS = 5 * 60_000;
/** Users remembered as allowed to read the book (user-login mode) before the oldest are forgotten. */
const MAX_REMEMBERED_USERS = 10_000;

export class CardDavGal implements Directory {
  readonly #opts: CardDavGalOptions;
  readonly #book: CardIndex;
  #checkedAt = 0;
  #refreshing?: Promise<RefreshOutcome>;
  /** user -> when reading the book as that user last succeeded. */
  readonly #allowed = new Map<string, number>();

  readonly #dav: DavStore;

  constructor(opts: CardDavGalOptions) {
    this.#opts = opts;
    this.#dav = opts.dav ?? new DavClient({ carddavUrl: opts.url, ...(opts.log ? { log: opts.log } : {}) });
    this.#book = new CardIndex({ dav: this.#dav, href: new URL(opts.url).pathname, ...(opts.log ? { log: opts.log } : {}) });
  }

  async search(session: UserSession, query: string, opts: DirectorySearchOptions): Promise<DirectorySearchResult> {
    await this.#ready(session);
    const { entries, total } = this.#book.index.search(query, opts);
    return { entries: opts.pictures ? await this.#pictures(session, entries) : entries, total, complete: true };
  }

  async lookup(session: UserSession, name: string, opts: { limit?: number; pictures?: boolean } = {}): Promise<DirectoryEntry[]> {
    await this.#ready(session);
    const entries = this.#book.index.lookup(name, opts.limit ?? 100);
    return opts.pictures ? this.#pictures(session, entries) : entries;
  }

  /** Forces a check now (tests, the demo after seeding). */
  async refresh(session: UserSession): Promise<RefreshOutcome> {
    return this.#refresh(this.#opts.service ?? session);
  }

  async #pictures(session: UserSession, entries: readonly DirectoryEntry[]): Promise<DirectoryEntry[]> {
    const ids = entries.filter((e) => e.pictureBytes).map((e) => e.id);
    const pics = await this.#as(() => this.#book.pictures(this.#opts.service ?? session, ids));
    return withPictures(entries, pics);
  }

  async #ready(session: UserSession): Promise<void> {
    if (!this.#opts.service) await this.#checkAccess(session);
    const reader = this.#opts.service ?? session;
    const stale = Date.now() - this.#checkedAt >= this.#opts.refreshMs;
    if (!this.#book.loaded || this.#opts.refreshMs === 0) {
      await this.#refresh(reader);
    } else if (stale && !this.#refreshing) {
      this.#refresh(reader).catch((err: unknown) => this.#opts.log?.warn({ event: 'directory.refresh-failed', err: (err as Error).message }, 'GAL refresh failed; answering from the index'));
    }
  }

  #refresh(reader: UserSession): Promise<RefreshOutcome> {
    this.#refreshing ??= this.#as(async () => {
      try {
        const r = await this.#book.refresh(reader);
        this.#checkedAt = Date.now();
        if (r.kind !== 'unchanged') this.#opts.log?.debug({ event: 'directory.refreshed', ...r, entries: this.#book.index.size }, 'GAL index refreshed');
        return r;
      } finally {
        this.#refreshing = undefined;
      }
    });
    return this.#refreshing;
  }

  /** User-login mode: may `session.user` read the book? (module comment) */
  async #checkAccess(session: UserSession): Promise<void> {
    const at = this.#allowed.get(session.user);
    if (at !== undefined && this.#opts.refreshMs > 0 && Date.now() - at < Math.max(this.#opts.refreshMs, ACCESS_MEMORY_MS)) return;
    await this.#as(() => this.#dav.collectionState(session, 'carddav', new URL(this.#opts.url).pathname));
    if (this.#allowed.size >= MAX_REMEMBERED_USERS) this.#allowed.delete(this.#allowed.keys().next().value!);
    this.#allowed.delete(session.user);
    this.#allowed.set(session.user, Date.now());
  }

  /**
   * Runs a DAV step; a refused login or a missing book becomes Forbidden:
   * the user's own password was already accepted by IMAP, so a 401/403 here
   * means "not allowed to read the directory", not "wrong password" (which
   * would make the phone ask for it again).
   */
  async #as<T>(fn: () => Promise<T>): Promise<T> {
    try {
      return await fn();
    } catch (e) {
      if (isBackendError(e, 'AuthFailed') || isBackendError(e, 'Forbidden') || isBackendError(e, 'NotFound')) {
        if (this.#opts.service) this.#opts.log?.error({ event: 'directory.service-refused', err: (e as Error).message }, 'the GAL service login cannot read the GAL address book');
        throw new BackendError('Forbidden', `GAL address book not readable: ${(e as Error).message}`, { cause: e });
      }
      throw e;
    }
  }
}
