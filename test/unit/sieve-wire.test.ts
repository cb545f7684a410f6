import { describe, expect, it } from 'vitest';
import { capabilities, literal, parseLine, quoted, ResponseCollector, SIEVE_LIMITS, SieveWireError, type SieveResponse } from '../../backends/sieve/wire.ts';

/** Runs every line of `text` through the collector; returns the responses. */
function responses(text: string | Buffer): SieveResponse[] {
  const buf = Buffer.isBuffer(text) ? text : Buffer.from(text, 'utf8');
  const c = new ResponseCollector();
  const out: SieveResponse[] = [];
  let at = 0;
  for (;;) {
    const l = parseLine(buf, at);
    if (!l) break;
    at = l.next;
    const r = c.add(l.tokens);
    if (r) out.push(r);
  }
  return out;
}

describe('ManageSieve wire (RFC 5804 section 4)', () => {
  it('reads Dovecot greeting capabilities and the final OK', () => {
    const [r] = responses('"IMPLEMENTATION" "Dovecot Pigeonhole"\r\n"SIEVE" "fileinto vacation"\r\n"SASL" "PLAIN LOGIN"\r\n"STARTTLS"\r\n"VERSION" "1.0"\r\nOK "ready."\r\n');
    expect(r!.status).toBe('OK');
    expect(r!.text).toBe('ready.');
    const caps = capabilities(r!.lines);
    expect(caps.get('SASL')).toBe('PLAIN LOGIN');
    expect(caps.has('STARTTLS')).toBe(true);
  });

  it('reads a GETSCRIPT literal holding quotes, CRLFs and an "OK" line as data', () => {
    const script = 'require "vacation";\r\nOK "not the end"\r\nvacation "a \\" b";\r\n';
    const [r] = responses(`{${Buffer.byteLength(script)}}\r\n${script}\r\nOK "Getscript completed."\r\n`);
    expect(r!.lines[0]).toEqual([{ kind: 'string', value: script }]);
  });

  it('counts literal lengths in bytes, not characters', () => {
    const s = 'Grüße ☀';
    const [r] = responses(Buffer.concat([Buffer.from(`{${Buffer.byteLength(s)}}\r\n`), Buffer.from(s), Buffer.from('\r\nOK\r\n')]));
    expect(r!.lines[0]![0]!.value).toBe(s);
  });

  it('reads LISTSCRIPTS rows with the ACTIVE flag', () => {
    const [r] = responses('"roundcube" ACTIVE\r\n"eas-oof"\r\nOK "Listscripts completed."\r\n');
    expect(r!.lines).toEqual([
      [{ kind: 'string', value: 'roundcube' }, { kind: 'atom', value: 'ACTIVE' }],
      [{ kind: 'string', value: 'eas-oof' }],
    ]);
  });

  it('reads NO with a response code and escaped text', () => {
    const [r] = responses('NO (NONEXISTENT) "There is no \\"x\\"."\r\n');
    expect(r).toEqual({ status: 'NO', code: 'NONEXISTENT', text: 'There is no "x".', lines: [] });
  });

  it('reads BYE with a code holding a quoted ")"', () => {
    const [r] = responses('BYE (REFERRAL "sieve://x)y") "bye"\r\n');
    expect(r).toMatchObject({ status: 'BYE', code: 'REFERRAL "sieve://x)y"', text: 'bye' });
  });

  it('waits for the rest of a split line and literal', () => {
    const whole = Buffer.from('{5}\r\nabcde\r\nOK\r\n');
    for (let cut = 1; cut < 10; cut++) expect(parseLine(whole.subarray(0, cut))).toBeUndefined();
    expect(parseLine(whole)!.tokens).toEqual([{ kind: 'string', value: 'abcde' }]);
  });

  it.each([
    ['a literal over the limit', `{${SIEVE_LIMITS.maxLiteralBytes + 1}}\r\n`],
    ['a bad literal header', '{12x}\r\n'],
    ['a CR without LF', 'OK\rX'],
    ['a line break inside a quoted string', '"abc\r\ndef"\r\n'],
  ])('refuses %s', (_what, text) => {
    expect(() => parseLine(Buffer.from(text))).toThrow(SieveWireError);
  });

  it('quotes names and refuses line breaks in them; literals are non-synchronising {n+}', () => {
    expect(quoted('a"b\\c')).toBe('"a\\"b\\\\c"');
    expect(() => quoted('a\r\nb')).toThrow(SieveWireError);
    expect(literal('ä')).toBe('{2+}\r\nä');
  });
});
