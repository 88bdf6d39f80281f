import type { AnomalyStore, ConsoleStore } from '../../store/types.js';
import { anomalyAlertId, withAcks } from './alert-acks.js';
import { intParam, type AdminRoute } from './router.js';

/**
 * `GET /admin/anomalies`: raised anomaly alerts, newest first (`sinceMs`, `limit`), each with its
 * `id` and `ack` (acknowledged with `POST /admin/alerts/ack {kind: "anomaly", id}`). A suspended
 * key is released with `DELETE /admin/killswitch/key/<id>`.
 */
export function anomalyRoutes(deps: {
  store: Pick<AnomalyStore, 'listAnomalyAlerts'> & Pick<ConsoleStore, 'listAlertAcks'>;
}): AdminRoute[] {
  return [
    {
      method: 'GET',
      path: '/admin/anomalies',
      async handle(req) {
        const sinceMs = intParam(req.query, 'sinceMs', 0);
        const limit = intParam(req.query, 'limit', 100);
        const alerts = await deps.store.listAnomalyAlerts({ sinceMs, limit });
        const data = await withAcks(deps.store, 'anomaly', alerts, anomalyAlertId);
        return { status: 200, body: { data } };
      },
    },
  ];
}
