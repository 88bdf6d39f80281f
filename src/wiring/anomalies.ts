import type { Config } from '../config/schema.js';
import type { Logger } from '../log/logger.js';
import type { PolicyRuntime } from '../pipeline/policy/runtime.js';
import { createAnomalyTracker, type AnomalyTracker } from '../policy/anomaly/tracker.js';
import type { Store } from '../store/types.js';
import type { Clock } from '../util/clock.js';

/**
 * The anomaly detector, once per process (`anomalies` is read at start; a reload that changes it
 * is refused). Alerts go out on the running generation's signed alerts webhook, the one budget
 * alerts use, so `alerts.*` changes reach both; a suspension engages a key kill switch through
 * the running kill-switch state, so it holds at once here and within a poll interval on every
 * replica.
 */
export function buildAnomalies(
  config: Config,
  deps: { store: Store; policy: PolicyRuntime; clock: Clock; log: Logger },
): AnomalyTracker | undefined {
  if (!config.anomalies.enabled) return undefined;
  const { policy } = deps;
  return createAnomalyTracker(
    {
      store: deps.store,
      suspend: (entry) => policy.killSwitch.set(entry),
      webhook: {
        send: (eventId, payload) => policy.webhook?.send(eventId, payload),
        idle: () => policy.webhook?.idle() ?? Promise.resolve(),
      },
      clock: deps.clock,
      log: deps.log.child({ mod: 'anomaly' }),
    },
    config.anomalies,
  );
}
