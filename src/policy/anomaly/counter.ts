import type {
  AnomalyCounter,
  AnomalyDelta,
  AnomalyKind,
  AnomalyMetric,
} from '../../store/types.js';
import { EMPTY_BASELINE, foldEwma, type Baseline } from './ewma.js';

/** How a counter's bucket total becomes an alert. */
export interface CounterRule {
  readonly kind: AnomalyKind;
  /**
   * A bucket's total this process must reach before it is sent to the store (1 for most): a
   * spray of one failure from each of many addresses then adds no store rows.
   */
  readonly minSync: number;
  /** The total that raises, from the baseline before the current bucket. */
  threshold(baseline: Baseline): number;
}

/**
 * One subject's metric in this process: the current bucket's total as the store last reported
 * it (every replica's share) plus what this process added since. Updated in O(1) per request;
 * merged with the store by `drain` and `ack` off the request path.
 */
export interface Counter {
  readonly subject: string;
  readonly metric: AnomalyMetric;
  readonly rule: CounterRule;
  bucketMs: number;
  /** Added here, not yet sent to the store. */
  delta: number;
  /** Sent in the running flush, not yet acknowledged. */
  inflight: number;
  /** The store's total for `bucketMs` at the last acknowledgement. */
  shared: number;
  baseline: Baseline;
  threshold: number;
  isDirty: boolean;
  /** The cooldown window this process last raised in, to spare the store repeat attempts. */
  raisedWindow: number;
}

export function createCounter(subject: string, metric: AnomalyMetric, rule: CounterRule): Counter {
  return {
    subject,
    metric,
    rule,
    bucketMs: 0,
    delta: 0,
    inflight: 0,
    shared: 0,
    baseline: EMPTY_BASELINE,
    threshold: rule.threshold(EMPTY_BASELINE),
    isDirty: false,
    raisedWindow: -1,
  };
}

/**
 * Adds to the bucket `bucketMs` and returns its total over all replicas as far as known. A newer
 * bucket first moves the unsent amount to `carry` and folds the finished total into the local
 * baseline (the store's fold replaces it at the next flush). An amount stamped with an older
 * bucket (a clock step back) counts in the current one.
 */
export function bump(
  c: Counter,
  amount: number,
  bucketMs: number,
  alpha: number,
  carry: AnomalyDelta[],
): number {
  if (bucketMs > c.bucketMs) {
    const finished = c.shared + c.inflight + c.delta;
    if (c.delta > 0 && finished >= c.rule.minSync) {
      carry.push({ subject: c.subject, metric: c.metric, bucketMs: c.bucketMs, amount: c.delta });
    }
    if (finished > 0 && c.bucketMs > 0) setBaseline(c, foldEwma(c.baseline, finished, alpha));
    c.bucketMs = bucketMs;
    c.delta = 0;
    c.inflight = 0;
    c.shared = 0;
  }
  c.delta += amount;
  return c.shared + c.inflight + c.delta;
}

/** Moves the unsent amount to in-flight and returns it as a delta for the store. */
export function drain(c: Counter): AnomalyDelta {
  const d = { subject: c.subject, metric: c.metric, bucketMs: c.bucketMs, amount: c.delta };
  c.inflight += c.delta;
  c.delta = 0;
  c.isDirty = false;
  return d;
}

/** Takes the store's view of the counter after a flush. */
export function ack(c: Counter, row: AnomalyCounter, alpha: number): void {
  if (row.bucketMs === c.bucketMs) {
    c.shared = row.bucketValue;
    c.inflight = 0;
    setBaseline(c, row);
  } else if (row.bucketMs < c.bucketMs) {
    // This process moved on meanwhile: the stored bucket is finished, fold it as the store will.
    setBaseline(c, foldEwma(row, row.bucketValue, alpha));
  } else {
    // Another replica is already in a later bucket (clock skew): take its baseline, count anew.
    c.bucketMs = row.bucketMs;
    c.shared = row.bucketValue;
    c.inflight = 0;
    setBaseline(c, row);
  }
}

function setBaseline(c: Counter, b: Baseline): void {
  c.baseline = { mean: b.mean, variance: b.variance, samples: b.samples };
  c.threshold = c.rule.threshold(c.baseline);
}
