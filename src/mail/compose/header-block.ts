/**
 * Editing the top-level header block of an RFC 5322 message without touching
 * its body. Devices send finished MIME (MS-ASCMD 2.2.3.109 Mime); we only
 * need to force From, add Date/Message-ID/In-Reply-To/References and drop
 * Bcc, and re-encoding the body would break S/MIME signatures and waste time
 * on large attachments. So the body bytes pass through untouched and the
 * header fields are kept as raw (latin1 = byte-preserving) strings.
 */

/** One header field as it appeared: name and the whole field text, folded lines included, without the final line break. */
export interface HeaderField {
  readonly name: string;
  readonly raw: string;
}

/** A message split at its first empty line. */
export interface SplitMessage {
  fields: HeaderField[];
  readonly body: Buffer;
}

/**
 * Splits `raw` into header fields and body (RFC 5322 2.1: the header ends at
 * the first empty line). Accepts CRLF or bare LF, since some clients send the
 * latter. A message without an empty line is all header.
 */
export function splitMessage(raw: Buffer): SplitMessage {
  const crlf = raw.indexOf('\r\n\r\n');
  const lf = raw.indexOf('\n\n');
  let headEnd: number;
  let bodyStart: number;
  if (crlf >= 0 && (lf < 0 || crlf < lf)) {
    headEnd = crlf;
    bodyStart = crlf + 4;
  } else if (lf >= 0) {
    headEnd = lf;
    bodyStart = lf + 2;
  } else {
    headEnd = raw.length;
    bodyStart = raw.length;
  }
  const head = raw.subarray(0, headEnd).toString('latin1');
  return { fields: parseFields(head), body: raw.subarray(bodyStart) };
}

function parseFields(head: string): HeaderField[] {
  const fields: { name: string; lines: string[] }[] = [];
  for (const line of head.split(/\r?\n/)) {
    if (line === '') continue;
    if ((line[0] === ' ' || line[0] === '\t') && fields.length > 0) {
      fields[fields.length - 1]!.lines.push(line);
      continue;
    }
    const colon = line.indexOf(':');
    // A line with no colon is not a field; keep it attached to nothing rather than fail (lenient like MTAs).
    if (colon <= 0) continue;
    fields.push({ name: line.slice(0, colon).trim(), lines: [line] });
  }
  return fields.map((f) => ({ name: f.name, raw: f.lines.join('\r\n') }));
}

/** The unfolded value of a field (RFC 5322 2.2.3), with 8-bit bytes read as UTF-8 (RFC 6532). */
export function fieldValue(f: HeaderField): string {
  const v = f.raw.slice(f.raw.indexOf(':') + 1).replace(/\r?\n(?=[ \t])/g, '');
  return Buffer.from(v, 'latin1').toString('utf8').trim();
}

/** Value of the first field named `name` (case-insensitive), or undefined. */
export function getHeader(m: SplitMessage, name: string): string | undefined {
  const f = m.fields.find((x) => x.name.toLowerCase() === name.toLowerCase());
  return f ? fieldValue(f) : undefined;
}

/** Values of every field named `name`, in order. */
export function getHeaders(m: SplitMessage, name: string): string[] {
  return m.fields.filter((x) => x.name.toLowerCase() === name.toLowerCase()).map(fieldValue);
}

/** Removes every field named `name`. */
export function removeHeader(m: SplitMessage, name: string): void {
  m.fields = m.fields.filter((x) => x.name.toLowerCase() !== name.toLowerCase());
}

/**
 * Sets `name` to `value` (which must already be an RFC 5322 / RFC 2047
 * encoded ASCII string): replaces the first field of that name in place and
 * drops any others, or adds the field at the top when absent.
 */
export function setHeader(m: SplitMessage, name: string, value: string): void {
  const field: HeaderField = { name, raw: `${name}: ${value}` };
  const i = m.fields.findIndex((x) => x.name.toLowerCase() === name.toLowerCase());
  if (i < 0) {
    m.fields.unshift(field);
    return;
  }
  m.fields = m.fields.filter((x, j) => j === i || x.name.toLowerCase() !== name.toLowerCase());
  m.fields[i] = field;
}

/** Joins the header fields (CRLF) and the unchanged body back into a message. */
export function joinMessage(m: SplitMessage, body: Buffer = m.body): Buffer {
  const head = m.fields.map((f) => f.raw).join('\r\n');
  return Buffer.concat([Buffer.from(head, 'latin1'), Buffer.from('\r\n\r\n', 'latin1'), body]);
}
