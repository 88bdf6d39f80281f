import type { AuditQuery, AuditStore } from '../../store/types.js';
import { intParam, type AdminRoute } from './router.js';

const MAX_ROWS = 1_000;

/**
 * `GET /admin/audit`: the newest audit rows (metadata only: who, which key id, model, tokens,
 * cost, status, decisions; never a prompt or a secret), filtered by `sinceMs`, `untilMs`,
 * `keyId`, `status`, at most `limit` (100 by default, 1,000 at most). Queued rows are written
 * first, so a request that finished is listed.
 */
export function auditRoutes(deps: {
  store: Pick<AuditStore, 'queryAudit'>;
  flushAudit: () => Promise<void>;
}): AdminRoute[] {
  return [
    {
      method: 'GET',
      path: '/admin/audit',
      async handle(req) {
        const query: AuditQuery = { limit: Math.min(intParam(req.query, 'limit', 100), MAX_ROWS) };
        const sinceMs = intParam(req.query, 'sinceMs', -1);
        const untilMs = intParam(req.query, 'untilMs', -1);
        const status = intParam(req.query, 'status', -1);
        const keyId = req.query.get('keyId');
        if (sinceMs >= 0) query.sinceMs = sinceMs;
        if (untilMs >= 0) query.untilMs = untilMs;
        if (status >= 0) query.status = status;
        if (keyId !== null && keyId !== '') query.keyId = keyId;
        await deps.flushAudit();
        return { status: 200, body: { data: await deps.store.queryAudit(query) } };
      },
    },
  ];
}
