import type { Migration } from './migration.js';

/**
 * PostgreSQL schema, applied in order by `createPostgresStore().migrate()` into the store's
 * schema (set through `search_path`, so no statement names a schema). `schema_migrations`
 * itself is created by the store before the first migration runs. Millisecond timestamps are
 * BIGINT; the store parses them back to numbers. Durations are DOUBLE PRECISION: the gateway
 * measures them to the microsecond.
 */
export const postgresMigrations: readonly Migration[] = [
  {
    version: 1,
    name: 'virtual_keys',
    sql: `
      CREATE TABLE virtual_keys (
        id            TEXT   NOT NULL PRIMARY KEY,
        name          TEXT   NOT NULL,
        env           TEXT   NOT NULL CHECK (env IN ('dev', 'staging', 'prod', 'ci')),
        prefix        TEXT   NOT NULL UNIQUE,
        hash          TEXT   NOT NULL UNIQUE,
        created_at_ms BIGINT NOT NULL,
        expires_at_ms BIGINT,
        revoked_at_ms BIGINT
      );
    `,
  },
  {
    version: 2,
    name: 'audit_log',
    sql: `
      CREATE TABLE audit_log (
        seq                 BIGSERIAL PRIMARY KEY,
        request_id          TEXT    NOT NULL,
        time_ms             BIGINT  NOT NULL,
        key_id              TEXT,
        key_prefix          TEXT,
        env                 TEXT,
        endpoint            TEXT    NOT NULL,
        model               TEXT,
        provider            TEXT,
        upstream_key_label  TEXT,
        status              INTEGER NOT NULL,
        error_code          TEXT,
        prompt_tokens       INTEGER,
        completion_tokens   INTEGER,
        latency_ms          DOUBLE PRECISION NOT NULL,
        upstream_latency_ms DOUBLE PRECISION,
        client_ip           TEXT,
        is_stream           BOOLEAN NOT NULL
      );
      CREATE INDEX audit_log_time_idx ON audit_log (time_ms);
      CREATE INDEX audit_log_key_time_idx ON audit_log (key_id, time_ms);
      CREATE INDEX audit_log_status_idx ON audit_log (status);
    `,
  },
  {
    version: 3,
    name: 'audit_decisions',
    // A JSON array of `AuditDecision`, in the order taken. Rows written before this migration
    // read back as `[]`.
    sql: `
      ALTER TABLE audit_log ADD COLUMN decisions JSONB NOT NULL DEFAULT '[]'::jsonb;
    `,
  },
];
