/**
 * Caps on what a phone may ask of the directory (STYLE habit 11), each
 * with its reason. Search and ResolveRecipients read them from here only.
 */

/**
 * Most GAL results one Search returns, whatever Range says: Exchange's
 * fixed cap (MS-ASCMD 2.2.3.143.3 Range; "any search returns a maximum of
 * 100 records"), which phones are built around. The default Range is 0-99.
 */
export const MAX_GAL_RESULTS = 100;

/**
 * Longest GAL query, in characters. Names and addresses are far shorter
 * (RFC 5321 caps an address at 254 octets); a longer query cannot match
 * and would only cost CPU (and LDAP filter size): Store Status 2.
 */
export const MAX_GAL_QUERY_CHARS = 256;

/** Most words in a GAL query (each word is one more prefix set to intersect, or one more LDAP OR). */
export const MAX_GAL_QUERY_WORDS = 8;

/**
 * Suggestions per ambiguous To when the device sets no MaxAmbiguousRecipients
 * (MS-ASCMD 2.2.3.103 allows up to 9999; a phone shows a short pick list).
 */
export const DEFAULT_MAX_AMBIGUOUS = 20;

/** Candidates looked up per To at most, before MaxAmbiguousRecipients trims them. */
export const MAX_CANDIDATES = 100;

/**
 * Longest Availability window: 62 days, Exchange's limit for free/busy
 * (GetUserAvailability). Longer is "the range exceeded limits", Status 5
 * (MS-ASCMD 2.2.3.177.12); 62 days are 2976 digits of MergedFreeBusy.
 */
export const MAX_AVAILABILITY_MS = 62 * 86_400_000;

/** Free/busy lookups of one request run at most this many at a time (each is a few DAV requests). */
export const FREE_BUSY_CONCURRENCY = 4;
