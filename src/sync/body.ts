import type { BodyPreference } from '../../protocol/commands/body-preference.ts';
import type { EasBody } from '../../protocol/types/body.ts';
import { versionAtLeast, type ProtocolVersion } from '../../protocol/version.ts';
import type { FetchWant, FetchedMessage, MimePart } from '../../backends/types.ts';
import { decodedSize, type MessageLayout } from './mime-parts.ts';
import { legacyTruncationSize, mimeTruncationSize } from './options.ts';
import { decodeCharset, dropBrokenTail, htmlToText, previewOf, textToHtml, truncateUtf8 } from './text.ts';

/**
 * Body preferences (MS-ASAIRS 2.2.2.12 BodyPreference, MS-ASCMD 2.2.3.110.3
 * MIMESupport, 2.2.3.111 MIMETruncation, 2.2.3.185 Truncation) turned into
 * what to fetch from IMAP and how to render it.
 */

/** What the client asked for, in the form the renderer needs. */
export interface BodyRequest {
  readonly kind: 'plain' | 'html' | 'mime';
  /** Bytes of Data at most (UTF-8); undefined = whole body. */
  readonly truncationSize?: number;
  readonly allOrNone: boolean;
  /** Characters of Preview (14.0+), 0 = none. */
  readonly preview: number;
}

/** The body-related options of a Sync collection, ItemOperations Fetch or Search. */
export interface BodyOptions {
  readonly bodyPreferences: readonly BodyPreference[];
  readonly mimeSupport?: number;
  readonly mimeTruncation?: number;
  readonly truncation?: number;
  /** BodyPartPreference (MS-ASAIRS 2.2.2.11, 14.1+): asks for an airsyncbase:BodyPart besides the Body. */
  readonly bodyPartPreferences?: readonly BodyPreference[];
}

/**
 * Picks the body form for one message. MIME when asked (MIMESupport 2, or 1
 * and the message is S/MIME, or Type 4 is the only preference); otherwise
 * HTML when asked and the message has HTML, then plain, then whatever was
 * asked. RTF (3) is never produced: it is listed only by clients that also
 * list another type.
 */
export function chooseBody(opts: BodyOptions, layout: MessageLayout, version: ProtocolVersion): BodyRequest {
  const prefs = versionAtLeast(version, '12.0') ? opts.bodyPreferences : [];
  const mimeSupport = opts.mimeSupport ?? 0;
  const wantsMime = mimeSupport === 2 || (mimeSupport === 1 && layout.smime !== undefined);
  const byType = new Map(prefs.map((p) => [p.type, p]));
  if (prefs.length === 0) {
    // 2.5 (and 12.x clients that send no BodyPreference): Truncation / MIMETruncation sizes.
    if (wantsMime) return { kind: 'mime', ...size(mimeTruncationSize(opts.mimeTruncation)), allOrNone: false, preview: 0 };
    return { kind: 'plain', ...size(legacyTruncationSize(opts.truncation)), allOrNone: false, preview: 0 };
  }
  const mime = byType.get(4);
  const pick =
    (mime && (wantsMime || prefs.every((p) => p.type === 4)) ? mime : undefined) ??
    (layout.html ? byType.get(2) : undefined) ??
    byType.get(1) ??
    byType.get(2) ??
    mime ??
    { type: 1 };
  const kind = pick.type === 4 ? 'mime' : pick.type === 2 ? 'html' : 'plain';
  return {
    kind,
    ...size(pick.truncationSize),
    allOrNone: pick.allOrNone ?? false,
    preview: versionAtLeast(version, '14.0') ? (pick.preview ?? 0) : 0,
  };
}

/**
 * The BodyPart request (MS-ASAIRS 2.2.2.10, 2.2.2.11; 14.1+): only Type 2
 * (HTML) exists for BodyPart. The message part is meant to be the new text
 * of a message without the quoted conversation; without conversation
 * analysis the whole HTML body is that part (a server must answer BodyPart
 * whenever BodyPartPreference was sent), rendered like an HTML Body.
 */
export function chooseBodyPart(opts: BodyOptions, version: ProtocolVersion): BodyRequest | undefined {
  if (!versionAtLeast(version, '14.1')) return undefined;
  const pref = opts.bodyPartPreferences?.find((p) => p.type === 2);
  if (!pref) return undefined;
  return { kind: 'html', ...size(pref.truncationSize), allOrNone: pref.allOrNone ?? false, preview: pref.preview ?? 0 };
}

function size(n: number | undefined): { truncationSize?: number } {
  return n === undefined ? {} : { truncationSize: n };
}

/** Which leaf carries the body for `req`, and whether it needs converting. */
function sourcePart(req: BodyRequest, layout: MessageLayout): MimePart | undefined {
  if (req.kind === 'html') return layout.html ?? layout.text;
  return layout.text ?? layout.html;
}

/** Extra bytes fetched when the body must be converted (HTML markup shrinks to far less text). */
const CONVERT_FACTOR = 4;
/** Enough of an HTML part to find the first `preview` characters of its text. */
const PREVIEW_FETCH = 8192;

/**
 * The part fetch one message needs for `req` (second round trip after
 * BODYSTRUCTURE): only the chosen text leaf, cut at the truncation size on
 * the server; the source, cut likewise, for MIME.
 */
export function planBodyFetch(req: BodyRequest, layout: MessageLayout, messageSize: number): FetchWant {
  if (req.kind === 'mime') {
    if (req.truncationSize !== undefined && messageSize > req.truncationSize && req.allOrNone) return {};
    return req.truncationSize !== undefined ? { source: true, sourceMaxBytes: req.truncationSize } : { source: true };
  }
  const p = sourcePart(req, layout);
  if (!p) return {};
  const full = decodedSize(p);
  if (req.truncationSize !== undefined && req.allOrNone && full > req.truncationSize) {
    // AllOrNone: no data at all when it would be cut; Preview may still need a little text.
    return req.preview > 0 ? { parts: [partWant(p, PREVIEW_FETCH)] } : {};
  }
  const converting = (req.kind === 'plain' && p.type === 'text/html') || (req.kind === 'html' && p.type === 'text/plain');
  let max = req.truncationSize === undefined ? undefined : req.truncationSize * (converting ? CONVERT_FACTOR : 1) + 16;
  if (max !== undefined && req.preview > 0) max = Math.max(max, Math.min(full, PREVIEW_FETCH));
  return { parts: [partWant(p, max)] };
}

function partWant(p: MimePart, maxBytes: number | undefined): { part: string; maxBytes?: number; encoding?: string } {
  const w: { part: string; maxBytes?: number; encoding?: string } = { part: p.part };
  if (maxBytes !== undefined) w.maxBytes = maxBytes;
  if (p.encoding) w.encoding = p.encoding;
  return w;
}

/**
 * Renders the body from what `planBodyFetch` fetched (MS-ASAIRS 2.2.2.9):
 * Data cut to TruncationSize bytes with Truncated and EstimatedDataSize of
 * the whole, no Data under AllOrNone when it would be cut, Preview as plain
 * text. The NativeBodyType is returned alongside.
 */
export function renderBody(req: BodyRequest, layout: MessageLayout, msg: FetchedMessage): { body: EasBody; nativeType: 1 | 2 } {
  const nativeType: 1 | 2 = layout.html ? 2 : 1;
  if (req.kind === 'mime') {
    const total = msg.size;
    const willCut = req.truncationSize !== undefined && total > req.truncationSize;
    if (willCut && req.allOrNone) return { body: { type: 4, estimatedDataSize: total, truncated: true }, nativeType };
    const raw = msg.source ? msg.source.toString('utf8') : '';
    const data = req.truncationSize !== undefined ? truncateUtf8(raw, req.truncationSize) : raw;
    return { body: { type: 4, estimatedDataSize: total, truncated: willCut, data }, nativeType };
  }
  const p = sourcePart(req, layout);
  const type = req.kind === 'html' ? 2 : 1;
  if (!p) return { body: { type, estimatedDataSize: 0, truncated: false, data: '' }, nativeType };
  const bytes = msg.parts?.get(p.part);
  // The backend cuts at exactly maxBytes, so fewer bytes than asked means the whole part arrived.
  const asked = planBodyFetch(req, layout, msg.size).parts?.[0]?.maxBytes;
  const fetchedAll = bytes !== undefined && (asked === undefined || bytes.length < asked);
  let text = bytes ? decodeCharset(bytes, p.params['charset']) : '';
  if (!fetchedAll) text = dropBrokenTail(text);
  // Plain text of HTML only when Data or Preview needs it: HTML Data with no Preview (the common phone request) skips it.
  const plainOf = (): string => (p.type === 'text/html' ? htmlToText(text) : text);
  const data = req.kind === 'html' ? (p.type === 'text/html' ? text : textToHtml(text)) : plainOf();
  // EstimatedDataSize is the size of the whole body in the requested type; the stored size is the honest estimate.
  const estimated = fetchedAll ? Buffer.byteLength(data, 'utf8') : Math.max(decodedSize(p), Buffer.byteLength(data, 'utf8'));
  const preview = req.preview > 0 ? previewOf(req.kind === 'plain' ? data : plainOf(), req.preview) : undefined;
  const limit = req.truncationSize;
  if (limit !== undefined && estimated > limit && req.allOrNone) {
    return { body: { type, estimatedDataSize: estimated, truncated: true, ...(preview !== undefined ? { preview } : {}) }, nativeType };
  }
  const cut = limit !== undefined ? truncateUtf8(data, limit) : data;
  const truncated = cut.length < data.length || !fetchedAll;
  return {
    body: { type, estimatedDataSize: estimated, truncated, data: cut, ...(preview !== undefined ? { preview } : {}) },
    nativeType,
  };
}
