/**
 * The user's own contacts as a lookup source for ResolveRecipients
 * (MS-ASCMD 2.2.1.15: Type 2 recipients): every CardDAV address book of the
 * user (EAS_CARDDAV_URL), read with the user's login, kept per (user, book)
 * in card-index.ts and refreshed by sync-token at most every `refreshMs`.
 *
 * Cached books are keyed by the user, so one user's book is never searched
 * for another; the cache is bounded (least recently used books go first).
 */
import type { DavStore, UserSession } from '../types.ts';
import { CardIndex, withPictures } from './card-index.ts';
import type { DirectoryEntry } from './types.ts';

export interface CardDavContactsOptions {
  readonly dav: DavStore;
  /** How long a user's book list and each book's index are trusted before a check (ms); 0 = always check. */
  readonly refreshMs: number;
  /** Books kept in memory in all (default 1000). */
  readonly maxBooks?: number;
  readonly log?: { warn(o: object, msg?: string): void };
}

interface Cached {
  readonly index: CardIndex;
  checkedAt: number;
}

/** The user's contacts that a name or address resolves to (match.ts resolvesTo). */
export class CardDavContacts {
  readonly #opts: CardDavContactsOptions;
  /** `${user}\0${href}` -> book, in least-recently-used order. */
  readonly #books = new Map<string, Cached>();
  readonly #lists = new Map<string, { hrefs: string[]; at: number }>();

  constructor(opts: CardDavContactsOptions) {
    this.#opts = opts;
  }

  /** Contacts of `session.user` that `name` resolves to, at most `limit`, in display-name order per book. */
  async lookup(session: UserSession, name: string, opts: { limit?: number; pictures?: boolean } = {}): Promise<DirectoryEntry[]> {
    const limit = opts.limit ?? 100;
    const out: DirectoryEntry[] = [];
    for (const href of await this.#bookHrefs(session)) {
      const book = await this.#book(session, href);
      let hits = book.index.lookup(name, limit - out.length);
      if (opts.pictures) hits = withPictures(hits, await book.pictures(session, hits.filter((e) => e.pictureBytes).map((e) => e.id)));
      out.push(...hits);
      if (out.length >= limit) break;
    }
    return out;
  }

  async #bookHrefs(session: UserSession): Promise<string[]> {
    const hit = this.#lists.get(session.user);
    if (hit && Date.now() - hit.at < this.#opts.refreshMs) return hit.hrefs;
    const hrefs = (await this.#opts.dav.listCollections(session, 'carddav')).map((c) => c.href);
    if (this.#lists.size >= (this.#opts.maxBooks ?? 1000)) this.#lists.delete(this.#lists.keys().next().value!);
    this.#lists.set(session.user, { hrefs, at: Date.now() });
    return hrefs;
  }

  async #book(session: UserSession, href: string): Promise<CardIndex> {
    const key = `${session.user}\u0000${href}`;
    let c = this.#books.get(key);
    if (c) this.#books.delete(key);
    else c = { index: new CardIndex({ dav: this.#opts.dav, href, ...(this.#opts.log ? { log: this.#opts.log } : {}) }), checkedAt: 0 };
    this.#books.set(key, c);
    while (this.#books.size > (this.#opts.maxBooks ?? 1000)) this.#books.delete(this.#books.keys().next().value!);
    if (!c.index.loaded || Date.now() - c.checkedAt >= this.#opts.refreshMs) {
      await c.index.refresh(session);
      c.checkedAt = Date.now();
    }
    return c.index;
  }
}
