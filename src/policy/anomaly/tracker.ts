import type { Logger } from '../../log/logger.js';
import type { AnomalyStore } from '../../store/types.js';
import type { Clock } from '../../util/clock.js';
import type { AnomaliesConfig } from './config.js';
import { observeRequest, type ObserveContext, type ObservedRequest } from './observe.js';
import type { AnomalyRaiseDeps } from './raise.js';
import { buildRules, createTrackerState, sweepIdle } from './state.js';
import { syncCounters } from './sync.js';

export type { ObservedRequest };

export interface AnomalyTracker {
  /**
   * After a request's last byte: O(1) counter updates in memory and one comparison per counter
   * with its precomputed threshold. Store work (alerts, network checks) runs in the background.
   * `presentedKeyPrefix` is the visible prefix of a virtual key that failed authentication.
   */
  observe(req: ObservedRequest, presentedKeyPrefix?: string): void;
  /** Merges counts with the store (every replica's) and refreshes baselines; run on a timer. */
  flush(): Promise<void>;
  start(): void;
  /** Stops the timer, flushes once more and waits for alerts in progress. */
  stop(): Promise<void>;
  /** Resolves when every alert, network check and webhook delivery so far has finished. */
  idle(): Promise<void>;
}

export interface AnomalyTrackerDeps extends AnomalyRaiseDeps {
  store: AnomalyRaiseDeps['store'] &
    Pick<AnomalyStore, 'addAnomalyCounts' | 'addSeenNetwork' | 'pruneAnomalyCounters'>;
  clock: Clock;
  log: Logger;
}

const MAINTAIN_EVERY_MS = 10 * 60_000;
const COUNTER_RETENTION_MS = 7 * 86_400_000;

/**
 * Per-key (and optionally per-environment) anomaly detection (docs/anomalies.md): spend, request
 * and guard-refusal spikes against each subject's EWMA baseline, new source networks, and bursts
 * of failed authentication. Counts live in memory and are merged with the store every
 * `flushIntervalMs`, so replicas add to one baseline and a restart keeps it.
 */
export function createAnomalyTracker(
  deps: AnomalyTrackerDeps,
  cfg: AnomaliesConfig,
): AnomalyTracker {
  const { log, clock } = deps;
  const pending = new Set<Promise<void>>();
  const x: ObserveContext = {
    cfg,
    raise: deps,
    store: deps.store,
    state: createTrackerState(),
    rules: buildRules(cfg),
    limits: { maxSubjects: cfg.maxSubjects, log },
    bucketMs: cfg.bucketSec * 1000,
    cooldownMs: cfg.cooldownSec * 1000,
    background(work, event) {
      const p = work
        .catch((err: unknown) => log.error({ event, err }))
        .finally(() => pending.delete(p));
      pending.add(p);
    },
  };
  let timer: NodeJS.Timeout | undefined;
  let flushing: Promise<void> | undefined;
  let maintainedAtMs = clock.now();

  async function runFlush(): Promise<void> {
    const nowMs = clock.now();
    await syncCounters(x.state, { store: deps.store, log }, { alpha: cfg.alpha, nowMs });
    // Full: forget idle subjects now rather than at the next maintenance.
    if (x.state.isFull) sweepIdle(x.state, nowMs, x.bucketMs);
    if (nowMs - maintainedAtMs < MAINTAIN_EVERY_MS) return;
    maintainedAtMs = nowMs;
    sweepIdle(x.state, nowMs, x.bucketMs);
    await deps.store.pruneAnomalyCounters(nowMs - COUNTER_RETENTION_MS).catch((err: unknown) => {
      log.error({ event: 'anomaly_prune_failed', err });
    });
  }

  function flush(): Promise<void> {
    // One merge at a time: a slow store must not pile them up.
    flushing ??= runFlush().finally(() => (flushing = undefined));
    return flushing;
  }

  async function idle(): Promise<void> {
    while (pending.size > 0) await Promise.allSettled([...pending]);
    await deps.webhook?.idle();
  }

  return {
    observe: (req, presentedKeyPrefix) => observeRequest(x, req, presentedKeyPrefix, clock.now()),
    flush,
    idle,
    start() {
      timer = setInterval(() => void flush(), cfg.flushIntervalMs);
      timer.unref();
    },
    async stop() {
      if (timer !== undefined) clearInterval(timer);
      await flush();
      await idle();
    },
  };
}
