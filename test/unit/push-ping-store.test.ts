import { describe, expect, it } from 'vitest';
import { openDatabase } from '../../src/state/db.ts';
import { PingParamsRepository } from '../../src/push/ping-store.ts';

function setup() {
  const db = openDatabase(':memory:');
  const now = Date.now();
  db.prepare('INSERT INTO mailboxes (name, enabled, created_at, updated_at) VALUES (?, 1, ?, ?)').run('alice', now, now);
  db.prepare('INSERT INTO devices (mailbox, device_id, device_type, first_seen, last_seen) VALUES (?, ?, ?, ?, ?)').run('alice', 'dev1', 'iPhone', now, now);
  return { db, repo: new PingParamsRepository(db) };
}

describe('PingParamsRepository (migration 003-push)', () => {
  it('returns undefined for a device that never sent Ping parameters', () => {
    expect(setup().repo.get('alice', 'dev1')).toBeUndefined();
  });

  it('stores and replaces the last heartbeat and folders of a device', () => {
    const { repo } = setup();
    repo.put('alice', 'dev1', { heartbeatSec: 480, folders: [{ id: '5', class: 'Email' }, { id: '7' }] });
    expect(repo.get('alice', 'dev1')).toEqual({ heartbeatSec: 480, folders: [{ id: '5', class: 'Email' }, { id: '7' }] });
    repo.put('alice', 'dev1', { heartbeatSec: undefined, folders: [{ id: '9', class: 'Calendar' }] });
    expect(repo.get('alice', 'dev1')).toEqual({ heartbeatSec: undefined, folders: [{ id: '9', class: 'Calendar' }] });
  });

  it('reads a damaged folders column as no folders instead of throwing', () => {
    const { db, repo } = setup();
    repo.put('alice', 'dev1', { heartbeatSec: 60, folders: [{ id: '5' }] });
    db.prepare("UPDATE ping_params SET folders = 'not json'").run();
    expect(repo.get('alice', 'dev1')).toEqual({ heartbeatSec: 60, folders: [] });
  });

  it('forgets the parameters when the device is removed', () => {
    const { db, repo } = setup();
    repo.put('alice', 'dev1', { heartbeatSec: 60, folders: [{ id: '5' }] });
    db.prepare('DELETE FROM devices').run();
    expect(repo.get('alice', 'dev1')).toBeUndefined();
  });
});
