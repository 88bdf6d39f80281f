import type Database from 'better-sqlite3';
import type { ProviderKeyStore } from '../types.js';
import { busyJson, poolRowParsers, PROVIDER_KEY_COLUMNS, providerKeyParams } from '../pool-rows.js';
import { rowChecks } from '../row-check.js';

/** Replica reports older than this are deleted by the next report. */
const REPLICA_KEEP_MS = 86_400_000;

const checks = rowChecks('sqlite');
const parse = poolRowParsers(checks);

type Sync<T> = {
  [K in keyof T]: T[K] extends (...a: infer A) => Promise<infer R> ? (...a: A) => R : never;
};

/**
 * Provider-key pool state on SQLite. A write runs in an IMMEDIATE transaction, so versions are
 * taken in commit order across every process on the file. Synchronous; the caller wraps failures.
 */
export function createSqlitePoolStore(db: Database.Database): Sync<ProviderKeyStore> {
  const version = db.prepare<[]>(
    'SELECT COALESCE(MAX(version), 0) AS version FROM provider_key_state',
  );
  const list = db.prepare<[]>(
    `SELECT ${PROVIDER_KEY_COLUMNS} FROM provider_key_state ORDER BY provider, label`,
  );
  const put = db.prepare<unknown[]>(
    `INSERT INTO provider_key_state (${PROVIDER_KEY_COLUMNS}) ` +
      'SELECT ?, ?, ?, ?, ?, ?, ?, ' +
      '(SELECT COALESCE(MAX(version), 0) + 1 FROM provider_key_state), ?, ? ' +
      'WHERE (SELECT COALESCE(MAX(version), 0) FROM provider_key_state WHERE provider = ?) = ? ' +
      'ON CONFLICT (provider, label) DO UPDATE SET ref = excluded.ref, source = excluded.source, ' +
      'state = excluded.state, weight = excluded.weight, created_at_ms = excluded.created_at_ms, ' +
      'version = excluded.version, updated_at_ms = excluded.updated_at_ms, actor = excluded.actor ' +
      `RETURNING ${PROVIDER_KEY_COLUMNS}`,
  );
  const prune = db.prepare<[number]>('DELETE FROM provider_key_replicas WHERE seen_at_ms < ?');
  const report = db.prepare<[string, number, string, number]>(
    'INSERT INTO provider_key_replicas (replica_id, applied_version, busy, seen_at_ms) ' +
      'VALUES (?, ?, ?, ?) ON CONFLICT (replica_id) DO UPDATE SET ' +
      'applied_version = excluded.applied_version, busy = excluded.busy, seen_at_ms = excluded.seen_at_ms',
  );
  const replicas = db.prepare<[number]>(
    'SELECT replica_id, applied_version, busy, seen_at_ms FROM provider_key_replicas ' +
      'WHERE seen_at_ms >= ? ORDER BY replica_id',
  );
  const write = db.transaction((params: unknown[]) => put.get(...params));
  return {
    providerKeysVersion: () =>
      checks.int(
        checks.asRow(version.get(), 'provider_key_state'),
        'provider_key_state',
        'version',
      ),
    listProviderKeys: () => list.all().map(parse.key),
    putProviderKey: (row, expectedVersion) => {
      const params = [...providerKeyParams(row), row.provider, expectedVersion];
      const stored = write.immediate(params);
      return stored === undefined ? undefined : parse.key(stored);
    },
    reportPoolReplica: (r) => {
      prune.run(r.seenAtMs - REPLICA_KEEP_MS);
      report.run(r.replicaId, r.appliedVersion, busyJson(r.busy), r.seenAtMs);
    },
    listPoolReplicas: (sinceMs) => replicas.all(sinceMs).map(parse.replica),
  };
}
