import type { Endpoint, JsonObject } from '../../providers/types.js';

/** The body field that bounds output, per endpoint (chat accepts either name). */
export function requestedOutputTokens(endpoint: Endpoint, body: JsonObject): number | undefined {
  const pick = (v: unknown) => (typeof v === 'number' && Number.isFinite(v) ? v : undefined);
  switch (endpoint) {
    case 'chat_completions':
      return pick(body.max_completion_tokens) ?? pick(body.max_tokens);
    case 'responses':
      return pick(body.max_output_tokens);
    case 'messages':
      return pick(body.max_tokens);
    case 'embeddings':
      return 0;
  }
}

/** A copy of the body with its output bound set to `ceiling` (added when the caller sent none). */
export function withOutputTokens(
  endpoint: Endpoint,
  body: JsonObject,
  ceiling: number,
): JsonObject {
  switch (endpoint) {
    case 'chat_completions': {
      const out: JsonObject = { ...body };
      if (typeof body.max_tokens === 'number') out.max_tokens = ceiling;
      if (typeof body.max_completion_tokens === 'number' || typeof body.max_tokens !== 'number') {
        out.max_completion_tokens = ceiling;
      }
      return out;
    }
    case 'responses':
      return { ...body, max_output_tokens: ceiling };
    case 'messages':
      return { ...body, max_tokens: ceiling };
    case 'embeddings':
      return body;
  }
}
