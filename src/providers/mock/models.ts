import type { MockCall, MockReply } from './reply.js';

export interface MockModel {
  id: string;
  ownedBy: 'openai' | 'anthropic';
  /** Unix seconds; fixed so listings are deterministic. */
  created: number;
  displayName: string;
}

/** The models `GET /v1/models` lists. Any model name is accepted by the other endpoints. */
export const MOCK_MODELS: readonly MockModel[] = [
  { id: 'gpt-4o-mini', ownedBy: 'openai', created: 1721172741, displayName: 'GPT-4o mini' },
  { id: 'gpt-4o', ownedBy: 'openai', created: 1715367049, displayName: 'GPT-4o' },
  {
    id: 'text-embedding-3-small',
    ownedBy: 'openai',
    created: 1705948997,
    displayName: 'text-embedding-3-small',
  },
  {
    id: 'claude-haiku-4-5',
    ownedBy: 'anthropic',
    created: 1760486400,
    displayName: 'Claude Haiku 4.5',
  },
  {
    id: 'claude-sonnet-4-5',
    ownedBy: 'anthropic',
    created: 1759104000,
    displayName: 'Claude Sonnet 4.5',
  },
];

function openaiModel(m: MockModel): unknown {
  return { id: m.id, object: 'model', created: m.created, owned_by: m.ownedBy };
}

function anthropicModel(m: MockModel): unknown {
  const createdAt = new Date(m.created * 1000).toISOString();
  return { type: 'model', id: m.id, display_name: m.displayName, created_at: createdAt };
}

function notFound(id: string): MockReply {
  return {
    kind: 'error',
    error: {
      status: 404,
      message: `The model '${id}' does not exist`,
      param: 'model',
      code: 'model_not_found',
    },
  };
}

/** `GET /v1/models` and `GET /v1/models/{id}` in OpenAI's shape. */
export function openaiModels(call: MockCall): MockReply {
  if (call.pathParam !== undefined) {
    const model = MOCK_MODELS.find((m) => m.id === call.pathParam);
    return model === undefined
      ? notFound(call.pathParam)
      : { kind: 'json', body: openaiModel(model) };
  }
  return { kind: 'json', body: { object: 'list', data: MOCK_MODELS.map(openaiModel) } };
}

/** The same routes in Anthropic's shape (chosen when the request carries `anthropic-version`). */
export function anthropicModels(call: MockCall): MockReply {
  if (call.pathParam !== undefined) {
    const model = MOCK_MODELS.find((m) => m.id === call.pathParam);
    return model === undefined
      ? notFound(call.pathParam)
      : { kind: 'json', body: anthropicModel(model) };
  }
  const data = MOCK_MODELS.map(anthropicModel);
  return {
    kind: 'json',
    body: {
      data,
      has_more: false,
      first_id: MOCK_MODELS[0]?.id ?? null,
      last_id: MOCK_MODELS.at(-1)?.id ?? null,
    },
  };
}
