/**
 * The content-line layer of vCard 2.1, 3.0 (RFC 2426 section 4, RFC 2425
 * 5.8) and 4.0 (RFC 6350 section 3.3): text <-> properties with group, name,
 * parameters and a still-escaped value. Nothing here knows what a property
 * means; vcard-read.ts and vcard-write.ts do.
 *
 * Written by hand rather than with ical.js's vCard mode because a phone's
 * card must survive: ical.js rejects the 2.1 forms old phones still write
 * (`TEL;CELL:`, QUOTED-PRINTABLE soft line breaks), leaves `\;` escaped in
 * 3.0 text, and re-serialising a card through it rewrites lines nobody
 * changed (upper-cased groups, BDAY in basic format). Here every property keeps
 * its physical lines, and an untouched one goes back out byte for byte.
 */
import { foldContentLine } from '../dav/content-lines.ts';

/** A non-fatal loss or oddity, as a named log event (STYLE 9). */
export interface VcardWarning {
  readonly event: string;
  readonly detail: Record<string, unknown>;
}

export interface VcardParam {
  /** Upper-cased. A 2.1 bare parameter (`TEL;CELL`) is read as TYPE=CELL. */
  readonly name: string;
  readonly values: string[];
  /** The name as written (`type`), kept when a changed property is written again. */
  readonly spelled?: string;
}

export interface VcardProp {
  /** As written (`item1`), or undefined. */
  group: string | undefined;
  /** Upper-cased property name; '' for an unreadable line kept only as raw text. */
  name: string;
  params: VcardParam[];
  /** The value as written (escaped), after QUOTED-PRINTABLE and CHARSET decoding. */
  value: string;
  /** The physical lines this property was read from; undefined once changed or when it must be rewritten (2.1 forms). */
  raw: string[] | undefined;
}

export type VcardVersion = '2.1' | '3.0' | '4.0';

export interface VcardCard {
  /** What VERSION said; a card without one is read as 3.0. */
  readonly version: VcardVersion;
  /** Everything between BEGIN:VCARD and END:VCARD, in order. */
  readonly props: VcardProp[];
}

const NAME_RE = /^[A-Za-z0-9-]+$/;

/** Cards in `text` (RFC 6350 6.1.1 BEGIN/END); a vCard nested inside another (2.1 AGENT) is kept as opaque lines of its parent. */
export function parseCards(text: string): { cards: VcardCard[]; warnings: VcardWarning[] } {
  const warnings: VcardWarning[] = [];
  const cards: VcardCard[] = [];
  let current: VcardProp[] | undefined;
  let depth = 0;
  for (const { line, raw } of logicalLines(text.replace(/^\uFEFF/, ''))) {
    const head = /^([A-Za-z0-9-]+)\s*:\s*(.*)$/.exec(line);
    const keyword = head ? head[1]!.toUpperCase() : '';
    const arg = head ? head[2]!.trim().toUpperCase() : '';
    if (keyword === 'BEGIN' && arg === 'VCARD') {
      depth++;
      if (depth === 1) {
        current = [];
        continue;
      }
    }
    if (!current) continue; // text between cards
    if (keyword === 'END' && arg === 'VCARD') {
      depth--;
      if (depth === 0) {
        cards.push({ version: versionOf(current, warnings), props: current });
        current = undefined;
        continue;
      }
    }
    if (depth > 1 || keyword === 'END' || keyword === 'BEGIN') {
      current.push({ group: undefined, name: '', params: [], value: '', raw });
      continue;
    }
    const prop = parseLine(line, raw);
    if (!prop) {
      warnings.push({ event: 'carddav.bad-line', detail: { line: line.slice(0, 60) } });
      current.push({ group: undefined, name: '', params: [], value: '', raw });
      continue;
    }
    current.push(prop);
  }
  if (current) warnings.push({ event: 'carddav.unterminated', detail: {} });
  return { cards, warnings };
}

function versionOf(props: VcardProp[], warnings: VcardWarning[]): VcardVersion {
  const v = props.find((p) => p.name === 'VERSION')?.value.trim();
  if (v === '2.1' || v === '3.0' || v === '4.0') return v;
  if (v !== undefined) warnings.push({ event: 'carddav.version', detail: { version: v.slice(0, 10) } });
  return '3.0';
}

/**
 * Unfolds physical lines (CRLF, LF or CR) into logical ones: a line that starts
 * with a space or tab continues the previous one (RFC 6350 3.2), and a 2.1
 * QUOTED-PRINTABLE value that ends in `=` continues on the next line
 * whatever it starts with (RFC 2045 6.7 soft line break).
 */
function* logicalLines(text: string): Generator<{ line: string; raw: string[] }> {
  let line: string | undefined;
  let raw: string[] = [];
  // Decided once per logical line, from its first physical line, so that a long run of continuations costs linear time.
  let qp = false;
  for (const phys of text.split(/\r\n|\n|\r/)) {
    if (line !== undefined && qp && line.endsWith('=')) {
      line = line.slice(0, -1) + phys;
      raw.push(phys);
    } else if (line !== undefined && (phys.startsWith(' ') || phys.startsWith('\t'))) {
      line += phys.slice(1);
      raw.push(phys);
    } else {
      if (line !== undefined && line !== '') yield { line, raw };
      line = phys;
      raw = [phys];
      const colon = phys.indexOf(':');
      qp = colon > 0 && /QUOTED-PRINTABLE/i.test(phys.slice(0, colon));
    }
  }
  if (line !== undefined && line !== '') yield { line, raw };
}

/** Index of the colon that ends the name and parameters (not one inside a quoted parameter value). */
function headEnd(line: string): number {
  let quoted = false;
  for (let i = 0; i < line.length; i++) {
    const ch = line[i];
    if (ch === '"') quoted = !quoted;
    else if (ch === ':' && !quoted) return i;
  }
  return -1;
}

/** `[group "."] name *(";" param) ":" value` (RFC 6350 3.3), or undefined when the line is not one. */
function parseLine(line: string, raw: string[]): VcardProp | undefined {
  const end = headEnd(line);
  if (end <= 0) return undefined;
  const head = line.slice(0, end);
  let value = line.slice(end + 1);
  const parts = splitHead(head);
  const nameParts = parts[0]!.split('.');
  if (nameParts.length > 2 || !nameParts.every((n) => NAME_RE.test(n))) return undefined;
  const group = nameParts.length === 2 ? nameParts[0] : undefined;
  const name = nameParts[nameParts.length - 1]!.toUpperCase();
  const params: VcardParam[] = [];
  let clean = true;
  for (const part of parts.slice(1)) {
    const eq = part.indexOf('=');
    if (eq < 0) {
      // vCard 2.1 (section 2.1.2): a bare value names its parameter by itself.
      const v = part.trim();
      if (v === '') continue;
      const key = /^(QUOTED-PRINTABLE|BASE64|8BIT|7BIT|B)$/i.test(v) ? 'ENCODING' : 'TYPE';
      params.push({ name: key, values: [v] });
      clean = false;
      continue;
    }
    const spelled = part.slice(0, eq).trim();
    const pname = spelled.toUpperCase();
    if (!NAME_RE.test(pname)) return undefined;
    params.push({ name: pname, values: paramValues(part.slice(eq + 1), pname === 'TYPE'), spelled });
  }
  const enc = paramOf(params, 'ENCODING')?.toUpperCase();
  if (enc === 'QUOTED-PRINTABLE') {
    value = decodeQuotedPrintable(value, paramOf(params, 'CHARSET'));
    clean = false;
  }
  if (!clean) {
    const drop = enc === 'QUOTED-PRINTABLE' ? ['ENCODING', 'CHARSET'] : [];
    return { group, name, params: params.filter((p) => !drop.includes(p.name)), value, raw: undefined };
  }
  return { group, name, params, value, raw };
}

/** Splits the head at `;` outside quotes. */
function splitHead(head: string): string[] {
  const out: string[] = [];
  let cur = '';
  let quoted = false;
  for (const ch of head) {
    if (ch === '"') quoted = !quoted;
    if (ch === ';' && !quoted) {
      out.push(cur);
      cur = '';
    } else cur += ch;
  }
  out.push(cur);
  return out;
}

/** Comma-separated parameter values, quoted or not, with RFC 6868 `^n ^^ ^'` decoded; a quoted TYPE list (4.0 `TYPE="work,voice"`) is split too. */
function paramValues(text: string, isType: boolean): string[] {
  const out: string[] = [];
  let cur = '';
  let quoted = false;
  for (const ch of text) {
    if (ch === '"') quoted = !quoted;
    else if (ch === ',' && (!quoted || isType)) {
      out.push(cur);
      cur = '';
    } else cur += ch;
  }
  out.push(cur);
  return out.map((v) => v.replace(/\^(n|N|\^|')/g, (_, c: string) => (c === '^' ? '^' : c === "'" ? '"' : '\n')));
}

function decodeQuotedPrintable(text: string, charset: string | undefined): string {
  const bytes: number[] = [];
  for (let i = 0; i < text.length; i++) {
    const ch = text[i]!;
    if (ch === '=' && /^[0-9A-Fa-f]{2}$/.test(text.slice(i + 1, i + 3))) {
      bytes.push(parseInt(text.slice(i + 1, i + 3), 16));
      i += 2;
    } else bytes.push(...Buffer.from(ch, 'utf8'));
  }
  let decoder: TextDecoder;
  try {
    decoder = new TextDecoder(charset ?? 'utf-8');
  } catch {
    decoder = new TextDecoder('utf-8');
  }
  return decoder.decode(new Uint8Array(bytes));
}

/** First value of a parameter. */
export function paramOf(params: readonly VcardParam[], name: string): string | undefined {
  return params.find((p) => p.name === name)?.values[0];
}

/** Every TYPE value, lower-cased (repeated TYPE parameters and comma lists alike). */
export function typesOf(p: VcardProp): Set<string> {
  const out = new Set<string>();
  for (const param of p.params) if (param.name === 'TYPE') for (const v of param.values) if (v.trim()) out.add(v.trim().toLowerCase());
  return out;
}

/** RFC 6350 5.3 PREF (1 = most preferred), or 3.0 TYPE=pref as 1; 101 when neither. */
export function prefOf(p: VcardProp): number {
  const pref = Number(paramOf(p.params, 'PREF'));
  if (Number.isInteger(pref) && pref >= 1 && pref <= 100) return pref;
  return typesOf(p).has('pref') ? 1 : 101;
}

// --- values -----------------------------------------------------------------

/**
 * Text of an escaped value. Lenient the way readers must be: `\n`/`\N` is a
 * line break and a backslash before any other character stands for that
 * character (Apple escapes `:` in URLs, 3.0 writers escape `;` in NOTE).
 */
export function unescapeText(value: string): string {
  return value.replace(/\r\n?/g, '\n').replace(/\\(.)/gs, (_, c: string) => (c === 'n' || c === 'N' ? '\n' : c));
}

/** Splits an escaped value at `sep` where it is not escaped; the pieces stay escaped. */
export function splitEscaped(value: string, sep: ';' | ','): string[] {
  const out: string[] = [];
  let cur = '';
  for (let i = 0; i < value.length; i++) {
    const ch = value[i]!;
    if (ch === '\\' && i + 1 < value.length) {
      cur += ch + value[i + 1];
      i++;
    } else if (ch === sep) {
      out.push(cur);
      cur = '';
    } else cur += ch;
  }
  out.push(cur);
  return out;
}

/** A structured value (N, ADR, ORG): its components, each a list of texts (RFC 6350 3.3 component = list-component). */
export function components(value: string): string[][] {
  return splitEscaped(value, ';').map((c) => splitEscaped(c, ',').map(unescapeText));
}

/**
 * Text that cannot break out of its line: CR, LF and CRLF become one line
 * break, every other C0/C1 control character but TAB is dropped.
 */
export function safeText(s: string): string {
  return s.replace(/\r\n?/g, '\n').replace(/[\u0000-\u0008\u000b-\u001f\u007f-\u009f]/g, '');
}

/**
 * Escapes text for a value (RFC 2426 4 / RFC 6350 3.4): backslash, line
 * break and comma always; semicolon in 3.0 always (its ESCAPED-CHAR), in 4.0
 * only inside a structured component, where it is the separator.
 */
export function escapeText(s: string, version: VcardVersion, structured = false): string {
  const semi = structured || version !== '4.0';
  return safeText(s).replace(/[\\\n,;]/g, (c) => (c === '\n' ? '\\n' : c === ';' && !semi ? ';' : `\\${c}`));
}

/**
 * A URI value (URL, a 4.0 PHOTO data: URI) as we write it: commas escaped.
 * RFC 6350 leaves URI values unescaped, but Radicale's vobject reads every
 * unescaped comma as a list separator and drops all after the first
 * (`data:image/jpeg;base64,...` loses the whole picture). `\,` survives it,
 * and readers unescape it as they do in text (this one, vobject, Apple).
 */
export function uriValue(s: string): string {
  return s.replace(/,/g, '\\,');
}

/** A structured value from components (each one text; empty strings allowed). */
export function structuredValue(parts: readonly string[], version: VcardVersion): string {
  return parts.map((p) => escapeText(p, version, true)).join(';');
}

// --- writing ----------------------------------------------------------------

/** A new property; `value` must already be escaped (escapeText / structuredValue). */
export function newProp(name: string, value: string, params: VcardParam[] = [], group?: string): VcardProp {
  return { group, name, params, value, raw: undefined };
}

function paramText(p: VcardParam): string {
  const vals = p.values.map((v) => {
    const enc = safeText(v).replace(/\^/g, '^^').replace(/\n/g, '^n').replace(/"/g, "^'");
    return /[;:,]/.test(enc) || enc !== enc.trim() ? `"${enc}"` : enc;
  });
  return `${p.spelled ?? p.name}=${vals.join(',')}`;
}

/** The property's physical lines: its raw lines when untouched, else the folded serialisation. */
export function propLines(p: VcardProp): string[] {
  if (p.raw) return p.raw;
  const head = (p.group ? `${p.group}.` : '') + p.name + p.params.map((x) => `;${paramText(x)}`).join('');
  // A value read from QUOTED-PRINTABLE may hold real line breaks; written values are escaped already.
  const value = safeText(p.value).replace(/\n/g, '\\n');
  return fold(`${head}:${value}`);
}

/** Folds a logical line at 75 octets without splitting a UTF-8 sequence (RFC 6350 3.2). */
export const fold = foldContentLine;

/** A whole card as text, CRLF line ends (RFC 6350 3.2). */
export function cardText(props: readonly VcardProp[]): string {
  const lines = ['BEGIN:VCARD'];
  for (const p of props) lines.push(...propLines(p));
  lines.push('END:VCARD');
  return lines.join('\r\n') + '\r\n';
}
