import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { migrate, openDatabase } from '../../src/state/db.ts';
import { MIGRATIONS } from '../../src/state/migrations/index.ts';
import { createRepositories } from '../../src/state/index.ts';

describe('state database', () => {
  it('runs every migration once and records it', () => {
    const db = openDatabase(':memory:');
    const ids = (db.prepare('SELECT id FROM schema_migrations ORDER BY id').all() as { id: number }[]).map((r) => r.id);
    expect(ids).toEqual(MIGRATIONS.map((m) => m.id).sort((a, b) => a - b));
    expect(migrate(db)).toEqual([]);
  });

  it('uses WAL on a file database and keeps data across reopen', () => {
    const file = join(mkdtempSync(join(tmpdir(), 'st-')), 'x.db');
    const db = openDatabase(file);
    expect(db.pragma('journal_mode', { simple: true })).toBe('wal');
    createRepositories(db).mailboxes.setEnabled('Alice@Example.org', true);
    db.close();
    const again = createRepositories(openDatabase(file));
    expect(again.mailboxes.get('alice@example.org')?.enabled).toBe(true);
  });

  it('refuses a database written by a newer build', () => {
    const db = openDatabase(':memory:');
    db.prepare('INSERT INTO schema_migrations (id, name, applied_at) VALUES (999, ?, 0)').run('future');
    expect(() => migrate(db)).toThrow(/unknown to this build: 999/);
  });

  it('records devices on first contact and updates last seen', () => {
    const repos = createRepositories(openDatabase(':memory:'));
    repos.mailboxes.setEnabled('alice', true);
    const first = repos.devices.touch({ mailbox: 'alice', deviceId: 'D1', deviceType: 'iPhone', userAgent: 'Apple-iPhone/1', protocolVersion: '14.1' }, 1000);
    const second = repos.devices.touch({ mailbox: 'alice', deviceId: 'D1', deviceType: 'iPhone', protocolVersion: '16.1' }, 2000);
    expect(first).toMatchObject({ firstSeen: 1000, lastSeen: 1000, wipeStatus: 'none', accessState: 'allowed', policyKey: null });
    expect(second).toMatchObject({ firstSeen: 1000, lastSeen: 2000, protocolVersion: '16.1', userAgent: 'Apple-iPhone/1' });
  });

  it('mailbox disable keeps the row and its email', () => {
    const repos = createRepositories(openDatabase(':memory:'));
    repos.mailboxes.setEnabled('bob', true, 'bob@example.org');
    repos.mailboxes.setEnabled('bob', false);
    expect(repos.mailboxes.get('bob')).toMatchObject({ enabled: false, email: 'bob@example.org' });
    expect(repos.mailboxes.isEnabled('nobody')).toBe(false);
  });
});
