import type { RequestContext } from '../context.js';
import type { Stage, Verdict } from '../stage.js';
import type { ModelTable } from './providers.js';

/**
 * `GET /v1/models`: the models this gateway serves, in OpenAI's list shape, narrowed to those
 * the caller may use (key and environment scopes, provider kill switches).
 */
export function createListModelsStage(deps: { models: ModelTable; createdSec: number }): Stage {
  const entries = [...deps.models.listed.entries()].map(([id, route]) => ({
    id,
    provider: route.provider.id,
    json: { id, object: 'model', created: deps.createdSec, owned_by: route.provider.id },
  }));
  const everything = JSON.stringify({ object: 'list', data: entries.map((e) => e.json) });
  return {
    name: 'list_models',
    run: function listModels(ctx: RequestContext): Verdict {
      const policy = ctx.policy;
      const allowed =
        policy === undefined ? entries : entries.filter((e) => policy.mayUse(e.id, e.provider));
      const body =
        allowed.length === entries.length
          ? everything
          : JSON.stringify({ object: 'list', data: allowed.map((e) => e.json) });
      ctx.response = { kind: 'json', status: 200, body };
      return undefined;
    },
  };
}
