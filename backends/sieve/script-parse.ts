/**
 * A Sieve reader (RFC 5228 section 8 grammar): turns a script into commands,
 * arguments and tests, enough to find a `vacation` action and the conditions
 * around it in scripts we wrote and in scripts webmail wrote. It evaluates
 * nothing; unknown commands and extensions are kept as they are.
 * Also the writer's half of the lexical rules: `sieveString` quotes text so
 * that it can never end the string early (RFC 5228 2.4.2).
 */

/** An argument: a string or string list, a number (RFC 5228 2.4.1 quantifiers applied), or a `:tag`. */
export type SieveArg =
  | { readonly kind: 'strings'; readonly values: readonly string[]; readonly list: boolean }
  | { readonly kind: 'number'; readonly value: number }
  | { readonly kind: 'tag'; readonly name: string };

/** A test (RFC 5228 2.9): `address :domain :is "from" "x"`, `allof (...)`, `not ...`. */
export interface SieveTest {
  readonly name: string;
  readonly args: readonly SieveArg[];
  readonly tests: readonly SieveTest[];
}

/** A command with its arguments, tests and block (`if`, `elsif`, `else` have blocks). */
export interface SieveCommand extends SieveTest {
  readonly block?: readonly SieveCommand[];
}

/** The script does not follow the grammar; `offset` is where reading stopped. */
export class SieveSyntaxError extends Error {
  override readonly name = 'SieveSyntaxError';
  constructor(
    message: string,
    readonly offset: number,
  ) {
    super(`${message} at offset ${offset}`);
  }
}

/** Deepest block nesting we follow (RFC 5228 does not limit it; Pigeonhole's default is 32). */
const MAX_NESTING = 32;

type Tok =
  | { t: 'id'; v: string; at: number }
  | { t: 'tag'; v: string; at: number }
  | { t: 'num'; v: number; at: number }
  | { t: 'str'; v: string; at: number }
  | { t: 'punct'; v: string; at: number };

/** RFC 5228 2.4.2 quoted-string: `\` escapes the next character; CRLF may appear inside. */
function readQuoted(s: string, at: number): { v: string; next: number } {
  let out = '';
  for (let i = at + 1; i < s.length; i++) {
    const c = s[i]!;
    if (c === '\\') {
      if (i + 1 >= s.length) break;
      out += s[++i];
    } else if (c === '"') {
      return { v: out, next: i + 1 };
    } else {
      out += c;
    }
  }
  throw new SieveSyntaxError('unterminated string', at);
}

/** RFC 5228 2.4.2 multi-line: `text:` to a line holding only ".", with leading dots unstuffed. */
function readMultiLine(s: string, at: number): { v: string; next: number } {
  let i = at + 'text:'.length;
  while (s[i] === ' ' || s[i] === '\t') i++;
  if (s[i] === '#') while (i < s.length && s[i] !== '\n') i++;
  if (s[i] === '\r') i++;
  if (s[i] !== '\n') throw new SieveSyntaxError('text: not followed by a line break', at);
  i++;
  const lines: string[] = [];
  for (;;) {
    if (i >= s.length) throw new SieveSyntaxError('unterminated text: block', at);
    let end = s.indexOf('\n', i);
    if (end < 0) end = s.length;
    const line = s.slice(i, end).replace(/\r$/, '');
    i = end + 1;
    if (line === '.') return { v: lines.length ? lines.join('\r\n') + '\r\n' : '', next: i };
    lines.push(line.startsWith('..') ? line.slice(1) : line);
  }
}

function tokenize(s: string): Tok[] {
  const out: Tok[] = [];
  let i = 0;
  while (i < s.length) {
    const c = s[i]!;
    if (c === ' ' || c === '\t' || c === '\r' || c === '\n') {
      i++;
    } else if (c === '#') {
      while (i < s.length && s[i] !== '\n') i++;
    } else if (c === '/' && s[i + 1] === '*') {
      const end = s.indexOf('*/', i + 2);
      if (end < 0) throw new SieveSyntaxError('unterminated comment', i);
      i = end + 2;
    } else if (c === '"') {
      const r = readQuoted(s, i);
      out.push({ t: 'str', v: r.v, at: i });
      i = r.next;
    } else if (/^text:/i.test(s.slice(i, i + 5))) {
      const r = readMultiLine(s, i);
      out.push({ t: 'str', v: r.v, at: i });
      i = r.next;
    } else if (c === ':' && /[A-Za-z_]/.test(s[i + 1] ?? '')) {
      const m = /^:([A-Za-z_][A-Za-z0-9_]*)/.exec(s.slice(i))!;
      out.push({ t: 'tag', v: m[1]!.toLowerCase(), at: i });
      i += m[0].length;
    } else if (/[0-9]/.test(c)) {
      const m = /^([0-9]+)([KMGkmg]?)/.exec(s.slice(i))!;
      const q = { '': 1, k: 1024, m: 1024 ** 2, g: 1024 ** 3 }[m[2]!.toLowerCase() as '' | 'k' | 'm' | 'g'];
      out.push({ t: 'num', v: Number(m[1]) * q, at: i });
      i += m[0].length;
    } else if (/[A-Za-z_]/.test(c)) {
      const m = /^[A-Za-z_][A-Za-z0-9_]*/.exec(s.slice(i))!;
      out.push({ t: 'id', v: m[0].toLowerCase(), at: i });
      i += m[0].length;
    } else if ('[](){},;'.includes(c)) {
      out.push({ t: 'punct', v: c, at: i });
      i++;
    } else {
      throw new SieveSyntaxError(`unexpected character ${JSON.stringify(c)}`, i);
    }
  }
  return out;
}

/** Parses a whole script into its top-level commands; throws SieveSyntaxError. */
export function parseSieve(script: string): SieveCommand[] {
  const toks = tokenize(script);
  let p = 0;
  const peek = (): Tok | undefined => toks[p];
  const at = (): number => peek()?.at ?? script.length;
  const isPunct = (v: string): boolean => peek()?.t === 'punct' && peek()!.v === v;
  const expect = (v: string): void => {
    if (!isPunct(v)) throw new SieveSyntaxError(`expected "${v}"`, at());
    p++;
  };

  const args = (): SieveArg[] => {
    const out: SieveArg[] = [];
    for (;;) {
      const t = peek();
      if (!t) return out;
      if (t.t === 'str') {
        out.push({ kind: 'strings', values: [t.v], list: false });
        p++;
      } else if (t.t === 'num') {
        out.push({ kind: 'number', value: t.v });
        p++;
      } else if (t.t === 'tag') {
        out.push({ kind: 'tag', name: t.v });
        p++;
      } else if (t.t === 'punct' && t.v === '[') {
        p++;
        const values: string[] = [];
        for (;;) {
          const s = peek();
          if (s?.t !== 'str') throw new SieveSyntaxError('expected a string in a list', at());
          values.push(s.v);
          p++;
          if (isPunct(',')) p++;
          else break;
        }
        expect(']');
        out.push({ kind: 'strings', values, list: true });
      } else {
        return out;
      }
    }
  };

  const test = (depth: number): SieveTest => {
    if (depth > MAX_NESTING) throw new SieveSyntaxError('tests nested too deeply', at());
    const t = peek();
    if (t?.t !== 'id') throw new SieveSyntaxError('expected a test', at());
    p++;
    const a = args();
    return { name: t.v, args: a, tests: testsAfter(depth) };
  };

  const testsAfter = (depth: number): SieveTest[] => {
    if (isPunct('(')) {
      p++;
      const list = [test(depth + 1)];
      while (isPunct(',')) {
        p++;
        list.push(test(depth + 1));
      }
      expect(')');
      return list;
    }
    return peek()?.t === 'id' ? [test(depth + 1)] : [];
  };

  const commands = (depth: number): SieveCommand[] => {
    if (depth > MAX_NESTING) throw new SieveSyntaxError('blocks nested too deeply', at());
    const out: SieveCommand[] = [];
    for (;;) {
      const t = peek();
      if (!t || (t.t === 'punct' && t.v === '}')) return out;
      if (t.t !== 'id') throw new SieveSyntaxError('expected a command', t.at);
      p++;
      const a = args();
      const tests = testsAfter(depth);
      if (isPunct(';')) {
        p++;
        out.push({ name: t.v, args: a, tests });
      } else if (isPunct('{')) {
        p++;
        const block = commands(depth + 1);
        expect('}');
        out.push({ name: t.v, args: a, tests, block });
      } else {
        throw new SieveSyntaxError('expected ";" or "{"', at());
      }
    }
  };

  const result = commands(0);
  if (p < toks.length) throw new SieveSyntaxError('unexpected "}"', at());
  return result;
}

/**
 * A Sieve quoted string holding exactly `text` (RFC 5228 2.4.2): backslash
 * and double quote escaped, line breaks as CRLF (the only line break the
 * grammar allows). NUL is not allowed in Sieve at all: callers reject it first.
 * Without the "variables" and "encoded-character" extensions (we never
 * require them) nothing inside a string is ever interpreted.
 */
export function sieveString(text: string): string {
  if (text.includes('\0')) throw new RangeError('NUL cannot appear in a Sieve script');
  return `"${text.replace(/\r\n|\r|\n/g, '\n').replace(/[\\"]/g, (c) => `\\${c}`).replace(/\n/g, '\r\n')}"`;
}

/**
 * Tags of the commands and tests we read that take the next argument as
 * their value (RFC 5230 vacation, RFC 5260 date, RFC 5231 relational,
 * RFC 5228 comparators): that argument is not positional.
 */
const TAGS_WITH_VALUE = new Set(['days', 'seconds', 'subject', 'from', 'addresses', 'handle', 'zone', 'comparator', 'value', 'count']);

/** The string values of a command's or test's positional arguments (tag values skipped), in order. */
export function positional(node: SieveTest): Array<readonly string[]> {
  const out: Array<readonly string[]> = [];
  for (let i = 0; i < node.args.length; i++) {
    const a = node.args[i]!;
    if (a.kind === 'tag' && TAGS_WITH_VALUE.has(a.name)) i++;
    else if (a.kind === 'strings') out.push(a.values);
  }
  return out;
}

/** The argument right after `:name` (e.g. `:days 1`, `:zone "+0100"`), if present. */
export function tagValue(node: SieveTest, name: string): SieveArg | undefined {
  const i = node.args.findIndex((a) => a.kind === 'tag' && a.name === name);
  return i >= 0 ? node.args[i + 1] : undefined;
}

/** Whether `:name` is among the arguments. */
export function hasTag(node: SieveTest, name: string): boolean {
  return node.args.some((a) => a.kind === 'tag' && a.name === name);
}
