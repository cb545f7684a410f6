/**
 * Out of Office as a Sieve script, both ways, with no I/O.
 *
 * Writing: one script of our own (RFC 5230 `vacation`), with the schedule as
 * `currentdate` tests (RFC 5260) compared with `relational` :value
 * (RFC 5231), and the internal/external split as a test on the From
 * header's domain. Every text goes through `sieveString`, so quotes,
 * backslashes, `;`, `}` or a line holding "." are data, never syntax.
 *
 * Reading: any script, ours or webmail's (Roundcube's vacation form writes
 * `if allof (currentdate :value "ge" "date" "…", currentdate :value "le"
 * "date" "…") { vacation :days 1 :subject "…" text: … }`): every `vacation`
 * reached by the conditions we understand, with the window and audience
 * those conditions give.
 *
 * Sieve cannot know who is "internal" (Pigeonhole has no directory): we take
 * senders whose From: address is in the user's own domain. "External known"
 * (in the user's contacts) is not visible to Sieve either, so there is one
 * external reply for known and unknown senders alike.
 */
import { hasTag, parseSieve, positional, sieveString, tagValue, type SieveCommand, type SieveTest } from './script-parse.ts';

/** One reply text; `html` sends it as text/html through vacation's `:mime` (RFC 5230 4.6). */
export interface VacationReply {
  readonly text: string;
  readonly html: boolean;
}

/** Out of Office as Sieve can express it. */
export interface Vacation {
  /** Replies only from `start` (inclusive) until `end` (exclusive); absent = always. */
  readonly window?: { readonly start: Date; readonly end: Date };
  /** For senders in `internalDomain`. */
  readonly internal?: VacationReply;
  /** For every other sender (all senders when there is no `internal`). */
  readonly external?: VacationReply;
  /** Days between two replies to one sender (RFC 5230 4.2); read back from webmail scripts too. */
  readonly days?: number;
  /** Read back only (EAS has no subject): webmail's `:subject`. */
  readonly subject?: string;
}

/** Caps on what we write: Pigeonhole's default sieve_max_script_size is 1 MiB for the whole script. */
export const VACATION_LIMITS = { maxReplyChars: 64 * 1024, maxDomainChars: 255 } as const;

/** First line of every script we write: how we recognise our own. */
export const OUR_MARKER = '# Out of Office, written by the EAS server (Settings Oof)';

/** Replies once a day per sender, as Roundcube's default; Exchange replies once per sender per OOF period. */
const DEFAULT_DAYS = 1;

/** Text that a Sieve script cannot carry or that we refuse to write; undefined when acceptable. */
export function replyProblem(text: string): string | undefined {
  if (text.length > VACATION_LIMITS.maxReplyChars) return `reply longer than ${VACATION_LIMITS.maxReplyChars} characters`;
  if (text.includes('\0')) return 'reply contains NUL';
  // A lone surrogate has no UTF-8 form; Pigeonhole would refuse the script.
  if (/[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/.test(text)) return 'reply is not valid Unicode';
  return undefined;
}

function isoSecond(d: Date): string {
  // Compared as text against currentdate's "iso8601" part in UTC (`:zone "+0000"`):
  // "YYYY-MM-DDTHH:MM:SS" is a prefix of what the server yields, so "ge"/"lt"
  // compare correctly whatever zone suffix ("Z" or "+00:00") follows.
  return d.toISOString().slice(0, 19);
}

function replyCommand(r: VacationReply, days: number, indent: string): string {
  const body = r.html ? sieveString(`Content-Type: text/html; charset=utf-8\r\n\r\n${r.text}`) : sieveString(r.text);
  return `${indent}vacation :days ${days}${r.html ? ' :mime' : ''} ${body};\r\n`;
}

/**
 * Renders `v` as a complete script (CRLF line ends). Needs at least one reply;
 * `internal` is written only with an `internalDomain` (else nobody is internal).
 */
export function renderVacationScript(v: Vacation, internalDomain: string | undefined): string {
  const internal = internalDomain ? v.internal : undefined;
  const external = v.external;
  if (!internal && !external) throw new RangeError('a vacation script needs a reply');
  for (const r of [internal, external]) {
    const problem = r && replyProblem(r.text);
    if (problem) throw new RangeError(problem);
  }
  if (internalDomain && (internalDomain.length > VACATION_LIMITS.maxDomainChars || /[\0\r\n]/.test(internalDomain))) throw new RangeError('bad domain');
  const days = v.days ?? DEFAULT_DAYS;
  const lines: string[] = [
    `${OUR_MARKER}.\r\n`,
    '# A phone replaces this script on every change; edit Out of Office there or in webmail.\r\n',
    'require ["vacation", "date", "relational"];\r\n',
  ];
  let indent = '';
  if (v.window) {
    const ge = `currentdate :zone "+0000" :value "ge" "iso8601" ${sieveString(isoSecond(v.window.start))}`;
    const lt = `currentdate :zone "+0000" :value "lt" "iso8601" ${sieveString(isoSecond(v.window.end))}`;
    lines.push(`if allof (${ge}, ${lt}) {\r\n`);
    indent = '  ';
  }
  const fromInternal = internalDomain ? `address :domain :is "from" ${sieveString(internalDomain.toLowerCase())}` : '';
  if (internal && external) {
    lines.push(`${indent}if ${fromInternal} {\r\n`, replyCommand(internal, days, indent + '  '), `${indent}} else {\r\n`, replyCommand(external, days, indent + '  '), `${indent}}\r\n`);
  } else if (internal) {
    lines.push(`${indent}if ${fromInternal} {\r\n`, replyCommand(internal, days, indent + '  '), `${indent}}\r\n`);
  } else if (internalDomain) {
    lines.push(`${indent}if not ${fromInternal} {\r\n`, replyCommand(external!, days, indent + '  '), `${indent}}\r\n`);
  } else {
    lines.push(replyCommand(external!, days, indent));
  }
  if (v.window) lines.push('}\r\n');
  return lines.join('');
}

/** A condition on the way to a command: the test, negated for `else` branches and `not`. */
interface Cond {
  readonly test: SieveTest;
  readonly negated: boolean;
}

/** Every `vacation` with the conditions that lead to it (if / elsif / else chains, RFC 5228 3.1). */
function vacations(cmds: readonly SieveCommand[], conds: readonly Cond[], out: Array<{ cmd: SieveCommand; conds: readonly Cond[] }>): void {
  let chain: SieveTest[] = [];
  for (const c of cmds) {
    const negPrev = chain.map((test) => ({ test, negated: true }));
    if (c.name === 'if' || c.name === 'elsif') {
      if (c.name === 'if') chain = [];
      const test = c.tests[0];
      const here = c.name === 'if' ? [] : negPrev;
      if (test && c.block) vacations(c.block, [...conds, ...here, { test, negated: false }], out);
      if (test) chain.push(test);
      continue;
    }
    if (c.name === 'else') {
      if (c.block) vacations(c.block, [...conds, ...negPrev], out);
      chain = [];
      continue;
    }
    chain = [];
    if (c.name === 'vacation') out.push({ cmd: c, conds });
    else if (c.block) vacations(c.block, conds, out);
  }
}

/** What the conditions say: never true, the audience, the window bounds. */
interface Reading {
  never: boolean;
  audience?: 'internal' | 'external';
  start?: Date;
  end?: Date;
}

const DAY_MS = 86_400_000;

/** "+0100" → minutes east of UTC (RFC 5260 2.7 :zone). */
function zoneMinutes(z: string | undefined): number {
  const m = z ? /^([+-])(\d\d)(\d\d)$/.exec(z) : null;
  return m ? (m[1] === '-' ? -1 : 1) * (Number(m[2]) * 60 + Number(m[3])) : 0;
}

/** One currentdate comparison as a window bound (RFC 5260 2.4.2 date parts "date" and "iso8601"). */
function dateBound(t: SieveTest, r: Reading, negated: boolean): void {
  const rel = tagValue(t, 'value');
  const zoneArg = tagValue(t, 'zone');
  const zone = zoneArg?.kind === 'strings' ? zoneArg.values[0] : undefined;
  const [part, keys] = positional(t);
  if (rel?.kind !== 'strings' || !part || !keys?.[0]) return;
  let op = rel.values[0]!.toLowerCase();
  if (negated) op = ({ ge: 'lt', gt: 'le', le: 'gt', lt: 'ge' } as Record<string, string>)[op] ?? op;
  const key = keys[0];
  let at: number;
  let step: number;
  if (part[0] === 'date' && /^\d{4}-\d\d-\d\d$/.test(key)) {
    at = Date.parse(`${key}T00:00:00Z`) - zoneMinutes(zone) * 60_000;
    step = DAY_MS;
  } else if (part[0] === 'iso8601') {
    const hasZone = /(Z|[+-]\d\d:?\d\d)$/i.test(key);
    at = Date.parse(hasZone ? key : `${key}Z`) - (hasZone ? 0 : zoneMinutes(zone) * 60_000);
    step = 1000;
  } else {
    return;
  }
  if (Number.isNaN(at)) return;
  // A "le" on a date includes the whole day: the window ends at the next midnight.
  if (op === 'ge') r.start = new Date(at);
  else if (op === 'gt') r.start = new Date(at + step);
  else if (op === 'lt') r.end = new Date(at);
  else if (op === 'le') r.end = new Date(at + step);
}

function isFromDomainTest(t: SieveTest): boolean {
  if (t.name !== 'address' && t.name !== 'header') return false;
  const [headers] = positional(t);
  return hasTag(t, 'domain') && hasTag(t, 'is') && !!headers?.some((h) => h.toLowerCase() === 'from');
}

function read(conds: readonly Cond[]): Reading {
  const r: Reading = { never: false };
  const visit = (test: SieveTest, negated: boolean): void => {
    if (test.name === 'not' && test.tests[0]) return visit(test.tests[0], !negated);
    if (test.name === 'allof' && !negated) return test.tests.forEach((t) => visit(t, false));
    if (test.name === 'anyof' && negated) return test.tests.forEach((t) => visit(t, true));
    // Roundcube disables a rule by writing `if false # …`.
    if ((test.name === 'false' && !negated) || (test.name === 'true' && negated)) r.never = true;
    else if (test.name === 'currentdate') dateBound(test, r, negated);
    else if (isFromDomainTest(test)) r.audience = negated ? 'external' : 'internal';
  };
  for (const c of conds) visit(c.test, c.negated);
  return r;
}

function replyOf(cmd: SieveCommand): VacationReply | undefined {
  const all = positional(cmd);
  const reason = all[all.length - 1]?.[0];
  if (reason === undefined) return undefined;
  if (!hasTag(cmd, 'mime')) return { text: reason, html: false };
  // :mime: the reason is a MIME entity; its header block ends at the first empty line.
  const m = /^([\s\S]*?)\r?\n\r?\n([\s\S]*)$/.exec(reason);
  const headers = m?.[1] ?? '';
  return { text: m ? m[2]! : reason, html: /^content-type:\s*text\/html/im.test(headers) };
}

/**
 * Reads the vacation a script sets up, or undefined when it has none that
 * can run (no vacation, or only under `if false`). Throws SieveSyntaxError
 * for a script that is not Sieve.
 */
export function readVacationScript(script: string): Vacation | undefined {
  const found: Array<{ cmd: SieveCommand; conds: readonly Cond[] }> = [];
  vacations(parseSieve(script), [], found);
  let internal: VacationReply | undefined;
  let external: VacationReply | undefined;
  let window: { start: Date; end: Date } | undefined;
  let days: number | undefined;
  let subject: string | undefined;
  let any = false;
  for (const { cmd, conds } of found) {
    const r = read(conds);
    const reply = r.never ? undefined : replyOf(cmd);
    if (!reply) continue;
    if (!any) {
      any = true;
      // A window needs both ends for EAS (OofState 2); one bound alone is reported as the far past/future.
      if (r.start || r.end) window = { start: r.start ?? new Date(0), end: r.end ?? new Date(Date.UTC(9999, 11, 31)) };
      const d = tagValue(cmd, 'days');
      if (d?.kind === 'number') days = d.value;
      const s = tagValue(cmd, 'subject');
      if (s?.kind === 'strings') subject = s.values[0];
    }
    if (r.audience !== 'external') internal ??= reply;
    if (r.audience !== 'internal') external ??= reply;
  }
  if (!any) return undefined;
  return {
    ...(window ? { window } : {}),
    ...(internal ? { internal } : {}),
    ...(external ? { external } : {}),
    ...(days !== undefined ? { days } : {}),
    ...(subject !== undefined ? { subject } : {}),
  };
}

/**
 * Whether a script does nothing but Out of Office (a webmail vacation form's
 * script): such a script is replaced by ours rather than kept beside it, as
 * two vacation actions in one delivery are an error (RFC 5230 4.7).
 */
export function isVacationOnly(script: string): boolean {
  const onlyVacation = (cmds: readonly SieveCommand[]): boolean =>
    cmds.every((c) => c.name === 'require' || c.name === 'vacation' || c.name === 'stop' || (['if', 'elsif', 'else'].includes(c.name) && onlyVacation(c.block ?? [])));
  try {
    const cmds = parseSieve(script);
    return onlyVacation(cmds) && readVacationScript(script) !== undefined;
  } catch {
    return false;
  }
}
