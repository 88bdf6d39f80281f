import type { Logger } from '../../log/logger.js';
import type { AnomalyDelta, AnomalyStore } from '../../store/types.js';
import { ack, drain, type Counter } from './counter.js';
import type { TrackerState } from './state.js';

const MAX_CARRY = 10_000;
const CHUNK = 256;

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
  const carried = state.carry;
  state.carry = [];
  const sent: { c: Counter; d: AnomalyDelta }[] = [];
  for (const c of counters) {
    c.isDirty = false;
    if (c.delta === 0) continue;
    // Below its minimum the amount stays here (the next bump marks the counter again).
    if (c.shared + c.inflight + c.delta < c.rule.minSync) continue;
    sent.push({ c, d: drain(c) });
  }
  const deltas = [...carried, ...sent.map((s) => s.d)];
  if (deltas.length === 0) return true;
  const byId = new Map<string, Counter>(counters.map((c) => [`${c.metric}|${c.subject}`, c]));
  let done = 0;
  try {
    // In chunks, yielding between them: a synchronous driver (SQLite) would otherwise hold the
    // event loop, and every request waiting on it, for the whole merge.
    for (; done < deltas.length; done += CHUNK) {
      if (done > 0) await new Promise((resolve) => setImmediate(resolve));
      const chunk = deltas.slice(done, done + CHUNK);
      const rows = await deps.store.addAnomalyCounts(chunk, opts.alpha, opts.nowMs);
      for (const row of rows) {
        const c = byId.get(`${row.metric}|${row.subject}`);
        if (c !== undefined) ack(c, row, opts.alpha);
      }
    }
    return true;
  } catch (err) {
    const unsent = new Set(deltas.slice(done));
    const keep = carried.filter((d) => unsent.has(d));
    for (const { c, d } of sent) {
      if (!unsent.has(d)) continue;
      if (c.bucketMs !== d.bucketMs) {
        keep.push(d);
        continue;
      }
      // Still the bucket it was sent for: the amount goes back into it, so the running total
      // (and detection on it) is unchanged, and the next merge sends it again.
      c.delta += d.amount;
      c.inflight = Math.max(0, c.inflight - d.amount);
      if (!c.isDirty) {
        c.isDirty = true;
        state.dirty.push(c);
      }
    }
    state.carry = [...keep, ...state.carry].slice(-MAX_CARRY);
    deps.log.error({ event: 'anomaly_sync_failed', err, pending: state.carry.length });
    return false;
  }
}
