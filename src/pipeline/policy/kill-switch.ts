import { GatewayError } from '../../errors/gateway-error.js';
import type { KillSwitchState } from '../../policy/kill-switch-state.js';
import type { RequestContext, RouteId } from '../context.js';
import type { Stage, Verdict } from '../stage.js';

export interface KillSwitchDeps {
  state: Pick<KillSwitchState, 'isKilled' | 'isStale' | 'refreshStale'>;
  /** The provider serving a model name on a route (exact, pattern or pass-through). */
  providerOf: (model: string, route: RouteId) => string | undefined;
}

/**
 * Refuses traffic an operator stopped: everything, an environment, a provider or a key. Reads
 * memory only. When the last read is too old (the store did not answer, or an overloaded event
 * loop kept the poll from running) the request waits for one fresh read, and is refused if that
 * fails too: we cannot know that a switch was not pulled.
 */
export function createKillSwitchStage(deps: KillSwitchDeps): Stage {
  const { state } = deps;
  function decide(ctx: RequestContext): Verdict {
    const caller = ctx.caller;
    let scope: string | undefined;
    if (state.isKilled('global', '*')) scope = 'global';
    else if (caller !== undefined && state.isKilled('env', caller.env)) scope = 'env';
    else if (caller?.key !== undefined && state.isKilled('key', caller.key.id)) scope = 'key';
    else {
      const model = ctx.body?.model;
      const provider = typeof model === 'string' ? deps.providerOf(model, ctx.route.id) : undefined;
      if (provider !== undefined && state.isKilled('provider', provider)) scope = 'provider';
    }
    if (scope === undefined) return undefined;
    ctx.decisions.push({ stage: 'kill_switch', action: 'block', type: scope });
    return new GatewayError('kill_switch_active');
  }
  return {
    name: 'kill_switch',
    run: function killSwitch(ctx: RequestContext): Verdict | Promise<Verdict> {
      if (!state.isStale()) return decide(ctx);
      return state.refreshStale().then((fresh) =>
        fresh
          ? decide(ctx)
          : new GatewayError('store_unavailable', {
              message: 'The kill-switch state could not be read; the request was refused.',
            }),
      );
    },
  };
}
