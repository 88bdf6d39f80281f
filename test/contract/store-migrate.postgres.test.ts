import pg from 'pg';
import { describe, expect, it } from 'vitest';
import { postgresMigrations } from '../../src/store/migrations/postgres.js';
import { migratePostgres } from '../../src/store/postgres/migrate.js';
import { createPostgresStore } from '../../src/store/postgres/postgres-store.js';
import { useTestSchemas } from '../helpers/postgres.js';

const schemas = useTestSchemas();

/** Migration 5's unique index on a large audit table is built with CREATE INDEX CONCURRENTLY. */
describe('postgres migrations: concurrent index builds', () => {
  async function session(schema: string, connectionString: string) {
    const client = new pg.Client({ connectionString, options: `-c search_path=${schema}` });
    await client.connect();
    return client;
  }
  const chainIndex = (client: pg.Client, schema: string) =>
    client.query<{ indisvalid: boolean; isunique: boolean }>(
      'SELECT i.indisvalid, i.indisunique AS isunique FROM pg_index i ' +
        'JOIN pg_class c ON c.oid = i.indexrelid JOIN pg_namespace n ON n.oid = c.relnamespace ' +
        "WHERE c.relname = 'audit_log_chain_idx' AND n.nspname = $1",
      [schema],
    );

  it('rebuilds the index a killed concurrent build left invalid, and records the version once', async () => {
    const { schema, connectionString } = await schemas.create('migrate');
    const client = await session(schema, connectionString);
    const pool = new pg.Pool({ connectionString, options: `-c search_path=${schema}`, max: 1 });
    try {
      // A database at version 4, then migration 5's columns added by a run that died before
      // its index was valid: two rows claim one place, so the concurrent build fails INVALID.
      const poolClient = await pool.connect();
      await migratePostgres(poolClient, schema, postgresMigrations.slice(0, 4));
      poolClient.release();
      await client.query(postgresMigrations[4]?.sql ?? '');
      const row = `INSERT INTO audit_log (request_id, time_ms, endpoint, status, latency_ms, is_stream, chain_id, chain_seq)
        VALUES ($1, 1, '/v1/models', 200, 1, false, 'ch_x', 1)`;
      await client.query(row, ['req_1']);
      await client.query(row, ['req_2']);
      await expect(
        client.query(
          'CREATE UNIQUE INDEX CONCURRENTLY audit_log_chain_idx ON audit_log (chain_id, chain_seq)',
        ),
      ).rejects.toThrow();
      expect((await chainIndex(client, schema)).rows).toEqual([
        { indisvalid: false, isunique: true },
      ]);
      await client.query("DELETE FROM audit_log WHERE request_id = 'req_2'");

      const store = createPostgresStore({ connectionString, schema });
      await store.migrate();
      await store.close();
      expect((await chainIndex(client, schema)).rows).toEqual([
        { indisvalid: true, isunique: true },
      ]);
      const versions = await client.query<{ version: number }>(
        'SELECT version FROM schema_migrations ORDER BY version',
      );
      expect(versions.rows.map((r) => r.version)).toEqual(postgresMigrations.map((m) => m.version));
      // The index holds: a second row in the same place is refused.
      await expect(client.query(row, ['req_3'])).rejects.toMatchObject({ code: '23505' });
    } finally {
      await client.end();
      await pool.end();
    }
  });

  it('lets audit rows in while the index build waits for an older transaction', async () => {
    const { schema, connectionString } = await schemas.create('migrate');
    const client = await session(schema, connectionString);
    const pool = new pg.Pool({ connectionString, options: `-c search_path=${schema}`, max: 1 });
    try {
      const poolClient = await pool.connect();
      await migratePostgres(poolClient, schema, postgresMigrations.slice(0, 4));
      poolClient.release();
      // A transaction that holds a snapshot (a long report, say). A concurrent build waits for
      // it to end before the index is valid, holding only SHARE UPDATE EXCLUSIVE: audit rows keep
      // going in meanwhile. (A plain CREATE INDEX would not wait, so the loop below would never
      // see the build waiting, and it would block inserts for the whole build instead.)
      await client.query('BEGIN ISOLATION LEVEL REPEATABLE READ');
      await client.query('SELECT txid_current()');
      const store = createPostgresStore({ connectionString, schema });
      const migrated = store.migrate();
      const other = await session(schema, connectionString);
      // Wait until the build is waiting on the open transaction.
      for (;;) {
        const waiting = await other.query(
          "SELECT 1 FROM pg_stat_activity WHERE query ILIKE 'CREATE UNIQUE INDEX CONCURRENTLY%audit_log_chain_idx%' AND wait_event_type = 'Lock'",
        );
        if (waiting.rowCount !== 0) break;
        await new Promise((r) => setImmediate(r));
      }
      await other.query('SET statement_timeout = 5000');
      await other.query(
        "INSERT INTO audit_log (request_id, time_ms, endpoint, status, latency_ms, is_stream) VALUES ('req_during', 1, '/v1/models', 200, 1, false)",
      );
      await other.end();
      await client.query('COMMIT');
      await migrated;
      await store.close();
      expect((await chainIndex(client, schema)).rows).toEqual([
        { indisvalid: true, isunique: true },
      ]);
    } finally {
      await client.end();
      await pool.end();
    }
  });
});
