/**
 * The directory: who else is in the organisation (the Exchange "Global
 * Address List"), behind one small interface so that Search (Store GAL) and
 * ResolveRecipients do not know whether it is a shared CardDAV address book
 * (carddav-gal.ts) or an LDAP tree (ldap.ts). Like every backend, it speaks
 * its own domain: people with names, addresses and phones; EAS statuses,
 * ranges and picture limits live in src/commands/ (STYLE habit 5).
 *
 * Errors are BackendError (backends/errors.ts): `Forbidden` when the user
 * (or the configured service login) may not read the directory,
 * `BackendUnavailable` when it cannot be reached, `Invalid` for a query the
 * backend refuses.
 */
import type { UserSession } from '../types.ts';

/** Telephone numbers of one person, by kind (vCard TEL types, LDAP telephoneNumber / homePhone / mobile). */
export interface DirectoryPhones {
  readonly work?: string;
  readonly home?: string;
  readonly mobile?: string;
}

/** One person (or room, or list) of the directory. */
export interface DirectoryEntry {
  /** The backend identity: a DAV href or an LDAP DN. Stable while the entry exists. */
  readonly id: string;
  /** What a phone shows: FN / cn, else the name parts, else the first address. Never empty. */
  readonly displayName: string;
  readonly firstName?: string;
  readonly lastName?: string;
  /** Addresses, the preferred one first; may be empty (a person without mail). */
  readonly emails: readonly string[];
  readonly phones: DirectoryPhones;
  readonly company?: string;
  readonly title?: string;
  readonly office?: string;
  /** The short name (uid, NICKNAME, or the local part of the first address). */
  readonly alias?: string;
  /** Size in bytes of the entry's photo, when it has one (known without loading it). */
  readonly pictureBytes?: number;
  /** The photo (JPEG, as stored), only when the search asked for pictures. */
  readonly picture?: Uint8Array;
}

/** What a search may ask for beyond the query. */
export interface DirectorySearchOptions {
  /** At most this many entries (from `offset`) in the answer. */
  readonly limit: number;
  /** Entries to skip in display-name order (Range paging). Default 0. */
  readonly offset?: number;
  /** Load `picture` for the returned entries that have one. */
  readonly pictures?: boolean;
}

/** A page of matches. */
export interface DirectorySearchResult {
  /** Matches in display-name order, `offset` .. `offset + limit - 1`. */
  readonly entries: readonly DirectoryEntry[];
  /** How many entries match in all (bounded by the backend's size limit, see `complete`). */
  readonly total: number;
  /** false when the backend stopped counting at its size limit (LDAP sizeLimit). */
  readonly complete: boolean;
}

/**
 * A searchable directory. `session` is the user asking: a backend that reads
 * with the user's own login uses it, one with a service login still uses it
 * to decide who may see what. Implementations must never return entries the
 * asking user may not read.
 */
export interface Directory {
  /**
   * Word-prefix search (match.ts): every word of `query` must start a word
   * of the entry's names or one of its addresses. Case- and accent-insensitive.
   */
  search(session: UserSession, query: string, opts: DirectorySearchOptions): Promise<DirectorySearchResult>;
  /**
   * Exact resolution for ResolveRecipients: entries with the address `name`
   * (case-insensitive), or whose display name, alias, first or last name is
   * `name`. Several results mean "ambiguous". At most `limit` (default 100).
   */
  lookup(session: UserSession, name: string, opts?: { limit?: number; pictures?: boolean }): Promise<DirectoryEntry[]>;
  /** Ends connections and timers. */
  close?(): Promise<void>;
}
