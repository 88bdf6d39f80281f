import type { PolicyStore } from '../../store/types.js';
import type { Clock } from '../../util/clock.js';
import { adminError } from './response.js';
import type { AdminRoute } from './router.js';

/** What a config reload did: names and messages only, never a value. */
export type ConfigReloadReport =
  | { readonly outcome: 'applied'; readonly changed: readonly string[] }
  | { readonly outcome: 'unchanged' }
  | {
      readonly outcome: 'refused';
      /** `config_invalid`: the file fails the start-up checks; `config_not_live`: a setting needs a restart. */
      readonly code: 'config_invalid' | 'config_not_live';
      /** The same `path: problem; fix` lines a start would print. */
      readonly problems: readonly string[];
    };

/**
 * `POST /admin/config/reload`: what SIGHUP does, over the admin API. The file is read and
 * checked as at start; a valid one is swapped in between requests, an invalid one is refused
 * (422 config_invalid, or 409 config_not_live naming the settings that need a restart) and the
 * running config keeps serving. The call is an operator event either way.
 */
export function configReloadRoutes(deps: {
  reload: () => Promise<ConfigReloadReport>;
  events: Pick<PolicyStore, 'appendAdminEvent'>;
  clock: Clock;
}): AdminRoute[] {
  return [
    {
      method: 'POST',
      path: '/admin/config/reload',
      async handle(req) {
        const report = await deps.reload();
        const isRefused = report.outcome === 'refused';
        await deps.events.appendAdminEvent({
          timeMs: deps.clock.now(),
          actor: req.actor,
          action: isRefused ? 'config_reload_refused' : 'config_reloaded',
          target: 'config',
          detail: (isRefused
            ? report.code
            : report.outcome === 'applied'
              ? report.changed.join(',')
              : 'unchanged'
          ).slice(0, 500),
        });
        if (!isRefused) return { status: 200, body: report };
        const message =
          report.code === 'config_invalid'
            ? 'The new configuration is invalid; the running one keeps serving.'
            : 'The new configuration changes settings that need a restart; the running one keeps serving.';
        const refusal = adminError(report.code, message);
        const body = refusal.body as { error: object };
        return {
          status: refusal.status,
          body: { error: { ...body.error, problems: report.problems } },
        };
      },
    },
  ];
}
