import { chatCompletions } from './openai-chat.js';
import { embeddings } from './openai-embeddings.js';
import type { MockCall, MockReply } from './reply.js';
import { jsonFrame } from './sse.js';

/** Azure's content-filter verdict on the prompt, which it adds to every chat reply. */
const PROMPT_FILTER_RESULTS = [
  {
    prompt_index: 0,
    content_filter_results: {
      hate: { filtered: false, severity: 'safe' },
      self_harm: { filtered: false, severity: 'safe' },
      sexual: { filtered: false, severity: 'safe' },
      violence: { filtered: false, severity: 'safe' },
    },
  },
];

/**
 * Azure OpenAI answers under `/openai/deployments/{deployment}/…` and needs `api-version`
 * (else 404 "Resource not found"). The body's `model` is optional: the deployment decides.
 */
function onDeployment(call: MockCall): MockCall | MockReply {
  if (call.query.get('api-version') === null) {
    return { kind: 'error', error: { status: 404, message: 'Resource not found', code: '404' } };
  }
  const model = typeof call.body.model === 'string' ? call.body.model : call.pathParam;
  return { ...call, body: { ...call.body, model } };
}

/** `POST /openai/deployments/{d}/chat/completions`: OpenAI's reply plus the prompt filter results. */
export function azureChatCompletions(call: MockCall): MockReply {
  const routed = onDeployment(call);
  if ('kind' in routed) return routed;
  const reply = chatCompletions(routed);
  if (reply.kind === 'json') {
    return {
      ...reply,
      body: { ...(reply.body as object), prompt_filter_results: PROMPT_FILTER_RESULTS },
    };
  }
  if (reply.kind !== 'stream') return reply;
  // Azure's stream opens with a chunk of no choices that carries only the prompt filter results.
  const filterChunk = jsonFrame({
    id: '',
    object: '',
    created: 0,
    model: '',
    choices: [],
    prompt_filter_results: PROMPT_FILTER_RESULTS,
  });
  return { ...reply, frames: [filterChunk, ...reply.frames] };
}

/** `POST /openai/deployments/{d}/embeddings`. */
export function azureEmbeddings(call: MockCall): MockReply {
  const routed = onDeployment(call);
  return 'kind' in routed ? routed : embeddings(routed);
}
