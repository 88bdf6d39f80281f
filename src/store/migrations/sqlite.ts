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
  {
    version: 4,
    name: 'policy',
    // Key scopes (JSON), settled cost and end user on audit rows (the in-process budget
    // counters are rebuilt from them at start), kill switches, budget alerts (the primary key
    // makes "once per budget, window and threshold" hold across replicas) and operator events.
    sql: `
      ALTER TABLE virtual_keys ADD COLUMN scopes TEXT NOT NULL DEFAULT '{}';
      ALTER TABLE audit_log ADD COLUMN cost_micro_usd INTEGER;
      ALTER TABLE audit_log ADD COLUMN user_id TEXT;
      ALTER TABLE audit_log ADD COLUMN team TEXT;
      CREATE TABLE kill_switches (
        scope         TEXT    NOT NULL CHECK (scope IN ('global', 'env', 'provider', 'key')),
        target        TEXT    NOT NULL,
        reason        TEXT    NOT NULL,
        created_at_ms INTEGER NOT NULL,
        actor         TEXT    NOT NULL,
        PRIMARY KEY (scope, target)
      ) STRICT;
      CREATE TABLE budget_alerts (
        budget          TEXT    NOT NULL,
        window_id       TEXT    NOT NULL,
        threshold_pct   INTEGER NOT NULL,
        spent_micro_usd INTEGER NOT NULL,
        limit_micro_usd INTEGER NOT NULL,
        at_ms           INTEGER NOT NULL,
        PRIMARY KEY (budget, window_id, threshold_pct)
      ) STRICT;
      CREATE INDEX budget_alerts_at_idx ON budget_alerts (at_ms);
      CREATE TABLE admin_events (
        seq     INTEGER PRIMARY KEY AUTOINCREMENT,
        time_ms INTEGER NOT NULL,
        actor   TEXT    NOT NULL,
        action  TEXT    NOT NULL,
        target  TEXT    NOT NULL,
        detail  TEXT
      ) STRICT;
      CREATE INDEX admin_events_time_idx ON admin_events (time_ms);
    `,
  },
  {
    version: 5,
    name: 'audit_chain',
    // The hash chain (src/pipeline/audit/chain.ts). Nullable: rows written before this
    // migration stay, and verify reports them as unchained. The unique index reads one chain in
    // seq order and makes a retried batch (a commit whose reply was lost) insert nothing twice.
    sql: `
      ALTER TABLE audit_log ADD COLUMN chain_id TEXT;
      ALTER TABLE audit_log ADD COLUMN chain_seq INTEGER;
      ALTER TABLE audit_log ADD COLUMN prev_hash TEXT;
      ALTER TABLE audit_log ADD COLUMN hash TEXT;
      CREATE UNIQUE INDEX audit_log_chain_idx ON audit_log (chain_id, chain_seq);
    `,
  },
  {
    version: 6,
    name: 'audit_archive_cuts',
    // Where each chain's archived head ends (bastion audit archive): verify starts the chain's
    // remaining rows from this seq and hash instead of seq 1, and archived rows are gone.
    sql: `
      CREATE TABLE audit_archive_cuts (
        chain_id       TEXT    NOT NULL PRIMARY KEY,
        to_seq         INTEGER NOT NULL,
        to_hash        TEXT    NOT NULL,
        archived_at_ms INTEGER NOT NULL
      ) STRICT;
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
        created_at_ms INTEGER,
        version       INTEGER NOT NULL,
        updated_at_ms INTEGER NOT NULL,
        actor         TEXT    NOT NULL,
        PRIMARY KEY (provider, label)
      ) STRICT;
      CREATE UNIQUE INDEX provider_key_state_version_idx ON provider_key_state (version);
      CREATE TABLE provider_key_replicas (
        replica_id      TEXT    NOT NULL PRIMARY KEY,
        applied_version INTEGER NOT NULL,
        busy            TEXT    NOT NULL,
        seen_at_ms      INTEGER NOT NULL
      ) STRICT;
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
        bucket_ms     INTEGER  NOT NULL,
        bucket_value  REAL NOT NULL,
        mean          REAL NOT NULL,
        variance      REAL NOT NULL,
        samples       INTEGER  NOT NULL,
        updated_at_ms INTEGER  NOT NULL,
        PRIMARY KEY (subject, metric)
      ) STRICT;
      CREATE INDEX anomaly_counters_updated_idx ON anomaly_counters (updated_at_ms);
      CREATE TABLE anomaly_networks (
        key_id        TEXT    NOT NULL,
        network       TEXT    NOT NULL,
        first_seen_ms INTEGER  NOT NULL,
        PRIMARY KEY (key_id, network)
      ) STRICT;
      CREATE TABLE anomaly_alerts (
        kind       TEXT    NOT NULL,
        subject    TEXT    NOT NULL,
        window_id  TEXT    NOT NULL,
        at_ms      INTEGER  NOT NULL,
        key_id     TEXT,
        key_prefix TEXT,
        env        TEXT,
        action     TEXT    NOT NULL,
        observed   REAL NOT NULL,
        baseline   REAL NOT NULL,
        threshold  REAL NOT NULL,
        network    TEXT,
        PRIMARY KEY (kind, subject, window_id)
      ) STRICT;
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
        at_ms    INTEGER NOT NULL,
        PRIMARY KEY (kind, alert_id)
      ) STRICT;
      CREATE TABLE console_sessions (
        token_hash    TEXT    NOT NULL PRIMARY KEY,
        role          TEXT    NOT NULL CHECK (role IN ('admin', 'viewer')),
        label         TEXT    NOT NULL,
        created_at_ms INTEGER NOT NULL,
        last_seen_ms  INTEGER NOT NULL,
        expires_at_ms INTEGER NOT NULL
      ) STRICT;
      CREATE INDEX console_sessions_expires_idx ON console_sessions (expires_at_ms);
      CREATE INDEX console_sessions_seen_idx ON console_sessions (last_seen_ms);
    `,
  },
];
