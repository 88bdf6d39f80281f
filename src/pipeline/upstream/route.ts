import { GatewayError } from '../../errors/gateway-error.js';
import { callerExcerpt } from '../../log/excerpt.js';
import type { RequestContext } from '../context.js';
import type { Stage, Verdict } from '../stage.js';
import type { ModelTable } from './providers.js';
import { canServe } from './translate.js';

const MODEL_EXCERPT_CHARS = 64;

/**
 * Maps the requested model to a configured provider. Hosts come from config only. A provider
 * that does not speak the caller's format serves it translated (translate.ts).
 */
export function createRouteStage(deps: { models: ModelTable }): Stage {
  return {
    name: 'route',
    run: function route(ctx: RequestContext): Verdict {
      const model = ctx.body?.model;
      if (typeof model !== 'string' || ctx.route.id === 'models') {
        return new GatewayError('invalid_request', { param: 'model' });
      }
      const entry = deps.models.resolve(model, ctx.route.id);
      if (entry === undefined) {
        return new GatewayError('model_not_found', {
          // The name is the caller's text: bounded and scrubbed before it is echoed.
          message: `The model "${callerExcerpt(model, MODEL_EXCERPT_CHARS)}" does not exist or is not served by this gateway.`,
          param: 'model',
        });
      }
      if (!canServe(ctx.route.id, entry.provider)) {
        return new GatewayError('endpoint_not_supported', { param: 'model' });
      }
      ctx.target = entry;
      return undefined;
    },
  };
}
