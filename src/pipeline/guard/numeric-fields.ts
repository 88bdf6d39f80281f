import { GatewayError } from '../../errors/gateway-error.js';
import type { Endpoint, JsonObject } from '../../providers/types.js';

/** Above any model's output window; a larger bound is a mistake or an attack on the counters. */
const MAX_OUTPUT_TOKENS = 1_048_576;
/** OpenAI's own ceiling for `n`. */
const MAX_CHOICES = 128;

type Bound = readonly [field: string, max: number];

/**
 * The numeric fields limits and budgets reason about, per endpoint. A negative bound once
 * refilled the token window and zeroed the budget reservation; a string one slipped past the
 * key's ceiling to the provider. So each must be an integer in range before any stage reads it.
 */
const BOUNDS: Record<Endpoint, readonly Bound[]> = {
  chat_completions: [
    ['max_tokens', MAX_OUTPUT_TOKENS],
    ['max_completion_tokens', MAX_OUTPUT_TOKENS],
    ['n', MAX_CHOICES],
  ],
  responses: [['max_output_tokens', MAX_OUTPUT_TOKENS]],
  messages: [['max_tokens', MAX_OUTPUT_TOKENS]],
  embeddings: [],
};

/** A typed 400 for the first numeric field out of shape or range; undefined when all are fine. */
export function checkNumericFields(endpoint: Endpoint, body: JsonObject): GatewayError | undefined {
  for (const [field, max] of BOUNDS[endpoint]) {
    if (!Object.hasOwn(body, field)) continue;
    const value = body[field];
    if (typeof value === 'number' && Number.isInteger(value) && value >= 1 && value <= max) {
      continue;
    }
    return new GatewayError('invalid_numeric_field', {
      message: `${field} must be an integer from 1 to ${max}.`,
      param: field,
    });
  }
  return undefined;
}
