import type { Logger } from '../../log/logger.js';
import type { AnomalyDelta, AnomalyStore } from '../../store/types.js';
import { ack, drain, type Counter } from './counter.js';
import type { TrackerState } from './state.js';

const MAX_CARRY = 10_000;

/**
 * One merge with the store: sends every amount added since the last one (and what an earlier
 * failed merge or a bucket change carried over), and takes back each counter's total over all
 * replicas and its baseline. On failure the amounts wait for the next merge (bounded), and
 * detection goes on with the baselines it has.
 */
export async function syncCounters(
  state: TrackerState,
  deps: { store: Pick<AnomalyStore, 'addAnomalyCounts'>; log: Logger },
  opts: { alpha: number; nowMs: number },
): Promise<boolean> {
  const counters = state.dirty.splice(0);
  const deltas: AnomalyDelta[] = state.carry;
  state.carry = [];
  for (const c of counters) if (c.delta > 0) deltas.push(drain(c));
  for (const c of counters) c.isDirty = false;
  if (deltas.length === 0) return true;
  try {
    const rows = await deps.store.addAnomalyCounts(deltas, opts.alpha, opts.nowMs);
    const byId = new Map<string, Counter>(counters.map((c) => [`${c.metric}|${c.subject}`, c]));
    for (const row of rows) {
      const c = byId.get(`${row.metric}|${row.subject}`);
      if (c !== undefined) ack(c, row, opts.alpha);
    }
    return true;
  } catch (err) {
    for (const c of counters) c.inflight = 0;
    state.carry = [...deltas, ...state.carry].slice(-MAX_CARRY);
    deps.log.error({ event: 'anomaly_sync_failed', err, pending: state.carry.length });
    return false;
  }
}
