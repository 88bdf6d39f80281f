import type pg from 'pg';
import type { Migration } from '../migrations/migration.js';

const CREATE_MIGRATIONS_TABLE = `
  CREATE TABLE IF NOT EXISTS schema_migrations (
    version    INTEGER     NOT NULL PRIMARY KEY,
    name       TEXT        NOT NULL,
    applied_at TIMESTAMPTZ NOT NULL DEFAULT now()
  )`;

/*
 * Every step runs in a transaction that first takes a transaction-scoped advisory lock keyed on
 * the schema, so two processes migrating at once take turns and the second finds each version
 * already applied. Concurrent `CREATE ... IF NOT EXISTS` is not safe on its own in PostgreSQL
 * (both can pass the check and one then fails on the catalog's unique index).
 */
const LOCK = "SELECT pg_advisory_xact_lock(hashtext('bastion_migrate'), hashtext($1))";

export async function migratePostgres(
  client: pg.PoolClient,
  schema: string,
  migrations: readonly Migration[],
): Promise<void> {
  await inLockedTransaction(client, schema, async () => {
    // Checked before creating: CREATE SCHEMA IF NOT EXISTS needs CREATE on the database even
    // when the schema exists, which a least-privilege role may not have.
    const found = await client.query('SELECT 1 FROM pg_namespace WHERE nspname = $1', [schema]);
    if (found.rowCount === 0) await client.query(`CREATE SCHEMA "${schema}"`);
    await client.query(CREATE_MIGRATIONS_TABLE);
  });
  for (const migration of migrations) {
    await inLockedTransaction(client, schema, async () => {
      const applied = await client.query('SELECT 1 FROM schema_migrations WHERE version = $1', [
        migration.version,
      ]);
      if (applied.rowCount !== 0) return;
      await client.query(migration.sql);
      await client.query('INSERT INTO schema_migrations (version, name) VALUES ($1, $2)', [
        migration.version,
        migration.name,
      ]);
    });
  }
}

async function inLockedTransaction(
  client: pg.PoolClient,
  schema: string,
  fn: () => Promise<void>,
): Promise<void> {
  await client.query('BEGIN');
  try {
    await client.query(LOCK, [schema]);
    await fn();
    await client.query('COMMIT');
  } catch (err) {
    // The caller releases the client as broken, so a failed ROLLBACK changes nothing.
    await client.query('ROLLBACK').catch(() => undefined);
    throw err;
  }
}
