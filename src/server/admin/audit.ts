import type { AuditQuery, AuditRecord, AuditStore } from '../../store/types.js';
import { adminError, intParam, type AdminRoute } from './router.js';

const MAX_ROWS = 1_000;
/** The store returns at most this many rows per read. */
const READ_CAP = 10_000;
const CODE = /^[a-z0-9_]{1,64}$/;
const USER = /^[\w.:@-]{1,128}$/;

/**
 * `GET /admin/audit`: the newest audit rows (metadata only: who, which key id, model, tokens,
 * cost, status, decisions; never a prompt or a secret), filtered by `sinceMs`, `untilMs`,
 * `keyId`, `status`, `code` (error code) and `userId`, at most `limit` (100 by default, 1,000 at
 * most). Code and user are matched over the newest 10,000 rows of the other filters
 * (`isPartial` says when more were there). Queued rows are written first, so a request that
 * finished is listed.
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
        const code = req.query.get('code') || null;
        const userId = req.query.get('userId') || null;
        if ((code !== null && !CODE.test(code)) || (userId !== null && !USER.test(userId))) {
          return adminError('invalid_request', 'GET ?code=<error_code>&userId=<user id>');
        }
        if (sinceMs >= 0) query.sinceMs = sinceMs;
        if (untilMs >= 0) query.untilMs = untilMs;
        if (status >= 0) query.status = status;
        if (keyId !== null && keyId !== '') query.keyId = keyId;
        await deps.flushAudit();
        if (code === null && userId === null) {
          return { status: 200, body: { data: await deps.store.queryAudit(query) } };
        }
        const limit = query.limit ?? 100;
        const rows = await deps.store.queryAudit({ ...query, limit: READ_CAP });
        const matches = (r: AuditRecord) =>
          (code === null || r.errorCode === code) && (userId === null || r.userId === userId);
        const data = rows.filter(matches).slice(0, limit);
        return { status: 200, body: { data, isPartial: rows.length >= READ_CAP } };
      },
    },
  ];
}
