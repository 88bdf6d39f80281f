import { z } from 'zod';
import type { KillSwitchState } from '../../policy/kill-switch-state.js';
import type { KillSwitchScope, PolicyStore } from '../../store/types.js';
import type { Clock } from '../../util/clock.js';
import { adminError, intParam, type AdminRoute } from './router.js';

export interface KillSwitchRoutesDeps {
  killSwitch: Pick<KillSwitchState, 'list' | 'set' | 'clear' | 'refresh'>;
  events: Pick<PolicyStore, 'appendAdminEvent' | 'listAdminEvents'>;
  clock: Clock;
}

const SCOPES = ['global', 'env', 'provider', 'key'] as const;
const setSchema = z.object({ reason: z.string().min(1).max(200) }).strict();

function target(scope: KillSwitchScope, raw: string | undefined): string | undefined {
  if (scope === 'global') return '*';
  return raw !== undefined && /^[\w.:-]{1,128}$/.test(raw) ? raw : undefined;
}

/**
 * `/admin/killswitch`: engage (`PUT /admin/killswitch/<scope>/<target>`, target `*` for global)
 * and clear (`DELETE`). The store holds it, so it survives restarts; every replica re-reads it
 * within `policy.killSwitchPollMs`. Each change is an operator event.
 */
export function killSwitchRoutes(deps: KillSwitchRoutesDeps): AdminRoute[] {
  const parseScope = (s: string | undefined) =>
    (SCOPES as readonly string[]).includes(s ?? '') ? (s as KillSwitchScope) : undefined;
  return [
    {
      method: 'GET',
      path: '/admin/killswitch',
      async handle() {
        await deps.killSwitch.refresh();
        return { status: 200, body: { data: deps.killSwitch.list() } };
      },
    },
    {
      method: 'PUT',
      path: '/admin/killswitch/:scope/:target',
      async handle(req) {
        const scope = parseScope(req.params.scope);
        const parsed = setSchema.safeParse(req.body);
        const t = scope === undefined ? undefined : target(scope, req.params.target);
        if (scope === undefined || t === undefined || !parsed.success) {
          return adminError(
            'invalid_request',
            'PUT /admin/killswitch/<global|env|provider|key>/<target> with {"reason": "..."}',
          );
        }
        const entry = {
          scope,
          target: t,
          reason: parsed.data.reason,
          createdAtMs: deps.clock.now(),
          actor: req.actor,
        };
        await deps.killSwitch.set(entry);
        await deps.events.appendAdminEvent({
          timeMs: entry.createdAtMs,
          actor: req.actor,
          action: 'kill_switch_set',
          target: `${scope}:${t}`,
          detail: parsed.data.reason,
        });
        return { status: 200, body: entry };
      },
    },
    {
      method: 'DELETE',
      path: '/admin/killswitch/:scope/:target',
      async handle(req) {
        const scope = parseScope(req.params.scope);
        const t = scope === undefined ? undefined : target(scope, req.params.target);
        if (scope === undefined || t === undefined) {
          return adminError(
            'invalid_request',
            'DELETE /admin/killswitch/<global|env|provider|key>/<target>',
          );
        }
        const wasSet = await deps.killSwitch.clear(scope, t);
        if (wasSet) {
          await deps.events.appendAdminEvent({
            timeMs: deps.clock.now(),
            actor: req.actor,
            action: 'kill_switch_cleared',
            target: `${scope}:${t}`,
            detail: null,
          });
        }
        return { status: 200, body: { scope, target: t, cleared: wasSet } };
      },
    },
    {
      method: 'GET',
      path: '/admin/events',
      async handle(req) {
        const sinceMs = intParam(req.query, 'sinceMs', 0);
        const limit = intParam(req.query, 'limit', 100);
        return {
          status: 200,
          body: { data: await deps.events.listAdminEvents({ sinceMs, limit }) },
        };
      },
    },
  ];
}
