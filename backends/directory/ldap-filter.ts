/**
 * LDAP search filters for the GAL (RFC 4515), built from text a phone sent.
 * Every user-supplied value goes through `escapeFilterValue`, so that
 * `*)(uid=*` is a name to look for, never a filter of its own: the five
 * characters RFC 4515 3 reserves (NUL ( ) * \) and every other control
 * character become `\XX`. Other characters stay as UTF-8 (RFC 4515 allows
 * them unescaped; ldapts reads a `\XX` as one character, not one octet, so
 * escaping UTF-8 octets would garble non-ASCII names).
 *
 * The filters select a superset of what match.ts accepts: the directory
 * then applies match.ts to what LDAP returned, so that the CardDAV and the
 * LDAP GAL answer the same query the same way.
 */
import { BackendError } from '../errors.ts';

/** Most words of one query sent to LDAP (each adds an OR of seven clauses). */
export const MAX_FILTER_WORDS = 8;
/** Longest query word sent to LDAP. */
export const MAX_FILTER_WORD_CHARS = 256;

/** The attributes a word may start, besides the inner words of cn (module comment). */
const PREFIX_ATTRIBUTES = ['cn', 'displayName', 'givenName', 'sn', 'mail', 'uid'] as const;
/** The attributes an exact recipient name may equal. */
const EXACT_ATTRIBUTES = ['mail', 'cn', 'displayName', 'uid', 'givenName', 'sn'] as const;

/** Default selection of directory objects (people with an address book presence). */
export const DEFAULT_OBJECT_FILTER = '(|(objectClass=inetOrgPerson)(objectClass=person))';

/** A value for an RFC 4515 assertion: NUL, (, ), *, \ and control characters as \XX. */
export function escapeFilterValue(value: string): string {
  let out = '';
  for (const ch of value) {
    const c = ch.codePointAt(0)!;
    if (c === 0x2a || c === 0x28 || c === 0x29 || c === 0x5c || c < 0x20 || c === 0x7f) out += `\\${c.toString(16).padStart(2, '0')}`;
    else out += ch;
  }
  return out;
}

/** The words of a query as typed (split at white space, nothing folded). */
function rawWords(query: string): string[] {
  return query.split(/\s+/u).filter((w) => w !== '');
}

function checkWords(words: readonly string[]): void {
  if (words.length > MAX_FILTER_WORDS) throw new BackendError('Invalid', `query has more than ${MAX_FILTER_WORDS} words`);
  if (words.some((w) => w.length > MAX_FILTER_WORD_CHARS)) throw new BackendError('Invalid', `query word longer than ${MAX_FILTER_WORD_CHARS} characters`);
}

/**
 * The filter of a prefix search: objects of `objectFilter` where each word
 * starts cn, displayName, givenName, sn, mail or uid, or a later word of cn.
 * Words are sent as typed: LDAP's caseIgnore matching ignores case, but not
 * accents, so "muller" does not find "Müller" here as it does in the CardDAV
 * GAL. Undefined for a query without words. Throws BackendError Invalid
 * past MAX_FILTER_WORDS / MAX_FILTER_WORD_CHARS.
 */
export function searchFilter(query: string, objectFilter = DEFAULT_OBJECT_FILTER): string | undefined {
  const words = rawWords(query);
  if (words.length === 0) return undefined;
  checkWords(words);
  const clauses = words.map((w) => {
    const v = escapeFilterValue(w);
    return `(|${PREFIX_ATTRIBUTES.map((a) => `(${a}=${v}*)`).join('')}(cn=* ${v}*))`;
  });
  return `(&${objectFilter}${clauses.join('')})`;
}

/** The filter of an exact recipient lookup: objects whose mail, cn, displayName, uid, givenName or sn equals `name`. */
export function lookupFilter(name: string, objectFilter = DEFAULT_OBJECT_FILTER): string | undefined {
  const n = name.trim().replace(/\s+/gu, ' ');
  if (n === '') return undefined;
  checkWords(rawWords(n));
  const v = escapeFilterValue(n);
  return `(&${objectFilter}(|${EXACT_ATTRIBUTES.map((a) => `(${a}=${v})`).join('')}))`;
}
