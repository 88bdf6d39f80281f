import type { Endpoint } from '../../providers/types.js';
import type { GatewayResponse, RequestContext } from '../context.js';
import type { Stage, Verdict } from '../stage.js';
import { createOutputScanner } from './output-scan.js';
import { rewriteSseStream } from './output-stream.js';
import { createTextFilter, windowFor, type TextFilterOptions } from './output-text.js';
import { Tally, type GuardSession } from './state.js';

type Json = Record<string, unknown>;
const isObject = (v: unknown): v is Json =>
  typeof v === 'object' && v !== null && !Array.isArray(v);

const ESCAPES: Record<string, string> = { '<': '&lt;', '>': '&gt;', '&': '&amp;' };
const escapeHtml = (t: string) => t.replace(/[<>&]/g, (c) => ESCAPES[c] as string);

/** Every assistant text of a non-streamed reply, rewritten in place; true when one changed. */
function rewriteJson(endpoint: Endpoint, json: Json, fullText: (t: string) => string): boolean {
  let isChanged = false;
  const apply = (holder: Json, key: string) => {
    const value = holder[key];
    if (typeof value !== 'string') return;
    const next = fullText(value);
    if (next !== value) {
      holder[key] = next;
      isChanged = true;
    }
  };
  const parts = (content: unknown, type: string) => {
    if (Array.isArray(content))
      for (const p of content) if (isObject(p) && p.type === type) apply(p, 'text');
  };
  if (endpoint === 'chat_completions' && Array.isArray(json.choices)) {
    for (const c of json.choices)
      if (isObject(c) && isObject(c.message)) apply(c.message, 'content');
  } else if (endpoint === 'responses' && Array.isArray(json.output)) {
    for (const item of json.output) if (isObject(item)) parts(item.content, 'output_text');
    apply(json, 'output_text');
  } else if (endpoint === 'messages') parts(json.content, 'text');
  return isChanged;
}

function jsonResponse(
  ctx: RequestContext,
  response: GatewayResponse & { kind: 'json' },
  fullText: (t: string) => string,
): GatewayResponse {
  if (ctx.route.id === 'models' || ctx.route.id === 'embeddings') return response;
  let json: unknown;
  try {
    json = JSON.parse(response.body.toString());
  } catch {
    return response;
  }
  if (!isObject(json) || !rewriteJson(ctx.route.id, json, fullText)) return response;
  return { ...response, body: Buffer.from(JSON.stringify(json)) };
}

/**
 * The output guard, after `upstream`: credentials and configured PII redacted, markdown images
 * and links to hosts not allowed neutralised, pseudonyms restored, optionally HTML escaped.
 * Streams are rewritten delta by delta with a bounded hold-back window; a non-streamed reply
 * runs the same filter as a one-chunk stream.
 */
export function createGuardOutputStage(deps: { session: GuardSession }): Stage {
  return {
    name: 'guard_output',
    run: function guardOutput(ctx: RequestContext): Verdict {
      const state = deps.session.of(ctx);
      const response = ctx.response;
      if (state === undefined || response === undefined || ctx.route.id === 'models')
        return undefined;
      const { output } = state.policy.config;
      if (!output.enabled) return undefined;
      const scan = createOutputScanner(state.policy, state.vault);
      const tally = new Tally();
      const opts: TextFilterOptions = {
        ...windowFor(output.holdBackChars),
        ...(output.escapeHtml ? { transform: escapeHtml } : {}),
      };
      const counted: TextFilterOptions = {
        ...opts,
        onApply: (r) => {
          const [action = 'redact', type = 'unknown'] = r.tag.split(':');
          tally.add(type, action);
        },
      };
      const run = (o: TextFilterOptions) => (text: string) => {
        const f = createTextFilter(scan, o);
        return f.push(text) + f.flush();
      };
      const record = () => tally.flushTo(ctx.decisions, 'guard_output');
      if (response.kind === 'json') {
        ctx.response = jsonResponse(ctx, response, run(counted));
        record();
        return undefined;
      }
      const endpoint = ctx.route.id;
      ctx.response = {
        ...response,
        chunks: (async function* guarded() {
          try {
            yield* rewriteSseStream(endpoint, response.chunks, {
              newFilter: () => createTextFilter(scan, counted),
              fullText: run(opts),
            });
          } finally {
            record();
          }
        })(),
      };
      return undefined;
    },
  };
}
