import BetterSqlite3 from 'better-sqlite3';
import type { Database } from 'better-sqlite3';
import { MIGRATIONS, type Migration } from './migrations/index.ts';

/** The SQLite handle every repository takes. `db.transaction(fn)` wraps one request's writes. */
export type Db = Database;

/**
 * Opens (creating when absent) the state database and brings its schema up
 * to date. WAL lets `eas-admin` read and write while the server runs;
 * `busy_timeout` makes the two wait for each other instead of failing.
 * `':memory:'` works for unit tests.
 */
export function openDatabase(file: string, migrations: readonly Migration[] = MIGRATIONS): Db {
  const db = new BetterSqlite3(file);
  try {
    db.pragma('journal_mode = WAL');
    db.pragma('synchronous = NORMAL');
    db.pragma('foreign_keys = ON');
    db.pragma('busy_timeout = 5000');
    migrate(db, migrations);
    return db;
  } catch (e) {
    db.close();
    throw e;
  }
}

/**
 * Applies the migrations not yet recorded, each in its own transaction.
 * Refuses a database that has migrations this build does not know (a newer
 * server wrote it), rather than running on a schema it does not understand.
 */
export function migrate(db: Db, migrations: readonly Migration[] = MIGRATIONS): number[] {
  db.exec(`CREATE TABLE IF NOT EXISTS schema_migrations (
    id INTEGER PRIMARY KEY, name TEXT NOT NULL, applied_at INTEGER NOT NULL) STRICT`);
  const sorted = [...migrations].sort((a, b) => a.id - b.id);
  for (let i = 1; i < sorted.length; i++) {
    if (sorted[i]!.id === sorted[i - 1]!.id) throw new Error(`duplicate migration id ${sorted[i]!.id}`);
  }
  const applied = new Set((db.prepare('SELECT id FROM schema_migrations').all() as { id: number }[]).map((r) => r.id));
  const known = new Set(sorted.map((m) => m.id));
  const unknown = [...applied].filter((id) => !known.has(id));
  if (unknown.length) throw new Error(`database has migrations unknown to this build: ${unknown.join(', ')}`);
  const ran: number[] = [];
  const record = db.prepare('INSERT INTO schema_migrations (id, name, applied_at) VALUES (?, ?, ?)');
  for (const m of sorted) {
    if (applied.has(m.id)) continue;
    db.transaction(() => {
      m.up(db);
      record.run(m.id, m.name, Date.now());
    })();
    ran.push(m.id);
  }
  return ran;
}
