import type { Migration } from './migration.js';

/**
 * SQLite schema, applied in order by `createSqliteStore().migrate()`. `schema_migrations` itself
 * is created by the store before the first migration runs. STRICT tables make SQLite refuse a
 * value of the wrong type instead of storing it, so rows read back as the types written.
 * Durations are REAL: the gateway measures them to the microsecond.
 */
export const sqliteMigrations: readonly Migration[] = [
  {
    version: 1,
    name: 'virtual_keys',
    sql: `
      CREATE TABLE virtual_keys (
        id            TEXT    NOT NULL PRIMARY KEY,
        name          TEXT    NOT NULL,
        env           TEXT    NOT NULL CHECK (env IN ('dev', 'staging', 'prod', 'ci')),
        prefix        TEXT    NOT NULL UNIQUE,
        hash          TEXT    NOT NULL UNIQUE,
        created_at_ms INTEGER NOT NULL,
        expires_at_ms INTEGER,
        revoked_at_ms INTEGER
      ) STRICT;
    `,
  },
  {
    version: 2,
    name: 'audit_log',
    sql: `
      CREATE TABLE audit_log (
        seq                 INTEGER PRIMARY KEY AUTOINCREMENT,
        request_id          TEXT    NOT NULL,
        time_ms             INTEGER NOT NULL,
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
        latency_ms          REAL    NOT NULL,
        upstream_latency_ms REAL,
        client_ip           TEXT,
        is_stream           INTEGER NOT NULL CHECK (is_stream IN (0, 1))
      ) STRICT;
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
      ALTER TABLE audit_log ADD COLUMN decisions TEXT NOT NULL DEFAULT '[]';
    `,
  },
];
