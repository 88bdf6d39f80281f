import type { RowChecks } from './row-check.js';
import type { AnomalyAlert, AnomalyCounter, AnomalyKind, AnomalyMetric } from './types.js';

const METRICS: ReadonlySet<string> = new Set(['requests', 'spend', 'refusals', 'auth_failures']);
const KINDS: ReadonlySet<string> = new Set([
  'spend_spike',
  'request_spike',
  'new_network',
  'auth_probing',
  'guard_refusals',
]);

/** Rows of the anomaly tables (migration 8), for both stores. */
export function anomalyRowParsers(c: RowChecks): {
  counter: (value: unknown) => AnomalyCounter;
  alert: (value: unknown) => AnomalyAlert;
} {
  const { asRow, text, textOrNull, int, num } = c;
  const corrupt: (table: string, column: string) => never = c.corrupt;
  return {
    counter(value) {
      const t = 'anomaly_counters';
      const r = asRow(value, t);
      const metric = text(r, t, 'metric');
      if (!METRICS.has(metric)) corrupt(t, 'metric');
      return {
        subject: text(r, t, 'subject'),
        metric: metric as AnomalyMetric,
        bucketMs: int(r, t, 'bucket_ms'),
        bucketValue: num(r, t, 'bucket_value'),
        mean: num(r, t, 'mean'),
        variance: num(r, t, 'variance'),
        samples: int(r, t, 'samples'),
      };
    },
    alert(value) {
      const t = 'anomaly_alerts';
      const r = asRow(value, t);
      const kind = text(r, t, 'kind');
      if (!KINDS.has(kind)) corrupt(t, 'kind');
      const action = text(r, t, 'action');
      if (action !== 'alert' && action !== 'suspend') corrupt(t, 'action');
      return {
        kind: kind as AnomalyKind,
        subject: text(r, t, 'subject'),
        window: text(r, t, 'window_id'),
        atMs: int(r, t, 'at_ms'),
        keyId: textOrNull(r, t, 'key_id'),
        keyPrefix: textOrNull(r, t, 'key_prefix'),
        env: r.env === null ? null : c.env(r, t, 'env'),
        action,
        observed: num(r, t, 'observed'),
        baseline: num(r, t, 'baseline'),
        threshold: num(r, t, 'threshold'),
        network: textOrNull(r, t, 'network'),
      };
    },
  };
}

/** The columns of `anomaly_alerts` in insert order, with the alert's values. */
export function anomalyAlertValues(a: AnomalyAlert): unknown[] {
  return [
    a.kind,
    a.subject,
    a.window,
    a.atMs,
    a.keyId,
    a.keyPrefix,
    a.env,
    a.action,
    a.observed,
    a.baseline,
    a.threshold,
    a.network,
  ];
}

export const ANOMALY_ALERT_COLUMNS =
  'kind, subject, window_id, at_ms, key_id, key_prefix, env, action, observed, baseline, threshold, network';

/**
 * The upsert's SET list, the same text for both databases (`greatest` is spelled per driver):
 * a delta for a newer bucket folds the stored bucket into the EWMA first (the first bucket seeds
 * the mean), the same bucket adds up, an older bucket changes nothing. Every right-hand side
 * reads the row as it was, so the order of the assignments does not matter.
 */
export function anomalyUpsertSet(alpha: string, greatest: 'max' | 'greatest'): string {
  const t = 'anomaly_counters';
  const newer = `excluded.bucket_ms > ${t}.bucket_ms`;
  const d = `(${t}.bucket_value - ${t}.mean)`;
  return [
    `mean = CASE WHEN ${newer} THEN CASE WHEN ${t}.samples = 0 THEN ${t}.bucket_value ` +
      `ELSE ${t}.mean + ${alpha} * ${d} END ELSE ${t}.mean END`,
    `variance = CASE WHEN ${newer} AND ${t}.samples > 0 ` +
      `THEN (1 - ${alpha}) * (${t}.variance + ${alpha} * ${d} * ${d}) ELSE ${t}.variance END`,
    `samples = CASE WHEN ${newer} THEN ${t}.samples + 1 ELSE ${t}.samples END`,
    `bucket_value = CASE WHEN ${newer} THEN excluded.bucket_value ` +
      `WHEN excluded.bucket_ms = ${t}.bucket_ms THEN ${t}.bucket_value + excluded.bucket_value ` +
      `ELSE ${t}.bucket_value END`,
    `bucket_ms = ${greatest}(${t}.bucket_ms, excluded.bucket_ms)`,
    `updated_at_ms = excluded.updated_at_ms`,
  ].join(', ');
}
