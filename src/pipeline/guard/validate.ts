import { z } from 'zod';
import { GatewayError } from '../../errors/gateway-error.js';
import type { Endpoint, JsonObject } from '../../providers/types.js';
import type { RequestContext } from '../context.js';
import type { Stage, Verdict } from '../stage.js';

const MODEL_MAX_CHARS = 256;

/**
 * The fields the gateway relies on, per endpoint. Unknown fields pass through to the
 * provider untouched (`loose`), so new provider features need no gateway release.
 */
const model = z.string().min(1).max(MODEL_MAX_CHARS);
const stream = z.boolean().optional();
const message = z.looseObject({ role: z.string().min(1) });

export const requestSchemas: Record<Endpoint, z.ZodType> = {
  chat_completions: z.looseObject({
    model,
    messages: z.array(message).min(1),
    stream,
    stream_options: z.looseObject({ include_usage: z.boolean().optional() }).nullish(),
  }),
  responses: z.looseObject({
    model,
    input: z.union([z.string(), z.array(z.unknown())]).optional(),
    stream,
  }),
  embeddings: z.looseObject({
    model,
    input: z.union([z.string(), z.array(z.unknown()).min(1)]),
  }),
  messages: z.looseObject({
    model,
    messages: z.array(message).min(1),
    max_tokens: z.number().int().positive(),
    stream,
  }),
};

const isObject = (v: unknown): v is JsonObject =>
  typeof v === 'object' && v !== null && !Array.isArray(v);
const isModel = (v: unknown) =>
  typeof v === 'string' && v.length >= 1 && v.length <= MODEL_MAX_CHARS;
const isOptionalBoolean = (v: unknown) => v === undefined || typeof v === 'boolean';

function isMessageList(v: unknown): boolean {
  if (!Array.isArray(v) || v.length === 0) return false;
  for (const m of v as unknown[]) {
    if (!isObject(m) || typeof m.role !== 'string' || m.role === '') return false;
  }
  return true;
}

/**
 * True only when `requestSchemas[endpoint]` surely accepts the body: the same rules, checked by hand
 * without zod's per-call allocations (`validate.test.ts` holds the two to agreement). A body it
 * does not pass goes to zod, which accepts it or words the refusal, so errors stay zod's.
 */
export function passesPlainly(endpoint: Endpoint, body: JsonObject | undefined): boolean {
  if (!isObject(body) || !isModel(body.model)) return false;
  switch (endpoint) {
    case 'chat_completions': {
      const options = body.stream_options;
      return (
        isMessageList(body.messages) &&
        isOptionalBoolean(body.stream) &&
        (options === undefined ||
          options === null ||
          (isObject(options) && isOptionalBoolean(options.include_usage)))
      );
    }
    case 'responses':
      return (
        (body.input === undefined || typeof body.input === 'string' || Array.isArray(body.input)) &&
        isOptionalBoolean(body.stream)
      );
    case 'embeddings':
      return typeof body.input === 'string' || (Array.isArray(body.input) && body.input.length > 0);
    case 'messages':
      return (
        isMessageList(body.messages) &&
        typeof body.max_tokens === 'number' &&
        Number.isSafeInteger(body.max_tokens) &&
        body.max_tokens > 0 &&
        isOptionalBoolean(body.stream)
      );
  }
}

export function createValidateStage(): Stage {
  return {
    name: 'validate',
    run: function validate(ctx: RequestContext): Verdict {
      const endpoint = ctx.route.id;
      if (endpoint === 'models') return undefined;
      if (passesPlainly(endpoint, ctx.body)) {
        ctx.isStream = ctx.body?.stream === true;
        return undefined;
      }
      const result = requestSchemas[endpoint].safeParse(ctx.body);
      if (!result.success) {
        const issue = result.error.issues[0];
        const param = issue?.path.join('.') ?? '';
        return new GatewayError('invalid_request', {
          message: `Invalid request: ${param === '' ? '' : `${param}: `}${issue?.message ?? 'invalid'}.`,
          ...(param === '' ? {} : { param }),
        });
      }
      ctx.isStream = ctx.body?.stream === true;
      return undefined;
    },
  };
}
