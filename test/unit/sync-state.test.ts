import { describe, expect, it } from 'vitest';
import { openDatabase } from '../../src/state/db.ts';
import { DEFAULT_OPTIONS, mergeOptions, filterSince } from '../../src/sync/options.ts';
import { formatSyncKey, parseSyncKey, SyncStateRepository, type CollectionRef } from '../../src/sync/state.ts';

function setup(): { repo: SyncStateRepository; ref: CollectionRef } {
  const db = openDatabase(':memory:');
  db.prepare("INSERT INTO mailboxes (name, enabled, created_at, updated_at) VALUES ('u', 1, 0, 0)").run();
  db.prepare("INSERT INTO devices (mailbox, device_id, device_type, first_seen, last_seen) VALUES ('u', 'd', 't', 0, 0)").run();
  const repo = new SyncStateRepository(db);
  const ref = { mailbox: 'u', deviceId: 'd', collectionId: '2' };
  repo.create(ref, 'INBOX', DEFAULT_OPTIONS);
  return { repo, ref };
}

describe('sync keys (MS-ASCMD 2.2.3.166.4)', () => {
  it('parses only keys of our own form', () => {
    expect(parseSyncKey(formatSyncKey('0a1b2c3d', 7))).toEqual({ gen: '0a1b2c3d', n: 7 });
    for (const bad of ['0', '7', 'abc', '0a1b2c3d-0', '0a1b2c3d-x', 'ZZZZZZZZ-1', `0a1b2c3d-${'9'.repeat(20)}`]) expect(parseSyncKey(bad)).toBeUndefined();
  });
});

describe('collection state', () => {
  it('rolls back a lost response: items restored, its changes pending again', () => {
    const { repo, ref } = setup();
    repo.putItem(ref, { serverId: '2:1', uid: 10, flags: [], internalDate: 1 });
    repo.markDirty(ref, [10, 11]);
    // Response for key 2: item 2:1 becomes read, 2:2 is added; both UIDs sent.
    repo.transaction(() => {
      repo.putItem(ref, { serverId: '2:1', uid: 10, flags: ['\\Seen'], internalDate: 1 }, 2);
      repo.putItem(ref, { serverId: '2:2', uid: 11, flags: [], internalDate: 2 }, 2);
      repo.markSent(ref, 10, 2);
      repo.markSent(ref, 11, 2);
      repo.setKeys(ref, 2, 1);
    });
    expect(repo.pendingUids(ref)).toEqual([]);
    repo.rollback(ref, 2);
    expect(repo.items(ref)).toEqual([{ serverId: '2:1', uid: 10, flags: [], internalDate: 1 }]);
    expect(repo.pendingUids(ref)).toEqual([11, 10]);
  });

  it('forgets what was sent once the device confirms the key', () => {
    const { repo, ref } = setup();
    repo.markDirty(ref, [5]);
    repo.transaction(() => {
      repo.putItem(ref, { serverId: '2:1', uid: 5, flags: [], internalDate: 1 }, 2);
      repo.markSent(ref, 5, 2);
    });
    repo.confirm(ref, 2);
    repo.rollback(ref, 2);
    // Nothing left to undo after the confirmation.
    expect(repo.items(ref)).toHaveLength(1);
    expect(repo.pendingUids(ref)).toEqual([]);
  });

  it('makes a sent UID pending again when it changes before the confirmation', () => {
    const { repo, ref } = setup();
    repo.markDirty(ref, [5]);
    repo.markSent(ref, 5, 2);
    repo.markDirty(ref, [5]);
    repo.confirm(ref, 2);
    expect(repo.pendingUids(ref)).toEqual([5]);
  });

  it('keeps the last full request per device for empty Syncs', () => {
    const { repo } = setup();
    expect(repo.lastRequest('u', 'd')).toBeUndefined();
    repo.saveRequest('u', 'd', { collections: [{ collectionId: '2' }] });
    expect(repo.lastRequest('u', 'd')).toEqual({ collections: [{ collectionId: '2' }] });
  });
});

describe('options', () => {
  const req = { syncKey: '1', collectionId: '2', commands: [], options: [] };
  it('keeps stored options when a request has none, caps WindowSize at 512', () => {
    const stored = { ...DEFAULT_OPTIONS, filterType: 3 };
    expect(mergeOptions(stored, { ...req, windowSize: 5000 })).toEqual({ ...stored, windowSize: 512 });
    expect(mergeOptions(stored, { ...req, options: [{ class: 'SMS', filterType: 1, bodyPreferences: [], bodyPartPreferences: [] }] }).filterType).toBe(3);
  });

  it('maps FilterType to a date window', () => {
    const now = Date.UTC(2024, 0, 31);
    expect(filterSince(3, now)?.toISOString()).toBe('2024-01-24T00:00:00.000Z');
    expect(filterSince(0, now)).toBeUndefined();
  });
});
