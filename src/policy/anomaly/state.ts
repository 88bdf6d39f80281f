import type { Logger } from '../../log/logger.js';
import type { AnomalyDelta, AnomalyKind, AnomalyMetric, Environment } from '../../store/types.js';
import type { AnomaliesConfig } from './config.js';
import { createCounter, type Counter, type CounterRule } from './counter.js';
import { spikeThreshold } from './ewma.js';

/** What the detector tracks about one key, environment, address or key prefix. */
export interface Subject {
  /** A key id, `env:<env>`, `ip:<address>` or `prefix:<key prefix>`. */
  readonly id: string;
  readonly keyId: string | null;
  readonly keyPrefix: string | null;
  readonly env: Environment | null;
  readonly counters: Partial<Record<AnomalyMetric, Counter>>;
  lastIp: string | undefined;
  networks: Set<string> | undefined;
  lastSeenMs: number;
}

/** The detector's memory: subjects, the counters a flush must send, and what it carries over. */
export interface TrackerState {
  readonly subjects: Map<string, Subject>;
  readonly dirty: Counter[];
  carry: AnomalyDelta[];
  isFull: boolean;
}

export type Rules = Partial<Record<AnomalyMetric, CounterRule>>;

export function createTrackerState(): TrackerState {
  return { subjects: new Map(), dirty: [], carry: [], isFull: false };
}

/** The rule of each metric, or none when its kind is disabled. */
export function buildRules(cfg: AnomaliesConfig): Rules {
  const spike = (kind: AnomalyKind, c: AnomaliesConfig['spendSpike']): CounterRule | undefined =>
    c.enabled ? { kind, minSync: 1, threshold: (b) => spikeThreshold(b, c) } : undefined;
  const probing = cfg.authProbing;
  return {
    spend: spike('spend_spike', cfg.spendSpike),
    requests: spike('request_spike', cfg.requestSpike),
    refusals: spike('guard_refusals', cfg.guardRefusals),
    auth_failures: probing.enabled
      ? { kind: 'auth_probing', minSync: 2, threshold: () => probing.threshold }
      : undefined,
  };
}

/**
 * The subject, made on first sight unless `maxSubjects` are tracked already. Fields are passed
 * one by one so a hit (every request but a subject's first) allocates nothing.
 */
export function subjectOf(
  state: TrackerState,
  id: string,
  keyId: string | null,
  keyPrefix: string | null,
  env: Environment | null,
  opts: { maxSubjects: number; log: Logger },
): Subject | undefined {
  const found = state.subjects.get(id);
  if (found !== undefined) return found;
  if (state.subjects.size >= opts.maxSubjects) {
    if (!state.isFull) opts.log.warn({ event: 'anomaly_subjects_full', max: opts.maxSubjects });
    state.isFull = true;
    return undefined;
  }
  const s: Subject = {
    id,
    keyId,
    keyPrefix,
    env,
    counters: {},
    lastIp: undefined,
    networks: undefined,
    lastSeenMs: 0,
  };
  state.subjects.set(id, s);
  return s;
}

/** The subject's counter of a metric, made on first use. */
export function counterOf(s: Subject, metric: AnomalyMetric, rule: CounterRule): Counter {
  return (s.counters[metric] ??= createCounter(s.id, metric, rule));
}

/**
 * Forgets subjects idle for two buckets with nothing left to send (their baselines stay in the
 * store and come back with their next flush).
 */
export function sweepIdle(state: TrackerState, nowMs: number, bucketMs: number): void {
  for (const [id, s] of state.subjects) {
    if (nowMs - s.lastSeenMs < 2 * bucketMs) continue;
    const counters = Object.values(s.counters);
    if (counters.some((c) => c.isDirty || c.inflight > 0)) continue;
    state.subjects.delete(id);
  }
  state.isFull = false;
}
