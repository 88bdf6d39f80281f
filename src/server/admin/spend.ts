import type { LimitBackend } from '../../limits/types.js';
import { plan } from '../../pipeline/policy/budget.js';
import type { LimitSubject, PolicyModel } from '../../policy/model.js';
import { budgetWindow } from '../../policy/windows.js';
import {
  ENVIRONMENTS,
  type ConsoleStore,
  type PolicyStore,
  type Store,
} from '../../store/types.js';
import type { Clock } from '../../util/clock.js';
import { budgetAlertId, withAcks } from './alert-acks.js';
import { intParam, type AdminRoute } from './router.js';

export interface SpendRoutesDeps {
  store: Pick<Store, 'listKeys'> &
    Pick<PolicyStore, 'sumSpend' | 'listAlerts'> &
    Pick<ConsoleStore, 'listAlertAcks'>;
  backend: Pick<LimitBackend, 'totals'>;
  model: PolicyModel;
  clock: Clock;
}

/** Every budget that can be listed: keys (not revoked), teams, environments, global. */
async function knownSubjects(deps: SpendRoutesDeps): Promise<LimitSubject[]> {
  const out: LimitSubject[] = [];
  for (const key of await deps.store.listKeys()) {
    if (key.revokedAtMs !== null) continue;
    const limits = { ...deps.model.envs[key.env].keyDefaults, ...key.scopes.limits };
    out.push({ kind: 'key', id: key.id, limits });
  }
  for (const [id, limits] of deps.model.teams) out.push({ kind: 'team', id, limits });
  for (const env of ENVIRONMENTS)
    out.push({ kind: 'env', id: env, limits: deps.model.envs[env].total });
  out.push({ kind: 'global', id: '*', limits: deps.model.global });
  return out;
}

/** `/admin/budgets` (limits and this window's spend), `/admin/usage` (from the audit log), `/admin/alerts`. */
export function spendRoutes(deps: SpendRoutesDeps): AdminRoute[] {
  return [
    {
      method: 'GET',
      path: '/admin/budgets',
      async handle() {
        const budgets = plan(await knownSubjects(deps), deps.clock.now());
        const totals = await deps.backend.totals(budgets.map((b) => b.check.id));
        const data = budgets.map((b, i) => {
          const t = totals[i] ?? { spentMicroUsd: 0, reservedMicroUsd: 0 };
          const limit = b.ref.limitMicroUsd;
          return {
            budget: b.ref.budget,
            window: b.ref.window,
            limitMicroUsd: limit,
            spentMicroUsd: t.spentMicroUsd,
            reservedMicroUsd: t.reservedMicroUsd,
            usedPct: limit === 0 ? 100 : Math.round((t.spentMicroUsd / limit) * 1000) / 10,
          };
        });
        return { status: 200, body: { data } };
      },
    },
    {
      method: 'GET',
      path: '/admin/usage',
      async handle(req) {
        const sinceMs = intParam(
          req.query,
          'sinceMs',
          budgetWindow('monthly', deps.clock.now()).startMs,
        );
        const rows = await deps.store.sumSpend(sinceMs);
        const totalMicroUsd = rows.reduce((n, r) => n + r.costMicroUsd, 0);
        return { status: 200, body: { sinceMs, totalMicroUsd, data: rows } };
      },
    },
    {
      method: 'GET',
      path: '/admin/alerts',
      async handle(req) {
        const sinceMs = intParam(req.query, 'sinceMs', 0);
        const limit = intParam(req.query, 'limit', 100);
        const alerts = await deps.store.listAlerts({ sinceMs, limit });
        const data = await withAcks(deps.store, 'budget', alerts, budgetAlertId);
        return { status: 200, body: { data } };
      },
    },
  ];
}
