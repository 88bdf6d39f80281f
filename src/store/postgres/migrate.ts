import type pg from 'pg';
import type { ConcurrentIndex, Migration } from '../migrations/migration.js';

const CREATE_MIGRATIONS_TABLE = `
  CREATE TABLE IF NOT EXISTS schema_migrations (
    version    INTEGER     NOT NULL PRIMARY KEY,
    name       TEXT        NOT NULL,
    applied_at TIMESTAMPTZ NOT NULL DEFAULT now()
  )`;

/*
 * The whole run holds a session-level advisory lock keyed on the schema, so two processes
 * migrating at once take turns and the second finds each version already applied (concurrent
 * `CREATE ... IF NOT EXISTS` is not safe on its own in PostgreSQL: both can pass the check and
 * one then fails on the catalog's unique index). The lock is polled with pg_try_advisory_lock,
 * never waited for: a session blocked in pg_advisory_lock holds a snapshot, and the holder's
 * CREATE INDEX CONCURRENTLY waits for every older snapshot to end: a deadlock.
 */
const TRY_LOCK =
  "SELECT pg_try_advisory_lock(hashtext('bastion_migrate'), hashtext($1)) AS is_locked";
const UNLOCK = "SELECT pg_advisory_unlock(hashtext('bastion_migrate'), hashtext($1))";

export async function migratePostgres(
  client: pg.PoolClient,
  schema: string,
  migrations: readonly Migration[],
): Promise<void> {
  await lock(client, schema);
  try {
    await inTransaction(client, async () => {
      // Checked before creating: CREATE SCHEMA IF NOT EXISTS needs CREATE on the database even
      // when the schema exists, which a least-privilege role may not have.
      const found = await client.query('SELECT 1 FROM pg_namespace WHERE nspname = $1', [schema]);
      if (found.rowCount === 0) await client.query(`CREATE SCHEMA "${schema}"`);
      await client.query(CREATE_MIGRATIONS_TABLE);
    });
    for (const migration of migrations) await apply(client, schema, migration);
  } finally {
    // A broken connection is released as broken by the caller, which frees the lock too.
    await client.query(UNLOCK, [schema]).catch(() => undefined);
  }
}

async function apply(client: pg.PoolClient, schema: string, migration: Migration): Promise<void> {
  const isApplied = async (): Promise<boolean> =>
    (await client.query('SELECT 1 FROM schema_migrations WHERE version = $1', [migration.version]))
      .rowCount !== 0;
  const record = () =>
    client.query('INSERT INTO schema_migrations (version, name) VALUES ($1, $2)', [
      migration.version,
      migration.name,
    ]);
  if (await isApplied()) return;
  const indexes = migration.concurrentIndexes ?? [];
  await inTransaction(client, async () => {
    await client.query(migration.sql);
    if (indexes.length === 0) await record();
  });
  if (indexes.length === 0) return;
  await buildConcurrently(client, schema, indexes);
  await record();
}

async function lock(client: pg.PoolClient, schema: string): Promise<void> {
  for (let delayMs = 10; ; delayMs = Math.min(delayMs * 2, 500)) {
    const { rows } = await client.query<{ is_locked: boolean }>(TRY_LOCK, [schema]);
    if (rows[0]?.is_locked === true) return;
    await new Promise((resolve) => setTimeout(resolve, delayMs));
  }
}

/**
 * CREATE INDEX CONCURRENTLY cannot run in a transaction (hence the session-level lock). A build
 * that failed or was killed leaves an INVALID index that `IF NOT EXISTS` would keep: it is
 * dropped and built again.
 */
async function buildConcurrently(
  client: pg.PoolClient,
  schema: string,
  indexes: readonly ConcurrentIndex[],
): Promise<void> {
  for (const index of indexes) {
    const found = await client.query<{ indisvalid: boolean }>(
      'SELECT i.indisvalid FROM pg_index i JOIN pg_class c ON c.oid = i.indexrelid ' +
        'JOIN pg_namespace n ON n.oid = c.relnamespace WHERE c.relname = $1 AND n.nspname = $2',
      [index.name, schema],
    );
    if (found.rows[0]?.indisvalid === false) {
      await client.query(`DROP INDEX CONCURRENTLY IF EXISTS "${index.name}"`);
    }
    await client.query(
      `CREATE ${index.isUnique ? 'UNIQUE ' : ''}INDEX CONCURRENTLY IF NOT EXISTS "${index.name}" ON ${index.on}`,
    );
  }
}

async function inTransaction(client: pg.PoolClient, fn: () => Promise<void>): Promise<void> {
  await client.query('BEGIN');
  try {
    await fn();
    await client.query('COMMIT');
  } catch (err) {
    // The caller releases the client as broken, so a failed ROLLBACK changes nothing.
    await client.query('ROLLBACK').catch(() => undefined);
    throw err;
  }
}
