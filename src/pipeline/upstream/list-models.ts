import type { RequestContext } from '../context.js';
import type { Stage, Verdict } from '../stage.js';
import type { ModelTable } from './providers.js';

/** `GET /v1/models`: the models this gateway serves, in OpenAI's list shape. */
export function createListModelsStage(deps: { models: ModelTable; createdSec: number }): Stage {
  const body = JSON.stringify({
    object: 'list',
    data: [...deps.models.entries()].map(([id, route]) => ({
      id,
      object: 'model',
      created: deps.createdSec,
      owned_by: route.provider.id,
    })),
  });
  return {
    name: 'list_models',
    run: function listModels(ctx: RequestContext): Verdict {
      ctx.response = { kind: 'json', status: 200, body };
      return undefined;
    },
  };
}
