/**
 * The ManageSieve wire (RFC 5804 section 4), without I/O: quoting of the
 * client's arguments and an incremental parser of the server's lines.
 * Pure so that the framing (literals, escapes, response codes) is unit-tested
 * byte by byte; backends/sieve/client.ts owns the socket.
 */

/** Hostile-input caps of the ManageSieve reader (one place, STYLE habit 11). */
export const SIEVE_LIMITS = {
  /** A server literal (GETSCRIPT): Pigeonhole's default sieve_max_script_size is 1 MiB. */
  maxLiteralBytes: 1024 * 1024 + 1024,
  /** One response line without literals: capability lines are the longest, far below this. */
  maxLineBytes: 64 * 1024,
  /** Data lines before OK/NO/BYE (LISTSCRIPTS): a user with more scripts than this is not one we serve. */
  maxLines: 10_000,
} as const;

/** One token of a server line: an atom (OK, ACTIVE), a string (quoted or literal), or a parenthesised response code. */
export type SieveToken =
  | { readonly kind: 'atom'; readonly value: string }
  | { readonly kind: 'string'; readonly value: string }
  | { readonly kind: 'code'; readonly value: string };

/** The final line of a response (RFC 5804 4: response-oknobye). */
export interface SieveResponse {
  readonly status: 'OK' | 'NO' | 'BYE';
  /** The response code without parentheses, e.g. `NONEXISTENT`, `QUOTA/MAXSIZE`, `SASL "..."`. */
  readonly code?: string;
  /** The human-readable text (may come as a literal). */
  readonly text?: string;
  /** Data lines before it (capabilities, LISTSCRIPTS rows, GETSCRIPT's literal). */
  readonly lines: readonly (readonly SieveToken[])[];
}

/** The wire broke the grammar or a limit: the connection cannot be trusted any more. */
export class SieveWireError extends Error {
  override readonly name = 'SieveWireError';
}

/**
 * A quoted string argument (RFC 5804 4: quoted). Names and SASL data only:
 * CR, LF and NUL cannot be quoted, so they are refused here; script bodies go
 * as literals (`literal`).
 */
export function quoted(s: string): string {
  if (/[\r\n\0]/.test(s)) throw new SieveWireError('quoted strings cannot hold CR, LF or NUL');
  return `"${s.replace(/[\\"]/g, (c) => `\\${c}`)}"`;
}

/** A non-synchronising literal `{n+}` (RFC 5804 4, from RFC 7888): sent without waiting for the server. */
export function literal(s: string): string {
  return `{${Buffer.byteLength(s, 'utf8')}+}\r\n${s}`;
}

/**
 * Parses one logical line (a line plus the literals it announces) from `buf`
 * at `offset`. Returns undefined while the line is incomplete, so the caller
 * appends bytes and tries again.
 */
export function parseLine(buf: Buffer, offset = 0): { tokens: SieveToken[]; next: number } | undefined {
  const tokens: SieveToken[] = [];
  let i = offset;
  const lineStart = offset;
  const need = (): undefined => {
    if (buf.length - lineStart > SIEVE_LIMITS.maxLineBytes + SIEVE_LIMITS.maxLiteralBytes) throw new SieveWireError('response line too long');
    return undefined;
  };
  for (;;) {
    if (i >= buf.length) return need();
    const c = buf[i]!;
    if (c === 0x20) {
      i++;
    } else if (c === 0x0d) {
      if (i + 1 >= buf.length) return need();
      if (buf[i + 1] !== 0x0a) throw new SieveWireError('CR without LF');
      return { tokens, next: i + 2 };
    } else if (c === 0x0a) {
      // Be lenient with a bare LF line end; the grammar wants CRLF but nothing is ambiguous.
      return { tokens, next: i + 1 };
    } else if (c === 0x22) {
      const r = readQuoted(buf, i);
      if (!r) return need();
      tokens.push({ kind: 'string', value: r.value });
      i = r.next;
    } else if (c === 0x7b) {
      const close = buf.indexOf(0x7d, i);
      if (close < 0) return need();
      const m = /^\{(\d{1,10})\+?\}$/.exec(buf.toString('latin1', i, close + 1));
      if (!m) throw new SieveWireError('bad literal header');
      const n = Number(m[1]);
      if (n > SIEVE_LIMITS.maxLiteralBytes) throw new SieveWireError(`literal of ${n} bytes over the limit`);
      let start = close + 1;
      if (start + 1 >= buf.length) return need();
      if (buf[start] === 0x0d && buf[start + 1] === 0x0a) start += 2;
      else if (buf[start] === 0x0a) start += 1;
      else throw new SieveWireError('literal header not followed by CRLF');
      if (start + n > buf.length) return need();
      tokens.push({ kind: 'string', value: buf.toString('utf8', start, start + n) });
      i = start + n;
    } else if (c === 0x28) {
      const r = readCode(buf, i);
      if (!r) return need();
      tokens.push({ kind: 'code', value: r.value });
      i = r.next;
    } else {
      let j = i;
      while (j < buf.length && ![0x20, 0x0d, 0x0a, 0x22, 0x28, 0x7b].includes(buf[j]!)) j++;
      if (j >= buf.length) return need();
      tokens.push({ kind: 'atom', value: buf.toString('latin1', i, j) });
      i = j;
    }
    if (i - lineStart > SIEVE_LIMITS.maxLineBytes + SIEVE_LIMITS.maxLiteralBytes) throw new SieveWireError('response line too long');
  }
}

function readQuoted(buf: Buffer, at: number): { value: string; next: number } | undefined {
  const out: number[] = [];
  for (let i = at + 1; i < buf.length; i++) {
    const c = buf[i]!;
    if (c === 0x5c) {
      if (i + 1 >= buf.length) return undefined;
      out.push(buf[++i]!);
    } else if (c === 0x22) {
      return { value: Buffer.from(out).toString('utf8'), next: i + 1 };
    } else if (c === 0x0d || c === 0x0a) {
      throw new SieveWireError('line break inside a quoted string');
    } else {
      out.push(c);
    }
    if (out.length > SIEVE_LIMITS.maxLineBytes) throw new SieveWireError('quoted string too long');
  }
  return undefined;
}

/** A response code: everything up to the matching `)`, skipping over quoted strings inside it. */
function readCode(buf: Buffer, at: number): { value: string; next: number } | undefined {
  let i = at + 1;
  while (i < buf.length) {
    const c = buf[i]!;
    if (c === 0x22) {
      const r = readQuoted(buf, i);
      if (!r) return undefined;
      i = r.next;
    } else if (c === 0x29) {
      return { value: buf.toString('utf8', at + 1, i), next: i + 1 };
    } else if (c === 0x0d || c === 0x0a) {
      throw new SieveWireError('line break inside a response code');
    } else {
      i++;
    }
  }
  return undefined;
}

/**
 * Collects lines into a response: data lines until one starting with OK, NO
 * or BYE. Feed it parsed lines; it returns the response once complete.
 */
export class ResponseCollector {
  private lines: SieveToken[][] = [];

  /** Adds one parsed line; returns the response when this line ended it. */
  add(tokens: SieveToken[]): SieveResponse | undefined {
    const first = tokens[0];
    if (first?.kind === 'atom' && /^(OK|NO|BYE)$/i.test(first.value)) {
      let k = 1;
      const code = tokens[k]?.kind === 'code' ? tokens[k++]!.value : undefined;
      const text = tokens[k]?.kind === 'string' ? tokens[k]!.value : undefined;
      const res: SieveResponse = {
        status: first.value.toUpperCase() as SieveResponse['status'],
        ...(code !== undefined ? { code } : {}),
        ...(text !== undefined ? { text } : {}),
        lines: this.lines,
      };
      this.lines = [];
      return res;
    }
    if (this.lines.length >= SIEVE_LIMITS.maxLines) throw new SieveWireError('too many response lines');
    this.lines.push(tokens);
    return undefined;
  }
}

/** Capabilities from the greeting or a CAPABILITY response (RFC 5804 1.7): upper-cased names to their value. */
export function capabilities(lines: readonly (readonly SieveToken[])[]): Map<string, string> {
  const caps = new Map<string, string>();
  for (const l of lines) {
    const [name, value] = l;
    if (name?.kind === 'string') caps.set(name.value.toUpperCase(), value?.kind === 'string' ? value.value : '');
  }
  return caps;
}
