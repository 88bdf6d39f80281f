import type { SecretResolver } from '../../secrets/types.js';
import type { PolicyStore } from '../../store/types.js';
import type { Clock } from '../../util/clock.js';
import type { AdminRoute } from './router.js';

export interface SecretRoutesDeps {
  secrets: Pick<SecretResolver, 'reload'>;
  events: Pick<PolicyStore, 'appendAdminEvent'>;
  clock: Clock;
}

/**
 * `POST /admin/secrets/reload`: what SIGHUP does, over the admin API. Every held reference is
 * fetched again; a failed one keeps serving its previous value. The answer names each reference
 * with its outcome (and error code), never a value; the call is an operator event.
 */
export function secretRoutes(deps: SecretRoutesDeps): AdminRoute[] {
  return [
    {
      method: 'POST',
      path: '/admin/secrets/reload',
      async handle(req) {
        const report = await deps.secrets.reload();
        const counts = { ok: report.refreshed, failed: report.failed.length };
        await deps.events.appendAdminEvent({
          timeMs: deps.clock.now(),
          actor: req.actor,
          action: 'secrets_reloaded',
          target: '*',
          detail: `ok=${counts.ok} failed=${counts.failed} changed=${report.changed.length}`,
        });
        return { status: 200, body: { ...counts, data: report.outcomes } };
      },
    },
  ];
}
