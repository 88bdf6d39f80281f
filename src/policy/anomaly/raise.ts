import type { WebhookSender } from '../../alerts/webhook.js';
import type { Logger } from '../../log/logger.js';
import type { AnomalyAlert, AnomalyStore, KillSwitch, PolicyStore } from '../../store/types.js';

export interface AnomalyRaiseDeps {
  store: Pick<AnomalyStore, 'recordAnomalyAlert'> & Pick<PolicyStore, 'appendAdminEvent'>;
  /** Engages a key kill switch here and in the store (the kill-switch state's `set`). */
  suspend: (entry: KillSwitch) => Promise<void>;
  webhook: WebhookSender | undefined;
  log: Logger;
}

/** Who suspends a key for an anomaly, in the kill switch and the operator event. */
export const ANOMALY_ACTOR = 'anomaly-detector';

/**
 * Raises one alert: the store decides whether it is new (its primary key holds across replicas),
 * then the key is suspended when the policy says so, then the log line and the signed webhook go
 * out, so a receiver that hears of a suspension can rely on it being in force.
 */
export async function raiseAnomaly(deps: AnomalyRaiseDeps, alert: AnomalyAlert): Promise<void> {
  if (!(await deps.store.recordAnomalyAlert(alert))) return;
  if (alert.action === 'suspend' && alert.keyId !== null) {
    const reason = `anomaly: ${alert.kind}`;
    await deps.suspend({
      scope: 'key',
      target: alert.keyId,
      reason,
      createdAtMs: alert.atMs,
      actor: ANOMALY_ACTOR,
    });
    await deps.store.appendAdminEvent({
      timeMs: alert.atMs,
      actor: ANOMALY_ACTOR,
      action: 'kill_switch_set',
      target: `key:${alert.keyId}`,
      detail: reason,
    });
  }
  deps.log.warn({ event: 'anomaly_alert', ...alert });
  deps.webhook?.send(`anomaly:${alert.kind}:${alert.subject}:${alert.window}`, {
    type: 'anomaly_alert',
    ...alert,
  });
}
