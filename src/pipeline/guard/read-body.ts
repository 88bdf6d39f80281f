import { GatewayError } from '../../errors/gateway-error.js';
import type { RequestContext } from '../context.js';
import type { Stage, Verdict } from '../stage.js';
import { MAX_JSON_DEPTH, nestsDeeperThan } from './json-depth.js';
import { checkNumericFields } from './numeric-fields.js';

const JSON_TYPE = /^application\/(?:[\w.+-]+\+)?json\b/i;

/**
 * Reads the body (the server enforces the byte cap and the body timeout), parses it as a JSON
 * object no deeper than MAX_JSON_DEPTH, and checks the numeric fields limits and budgets read,
 * so no later stage sees a negative, fractional or string token bound.
 */
export function createReadBodyStage(): Stage {
  return {
    name: 'read_body',
    run: async function readBody(ctx: RequestContext): Promise<Verdict> {
      const type = ctx.headers['content-type'];
      if (typeof type === 'string' && type !== 'application/json' && !JSON_TYPE.test(type)) {
        return new GatewayError('unsupported_media_type');
      }
      const raw = await ctx.readBody();
      if (nestsDeeperThan(raw, MAX_JSON_DEPTH)) return new GatewayError('json_too_deep');
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
      const body = parsed as Record<string, unknown>;
      if (ctx.route.id !== 'models') {
        const invalid = checkNumericFields(ctx.route.id, body);
        if (invalid !== undefined) return invalid;
      }
      ctx.rawBody = raw;
      ctx.body = body;
      return undefined;
    },
  };
}
