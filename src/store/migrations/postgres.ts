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
  {
    version: 4,
    name: 'policy',
    // Key scopes (JSON), settled cost and end user on audit rows (the in-process budget
    // counters are rebuilt from them at start), kill switches, budget alerts (the primary key
    // makes "once per budget, window and threshold" hold across replicas) and operator events.
    sql: `
      ALTER TABLE virtual_keys ADD COLUMN scopes JSONB NOT NULL DEFAULT '{}'::jsonb;
      ALTER TABLE audit_log ADD COLUMN cost_micro_usd BIGINT;
      ALTER TABLE audit_log ADD COLUMN user_id TEXT;
      ALTER TABLE audit_log ADD COLUMN team TEXT;
      CREATE TABLE kill_switches (
        scope         TEXT   NOT NULL CHECK (scope IN ('global', 'env', 'provider', 'key')),
        target        TEXT   NOT NULL,
        reason        TEXT   NOT NULL,
        created_at_ms BIGINT NOT NULL,
        actor         TEXT   NOT NULL,
        PRIMARY KEY (scope, target)
      );
      CREATE TABLE budget_alerts (
        budget          TEXT    NOT NULL,
        window_id       TEXT    NOT NULL,
        threshold_pct   INTEGER NOT NULL,
        spent_micro_usd BIGINT  NOT NULL,
        limit_micro_usd BIGINT  NOT NULL,
        at_ms           BIGINT  NOT NULL,
        PRIMARY KEY (budget, window_id, threshold_pct)
      );
      CREATE INDEX budget_alerts_at_idx ON budget_alerts (at_ms);
      CREATE TABLE admin_events (
        seq     BIGSERIAL PRIMARY KEY,
        time_ms BIGINT NOT NULL,
        actor   TEXT   NOT NULL,
        action  TEXT   NOT NULL,
        target  TEXT   NOT NULL,
        detail  TEXT
      );
      CREATE INDEX admin_events_time_idx ON admin_events (time_ms);
    `,
  },
  {
    version: 5,
    name: 'audit_chain',
    // The hash chain (src/pipeline/audit/chain.ts). Nullable: rows written before this
    // migration stay, and verify reports them as unchained. The unique index reads one chain in
    // seq order and makes a retried batch (a commit whose reply was lost) insert nothing twice.
    // It is built concurrently: on a large audit table a plain CREATE INDEX would block every
    // audit write (and so every request) for the whole build. Databases that applied this
    // migration before it was split have the same columns and index.
    sql: `
      ALTER TABLE audit_log ADD COLUMN IF NOT EXISTS chain_id TEXT;
      ALTER TABLE audit_log ADD COLUMN IF NOT EXISTS chain_seq BIGINT;
      ALTER TABLE audit_log ADD COLUMN IF NOT EXISTS prev_hash TEXT;
      ALTER TABLE audit_log ADD COLUMN IF NOT EXISTS hash TEXT;
    `,
    concurrentIndexes: [
      { name: 'audit_log_chain_idx', isUnique: true, on: 'audit_log (chain_id, chain_seq)' },
    ],
  },
  {
    version: 6,
    name: 'audit_archive_cuts',
    // Where each chain's archived head ends (bastion audit archive): verify starts the chain's
    // remaining rows from this seq and hash instead of seq 1, and archived rows are gone.
    sql: `
      CREATE TABLE audit_archive_cuts (
        chain_id       TEXT    NOT NULL PRIMARY KEY,
        to_seq         BIGINT  NOT NULL,
        to_hash        TEXT    NOT NULL,
        archived_at_ms BIGINT  NOT NULL
      );
    `,
  },
  {
    version: 7,
    name: 'provider_key_state',
    // Provider-key pools changed through the admin API (docs/rotation.md): one row per key with
    // its lifecycle, never its secret, and a store-wide version every replica polls. Replicas
    // report the version they applied and their calls in flight on keys leaving the pool, so an
    // admin change answers once the whole fleet runs with it.
    sql: `
      CREATE TABLE provider_key_state (
        provider      TEXT    NOT NULL,
        label         TEXT    NOT NULL,
        ref           TEXT,
        source        TEXT    NOT NULL CHECK (source IN ('config', 'admin')),
        state         TEXT    NOT NULL CHECK (state IN ('active', 'draining', 'revoked')),
        weight        INTEGER NOT NULL CHECK (weight >= 0),
        created_at_ms BIGINT,
        version       BIGINT  NOT NULL,
        updated_at_ms BIGINT  NOT NULL,
        actor         TEXT    NOT NULL,
        PRIMARY KEY (provider, label)
      );
      CREATE UNIQUE INDEX provider_key_state_version_idx ON provider_key_state (version);
      CREATE TABLE provider_key_replicas (
        replica_id      TEXT    NOT NULL PRIMARY KEY,
        applied_version BIGINT  NOT NULL,
        busy            TEXT    NOT NULL,
        seen_at_ms      BIGINT  NOT NULL
      );
    `,
  },
  {
    version: 8,
    name: 'anomalies',
    // The anomaly detector's shared state (src/policy/anomaly/): one row per subject and metric
    // holding the newest bucket's total over every replica and the EWMA baseline of the buckets
    // before it; the networks each key was used from; and raised alerts (the primary key makes
    // "once per kind, subject and window" hold across replicas).
    sql: `
      CREATE TABLE anomaly_counters (
        subject       TEXT    NOT NULL,
        metric        TEXT    NOT NULL,
        bucket_ms     BIGINT  NOT NULL,
        bucket_value  DOUBLE PRECISION NOT NULL,
        mean          DOUBLE PRECISION NOT NULL,
        variance      DOUBLE PRECISION NOT NULL,
        samples       BIGINT  NOT NULL,
        updated_at_ms BIGINT  NOT NULL,
        PRIMARY KEY (subject, metric)
      );
      CREATE INDEX anomaly_counters_updated_idx ON anomaly_counters (updated_at_ms);
      CREATE TABLE anomaly_networks (
        key_id        TEXT    NOT NULL,
        network       TEXT    NOT NULL,
        first_seen_ms BIGINT  NOT NULL,
        PRIMARY KEY (key_id, network)
      );
      CREATE TABLE anomaly_alerts (
        kind       TEXT    NOT NULL,
        subject    TEXT    NOT NULL,
        window_id  TEXT    NOT NULL,
        at_ms      BIGINT  NOT NULL,
        key_id     TEXT,
        key_prefix TEXT,
        env        TEXT,
        action     TEXT    NOT NULL,
        observed   DOUBLE PRECISION NOT NULL,
        baseline   DOUBLE PRECISION NOT NULL,
        threshold  DOUBLE PRECISION NOT NULL,
        network    TEXT,
        PRIMARY KEY (kind, subject, window_id)
      );
      CREATE INDEX anomaly_alerts_at_idx ON anomaly_alerts (at_ms);
    `,
  },
  {
    version: 9,
    name: 'console_state',
    // Operator console state shared by every replica: alert acknowledgements (any alert kind,
    // once per alert) and sign-in sessions, stored by the SHA-256 of the session token (never
    // the token), purged by expiry.
    sql: `
      CREATE TABLE alert_acks (
        kind     TEXT    NOT NULL,
        alert_id TEXT    NOT NULL,
        actor    TEXT    NOT NULL,
        at_ms    BIGINT  NOT NULL,
        PRIMARY KEY (kind, alert_id)
      );
      CREATE TABLE console_sessions (
        token_hash    TEXT    NOT NULL PRIMARY KEY,
        role          TEXT    NOT NULL CHECK (role IN ('admin', 'viewer')),
        label         TEXT    NOT NULL,
        created_at_ms BIGINT  NOT NULL,
        last_seen_ms  BIGINT  NOT NULL,
        expires_at_ms BIGINT  NOT NULL
      );
      CREATE INDEX console_sessions_expires_idx ON console_sessions (expires_at_ms);
      CREATE INDEX console_sessions_seen_idx ON console_sessions (last_seen_ms);
    `,
  },
  {
    version: 10,
    name: 'key_changes',
    // A counter every statement that changes `virtual_keys` bumps, in its own transaction: two
    // snapshots that read the same version hold the same keys, so a replica may answer from
    // the keys it read under the version it reads now (src/store/postgres/key-lookups.ts).
    // The row lock serialises key writes (rare). The function's search_path is pinned to this
    // schema: a write through another search_path must not bump another schema's counter.
    // ENABLE ALWAYS: it fires under session_replication_role = replica too (logical
    // replication, pg_restore), where an ordinary trigger stays silent.
    sql: `
      CREATE TABLE key_changes (
        id      BOOLEAN NOT NULL PRIMARY KEY DEFAULT true CHECK (id),
        version BIGINT  NOT NULL
      );
      INSERT INTO key_changes (id, version) VALUES (true, 0);
      CREATE FUNCTION bastion_key_changed() RETURNS trigger LANGUAGE plpgsql
        SET search_path FROM CURRENT AS $$
      BEGIN
        UPDATE key_changes SET version = version + 1;
        RETURN NULL;
      END
      $$;
      CREATE TRIGGER virtual_keys_changed
        AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON virtual_keys
        FOR EACH STATEMENT EXECUTE FUNCTION bastion_key_changed();
      ALTER TABLE virtual_keys ENABLE ALWAYS TRIGGER virtual_keys_changed;
    `,
  },
];
