import { describe, expect, it } from 'vitest';
import { diffHierarchy, imapFolderType, reconcileFolders, subtreeIds, type ProvidedFolder } from '../../src/commands/folder-hierarchy.ts';
import { openDatabase } from '../../src/state/db.ts';
import { createRepositories } from '../../src/state/index.ts';

function setup() {
  const db = openDatabase(':memory:');
  const repos = createRepositories(db);
  repos.mailboxes.setEnabled('alice', true);
  const sync = (list: ProvidedFolder[]) => reconcileFolders(db, repos.folders, 'alice', 'imap', list);
  return { db, repos, sync };
}

const f = (path: string, type = 12, hint?: string): ProvidedFolder => {
  const i = path.lastIndexOf('/');
  return { path, parentPath: i < 0 ? null : path.slice(0, i), name: path.slice(i + 1), type, ...(hint ? { hint } : {}) };
};

describe('folder map', () => {
  it('numbers default folders first, then by path, parents before children', () => {
    const { sync } = setup();
    const rows = sync([f('Zeta/Child'), f('Zeta'), f('Sent', 5), f('INBOX', 2)]);
    expect(rows.map((r) => [r.id, r.path, r.parentId])).toEqual([
      [1, 'INBOX', null],
      [2, 'Sent', null],
      [3, 'Zeta', null],
      [4, 'Zeta/Child', 3],
    ]);
  });

  it('keeps ids for the same paths and never reuses an id for another path', () => {
    const { sync } = setup();
    sync([f('INBOX', 2), f('A'), f('B')]);
    const rows = sync([f('INBOX', 2), f('B'), f('C')]);
    expect(rows.map((r) => [r.path, r.id])).toEqual([
      ['INBOX', 1],
      ['B', 3],
      ['C', 4],
    ]);
  });

  it('a folder that comes back at the same path gets its old id', () => {
    const { sync } = setup();
    sync([f('A'), f('B')]);
    sync([f('B')]);
    expect(sync([f('A'), f('B')]).find((r) => r.path === 'A')?.id).toBe(1);
  });

  it('a rename outside EAS keeps the id when the hint (UIDVALIDITY) matches exactly one newcomer', () => {
    const { sync } = setup();
    sync([f('Old', 12, '111'), f('Other', 12, '222')]);
    const rows = sync([f('New', 12, '111'), f('Other', 12, '222')]);
    expect(rows.find((r) => r.path === 'New')?.id).toBe(1);
  });

  it('two folders that swap names keep their ids without a uniqueness clash', () => {
    const { sync } = setup();
    sync([f('A', 12, '1'), f('B', 12, '2')]);
    const rows = sync([f('A', 12, '2'), f('B', 12, '1')]);
    // Same paths exist, so ids follow paths (the map is keyed by path first).
    expect(rows.map((r) => [r.path, r.id])).toEqual([
      ['A', 1],
      ['B', 2],
    ]);
  });

  it('maps SPECIAL-USE roles to EAS default folder types', () => {
    const base = { name: 'x', parentPath: null, delimiter: '/' };
    expect(imapFolderType({ ...base, path: 'INBOX', specialUse: 'inbox' })).toBe(2);
    expect(imapFolderType({ ...base, path: 'Drafts', specialUse: 'drafts' })).toBe(3);
    expect(imapFolderType({ ...base, path: 'Trash', specialUse: 'trash' })).toBe(4);
    expect(imapFolderType({ ...base, path: 'Sent', specialUse: 'sent' })).toBe(5);
    expect(imapFolderType({ ...base, path: 'Outbox', specialUse: 'outbox' })).toBe(6);
    expect(imapFolderType({ ...base, path: 'Junk', specialUse: 'junk' })).toBe(12);
    expect(imapFolderType({ ...base, path: 'Stuff' })).toBe(12);
  });
});

describe('diffHierarchy', () => {
  const e = (serverId: string, parentId: string, displayName: string, type = 12) => ({ serverId, parentId, displayName, type });
  it('finds adds (parents first), updates and deletes', () => {
    const held = [e('1', '0', 'Inbox', 2), e('2', '0', 'Old'), e('3', '0', 'Gone')];
    const now = [e('1', '0', 'Inbox', 2), e('2', '0', 'Renamed'), e('5', '4', 'Child'), e('4', '0', 'Parent')];
    expect(diffHierarchy(held, now)).toEqual({ adds: [e('4', '0', 'Parent'), e('5', '4', 'Child')], updates: [e('2', '0', 'Renamed')], deletes: ['3'] });
  });

  it('subtreeIds collects every descendant', () => {
    const all = [e('1', '0', 'a'), e('2', '1', 'b'), e('3', '2', 'c'), e('4', '0', 'd')];
    expect([...subtreeIds(all, '1')].sort()).toEqual(['1', '2', '3']);
  });
});
