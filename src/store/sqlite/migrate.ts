import type Database from 'better-sqlite3';
import type { Migration } from '../migrations/migration.js';

const CREATE_MIGRATIONS_TABLE = `
  CREATE TABLE IF NOT EXISTS schema_migrations (
    version    INTEGER NOT NULL PRIMARY KEY,
    name       TEXT    NOT NULL,
    applied_at TEXT    NOT NULL
  ) STRICT`;

/**
 * Applies pending migrations, each in its own `BEGIN IMMEDIATE` transaction. IMMEDIATE takes
 * the write lock before reading `schema_migrations`, so a second process calling this at the
 * same time waits (busy_timeout) and then sees the version as applied instead of applying it
 * twice.
 */
export function migrateSqlite(db: Database.Database, migrations: readonly Migration[]): void {
  const latest = migrations.at(-1)?.version ?? 0;
  // Skips the write lock on every start once the file is up to date (the CLI starts often).
  if (appliedVersion(db) >= latest) return;

  db.transaction(() => db.exec(CREATE_MIGRATIONS_TABLE)).immediate();
  const isApplied = db.prepare<[number]>('SELECT 1 FROM schema_migrations WHERE version = ?');
  const record = db.prepare<[number, string, string]>(
    'INSERT INTO schema_migrations (version, name, applied_at) VALUES (?, ?, ?)',
  );
  for (const migration of migrations) {
    db.transaction(() => {
      if (isApplied.get(migration.version) !== undefined) return;
      db.exec(migration.sql);
      record.run(migration.version, migration.name, new Date().toISOString());
    }).immediate();
  }
}

function appliedVersion(db: Database.Database): number {
  const hasTable = db
    .prepare("SELECT 1 FROM sqlite_schema WHERE type = 'table' AND name = 'schema_migrations'")
    .get();
  if (hasTable === undefined) return 0;
  const version = db.prepare('SELECT max(version) FROM schema_migrations').pluck().get();
  return typeof version === 'number' ? version : 0;
}
