import type { MailSearchField, MailSearchNode } from '../../../backends/types.ts';
import { parseEasDate } from '../../../protocol/types/dates.ts';
import { allOf, checkComplexity, type PlanRefusal } from './plan.ts';

/**
 * The KQL subset that Find (MS-ASCMD 2.2.1.2, 16.1) carries in FreeText,
 * as Outlook mobile and iOS send it:
 *
 * - words and "quoted phrases" (each a substring of the whole message);
 * - `from:`, `to:`, `cc:`, `subject:`, `body:` with a word or phrase;
 *   `participants:` is from, to or cc;
 * - `received` with `>=`, `<=`, `>`, `<`, `:` or `=` and a date
 *   (`2026-01-31`, an ISO date-time, or `1/31/2026`); a date alone covers
 *   that UTC day;
 * - `AND`, `OR` (AND binds tighter; terms side by side are ANDed) and
 *   parentheses.
 *
 * `NOT` and other property names are not in the subset: NOT is refused
 * (Status 2) rather than ignored, since ignoring it would return exactly
 * what the user excluded; an unknown `name:value` is searched as text.
 */

const FIELDS: Readonly<Record<string, MailSearchField | 'participants'>> = {
  from: 'from',
  to: 'to',
  cc: 'cc',
  subject: 'subject',
  body: 'body',
  participants: 'participants',
};

const DAY_MS = 24 * 3600 * 1000;

type Token = { readonly t: '(' | ')' | 'AND' | 'OR' | 'NOT' } | { readonly t: 'term'; readonly text: string; readonly quoted: boolean };

class KqlError extends Error {}

function tokenize(s: string): Token[] {
  const out: Token[] = [];
  // A term: name:"phrase", name>=value, "phrase", or a run without spaces and parentheses.
  const re = /\s*(?:(\()|(\))|([^\s()"]*[:<>=]+"[^"]*"?)|"([^"]*)"?|([^\s()"]+))/gyu;
  let m: RegExpExecArray | null;
  while (re.lastIndex < s.length && (m = re.exec(s))) {
    if (m[1]) out.push({ t: '(' });
    else if (m[2]) out.push({ t: ')' });
    else if (m[3] !== undefined) out.push({ t: 'term', text: m[3].replace(/"/gu, ''), quoted: true });
    else if (m[4] !== undefined) out.push({ t: 'term', text: m[4], quoted: true });
    else if (m[5] !== undefined) {
      const w = m[5];
      if (w === 'AND' || w === 'OR' || w === 'NOT') out.push({ t: w });
      else out.push({ t: 'term', text: w, quoted: false });
    }
  }
  return out;
}

/** A KQL date: the start of its UTC day and whether it was a whole day (no time given). */
function kqlDate(v: string): { start: Date; wholeDay: boolean } {
  let m = /^(\d{4})-(\d{2})-(\d{2})$/u.exec(v);
  if (m) return { start: new Date(Date.UTC(+m[1]!, +m[2]! - 1, +m[3]!)), wholeDay: true };
  m = /^(\d{1,2})\/(\d{1,2})\/(\d{4})$/u.exec(v);
  if (m) return { start: new Date(Date.UTC(+m[3]!, +m[1]! - 1, +m[2]!)), wholeDay: true };
  const d = parseEasDate(v) ?? (/^\d{4}-\d{2}-\d{2}T/u.test(v) ? new Date(v) : undefined);
  if (!d || Number.isNaN(d.getTime())) throw new KqlError(`date ${JSON.stringify(v.slice(0, 40))}`);
  return { start: d, wholeDay: false };
}

/** `received OP date` as after/before conditions (both strict, on INTERNALDATE). */
function received(op: string, value: string): MailSearchNode {
  const { start, wholeDay } = kqlDate(value);
  const end = new Date(start.getTime() + (wholeDay ? DAY_MS : 1));
  const after = (d: Date): MailSearchNode => ({ op: 'after', date: new Date(d.getTime() - 1) });
  const before = (d: Date): MailSearchNode => ({ op: 'before', date: d });
  switch (op) {
    case '>=':
      return after(start);
    case '>':
      return after(end);
    case '<':
      return before(start);
    case '<=':
      return before(end);
    case ':':
    case '=':
      return { op: 'and', children: [after(start), before(end)] };
    default:
      throw new KqlError(`operator ${op}`);
  }
}

function term(tok: { text: string; quoted: boolean }): MailSearchNode {
  const m = /^([A-Za-z]+)(>=|<=|>|<|:|=)(.*)$/u.exec(tok.text);
  if (m) {
    const name = m[1]!.toLowerCase();
    const value = m[3]!.trim();
    if (name === 'received') return received(m[2]!, value);
    const field = FIELDS[name];
    if (field && m[2] === ':') {
      if (!value) throw new KqlError(`empty ${name}:`);
      if (field === 'participants') return { op: 'or', children: (['from', 'to', 'cc'] as const).map((f) => ({ op: 'text', field: f, value })) };
      return { op: 'text', field, value };
    }
  }
  return { op: 'text', field: 'any', value: tok.text };
}

/** Recursive descent: or := and (OR and)*; and := unary ((AND)? unary)*; unary := '(' or ')' | term. */
class Parser {
  private i = 0;
  constructor(private readonly toks: readonly Token[]) {}

  parse(): MailSearchNode {
    const n = this.or();
    if (this.i < this.toks.length) throw new KqlError(`unexpected ${this.toks[this.i]!.t}`);
    return n;
  }

  private peek(): Token | undefined {
    return this.toks[this.i];
  }

  private or(): MailSearchNode {
    const list = [this.and()];
    while (this.peek()?.t === 'OR') {
      this.i++;
      list.push(this.and());
    }
    return list.length === 1 ? list[0]! : { op: 'or', children: list };
  }

  private and(): MailSearchNode {
    const list = [this.unary()];
    for (;;) {
      const p = this.peek();
      if (p?.t === 'AND') {
        this.i++;
        list.push(this.unary());
      } else if (p && (p.t === 'term' || p.t === '(' || p.t === 'NOT')) list.push(this.unary());
      else break;
    }
    return allOf(list);
  }

  private unary(): MailSearchNode {
    const p = this.peek();
    if (!p) throw new KqlError('query ends too early');
    this.i++;
    if (p.t === '(') {
      const n = this.or();
      if (this.peek()?.t !== ')') throw new KqlError('missing )');
      this.i++;
      return n;
    }
    if (p.t === 'term') return term(p);
    if (p.t === 'NOT') throw new KqlError('NOT is not supported');
    throw new KqlError(`unexpected ${p.t}`);
  }
}

/** The match tree of a Find query, or why it is refused (every refusal is Find Status 2). */
export function parseKql(text: string): MailSearchNode | PlanRefusal {
  if ([...text].length > 4 * 1024) return { refused: 'tooComplex', reason: `query of ${[...text].length} characters` };
  let node: MailSearchNode;
  try {
    const toks = tokenize(text);
    if (toks.length === 0) return { refused: 'invalid', reason: 'empty query' };
    node = new Parser(toks).parse();
  } catch (e) {
    if (e instanceof KqlError) return { refused: 'invalid', reason: e.message };
    throw e;
  }
  return checkComplexity(node) ?? node;
}
