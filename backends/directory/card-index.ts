/**
 * One CardDAV address book (RFC 6352) kept in memory as directory entries,
 * refreshed by the collection's sync-token (RFC 6578) or, where the server
 * has none, its ctag and member ETags. A refresh asks the server only what
 * changed: one PROPFIND when nothing did, a sync-collection REPORT and a
 * multiget of the changed cards otherwise. Cards are read with
 * vcardToEasContact (backends/carddav/vcard.ts), the parser of contact sync.
 *
 * Pictures are not kept: only their size. `pictures()` fetches the few cards
 * whose photo a response carries (a 10,000-person GAL with 10 KB photos
 * would otherwise hold 100 MB).
 */
import { isBackendError } from '../errors.ts';
import { vcardToEasContact } from '../carddav/vcard.ts';
import { emailAddress } from '../carddav/vcard-read.ts';
import type { DavStore, UserSession } from '../types.ts';
import { EntryIndex } from './match.ts';
import type { DirectoryEntry } from './types.ts';

/** Cards read per multiget REPORT round (the client batches by 100 inside). */
const FETCH_CHUNK = 500;
/** Photos up to this size are returned as stored; larger JPEGs are scaled down by vcard-photo.ts. */
const MAX_PICTURE_BYTES = 48 * 1024;

/** The directory entry of one card; undefined for a card that names nobody (no name, no address). */
export function cardToEntry(href: string, vcard: string): DirectoryEntry | undefined {
  // No size limit here: the picture is only measured, never kept.
  const { item: c } = vcardToEasContact(vcard, { maxPictureBytes: Number.MAX_SAFE_INTEGER });
  const emails = [c.email1Address, c.email2Address, c.email3Address].filter((x): x is string => !!x).map(emailAddress).filter((x) => x !== '');
  const composed = [c.firstName, c.middleName, c.lastName].filter(Boolean).join(' ');
  const displayName = (c.fileAs ?? '').trim() || composed || c.companyName || emails[0];
  if (!displayName) return undefined;
  const alias = c.nickName?.split(',')[0]?.trim() || c.alias || emails[0]?.split('@')[0];
  const pictureBytes = c.picture ? Math.floor((c.picture.replace(/=+$/, '').length * 3) / 4) : undefined;
  return {
    id: href,
    displayName,
    ...(c.firstName ? { firstName: c.firstName } : {}),
    ...(c.lastName ? { lastName: c.lastName } : {}),
    emails,
    phones: {
      ...((c.businessPhoneNumber ?? c.companyMainPhone) ? { work: (c.businessPhoneNumber ?? c.companyMainPhone)! } : {}),
      ...(c.homePhoneNumber ? { home: c.homePhoneNumber } : {}),
      ...(c.mobilePhoneNumber ? { mobile: c.mobilePhoneNumber } : {}),
    },
    ...(c.companyName ? { company: c.companyName } : {}),
    ...(c.jobTitle ? { title: c.jobTitle } : {}),
    ...(c.officeLocation ? { office: c.officeLocation } : {}),
    ...(alias ? { alias } : {}),
    ...(pictureBytes ? { pictureBytes } : {}),
  };
}

/** What a refresh did, for logs and tests. */
export interface RefreshOutcome {
  /** 'unchanged' (token or ctag the same), 'delta' (sync-collection), 'full' (every member listed). */
  readonly kind: 'unchanged' | 'delta' | 'full';
  readonly fetched: number;
  readonly removed: number;
}

export interface CardIndexOptions {
  readonly dav: DavStore;
  /** Absolute path of the collection on the DavStore's CardDAV server. */
  readonly href: string;
  readonly log?: { warn(o: object, msg?: string): void };
}

/** The entries of one address book; concurrent refreshes share one round of requests. */
export class CardIndex {
  readonly #opts: CardIndexOptions;
  /** href -> [etag, entry or undefined for a card naming nobody]. */
  readonly #cards = new Map<string, { etag: string; entry?: DirectoryEntry }>();
  #index = new EntryIndex([]);
  #syncToken?: string;
  #ctag?: string;
  #loaded = false;

  constructor(opts: CardIndexOptions) {
    this.#opts = opts;
  }

  get index(): EntryIndex {
    return this.#index;
  }

  get loaded(): boolean {
    return this.#loaded;
  }

  #inflight?: Promise<RefreshOutcome>;

  /** Brings the index up to date with the server (module comment). Throws BackendError from the DavStore. */
  refresh(session: UserSession): Promise<RefreshOutcome> {
    this.#inflight ??= this.#refresh(session).finally(() => {
      this.#inflight = undefined;
    });
    return this.#inflight;
  }

  async #refresh(session: UserSession): Promise<RefreshOutcome> {
    const { dav, href } = this.#opts;
    const state = await dav.collectionState(session, 'carddav', href);
    if (this.#loaded && ((state.syncToken && state.syncToken === this.#syncToken) || (!state.syncToken && state.ctag && state.ctag === this.#ctag))) {
      return { kind: 'unchanged', fetched: 0, removed: 0 };
    }
    let outcome: RefreshOutcome | undefined;
    if (state.syncToken) outcome = await this.#delta(session, this.#loaded ? (this.#syncToken ?? '') : '');
    outcome ??= await this.#full(session);
    this.#ctag = state.ctag;
    this.#index = new EntryIndex([...this.#cards.values()].flatMap((c) => (c.entry ? [c.entry] : [])));
    this.#loaded = true;
    return outcome;
  }

  /** sync-collection from `token`; undefined when the server refuses the token or has no such report (then a full listing). */
  async #delta(session: UserSession, token: string): Promise<RefreshOutcome | undefined> {
    const { dav, href } = this.#opts;
    const changed = new Map<string, string>();
    const removed = new Set<string>();
    let next = token;
    try {
      // A 507-truncated answer is continued from the token it gave (RFC 6578 3.6).
      for (let round = 0; round < 1000; round++) {
        const d = await dav.syncCollection(session, 'carddav', href, next);
        for (const c of d.changed) {
          changed.set(c.href, c.etag);
          removed.delete(c.href);
        }
        for (const h of d.removed) {
          removed.add(h);
          changed.delete(h);
        }
        next = d.token;
        if (!d.truncated) break;
      }
    } catch (e) {
      if (isBackendError(e, 'InvalidToken') || isBackendError(e, 'Unsupported')) return undefined;
      throw e;
    }
    if (token === '') for (const h of this.#cards.keys()) if (!changed.has(h)) removed.add(h);
    for (const h of removed) this.#cards.delete(h);
    const stale = [...changed].filter(([h, etag]) => this.#cards.get(h)?.etag !== etag).map(([h]) => h);
    await this.#fetch(session, stale);
    this.#syncToken = next;
    return { kind: token === '' ? 'full' : 'delta', fetched: stale.length, removed: removed.size };
  }

  /** Every member's ETag (PROPFIND Depth 1); cards whose ETag changed are fetched. */
  async #full(session: UserSession): Promise<RefreshOutcome> {
    const members = await this.#opts.dav.listMembers(session, 'carddav', this.#opts.href);
    const now = new Map(members.map((m) => [m.href, m.etag]));
    let removed = 0;
    for (const h of [...this.#cards.keys()]) {
      if (!now.has(h)) {
        this.#cards.delete(h);
        removed++;
      }
    }
    const stale = members.filter((m) => this.#cards.get(m.href)?.etag !== m.etag).map((m) => m.href);
    await this.#fetch(session, stale);
    this.#syncToken = undefined;
    return { kind: 'full', fetched: stale.length, removed };
  }

  async #fetch(session: UserSession, hrefs: readonly string[]): Promise<void> {
    for (let i = 0; i < hrefs.length; i += FETCH_CHUNK) {
      const got = await this.#opts.dav.multiget(session, 'carddav', this.#opts.href, hrefs.slice(i, i + FETCH_CHUNK));
      for (const r of got) {
        let entry: DirectoryEntry | undefined;
        try {
          entry = cardToEntry(r.href, r.data);
        } catch (e) {
          // One broken card must not hide the rest of the directory.
          this.#opts.log?.warn({ event: 'directory.bad-card', href: r.href, err: (e as Error).message }, 'unreadable card in address book');
        }
        this.#cards.set(r.href, { etag: r.etag, ...(entry ? { entry } : {}) });
      }
    }
  }

  /**
   * The photos of `ids` (hrefs of this book), read from the server now and
   * scaled like contact pictures (a JPEG over 48 KiB is scaled down).
   */
  async pictures(session: UserSession, ids: readonly string[]): Promise<Map<string, Uint8Array>> {
    const out = new Map<string, Uint8Array>();
    if (ids.length === 0) return out;
    const got = await this.#opts.dav.multiget(session, 'carddav', this.#opts.href, ids);
    for (const r of got) {
      try {
        const pic = vcardToEasContact(r.data, { maxPictureBytes: MAX_PICTURE_BYTES }).item.picture;
        if (pic) out.set(r.href, Buffer.from(pic, 'base64'));
      } catch {
        // A card that no longer parses simply has no picture.
      }
    }
    return out;
  }
}

/** Entries with their `picture` filled from `pics` where there is one. */
export function withPictures(entries: readonly DirectoryEntry[], pics: ReadonlyMap<string, Uint8Array>): DirectoryEntry[] {
  return entries.map((e) => {
    const p = pics.get(e.id);
    return p ? { ...e, picture: p, pictureBytes: p.length } : e;
  });
}
