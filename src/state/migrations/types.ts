import type { Database } from 'better-sqlite3';

/**
 * One schema step. Migrations run in `id` order at start, each in its own
 * transaction, and are recorded in `schema_migrations` so that they run once.
 * A migration never changes after it has shipped: a fix is a new migration.
 */
export interface Migration {
  readonly id: number;
  readonly name: string;
  up(db: Database): void;
}
