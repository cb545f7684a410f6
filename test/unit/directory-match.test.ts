/**
 * GAL query semantics (backends/directory/match.ts): folding, the words an
 * entry is found by, and the in-memory index, which must answer exactly
 * what the plain definition (matchesQuery over every entry) answers.
 */
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { compareEntries, entryWords, EntryIndex, fold, matchesQuery, resolvesTo } from '../../backends/directory/match.ts';
import type { DirectoryEntry } from '../../backends/directory/types.ts';

const entry = (id: string, displayName: string, extra: Partial<DirectoryEntry> = {}): DirectoryEntry => ({ id, displayName, emails: [], phones: {}, ...extra });

const people = [
  entry('1', 'Maria Schmidt', { firstName: 'Maria', lastName: 'Schmidt', emails: ['maria.schmidt@example.test'], alias: 'mschmidt' }),
  entry('2', 'Jürgen Müller', { firstName: 'Jürgen', lastName: 'Müller', emails: ['juergen@example.test'] }),
  entry('3', 'Anne-Marie Dubois', { emails: ['amd@example.test'] }),
  entry('4', 'André O’Neil', {}),
  entry('5', 'Max Schmidt', { emails: ['max@example.test', 'm.schmidt@other.test'] }),
];

describe('match semantics', () => {
  it('folds case and accents', () => {
    expect(fold('JÜRGEN André')).toBe('jurgen andre');
  });

  it('an entry is found by name words, hyphen parts and address local parts', () => {
    expect(entryWords(people[2]!)).toEqual(expect.arrayContaining(['anne', 'marie', 'dubois', 'amd@example.test', 'amd']));
    expect(entryWords(people[0]!)).toEqual(expect.arrayContaining(['maria.schmidt@example.test', 'maria', 'schmidt', 'mschmidt']));
  });

  it.each([
    ['mar', ['1', '3']],
    ['SCHM', ['1', '5']],
    ['schmidt max', ['5']],
    ['muller', ['2']],
    ['mül', ['2']],
    ['m.schmidt@oth', ['5']],
    ['schmidt@', []],
    ['aria', []],
    ['', []],
  ])('%j matches %j', (q, ids) => {
    expect(people.filter((p) => matchesQuery(p, q)).map((p) => p.id).sort()).toEqual(ids);
    expect(new EntryIndex(people).search(q, { limit: 100 }).entries.map((p) => p.id).sort()).toEqual(ids);
  });

  it('resolves an address, a full name, a first or last name exactly, never a prefix', () => {
    expect(resolvesTo(people[0]!, 'MARIA.SCHMIDT@example.test')).toBe(true);
    expect(resolvesTo(people[0]!, '  maria   schmidt ')).toBe(true);
    expect(resolvesTo(people[0]!, 'Schmidt')).toBe(true);
    expect(resolvesTo(people[0]!, 'mschmidt')).toBe(true);
    expect(resolvesTo(people[0]!, 'Mari')).toBe(false);
    expect(new EntryIndex(people).lookup('schmidt').map((p) => p.displayName)).toEqual(['Maria Schmidt']);
    expect(new EntryIndex(people).lookup('m.schmidt@other.test').map((p) => p.id)).toEqual(['5']);
  });

  it('pages in display-name order with a total', () => {
    const idx = new EntryIndex(Array.from({ length: 30 }, (_, i) => entry(`p${i}`, `Pat ${String(i).padStart(2, '0')}`)));
    const page = idx.search('pat', { limit: 10, offset: 10 });
    expect(page.total).toBe(30);
    expect(page.entries.map((e) => e.displayName)).toEqual(Array.from({ length: 10 }, (_, i) => `Pat ${String(10 + i).padStart(2, '0')}`));
    expect(idx.search('pat', { limit: 10, offset: 40 })).toEqual({ entries: [], total: 30 });
  });
});

describe('EntryIndex agrees with the definition', () => {
  const syllable = fc.constantFrom('ma', 'ri', 'an', 'schm', 'idt', 'mü', 'ller', 'é', 'o', 'x', '-', ' ', '.', '@');
  const text = fc.array(syllable, { minLength: 1, maxLength: 6 }).map((xs) => xs.join(''));
  const arbEntry = fc.record({ displayName: text, firstName: fc.option(text, { nil: undefined }), email: fc.option(text, { nil: undefined }) });

  it('for random directories and queries', () => {
    fc.assert(
      fc.property(fc.array(arbEntry, { maxLength: 40 }), text, (raw, q) => {
        const entries = raw.filter((r) => r.displayName.trim() !== '').map((r, i) => entry(String(i), r.displayName, { ...(r.firstName ? { firstName: r.firstName } : {}), emails: r.email ? [r.email] : [] }));
        const want = entries.filter((e) => matchesQuery(e, q)).sort(compareEntries).map((e) => e.id);
        const got = new EntryIndex(entries).search(q, { limit: 1000 });
        expect(got.entries.map((e) => e.id)).toEqual(want);
        expect(got.total).toBe(want.length);
      }),
      { numRuns: 300 },
    );
  });
});
