import type Database from 'better-sqlite3';
import {
  ANOMALY_ALERT_COLUMNS,
  anomalyAlertValues,
  anomalyRowParsers,
  anomalyUpsertSet,
} from '../anomaly-rows.js';
import { listLimit } from '../policy-rows.js';
import { rowChecks } from '../row-check.js';
import type { AnomalyAlert, AnomalyCounter, AnomalyDelta, AnomalyStore } from '../types.js';

const parse = anomalyRowParsers(rowChecks('sqlite'));

/** The anomaly half of the SQLite store. Synchronous driver calls; the caller wraps failures. */
export function createSqliteAnomalyStore(db: Database.Database): {
  [K in keyof AnomalyStore]: (
    ...args: Parameters<AnomalyStore[K]>
  ) => Awaited<ReturnType<AnomalyStore[K]>>;
} {
  const prepare = (sql: string) => db.prepare<unknown[]>(sql);
  const s = {
    upsert: prepare(
      'INSERT INTO anomaly_counters (subject, metric, bucket_ms, bucket_value, mean, variance, ' +
        'samples, updated_at_ms) VALUES (?, ?, ?, ?, 0, 0, 0, ?) ON CONFLICT (subject, metric) ' +
        `DO UPDATE SET ${anomalyUpsertSet('@alpha', 'max')} ` +
        'RETURNING subject, metric, bucket_ms, bucket_value, mean, variance, samples',
    ),
    insertNetwork: prepare(
      'INSERT INTO anomaly_networks (key_id, network, first_seen_ms) VALUES (?, ?, ?) ' +
        'ON CONFLICT DO NOTHING',
    ),
    countNetworks: prepare('SELECT count(*) FROM anomaly_networks WHERE key_id = ?').pluck(),
    insertAlert: prepare(
      `INSERT INTO anomaly_alerts (${ANOMALY_ALERT_COLUMNS}) ` +
        'VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT DO NOTHING',
    ),
    listAlerts: prepare(
      `SELECT ${ANOMALY_ALERT_COLUMNS} FROM anomaly_alerts WHERE at_ms >= ? ` +
        'ORDER BY at_ms DESC, kind, subject LIMIT ?',
    ),
    hasAlert: prepare(
      'SELECT 1 FROM anomaly_alerts WHERE kind = ? AND subject = ? AND window_id = ?',
    ).pluck(),
    prune: prepare('DELETE FROM anomaly_counters WHERE updated_at_ms < ?'),
  };
  // better-sqlite3 binds named and positional parameters together when the named ones come
  // last as an object.
  const addCounts = db.transaction(
    (deltas: readonly AnomalyDelta[], alpha: number, atMs: number): AnomalyCounter[] =>
      [...deltas]
        .sort((a, b) => a.bucketMs - b.bucketMs)
        .map((d) =>
          parse.counter(s.upsert.get(d.subject, d.metric, d.bucketMs, d.amount, atMs, { alpha })),
        ),
  );
  const addNetwork = db.transaction((keyId: string, network: string, atMs: number) => {
    const isNew = s.insertNetwork.run(keyId, network, atMs).changes === 1;
    const total = Number(s.countNetworks.get(keyId));
    return { isNew, known: isNew ? total - 1 : total };
  });

  return {
    addAnomalyCounts: (deltas, alpha, atMs) => addCounts.immediate(deltas, alpha, atMs),
    addSeenNetwork: (keyId, network, atMs) => addNetwork.immediate(keyId, network, atMs),
    recordAnomalyAlert: (a: AnomalyAlert) =>
      s.insertAlert.run(...anomalyAlertValues(a)).changes === 1,
    hasAnomalyAlert: (a) => s.hasAlert.get(a.kind, a.subject, a.window) !== undefined,
    listAnomalyAlerts: (q) => s.listAlerts.all(q.sinceMs ?? 0, listLimit(q.limit)).map(parse.alert),
    pruneAnomalyCounters: (beforeMs) => s.prune.run(beforeMs).changes,
  };
}
