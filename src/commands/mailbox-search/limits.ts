/**
 * Caps on a mailbox search (STYLE habit 11), each with its reason. Search
 * (Store Mailbox) and Find read them from here only.
 */

/**
 * Most results one answer carries, whatever Range asks: Exchange's fixed
 * cap (MS-ASCMD 2.2.3.143.3, "a maximum of 100 records"). Total still
 * counts every match, so the phone pages on with the next Range.
 */
export const MAX_SEARCH_RESULTS = 100;

/**
 * Most text and date conditions in one query, and deepest And/Or nesting.
 * Every text condition is one more pass over the folder on a server without
 * a full-text index; phones send one to three. Over either: Status 8
 * (TooComplex) for Search, 2 for Find.
 */
export const MAX_SEARCH_CONDITIONS = 16;
export const MAX_SEARCH_DEPTH = 4;

/**
 * Longest query text, in characters, summed over its conditions. A person
 * types a few words; 1 MB of text would only keep Dovecot reading every
 * message against it. Over it: Status 8 (Search) or 2 (Find), IMAP not asked.
 */
export const MAX_SEARCH_TEXT_CHARS = 1024;

/**
 * How long the hits of a query are kept for the next page of the same
 * device: a phone pages within seconds (iOS asks 0-49, then 50-99 as the
 * user scrolls), and the pages must not shift under it when mail arrives.
 * RebuildResults, or any other query, starts over.
 */
export const SEARCH_RESULTS_TTL_MS = 120_000;

/** Devices whose last query is kept at once; the oldest entries go first. */
export const SEARCH_CACHE_ENTRIES = 2_000;
