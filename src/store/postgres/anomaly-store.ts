import type pg from 'pg';
import {
  ANOMALY_ALERT_COLUMNS,
  anomalyAlertValues,
  anomalyRowParsers,
  anomalyUpsertSet,
} from '../anomaly-rows.js';
import { listLimit } from '../policy-rows.js';
import { rowChecks, type Row } from '../row-check.js';
import type { AnomalyAlert, AnomalyCounter, AnomalyDelta, AnomalyStore } from '../types.js';

const sql = {
  // One statement per bucket: ON CONFLICT may touch a row once per statement, and within one
  // bucket each (subject, metric) appears once.
  upsert: {
    name: 'bastion_anomaly_upsert',
    text:
      'INSERT INTO anomaly_counters (subject, metric, bucket_ms, bucket_value, mean, variance, ' +
      'samples, updated_at_ms) SELECT s, m, $3, v, 0, 0, 0, $4 ' +
      'FROM unnest($1::text[], $2::text[], $5::float8[]) AS d(s, m, v) ' +
      `ON CONFLICT (subject, metric) DO UPDATE SET ${anomalyUpsertSet('$6::float8', 'greatest')} ` +
      'RETURNING subject, metric, bucket_ms, bucket_value, mean, variance, samples',
  },
  // The outer SELECT reads the snapshot from before the insert: `known` excludes this network.
  addNetwork: {
    name: 'bastion_anomaly_add_network',
    text:
      'WITH ins AS (INSERT INTO anomaly_networks (key_id, network, first_seen_ms) ' +
      'VALUES ($1, $2, $3) ON CONFLICT DO NOTHING RETURNING 1) ' +
      'SELECT (SELECT count(*) FROM ins) AS inserted, ' +
      '(SELECT count(*) FROM anomaly_networks WHERE key_id = $1) AS known',
  },
  insertAlert: {
    name: 'bastion_anomaly_insert_alert',
    text:
      `INSERT INTO anomaly_alerts (${ANOMALY_ALERT_COLUMNS}) ` +
      'VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12) ON CONFLICT DO NOTHING',
  },
  hasAlert: {
    name: 'bastion_anomaly_has_alert',
    text: 'SELECT 1 FROM anomaly_alerts WHERE kind = $1 AND subject = $2 AND window_id = $3',
  },
  listAlerts: {
    name: 'bastion_anomaly_list_alerts',
    text:
      `SELECT ${ANOMALY_ALERT_COLUMNS} FROM anomaly_alerts WHERE at_ms >= $1 ` +
      'ORDER BY at_ms DESC, kind, subject LIMIT $2',
  },
  prune: {
    name: 'bastion_anomaly_prune',
    text: 'DELETE FROM anomaly_counters WHERE updated_at_ms < $1',
  },
} as const;

const parse = anomalyRowParsers(rowChecks('postgres'));
const checks = rowChecks('postgres');

/** The anomaly half of the PostgreSQL store. The caller wraps failures. */
export function createPostgresAnomalyStore(pool: pg.Pool): AnomalyStore {
  const rows = async (query: pg.QueryConfig): Promise<Row[]> => (await pool.query<Row>(query)).rows;
  return {
    async addAnomalyCounts(deltas: readonly AnomalyDelta[], alpha: number, atMs: number) {
      const byBucket = new Map<number, AnomalyDelta[]>();
      for (const d of deltas) {
        const list = byBucket.get(d.bucketMs);
        if (list === undefined) byBucket.set(d.bucketMs, [d]);
        else list.push(d);
      }
      const out: AnomalyCounter[] = [];
      // Oldest bucket first, so a newer one folds it rather than being dropped as stale.
      for (const bucketMs of [...byBucket.keys()].sort((a, b) => a - b)) {
        const list = byBucket.get(bucketMs) ?? [];
        const values = [
          list.map((d) => d.subject),
          list.map((d) => d.metric),
          bucketMs,
          atMs,
          list.map((d) => d.amount),
          alpha,
        ];
        out.push(...(await rows({ ...sql.upsert, values })).map(parse.counter));
      }
      return out;
    },
    async addSeenNetwork(keyId: string, network: string, atMs: number) {
      const row = (await rows({ ...sql.addNetwork, values: [keyId, network, atMs] }))[0] ?? {};
      const t = 'anomaly_networks';
      return { isNew: checks.int(row, t, 'inserted') === 1, known: checks.int(row, t, 'known') };
    },
    recordAnomalyAlert: async (a: AnomalyAlert) =>
      (await pool.query({ ...sql.insertAlert, values: anomalyAlertValues(a) })).rowCount === 1,
    hasAnomalyAlert: async (a) =>
      (await rows({ ...sql.hasAlert, values: [a.kind, a.subject, a.window] })).length > 0,
    listAnomalyAlerts: async (q) =>
      (await rows({ ...sql.listAlerts, values: [q.sinceMs ?? 0, listLimit(q.limit)] })).map(
        parse.alert,
      ),
    pruneAnomalyCounters: async (beforeMs: number) =>
      (await pool.query({ ...sql.prune, values: [beforeMs] })).rowCount ?? 0,
  };
}
