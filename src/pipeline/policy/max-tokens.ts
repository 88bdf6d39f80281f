import type { Endpoint, JsonObject } from '../../providers/types.js';

/**
 * The body fields that bound output, per endpoint (chat accepts both names, and a provider may
 * honour either), and the one a clamp adds when the caller sent none. read_body has already
 * refused any that is not a positive integer.
 */
const OUTPUT_FIELDS: Record<Endpoint, readonly string[]> = {
  chat_completions: ['max_completion_tokens', 'max_tokens'],
  responses: ['max_output_tokens'],
  messages: ['max_tokens'],
  embeddings: [],
};

/**
 * The output the request may produce: the largest of its bound fields, so a small
 * `max_completion_tokens` cannot hide a large `max_tokens` from the ceiling, limits or budget.
 */
export function requestedOutputTokens(endpoint: Endpoint, body: JsonObject): number | undefined {
  if (endpoint === 'embeddings') return 0;
  let largest: number | undefined;
  for (const field of OUTPUT_FIELDS[endpoint]) {
    const v = body[field];
    if (typeof v === 'number' && Number.isFinite(v)) largest = Math.max(largest ?? v, v);
  }
  return largest;
}

/**
 * A copy of the body with every output bound it has cut to `ceiling` (the first field added
 * when it has none).
 */
export function withOutputTokens(
  endpoint: Endpoint,
  body: JsonObject,
  ceiling: number,
): JsonObject {
  const fields = OUTPUT_FIELDS[endpoint];
  const out: JsonObject = { ...body };
  let hasBound = false;
  for (const field of fields) {
    const v = body[field];
    if (typeof v !== 'number') continue;
    out[field] = Math.min(v, ceiling);
    hasBound = true;
  }
  const first = fields[0];
  if (!hasBound && first !== undefined) out[first] = ceiling;
  return out;
}
