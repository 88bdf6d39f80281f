import type pg from 'pg';
import type { ProviderKeyStore } from '../types.js';
import { busyJson, poolRowParsers, PROVIDER_KEY_COLUMNS, providerKeyParams } from '../pool-rows.js';
import { rowChecks, type Row } from '../row-check.js';

/** Replica reports older than this are deleted by the next report. */
const REPLICA_KEEP_MS = 86_400_000;

const sql = {
  version: {
    name: 'bastion_provider_keys_version',
    text: 'SELECT COALESCE(MAX(version), 0) AS version FROM provider_key_state',
  },
  list: {
    name: 'bastion_list_provider_keys',
    text: `SELECT ${PROVIDER_KEY_COLUMNS} FROM provider_key_state ORDER BY provider, label`,
  },
  // Run under the table lock: the next version is taken and committed before any other write
  // takes one, so versions grow in commit order and a poll that read MAX(version) = v has seen
  // every write up to v. Inserts nothing when the provider's version moved.
  put: {
    name: 'bastion_put_provider_key',
    text:
      `INSERT INTO provider_key_state (${PROVIDER_KEY_COLUMNS}) ` +
      // Typed: parameters in a SELECT list do not take the target columns' types.
      'SELECT $1::text, $2::text, $3::text, $4::text, $5::text, $6::integer, $7::bigint, ' +
      '(SELECT COALESCE(MAX(version), 0) + 1 FROM provider_key_state), $8::bigint, $9::text ' +
      'WHERE (SELECT COALESCE(MAX(version), 0) FROM provider_key_state WHERE provider = $1::text) = $10::bigint ' +
      'ON CONFLICT (provider, label) DO UPDATE SET ref = excluded.ref, source = excluded.source, ' +
      'state = excluded.state, weight = excluded.weight, created_at_ms = excluded.created_at_ms, ' +
      'version = excluded.version, updated_at_ms = excluded.updated_at_ms, actor = excluded.actor ' +
      `RETURNING ${PROVIDER_KEY_COLUMNS}`,
  },
  report: {
    name: 'bastion_report_pool_replica',
    text:
      'WITH gone AS (DELETE FROM provider_key_replicas WHERE seen_at_ms < $5) ' +
      'INSERT INTO provider_key_replicas (replica_id, applied_version, busy, seen_at_ms) ' +
      'VALUES ($1, $2, $3, $4) ON CONFLICT (replica_id) DO UPDATE SET ' +
      'applied_version = excluded.applied_version, busy = excluded.busy, seen_at_ms = excluded.seen_at_ms',
  },
  replicas: {
    name: 'bastion_list_pool_replicas',
    text:
      'SELECT replica_id, applied_version, busy, seen_at_ms FROM provider_key_replicas ' +
      'WHERE seen_at_ms >= $1 ORDER BY replica_id',
  },
} as const;

const checks = rowChecks('postgres');
const parse = poolRowParsers(checks);

/** Provider-key pool state on PostgreSQL. The caller wraps failures. */
export function createPostgresPoolStore(pool: pg.Pool): ProviderKeyStore {
  const rows = async (query: pg.QueryConfig): Promise<Row[]> => (await pool.query<Row>(query)).rows;
  return {
    providerKeysVersion: async () => {
      const [row] = await rows(sql.version);
      return checks.int(checks.asRow(row, 'provider_key_state'), 'provider_key_state', 'version');
    },
    listProviderKeys: async () => (await rows(sql.list)).map(parse.key),
    putProviderKey: async (row, expectedVersion) => {
      const client = await pool.connect();
      let isBroken = false;
      try {
        await client.query('BEGIN');
        // EXCLUSIVE lets polls read (ACCESS SHARE) and makes writers queue.
        await client.query('LOCK TABLE provider_key_state IN EXCLUSIVE MODE');
        const written = await client.query<Row>({
          ...sql.put,
          values: [...providerKeyParams(row), expectedVersion],
        });
        await client.query('COMMIT');
        const [stored] = written.rows;
        return stored === undefined ? undefined : parse.key(stored);
      } catch (err) {
        isBroken = true;
        await client.query('ROLLBACK').catch(() => undefined);
        throw err;
      } finally {
        client.release(isBroken);
      }
    },
    reportPoolReplica: async (r) => {
      await pool.query({
        ...sql.report,
        values: [
          r.replicaId,
          r.appliedVersion,
          busyJson(r.busy),
          r.seenAtMs,
          r.seenAtMs - REPLICA_KEEP_MS,
        ],
      });
    },
    listPoolReplicas: async (sinceMs) =>
      (await rows({ ...sql.replicas, values: [sinceMs] })).map(parse.replica),
  };
}
