/**
 * Text helpers for email bodies: charset decoding, HTML <-> plain text and
 * UTF-8-safe truncation. Small and dependency-free because they run for
 * every message of a window (a full HTML-to-text library costs ~2 ms per
 * message, more than the IMAP fetch itself).
 */

/**
 * Decodes bytes in a MIME charset (RFC 2046 4.1.2). Node's TextDecoder
 * (full ICU) knows the WHATWG encodings: ISO-8859-x, windows-125x, KOI8,
 * Shift_JIS, EUC-JP/KR, ISO-2022-JP, GB18030, Big5. Unknown labels fall back
 * to UTF-8, and undeclared bytes that are not UTF-8 to windows-1252, which is
 * what mail clients do with unlabelled 8-bit text.
 */
export function decodeCharset(data: Uint8Array, charset: string | undefined): string {
  const label = (charset ?? '').trim().toLowerCase().replace(/^"|"$/g, '');
  if (WINDOWS_1252_LABELS.has(label)) return decodeWindows1252(data);
  if (label && label !== 'us-ascii' && label !== 'utf-8' && label !== 'utf8') {
    const d = decoderFor(label);
    if (d) return d.decode(data);
  }
  try {
    return STRICT_UTF8.decode(data);
  } catch {
    return label && label !== 'us-ascii' ? LENIENT_UTF8.decode(data) : decodeWindows1252(data);
  }
}

const STRICT_UTF8 = new TextDecoder('utf-8', { fatal: true });
const LENIENT_UTF8 = new TextDecoder('utf-8');
/** Decoders by label, built once (constructing one costs more than decoding a short body); null = unknown label. */
const DECODERS = new Map<string, TextDecoder | null>();

function decoderFor(label: string): TextDecoder | undefined {
  let d = DECODERS.get(label);
  if (d === undefined) {
    try {
      d = new TextDecoder(label);
    } catch {
      d = null;
    }
    if (DECODERS.size < 64) DECODERS.set(label, d);
  }
  return d ?? undefined;
}

/** Labels WHATWG maps to windows-1252 (ISO-8859-1 mail is in practice windows-1252). */
const WINDOWS_1252_LABELS = new Set(['windows-1252', 'cp1252', 'x-cp1252', 'iso-8859-1', 'iso8859-1', 'latin1', 'l1', 'iso_8859-1', 'cp819', 'ibm819']);

/** 0x80..0x9F of windows-1252; the rest is ISO-8859-1. */
const CP1252_HIGH = '\u20ac\u0081\u201a\u0192\u201e\u2026\u2020\u2021\u02c6\u2030\u0160\u2039\u0152\u008d\u017d\u008f\u0090\u2018\u2019\u201c\u201d\u2022\u2013\u2014\u02dc\u2122\u0161\u203a\u0153\u009d\u017e\u0178';

/**
 * Node's TextDecoder decodes "windows-1252" as ISO-8859-1 (no curly quotes,
 * no euro sign), so this one is done by hand.
 */
export function decodeWindows1252(data: Uint8Array): string {
  let out = '';
  for (let i = 0; i < data.length; i += 8192) {
    const chunk = data.subarray(i, i + 8192);
    let s = '';
    for (const b of chunk) s += b >= 0x80 && b <= 0x9f ? CP1252_HIGH[b - 0x80] : String.fromCharCode(b);
    out += s;
  }
  return out;
}

/** Removes the U+FFFD a byte-truncated multi-byte character leaves at the end. */
export function dropBrokenTail(s: string): string {
  return s.replace(/\uFFFD+$/, '');
}

/** Longest prefix of `s` whose UTF-8 form has at most `maxBytes` bytes, never splitting a character. */
export function truncateUtf8(s: string, maxBytes: number): string {
  if (maxBytes <= 0) return '';
  // Most bodies fit: measuring allocates nothing, encoding copies the whole text.
  if (s.length <= maxBytes / 3 || Buffer.byteLength(s, 'utf8') <= maxBytes) return s;
  const buf = Buffer.from(s, 'utf8');
  if (buf.length <= maxBytes) return s;
  let end = maxBytes;
  // Back up over continuation bytes (10xxxxxx) to a character start.
  while (end > 0 && (buf[end]! & 0xc0) === 0x80) end--;
  return buf.subarray(0, end).toString('utf8');
}

const ENTITIES: Readonly<Record<string, string>> = {
  nbsp: ' ',
  amp: '&',
  lt: '<',
  gt: '>',
  quot: '"',
  apos: "'",
  copy: '©',
  reg: '®',
  hellip: '…',
  mdash: '—',
  ndash: '–',
  lsquo: '‘',
  rsquo: '’',
  ldquo: '“',
  rdquo: '”',
  euro: '€',
  bull: '•',
  middot: '·',
  laquo: '«',
  raquo: '»',
  auml: 'ä',
  ouml: 'ö',
  uuml: 'ü',
  Auml: 'Ä',
  Ouml: 'Ö',
  Uuml: 'Ü',
  szlig: 'ß',
  eacute: 'é',
  egrave: 'è',
  agrave: 'à',
  ccedil: 'ç',
};

function decodeEntities(s: string): string {
  return s.replace(/&(#x[0-9a-f]{1,6}|#\d{1,7}|[a-z]{2,8});/gi, (m, e: string) => {
    if (e[0] === '#') {
      const cp = e[1] === 'x' || e[1] === 'X' ? parseInt(e.slice(2), 16) : parseInt(e.slice(1), 10);
      return cp > 0 && cp <= 0x10ffff ? String.fromCodePoint(cp) : m;
    }
    return ENTITIES[e] ?? m;
  });
}

/**
 * Readable plain text from HTML: drops head, style and script, turns block
 * ends and <br> into line breaks, strips tags, decodes entities, collapses
 * runs of blank space. Good enough for Type 1 bodies of HTML-only mail and
 * for Preview (MS-ASAIRS 2.2.2.37).
 */
export function htmlToText(html: string): string {
  let s = html.replace(/<!--[\s\S]*?(-->|$)/g, '');
  s = s.replace(/<(head|style|script|title)\b[\s\S]*?(<\/\1\s*>|$)/gi, '');
  s = s.replace(/<br\b[^>]*>/gi, '\n');
  s = s.replace(/<\/(p|div|tr|h[1-6]|li|blockquote|table|pre)\s*>/gi, '\n');
  s = s.replace(/<li\b[^>]*>/gi, '\n• ');
  s = s.replace(/<[^>]*(>|$)/g, '');
  s = decodeEntities(s);
  s = s.replace(/[ \t\f\v\r]+/g, ' ').replace(/ *\n */g, '\n').replace(/\n{3,}/g, '\n\n');
  return s.trim();
}

/** Escapes text for HTML and keeps its line breaks, for Type 2 bodies of plain-text mail. */
export function textToHtml(text: string): string {
  const esc = text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
  return `<html><body><div>${esc.replace(/\r?\n/g, '<br>\r\n')}</div></body></html>`;
}

/** First `chars` characters of `text` with whitespace collapsed, for Preview. */
export function previewOf(text: string, chars: number): string {
  const flat = text.replace(/\s+/g, ' ').trim();
  return [...flat].slice(0, chars).join('');
}
