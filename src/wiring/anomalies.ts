import { createWebhookSender } from '../alerts/webhook.js';
import { liveSecret, type SecretLookup } from '../config/startup-secrets.js';
import type { Config } from '../config/schema.js';
import type { Logger } from '../log/logger.js';
import type { PolicyRuntime } from '../pipeline/policy/runtime.js';
import { createAnomalyTracker, type AnomalyTracker } from '../policy/anomaly/tracker.js';
import type { Store } from '../store/types.js';
import type { Clock } from '../util/clock.js';

/**
 * The anomaly detector, once per process (config `anomalies` is read at start). Alerts go to the
 * budget alerts' webhook with the same signature; a suspension engages a key kill switch through
 * the running generation's kill-switch state, so it holds at once here and within a poll
 * interval on every replica.
 */
export function buildAnomalies(
  config: Config,
  deps: { store: Store; policy: PolicyRuntime; secretOf: SecretLookup; clock: Clock; log: Logger },
): AnomalyTracker | undefined {
  if (!config.anomalies.enabled) return undefined;
  const log = deps.log.child({ mod: 'anomaly' });
  const { webhookUrl, webhookSecret } = config.alerts;
  const webhook =
    webhookUrl === undefined
      ? undefined
      : createWebhookSender(
          {
            secret:
              webhookSecret === undefined ? undefined : liveSecret(deps.secretOf, webhookSecret),
            log,
            clock: deps.clock,
          },
          { ...config.alerts, url: webhookUrl },
        );
  return createAnomalyTracker(
    {
      store: deps.store,
      suspend: (entry) => deps.policy.killSwitch.set(entry),
      webhook,
      clock: deps.clock,
      log,
    },
    config.anomalies,
  );
}
