import { z } from 'zod';
import { GatewayError } from '../../errors/gateway-error.js';
import type { Endpoint } from '../../providers/types.js';
import type { RequestContext } from '../context.js';
import type { Stage, Verdict } from '../stage.js';

/**
 * The fields the gateway relies on, per endpoint. Unknown fields pass through to the
 * provider untouched (`loose`), so new provider features need no gateway release.
 */
const model = z.string().min(1).max(256);
const stream = z.boolean().optional();
const message = z.looseObject({ role: z.string().min(1) });

const schemas: Record<Endpoint, z.ZodType> = {
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

export function createValidateStage(): Stage {
  return {
    name: 'validate',
    run: function validate(ctx: RequestContext): Verdict {
      if (ctx.route.id === 'models') return undefined;
      const result = schemas[ctx.route.id].safeParse(ctx.body);
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
