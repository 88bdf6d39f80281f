import { GatewayError } from '../../errors/gateway-error.js';
import type { RequestContext } from '../context.js';
import type { Stage, Verdict } from '../stage.js';
import { attemptUpstream } from './attempt.js';
import type { ModelRoute } from './providers.js';
import { UpstreamDeadline } from './timeouts.js';

export interface UpstreamOptions {
  maxResponseBytes: number;
}

/** Calls the provider with the server-held key and prepares the reply for the caller. */
export function createUpstreamStage(opts: UpstreamOptions): Stage {
  return {
    name: 'upstream',
    run: async function upstream(ctx: RequestContext): Promise<Verdict> {
      const route = ctx.target as ModelRoute | undefined;
      const body = ctx.body;
      if (route === undefined || body === undefined || ctx.route.id === 'models') {
        return new GatewayError('internal_error');
      }
      const { provider, timeouts } = route;
      const prepared = provider.adapter.prepareBody(
        ctx.route.id,
        body,
        route.upstreamModel,
        ctx.isStream,
      );
      const startedMono = ctx.clock.monotonicMs();
      const deadline = new UpstreamDeadline(ctx.signal, timeouts.totalTimeoutMs, () =>
        ctx.clock.monotonicMs(),
      );
      const end = () => {
        deadline.clear();
        ctx.upstreamLatencyMs = ctx.clock.monotonicMs() - startedMono;
      };
      const err = await attemptUpstream(
        ctx,
        {
          provider,
          key: provider.key,
          body: prepared.json === undefined ? (ctx.rawBody ?? '') : JSON.stringify(prepared.json),
          isUsageRequestedByCaller: prepared.isUsageRequestedByCaller,
          timeouts,
          maxResponseBytes: opts.maxResponseBytes,
        },
        deadline,
        end,
      );
      if (err !== undefined || ctx.response?.kind !== 'stream') end();
      else ctx.defer(() => deadline.clear());
      if (err !== undefined && err.code !== 'client_closed') {
        ctx.log.warn({
          event: 'upstream_failed',
          code: err.code,
          provider: provider.id,
          err: err.cause,
        });
      }
      return err;
    },
  };
}
