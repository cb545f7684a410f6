/** Which devices get merged address books, and which book a member href belongs to (src/sync/dav/book-merge.ts, detect.ts). */
import { describe, expect, it } from 'vitest';
import type { FolderRow } from '../../src/state/folders.ts';
import { ContactBookMerge } from '../../src/sync/dav/book-merge.ts';
import { bookOf } from '../../src/sync/dav/detect.ts';

const folder = (id: number, type: number, path: string, source: FolderRow['source'] = 'carddav'): FolderRow => ({ mailbox: 'u', id, source, path, parentId: null, name: path, type, hint: null, deleted: false });
const folders = [folder(1, 2, 'INBOX', 'imap'), folder(5, 9, '/u/contacts/'), folder(6, 14, '/u/family/'), folder(7, 8, '/u/cal/#VEVENT', 'caldav')];
const merge = (types: string[], deviceType: string) =>
  new ContactBookMerge(types, { get: () => ({ deviceType }) as never }, { listActive: () => folders });

describe('ContactBookMerge', () => {
  it('matches DeviceType prefixes in any case; an empty list merges for nobody', () => {
    expect(merge(['iPhone', 'Android'], 'iphone').merges('u', 'd')).toBe(true);
    expect(merge(['iPhone', 'Android'], 'AndroidGmail').merges('u', 'd')).toBe(true);
    expect(merge(['iPhone'], 'WindowsMail').merges('u', 'd')).toBe(false);
    expect(merge([], 'iPhone').merges('u', 'd')).toBe(false);
  });

  it('the default Contacts folder of a merging device carries every book; other folders only themselves', () => {
    const m = merge(['iPhone'], 'iPhone');
    expect(m.booksOf('u', 'd', folders[1]!).map((f) => f.id)).toEqual([5, 6]);
    expect(m.booksOf('u', 'd', folders[2]!).map((f) => f.id)).toEqual([6]);
    expect(m.booksOf('u', 'd', folders[3]!).map((f) => f.id)).toEqual([7]);
    expect(merge(['iPhone'], 'Outlook').booksOf('u', 'd', folders[1]!).map((f) => f.id)).toEqual([5]);
  });

  it('hides user contact folders only from merging devices', () => {
    const m = merge(['iPhone'], 'iPhone');
    expect(m.hides(folders[2]!, true)).toBe(true);
    expect(m.hides(folders[2]!, false)).toBe(false);
    expect(m.hides(folders[1]!, true)).toBe(false);
  });
});

describe('bookOf', () => {
  it('is the longest book href the member starts with, or none', () => {
    const books = ['/u/contacts/', '/u/contacts/sub/', '/u/family/'];
    expect(bookOf('/u/contacts/a.vcf', books)).toBe('/u/contacts/');
    expect(bookOf('/u/contacts/sub/b.vcf', books)).toBe('/u/contacts/sub/');
    expect(bookOf('/u/gone/c.vcf', books)).toBeUndefined();
  });
});
