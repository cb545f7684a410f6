/**
 * The GAL from an LDAP directory (EAS_GAL_LDAP_URL, _BASE, _BIND_DN,
 * _PASSWORD_FILE): OpenLDAP, 389 DS, Active Directory, anything with the
 * inetOrgPerson attributes (RFC 2798) cn, displayName, givenName, sn, mail,
 * telephoneNumber, mobile, homePhone, o, title, physicalDeliveryOfficeName,
 * uid and jpegPhoto.
 *
 * Client: ldapts, chosen because it is maintained, written in TypeScript
 * (its own types, no @types package) and has a promise API; ldapjs, the
 * older choice, is decommissioned by its authors.
 *
 * One bound connection is kept and shared by all requests (LDAP multiplexes
 * operations by message id); a dropped connection is replaced once per
 * operation. Filters come from ldap-filter.ts (RFC 4515 escaping); what LDAP
 * returns is filtered again with match.ts and sorted by display name, so
 * paging is stable while the matches stay under `sizeLimit`. Photos are
 * fetched only for the entries of the page asked, with a base-scope search
 * per entry.
 */
import { Client, InsufficientAccessError, InvalidCredentialsError, ResultCodeError, type Entry } from 'ldapts';
import { BackendError, isBackendError } from '../errors.ts';
import type { UserSession } from '../types.ts';
import { compareEntries, matchesQuery, resolvesTo } from './match.ts';
import { DEFAULT_OBJECT_FILTER, lookupFilter, searchFilter } from './ldap-filter.ts';
import type { Directory, DirectoryEntry, DirectorySearchOptions, DirectorySearchResult } from './types.ts';

export interface LdapDirectoryOptions {
  /** ldap://host:389 or ldaps://host:636. */
  readonly url: string;
  /** Search base, e.g. ou=people,dc=example,dc=org. */
  readonly base: string;
  /** Simple bind as this DN; absent = anonymous. */
  readonly bindDn?: string;
  readonly password?: string;
  /** Most entries one search asks the server for (LDAP sizeLimit). */
  readonly sizeLimit: number;
  /** Per operation (ms); default 5000. */
  readonly timeoutMs?: number;
  /** Which objects are people; default inetOrgPerson or person. */
  readonly objectFilter?: string;
  readonly log?: { warn(o: object, msg?: string): void; error(o: object, msg?: string): void };
}

const ATTRIBUTES = ['cn', 'displayName', 'givenName', 'sn', 'mail', 'telephoneNumber', 'mobile', 'homePhone', 'o', 'title', 'physicalDeliveryOfficeName', 'uid'];

function first(v: Entry[string] | undefined): string | undefined {
  const x = Array.isArray(v) ? v[0] : v;
  if (x === undefined) return undefined;
  const s = (Buffer.isBuffer(x) ? x.toString('utf8') : String(x)).trim();
  return s === '' ? undefined : s;
}

function all(v: Entry[string] | undefined): string[] {
  const xs = Array.isArray(v) ? v : v === undefined ? [] : [v];
  return xs.map((x) => (Buffer.isBuffer(x) ? x.toString('utf8') : String(x)).trim()).filter((s) => s !== '');
}

/** The directory entry of one LDAP entry; undefined for one that names nobody. */
export function ldapToEntry(e: Entry): DirectoryEntry | undefined {
  const emails = all(e['mail']);
  const firstName = first(e['givenName']);
  const lastName = first(e['sn']);
  const displayName = first(e['displayName']) ?? first(e['cn']) ?? ([firstName, lastName].filter(Boolean).join(' ') || emails[0]);
  if (!displayName) return undefined;
  const work = first(e['telephoneNumber']);
  const home = first(e['homePhone']);
  const mobile = first(e['mobile']);
  const alias = first(e['uid']) ?? emails[0]?.split('@')[0];
  const company = first(e['o']);
  const title = first(e['title']);
  const office = first(e['physicalDeliveryOfficeName']);
  return {
    id: e.dn,
    displayName,
    ...(firstName ? { firstName } : {}),
    ...(lastName ? { lastName } : {}),
    emails,
    phones: { ...(work ? { work } : {}), ...(home ? { home } : {}), ...(mobile ? { mobile } : {}) },
    ...(company ? { company } : {}),
    ...(title ? { title } : {}),
    ...(office ? { office } : {}),
    ...(alias ? { alias } : {}),
  };
}

export class LdapDirectory implements Directory {
  readonly #opts: LdapDirectoryOptions;
  #client?: Promise<Client>;

  constructor(opts: LdapDirectoryOptions) {
    this.#opts = opts;
  }

  async search(_session: UserSession, query: string, opts: DirectorySearchOptions): Promise<DirectorySearchResult> {
    const filter = searchFilter(query, this.#opts.objectFilter ?? DEFAULT_OBJECT_FILTER);
    if (!filter) return { entries: [], total: 0, complete: true };
    const { entries: found, complete } = await this.#search(filter);
    const matches = found.filter((e) => matchesQuery(e, query)).sort(compareEntries);
    const offset = Math.max(0, opts.offset ?? 0);
    const page = matches.slice(offset, offset + opts.limit);
    return { entries: opts.pictures ? await this.#withPictures(page) : page, total: matches.length, complete };
  }

  async lookup(_session: UserSession, name: string, opts: { limit?: number; pictures?: boolean } = {}): Promise<DirectoryEntry[]> {
    const filter = lookupFilter(name, this.#opts.objectFilter ?? DEFAULT_OBJECT_FILTER);
    if (!filter) return [];
    const { entries } = await this.#search(filter);
    const hits = entries.filter((e) => resolvesTo(e, name)).sort(compareEntries).slice(0, opts.limit ?? 100);
    return opts.pictures ? this.#withPictures(hits) : hits;
  }

  async close(): Promise<void> {
    const c = this.#client;
    this.#client = undefined;
    if (c) await c.then((x) => x.unbind()).catch(() => undefined);
  }

  async #search(filter: string): Promise<{ entries: DirectoryEntry[]; complete: boolean }> {
    const r = await this.#op((c) => c.search(this.#opts.base, { scope: 'sub', filter, attributes: ATTRIBUTES, sizeLimit: this.#opts.sizeLimit, timeLimit: Math.ceil((this.#opts.timeoutMs ?? 5000) / 1000) }));
    const entries = r.searchEntries.flatMap((e) => {
      const x = ldapToEntry(e);
      return x ? [x] : [];
    });
    return { entries, complete: r.searchEntries.length < this.#opts.sizeLimit };
  }

  async #withPictures(entries: readonly DirectoryEntry[]): Promise<DirectoryEntry[]> {
    return Promise.all(
      entries.map(async (e) => {
        const r = await this.#op((c) => c.search(e.id, { scope: 'base', filter: '(objectClass=*)', attributes: ['jpegPhoto'], explicitBufferAttributes: ['jpegPhoto'] }));
        const v = r.searchEntries[0]?.['jpegPhoto'];
        const pic = Array.isArray(v) ? v[0] : v;
        return Buffer.isBuffer(pic) && pic.length > 0 ? { ...e, picture: new Uint8Array(pic), pictureBytes: pic.length } : e;
      }),
    );
  }

  /** A bound client, connected once and shared. */
  #connected(): Promise<Client> {
    this.#client ??= (async () => {
      const t = this.#opts.timeoutMs ?? 5000;
      const c = new Client({ url: this.#opts.url, timeout: t, connectTimeout: t });
      if (this.#opts.bindDn) await c.bind(this.#opts.bindDn, this.#opts.password ?? '');
      return c;
    })();
    const p = this.#client;
    p.catch(() => {
      if (this.#client === p) this.#client = undefined;
    });
    return p;
  }

  /** Runs one LDAP operation; a dropped connection is replaced once; LDAP errors become BackendError. */
  async #op<T>(fn: (c: Client) => Promise<T>): Promise<T> {
    for (let attempt = 0; ; attempt++) {
      let client: Client | undefined;
      try {
        client = await this.#connected();
        return await fn(client);
      } catch (e) {
        if (e instanceof InvalidCredentialsError || e instanceof InsufficientAccessError) {
          this.#opts.log?.error({ event: 'directory.ldap-refused', err: e.message }, 'the LDAP directory refused the GAL bind or search');
          throw new BackendError('Forbidden', `LDAP: ${e.message}`, { cause: e });
        }
        if (e instanceof ResultCodeError) {
          // busy (51), unavailable (52), time limit (3): the directory is there but cannot answer now.
          if ([3, 51, 52].includes(e.code)) throw new BackendError('BackendUnavailable', `LDAP: ${e.message}`, { cause: e });
          throw new BackendError('Invalid', `LDAP: ${e.message}`, { cause: e });
        }
        if (isBackendError(e)) throw e;
        // Anything else is the connection: drop it, and try once more on a fresh one.
        if (this.#client && client) {
          const dead = this.#client;
          this.#client = undefined;
          void dead.then((c) => c.unbind()).catch(() => undefined);
        }
        if (attempt >= 1) throw new BackendError('BackendUnavailable', `LDAP server unreachable: ${(e as Error).message}`, { cause: e });
      }
    }
  }
}
