/**
 * Just enough legacy-charset encoders for seed mail (RFC 2045 charset
 * parameter): windows-1252, ISO-8859-1, KOI8-R (RFC 1489) and ISO-2022-JP
 * (RFC 1468, kana and punctuation only). Seed texts are chosen to fit; any
 * character outside a table throws, so a typo cannot produce silent '?'.
 */

/** Charsets the seed generator writes bodies and headers in. */
export type SeedCharset = 'utf-8' | 'iso-8859-1' | 'windows-1252' | 'koi8-r' | 'iso-2022-jp';

const CP1252_EXTRA: Record<string, number> = {
  '€': 0x80, '‚': 0x82, '„': 0x84, '…': 0x85, '‘': 0x91, '’': 0x92, '“': 0x93, '”': 0x94, '–': 0x96, '—': 0x97, '™': 0x99,
};

// KOI8-R 0xC0..0xFF, in byte order (RFC 1489).
const KOI8_LOWER = 'юабцдефгхийклмнопярстужвьызшэщчъ';
const KOI8_UPPER = 'ЮАБЦДЕФГХИЙКЛМНОПЯРСТУЖВЬЫЗШЭЩЧЪ';

function fail(ch: string, cs: string): never {
  throw new Error(`seed text character ${JSON.stringify(ch)} has no ${cs} encoding`);
}

function singleByte(text: string, cs: SeedCharset, map: (ch: string, cp: number) => number | undefined): Buffer {
  const out: number[] = [];
  for (const ch of text) {
    const cp = ch.codePointAt(0)!;
    const b = cp < 0x80 ? cp : map(ch, cp);
    if (b === undefined) fail(ch, cs);
    out.push(b);
  }
  return Buffer.from(out);
}

/** JIS X 0208 code of a kana or punctuation character (rows 1, 4 and 5). */
function jis0208(ch: string): [number, number] | undefined {
  const cp = ch.codePointAt(0)!;
  if (cp >= 0x3041 && cp <= 0x3093) return [0x24, 0x21 + cp - 0x3041]; // hiragana, row 4
  if (cp >= 0x30a1 && cp <= 0x30f6) return [0x25, 0x21 + cp - 0x30a1]; // katakana, row 5
  const punct: Record<string, [number, number]> = { '　': [0x21, 0x21], '、': [0x21, 0x22], '。': [0x21, 0x23], 'ー': [0x21, 0x3c], '「': [0x21, 0x56], '」': [0x21, 0x57] };
  return punct[ch];
}

function iso2022jp(text: string): Buffer {
  const out: number[] = [];
  let jis = false;
  for (const ch of text) {
    const cp = ch.codePointAt(0)!;
    if (cp < 0x80) {
      if (jis) out.push(0x1b, 0x28, 0x42); // ESC ( B: back to ASCII
      jis = false;
      out.push(cp);
      continue;
    }
    const code = jis0208(ch) ?? fail(ch, 'iso-2022-jp');
    if (!jis) out.push(0x1b, 0x24, 0x42); // ESC $ B: JIS X 0208
    jis = true;
    out.push(...code);
  }
  // The text must end in ASCII mode (RFC 1468).
  if (jis) out.push(0x1b, 0x28, 0x42);
  return Buffer.from(out);
}

/** Encodes `text` in `charset`; throws for characters the charset lacks. */
export function encodeCharset(text: string, charset: SeedCharset): Buffer {
  switch (charset) {
    case 'utf-8':
      return Buffer.from(text, 'utf8');
    case 'iso-8859-1':
      return singleByte(text, charset, (_c, cp) => (cp >= 0xa0 && cp <= 0xff ? cp : undefined));
    case 'windows-1252':
      return singleByte(text, charset, (c, cp) => CP1252_EXTRA[c] ?? (cp >= 0xa0 && cp <= 0xff ? cp : undefined));
    case 'koi8-r':
      return singleByte(text, charset, (c) => {
        if (c === 'ё') return 0xa3;
        if (c === 'Ё') return 0xb3;
        const lo = KOI8_LOWER.indexOf(c);
        if (lo >= 0) return 0xc0 + lo;
        const up = KOI8_UPPER.indexOf(c);
        return up >= 0 ? 0xe0 + up : undefined;
      });
    case 'iso-2022-jp':
      return iso2022jp(text);
  }
}

/**
 * RFC 2047 encoded-word(s) for a header value: B encoding for multibyte
 * charsets, Q otherwise. ISO-2022-JP words each end in ASCII mode.
 */
export function encodeWord(text: string, charset: SeedCharset): string {
  if (/^[\x20-\x7e]*$/.test(text)) return text;
  if (charset === 'utf-8' || charset === 'iso-2022-jp' || charset === 'koi8-r') {
    // Split by characters so no word exceeds ~45 source chars (75-char encoded-word limit).
    const chars = [...text];
    const words: string[] = [];
    const step = charset === 'utf-8' ? 12 : 16;
    for (let i = 0; i < chars.length; i += step) {
      const part = encodeCharset(chars.slice(i, i + step).join(''), charset).toString('base64');
      words.push(`=?${charset.toUpperCase()}?B?${part}?=`);
    }
    return words.join('\r\n ');
  }
  const bytes = encodeCharset(text, charset);
  let q = '';
  for (const b of bytes) {
    if (b === 0x20) q += '_';
    else if (b > 0x20 && b < 0x7f && !'=?_"()<>@,;:\\'.includes(String.fromCharCode(b))) q += String.fromCharCode(b);
    else q += `=${b.toString(16).toUpperCase().padStart(2, '0')}`;
  }
  return `=?${charset.toUpperCase()}?Q?${q}?=`;
}
