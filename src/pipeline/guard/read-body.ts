import { GatewayError } from '../../errors/gateway-error.js';
import type { RequestContext } from '../context.js';
import type { Stage, Verdict } from '../stage.js';
import { countKeys, MAX_JSON_DEPTH, measureJson } from './json-depth.js';
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
      const keys = measureJson(raw, MAX_JSON_DEPTH);
      if (keys === -1) return new GatewayError('json_too_deep');
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
      ctx.body = body;
      // The raw bytes go upstream when no stage edits the body; with a repeated key they would
      // carry values no stage saw (JSON.parse keeps the last; a provider's parser may keep the
      // first). The provider gets the body as parsed and checked instead.
      if (keys === countKeys(body)) ctx.rawBody = raw;
      else {
        ctx.rawBody = Buffer.from(JSON.stringify(body));
        ctx.decisions.push({ stage: 'read_body', action: 'rewrite', type: 'repeated_key' });
      }
      return undefined;
    },
  };
}
