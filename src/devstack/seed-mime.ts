/**
 * A tiny MIME writer (RFC 2045/2046/5322) for seed and test mail. Written by
 * hand rather than with nodemailer so that seed mail can carry exactly the
 * legacy encodings and structures real mailboxes contain.
 */

/** Content-Transfer-Encoding of a leaf part (RFC 2045 6). */
export type TransferEncoding = '7bit' | '8bit' | 'quoted-printable' | 'base64';

/** A MIME entity: its headers (in order) and its already-encoded body. */
export interface MimeEntity {
  readonly headers: readonly (readonly [string, string])[];
  readonly body: Buffer;
}

/** base64 in 76-character lines (RFC 2045 6.8). */
export function base64Lines(data: Buffer): string {
  return (data.toString('base64').match(/.{1,76}/g) ?? []).join('\r\n');
}

/** Quoted-printable (RFC 2045 6.7): soft line breaks at 76, CRLF kept as hard breaks. */
export function quotedPrintable(data: Buffer): string {
  const lines: string[] = [];
  let start = 0;
  const raw: Buffer[] = [];
  for (let i = 0; i <= data.length; i++) {
    if (i === data.length || data[i] === 0x0a) {
      let end = i;
      if (end > start && data[end - 1] === 0x0d) end--;
      raw.push(data.subarray(start, end));
      start = i + 1;
    }
  }
  for (const line of raw) {
    let out = '';
    let cur = '';
    for (let j = 0; j < line.length; j++) {
      const b = line[j]!;
      const last = j === line.length - 1;
      const plain = (b >= 33 && b <= 126 && b !== 61) || ((b === 32 || b === 9) && !last);
      const tok = plain ? String.fromCharCode(b) : `=${b.toString(16).toUpperCase().padStart(2, '0')}`;
      if (cur.length + tok.length > 75) {
        out += `${cur}=\r\n`;
        cur = '';
      }
      cur += tok;
    }
    lines.push(out + cur);
  }
  return lines.join('\r\n');
}

/** Normalises bare LF to CRLF (text bodies are written with \n in source). */
export function crlf(text: string): string {
  return text.replace(/\r?\n/g, '\r\n');
}

/** A leaf part with its body encoded as requested. */
export function leaf(contentType: string, data: Buffer, encoding: TransferEncoding, extra: readonly (readonly [string, string])[] = []): MimeEntity {
  let body: Buffer;
  if (encoding === 'base64') body = Buffer.from(base64Lines(data), 'latin1');
  else if (encoding === 'quoted-printable') body = Buffer.from(quotedPrintable(data), 'latin1');
  else body = Buffer.from(crlf(data.toString('latin1')), 'latin1');
  return { headers: [['Content-Type', contentType], ['Content-Transfer-Encoding', encoding], ...extra], body };
}

/** A multipart entity (RFC 2046 5.1) with a boundary derived from `boundarySeed` (deterministic output). */
export function multipart(subtype: string, parts: readonly MimeEntity[], boundarySeed: string, params = ''): MimeEntity {
  const boundary = `----=_Part_${boundarySeed}_${subtype}`;
  const chunks: Buffer[] = [];
  for (const p of parts) {
    chunks.push(Buffer.from(`--${boundary}\r\n`, 'latin1'), serialize(p), Buffer.from('\r\n', 'latin1'));
  }
  chunks.push(Buffer.from(`--${boundary}--\r\n`, 'latin1'));
  return { headers: [['Content-Type', `multipart/${subtype}; boundary="${boundary}"${params}`]], body: Buffer.concat(chunks) };
}

/** Headers, blank line, body. */
export function serialize(e: MimeEntity): Buffer {
  const head = e.headers.map(([k, v]) => `${k}: ${v}\r\n`).join('');
  return Buffer.concat([Buffer.from(`${head}\r\n`, 'latin1'), e.body]);
}

/** A whole message: top-level headers followed by the entity's own headers (RFC 5322 + MIME-Version). */
export function message(top: readonly (readonly [string, string])[], e: MimeEntity): Buffer {
  return serialize({ headers: [...top, ['MIME-Version', '1.0'], ...e.headers], body: e.body });
}

/** RFC 5322 3.3 date-time in UTC, e.g. `Mon, 02 Jan 2024 10:00:00 +0000`. */
export function rfc5322Date(d: Date): string {
  return d.toUTCString().replace('GMT', '+0000');
}
