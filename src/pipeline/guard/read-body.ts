import { GatewayError } from '../../errors/gateway-error.js';
import type { RequestContext } from '../context.js';
import type { Stage, Verdict } from '../stage.js';

/** Reads the body (the server enforces the byte cap) and parses it as a JSON object. */
export function createReadBodyStage(): Stage {
  return {
    name: 'read_body',
    run: async function readBody(ctx: RequestContext): Promise<Verdict> {
      const type = ctx.headers['content-type'];
      if (typeof type === 'string' && !/^application\/(?:[\w.+-]+\+)?json\b/i.test(type)) {
        return new GatewayError('unsupported_media_type');
      }
      const raw = await ctx.readBody();
      let parsed: unknown;
      try {
        parsed = JSON.parse(raw.toString('utf8'));
      } catch {
        return new GatewayError('invalid_json');
      }
      if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) {
        return new GatewayError('invalid_request', {
          message: 'The request body must be a JSON object.',
        });
      }
      ctx.rawBody = raw;
      ctx.body = parsed as Record<string, unknown>;
      return undefined;
    },
  };
}
