import { describe, expect, it } from 'vitest';
import { parseSieve, sieveString, SieveSyntaxError, type SieveCommand } from '../../backends/sieve/script-parse.ts';
import { isVacationOnly, readVacationScript, renderVacationScript, replyProblem, type Vacation } from '../../backends/sieve/vacation.ts';
import { renderWrapper, wrappedScript } from '../../backends/sieve/index.ts';

const HOSTILE = 'Away "until" Monday; \\ back } soon\r\n.\r\n..\r\nvacation "x"; stop;\r\n${hex:41} # not a comment\r\n/* nor this */';

describe('Sieve strings (RFC 5228 2.4.2)', () => {
  it.each([
    ['plain', 'Back on Monday'],
    ['quotes, backslash, semicolon, brace', 'a "b" \\ ; } {'],
    ['a line with a single dot and dot-stuffing bait', 'line\r\n.\r\n..two\r\n'],
    ['the hostile reply', HOSTILE],
    ['unicode', 'Grüße ☀ 日本'],
  ])('%s round-trips through quoting and parsing', (_name, text) => {
    const [cmd] = parseSieve(`keep ${sieveString(text)};`);
    expect(cmd!.args).toEqual([{ kind: 'strings', values: [text], list: false }]);
  });

  it('writes bare LF and CR as CRLF, the only line break a Sieve string holds', () => {
    expect(sieveString('a\nb\rc')).toBe('"a\r\nb\r\nc"');
  });

  it('refuses NUL', () => {
    expect(() => sieveString('a\0b')).toThrow(RangeError);
  });

  it('reads multi-line text: literals with dot-unstuffing', () => {
    const [cmd] = parseSieve('vacation text:\r\nline one\r\n..\r\n..x\r\n.\r\n;');
    expect(cmd!.args).toEqual([{ kind: 'strings', values: ['line one\r\n.\r\n.x\r\n'], list: false }]);
  });

  it.each(['if true {', 'keep', 'keep "x;', 'if allof (true, { keep; }', 'keep; }', '"x";', 'keep @;'])('refuses %j', (s) => {
    expect(() => parseSieve(s)).toThrow(SieveSyntaxError);
  });
});

describe('renderVacationScript / readVacationScript', () => {
  const window = { start: new Date('2026-12-20T08:00:00Z'), end: new Date('2027-01-05T17:30:00Z') };

  it.each<[string, Vacation, string | undefined]>([
    ['a global reply to everyone', { external: { text: 'Away', html: false } }, undefined],
    ['internal and external replies', { internal: { text: 'Colleagues: away', html: false }, external: { text: 'Customers: away', html: false } }, 'example.test'],
    ['internal only', { internal: { text: 'Only you', html: false } }, 'example.test'],
    ['external only', { external: { text: 'Only them', html: false } }, 'example.test'],
    ['a schedule', { window, external: { text: 'Scheduled', html: false } }, 'example.test'],
    ['HTML through :mime', { external: { text: '<p>Away &amp; <b>gone</b></p>', html: true } }, undefined],
    ['hostile text in both replies', { window, internal: { text: HOSTILE, html: false }, external: { text: HOSTILE + '!', html: false } }, 'example.test'],
  ])('%s reads back as written', (_name, v, domain) => {
    const script = renderVacationScript(v, domain);
    // Without a domain to split by, the one reply goes to everyone, colleagues included.
    const expected = domain ? v : { ...v, internal: v.external };
    expect(readVacationScript(script)).toEqual({ ...expected, days: 1 });
  });

  it('writes the schedule as currentdate comparisons in UTC and the audience as a From: domain test', () => {
    const script = renderVacationScript({ window, internal: { text: 'i', html: false }, external: { text: 'e', html: false } }, 'Example.TEST');
    expect(script).toContain('require ["vacation", "date", "relational"];');
    expect(script).toContain('currentdate :zone "+0000" :value "ge" "iso8601" "2026-12-20T08:00:00"');
    expect(script).toContain('currentdate :zone "+0000" :value "lt" "iso8601" "2027-01-05T17:30:00"');
    expect(script).toContain('address :domain :is "from" "example.test"');
  });

  it('drops the internal reply when the user has no domain to tell colleagues by', () => {
    const script = renderVacationScript({ internal: { text: 'i', html: false }, external: { text: 'e', html: false } }, undefined);
    expect(readVacationScript(script)).toEqual({ internal: { text: 'e', html: false }, external: { text: 'e', html: false }, days: 1 });
  });

  it('keeps hostile text inside one vacation action: no second command appears', () => {
    const script = renderVacationScript({ external: { text: HOSTILE, html: false } }, undefined);
    const names = (function walk(cmds: readonly SieveCommand[]): string[] {
      return cmds.flatMap((c) => [c.name, ...walk(c.block ?? [])]);
    })(parseSieve(script));
    expect(names).toEqual(['require', 'vacation']);
  });

  it('reads a Roundcube vacation form script with dates, subject and a text: reason', () => {
    const script = [
      'require ["vacation","date","relational"];',
      '# rule:[Urlaub]',
      'if allof (currentdate :value "ge" "date" "2026-12-20", currentdate :value "le" "date" "2027-01-05")',
      '{',
      '\tvacation :days 1 :subject "Out of office" :addresses ["alice@example.test"] text:',
      'I am on holiday.',
      '..back in January.',
      '.',
      ';',
      '}',
      '',
    ].join('\r\n');
    expect(readVacationScript(script)).toEqual({
      window: { start: new Date('2026-12-20T00:00:00Z'), end: new Date('2027-01-06T00:00:00Z') },
      internal: { text: 'I am on holiday.\r\n.back in January.\r\n', html: false },
      external: { text: 'I am on holiday.\r\n.back in January.\r\n', html: false },
      days: 1,
      subject: 'Out of office',
    });
  });

  it('reads a plain webmail vacation and a :zone-shifted date', () => {
    expect(readVacationScript('require ["vacation"]; vacation :days 1 :subject "Away" "On leave";')).toEqual({
      internal: { text: 'On leave', html: false },
      external: { text: 'On leave', html: false },
      days: 1,
      subject: 'Away',
    });
    const zoned = readVacationScript('require ["vacation","date","relational"]; if currentdate :zone "+0100" :value "ge" "date" "2026-12-20" { vacation "x"; }');
    expect(zoned!.window!.start).toEqual(new Date('2026-12-19T23:00:00Z'));
  });

  it('finds a vacation in an else branch as external and skips one under `if false`', () => {
    const s = 'require ["vacation"]; if address :is :domain "from" "example.test" { keep; } else { vacation "ext"; }';
    expect(readVacationScript(s)).toEqual({ external: { text: 'ext', html: false } });
    expect(readVacationScript('require ["vacation"]; if false { vacation "off"; }')).toBeUndefined();
    expect(readVacationScript('require ["fileinto"]; if header :contains "subject" "x" { fileinto "X"; }')).toBeUndefined();
  });

  it('tells a vacation-only script from one with other rules', () => {
    expect(isVacationOnly('require ["vacation"]; vacation "x";')).toBe(true);
    expect(isVacationOnly(renderVacationScript({ external: { text: 'x', html: false } }, 'example.test'))).toBe(true);
    expect(isVacationOnly('require ["vacation","fileinto"]; fileinto "X"; vacation "x";')).toBe(false);
    expect(isVacationOnly('require ["fileinto"]; fileinto "X";')).toBe(false);
  });

  it('refuses replies Sieve cannot carry', () => {
    expect(replyProblem('a\0b')).toMatch(/NUL/);
    expect(replyProblem('x'.repeat(70_000))).toMatch(/longer/);
    expect(replyProblem('\uD800 lone')).toMatch(/Unicode/);
    expect(replyProblem(HOSTILE)).toBeUndefined();
    expect(() => renderVacationScript({ external: { text: 'a\0', html: false } }, undefined)).toThrow(RangeError);
  });
});

describe('the include wrapper (RFC 6609)', () => {
  it('names the user script it runs, quoted', () => {
    expect(wrappedScript(renderWrapper('my "rules"'))).toBe('my "rules"');
    expect(renderWrapper('r')).toContain('include :personal "eas-oof";\r\ninclude :personal "r";');
  });
});
