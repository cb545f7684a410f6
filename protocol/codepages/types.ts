import type { ProtocolVersion } from '../version.ts';

/**
 * One row of an MS-ASWBXML code page table: `[token, tag name, since?, until?]`.
 *
 * `since` defaults to the page's `since`; `null` marks a token MS-ASWBXML
 * defines (so old bytes still decode) that no version we speak may send.
 * `until` is the last version that has the tag; absent means "still current".
 * Two rows may share a token when a tag was renamed between versions; the
 * first row gives the name the decoder reports.
 */
export type TagDef = readonly [token: number, name: string, since?: ProtocolVersion | null, until?: ProtocolVersion];

/** One WBXML code page as data (MS-ASWBXML 2.1.2.1). `ns` is also the XML namespace MS-ASCMD examples use. */
export interface CodePageDef {
  readonly page: number;
  readonly ns: string;
  /** The MS-ASWBXML section that lists this page. */
  readonly section: string;
  /** First version that has the page's tags, or null when the page is obsolete (AirNotify). */
  readonly since: ProtocolVersion | null;
  readonly tags: readonly TagDef[];
}

/** A resolved tag: where it lives on the wire and in which protocol versions it exists. */
export interface TagInfo {
  readonly page: number;
  readonly token: number;
  readonly ns: string;
  readonly name: string;
  /** Versions (from PROTOCOL_VERSIONS) in which the tag may be sent, oldest first; empty for decode-only tags. */
  readonly versions: readonly ProtocolVersion[];
  /** Bit i set when the tag exists in PROTOCOL_VERSIONS[i]; lets the encoder check a version with one AND. */
  readonly versionMask: number;
}
