import { describe, expect, it } from 'vitest';
import { compileSearch, searchableText } from '../../backends/imap/search.ts';
import { displayNames } from '../../src/commands/find.ts';
import { formatLongId, parseLongId } from '../../src/commands/fetch/long-id.ts';
import { parseKql } from '../../src/commands/mailbox-search/kql.ts';
import { freeTextWords, planSearchQuery } from '../../src/commands/mailbox-search/plan.ts';

const text = (value: string, field = 'any') => ({ op: 'text', field, value });
const at = (iso: string) => new Date(iso);

describe('KQL subset of Find', () => {
  it('ANDs terms side by side, maps from:/subject: and received>= to conditions', () => {
    expect(parseKql('invoice from:ann received>=2026-02-01')).toEqual({
      op: 'and',
      children: [text('invoice'), text('ann', 'from'), { op: 'after', date: at('2026-01-31T23:59:59.999Z') }],
    });
  });

  it('AND binds tighter than OR; parentheses group; quoted phrases stay whole', () => {
    expect(parseKql('a OR b c')).toEqual({ op: 'or', children: [text('a'), { op: 'and', children: [text('b'), text('c')] }] });
    expect(parseKql('(a OR b) AND "c d"')).toEqual({ op: 'and', children: [{ op: 'or', children: [text('a'), text('b')] }, text('c d')] });
    expect(parseKql('subject:"weekly report"')).toEqual(text('weekly report', 'subject'));
  });

  it('participants: is from, to or cc; received: a day; M/D/YYYY dates', () => {
    expect(parseKql('participants:bob')).toEqual({ op: 'or', children: [text('bob', 'from'), text('bob', 'to'), text('bob', 'cc')] });
    expect(parseKql('received:2026-03-10')).toEqual({ op: 'and', children: [{ op: 'after', date: at('2026-03-09T23:59:59.999Z') }, { op: 'before', date: at('2026-03-11T00:00:00.000Z') }] });
    expect(parseKql('received<3/10/2026')).toEqual({ op: 'before', date: at('2026-03-10T00:00:00.000Z') });
  });

  it('searches an unknown name:value as text', () => {
    expect(parseKql('kind:email')).toEqual(text('kind:email'));
  });

  it.each([
    ['NOT', 'invoice NOT march'],
    ['an unclosed parenthesis', '(invoice'],
    ['a stray )', 'invoice )'],
    ['an empty query', '   '],
    ['a bad date', 'received>=soon'],
    ['an empty field', 'from:'],
  ])('refuses %s as invalid', (_w, q) => {
    expect(parseKql(q)).toMatchObject({ refused: 'invalid' });
  });

  it('refuses 5,000 characters and 20 words as too complex', () => {
    expect(parseKql('x'.repeat(5000))).toMatchObject({ refused: 'tooComplex' });
    expect(parseKql(Array.from({ length: 20 }, (_, i) => `w${i}`).join(' '))).toMatchObject({ refused: 'tooComplex' });
  });
});

describe('Search Mailbox query plan', () => {
  it('takes Class and CollectionId at the top as scope, the rest as the match', () => {
    const plan = planSearchQuery({
      kind: 'and',
      children: [
        { kind: 'class', value: 'Email' },
        { kind: 'collectionId', value: '7' },
        { kind: 'freeText', text: 'pay "the bill"' },
        { kind: 'receivedBefore', value: '2026-01-01T00:00:00.000Z' },
      ],
    });
    expect(plan).toEqual({
      classes: ['Email'],
      collectionIds: ['7'],
      match: { op: 'and', children: [{ op: 'and', children: [text('pay'), text('the bill')] }, { op: 'before', date: at('2026-01-01T00:00:00.000Z') }] },
    });
  });

  it('refuses scope inside an Or, an unknown element and a query with nothing to match', () => {
    expect(planSearchQuery({ kind: 'or', children: [{ kind: 'collectionId', value: '7' }, { kind: 'freeText', text: 'x' }] })).toMatchObject({ refused: 'invalid' });
    expect(planSearchQuery({ kind: 'and', children: [{ kind: 'unknown', name: 'Search:Bogus' }] })).toMatchObject({ refused: 'invalid' });
    expect(planSearchQuery({ kind: 'and', children: [{ kind: 'class', value: 'Email' }] })).toMatchObject({ refused: 'invalid' });
  });

  it('splits free text into words and phrases', () => {
    expect(freeTextWords(' a  "b c" d" ')).toEqual(['a', 'b c', 'd"']);
  });
});

describe('IMAP search compilation', () => {
  it('ANDs two values of one key through OR-of-one and NOT NOT (an object holds a key once)', () => {
    expect(compileSearch({ op: 'and', children: [text('a'), text('b')] as never }).query).toEqual({ or: [{ text: 'a' }], not: { not: { text: 'b' } } });
  });

  it('widens top-level dates by a day for the server and checks them exactly afterwards', () => {
    const c = compileSearch({ op: 'and', children: [text('a') as never, { op: 'after', date: at('2026-03-10T09:00:00Z') }] });
    expect(c.query).toEqual({ text: 'a', since: at('2026-03-09T00:00:00Z') });
    expect(c.exact).toEqual([{ op: 'after', date: at('2026-03-10T09:00:00Z') }]);
  });

  it('turns CR, LF and NUL into spaces', () => {
    expect(searchableText('a\r\nA1 LOGOUT\u0000')).toBe('a A1 LOGOUT');
  });
});

describe('LongId and display names', () => {
  it('a LongId names its message only for the mailbox it was made for', () => {
    const id = formatLongId('alice@example.test', { folderId: 5, uidValidity: 1700000000, uid: 42 });
    expect(parseLongId('alice@example.test', id)).toEqual({ folderId: 5, uidValidity: 1700000000, uid: 42 });
    expect(parseLongId('bob@example.test', id)).toBeUndefined();
    expect(parseLongId('alice@example.test', id.replace('.42.', '.43.'))).toBeUndefined();
  });

  it('reads display names from a formatted address list', () => {
    expect(displayNames('"Carol \\"C\\"" <c@x.test>, d@y.test')).toBe('Carol "C"; d@y.test');
    expect(displayNames(undefined)).toBeUndefined();
  });
});
