import type { AnomalyStore } from '../../store/types.js';
import { intParam, type AdminRoute } from './router.js';

/**
 * `GET /admin/anomalies`: raised anomaly alerts, newest first (`sinceMs`, `limit`). A suspended
 * key is released with `DELETE /admin/killswitch/key/<id>`.
 */
export function anomalyRoutes(deps: {
  store: Pick<AnomalyStore, 'listAnomalyAlerts'>;
}): AdminRoute[] {
  return [
    {
      method: 'GET',
      path: '/admin/anomalies',
      async handle(req) {
        const sinceMs = intParam(req.query, 'sinceMs', 0);
        const limit = intParam(req.query, 'limit', 100);
        const data = await deps.store.listAnomalyAlerts({ sinceMs, limit });
        return { status: 200, body: { data } };
      },
    },
  ];
}
