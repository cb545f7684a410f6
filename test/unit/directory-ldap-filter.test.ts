/**
 * RFC 4515 filter building for the LDAP GAL (backends/directory/ldap-filter.ts):
 * the escaping table, and hostile queries parsed back by ldapts into exactly
 * the filter shape we meant, the hostile text a literal value inside it.
 */
import { describe, expect, it } from 'vitest';
import { FilterParser } from 'ldapts';
import { DEFAULT_OBJECT_FILTER, escapeFilterValue, lookupFilter, MAX_FILTER_WORDS, searchFilter } from '../../backends/directory/ldap-filter.ts';
import { isBackendError } from '../../backends/errors.ts';

interface Node {
  type: number;
  filters?: Node[];
  attribute?: string;
  value?: string;
  initial?: string;
  any?: string[];
}

const AND = 0xa0;
const OR = 0xa1;
const EQUALITY = 0xa3;
const SUBSTRINGS = 0xa4;

describe('escapeFilterValue (RFC 4515 3)', () => {
  it.each([
    ['*', '\\2a'],
    ['(', '\\28'],
    [')', '\\29'],
    ['\\', '\\5c'],
    ['\u0000', '\\00'],
    ['a\u0001b', 'a\\01b'],
    ['\u007f', '\\7f'],
    ['*)(uid=*', '\\2a\\29\\28uid=\\2a'],
    ['Müller', 'Müller'],
    ['田中', '田中'],
    ['plain text@example.test', 'plain text@example.test'],
  ])('%j -> %j', (input, out) => {
    expect(escapeFilterValue(input)).toBe(out);
  });
});

describe('searchFilter', () => {
  it('is an AND of the object filter and one OR of prefix clauses per word', () => {
    expect(searchFilter('Maria Sch')).toBe(
      `(&${DEFAULT_OBJECT_FILTER}` +
        '(|(cn=Maria*)(displayName=Maria*)(givenName=Maria*)(sn=Maria*)(mail=Maria*)(uid=Maria*)(cn=* Maria*))' +
        '(|(cn=Sch*)(displayName=Sch*)(givenName=Sch*)(sn=Sch*)(mail=Sch*)(uid=Sch*)(cn=* Sch*)))',
    );
  });

  it('has no filter for a query of white space only', () => {
    expect(searchFilter('   ')).toBeUndefined();
    expect(lookupFilter('\t')).toBeUndefined();
  });

  it.each(['*)(uid=*', '*', 'a*)(|(objectClass=*', ')(cn=*))(|(cn=*', '\\2a', 'x\u0000)(cn=*', '*)(mail=*@*'])(
    'the hostile word %j stays one literal value in the intended tree',
    (q) => {
      const tree = FilterParser.parseString(searchFilter(q)!) as unknown as Node;
      expect(tree.type).toBe(AND);
      expect(tree.filters).toHaveLength(2);
      const words = tree.filters![1]!;
      expect(words.type).toBe(OR);
      expect(words.filters).toHaveLength(7);
      for (const f of words.filters!) {
        expect(f.type).toBe(SUBSTRINGS);
        expect(f.initial === q || f.any?.[0] === ` ${q}`).toBe(true);
      }
    },
  );

  it('a lookup is one OR of equality clauses with the whole name as the value', () => {
    const tree = FilterParser.parseString(lookupFilter('*)(uid=*')!) as unknown as Node;
    const or = tree.filters![1]!;
    expect(or.filters!.map((f) => [f.type, f.value])).toEqual(Array.from({ length: 6 }, () => [EQUALITY, '*)(uid=*']));
  });

  it(`refuses more than ${MAX_FILTER_WORDS} words and very long words with BackendError Invalid`, () => {
    const words = Array.from({ length: MAX_FILTER_WORDS + 1 }, (_, i) => `w${i}`).join(' ');
    for (const q of [words, 'x'.repeat(10_000)]) {
      let err: unknown;
      try {
        searchFilter(q);
      } catch (e) {
        err = e;
      }
      expect(isBackendError(err, 'Invalid')).toBe(true);
    }
  });
});
