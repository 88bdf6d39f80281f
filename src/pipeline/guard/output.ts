import type { Endpoint } from '../../providers/types.js';
import type { GatewayResponse, RequestContext } from '../context.js';
import type { Stage, Verdict } from '../stage.js';
import { createModerationGate, ModerationRun, type ModerationHook } from './output-moderate.js';
import { createOutputScanner } from './output-scan.js';
import { rewriteSseStream } from './output-stream.js';
import {
  createTextFilter,
  windowFor,
  type TextFilter,
  type TextFilterOptions,
  type WindowScanner,
} from './output-text.js';
import type { GuardPolicy } from './policy.js';
import { Tally, type GuardSession } from './state.js';

export interface GuardOutputDeps {
  session: GuardSession;
  /** The moderation hook of a policy, when that policy configures one. */
  moderationFor(policy: GuardPolicy): ModerationHook | undefined;
}

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

/** A reply body nobody parsed yet (the upstream stage passes its parsed reply along). */
function parsed(body: Buffer | string): Json | undefined {
  try {
    const json: unknown = JSON.parse(body.toString());
    return isObject(json) ? json : undefined;
  } catch {
    return undefined;
  }
}

function jsonResponse(
  ctx: RequestContext,
  response: GatewayResponse & { kind: 'json' },
  fullText: (t: string) => string,
): GatewayResponse {
  if (ctx.route.id === 'models' || ctx.route.id === 'embeddings') return response;
  const json = response.json ?? parsed(response.body);
  if (json === undefined || !rewriteJson(ctx.route.id, json, fullText)) return response;
  return { ...response, body: Buffer.from(JSON.stringify(json)), json };
}

interface Filters {
  /** The caller's text. */
  readonly scan: WindowScanner;
  /**
   * What the moderation hook sees: the same rewrite without restoring pseudonyms, so personal
   * data the provider never saw does not reach the hook either. Both scanners decide the same
   * blocks at the same pushes (placeholders carry no continuation), so their releases line up.
   */
  readonly hookScan: WindowScanner;
  readonly opts: TextFilterOptions;
  /** `opts` plus the audit tally. */
  readonly counted: TextFilterOptions;
}

const oneChunk = (scan: WindowScanner, o: TextFilterOptions) => (text: string) => {
  const f = createTextFilter(scan, o);
  return f.push(text) + f.flush();
};

function guardJson(
  ctx: RequestContext,
  response: GatewayResponse & { kind: 'json' },
  f: Filters,
  moderation: ModerationRun | undefined,
): Verdict | Promise<Verdict> {
  // Each distinct final text once (the Responses API repeats its parts in output_text).
  const texts = new Set<string>();
  const rewrite = oneChunk(f.scan, f.counted);
  const forHook = f.hookScan === f.scan ? undefined : oneChunk(f.hookScan, f.opts);
  ctx.response = jsonResponse(ctx, response, (t) => {
    const final = rewrite(t);
    if (moderation !== undefined) texts.add(forHook?.(t) ?? final);
    return final;
  });
  texts.delete('');
  if (moderation === undefined || texts.size === 0) return undefined;
  return moderation.check([...texts].join('\n\n')).finally(() => moderation.record());
}

function guardStream(
  ctx: RequestContext,
  response: GatewayResponse & { kind: 'stream' },
  f: Filters,
  hook: { run: ModerationRun; segmentChars: number } | undefined,
  record: () => void,
): GatewayResponse {
  const endpoint = ctx.route.id as Endpoint;
  const gate = hook === undefined ? undefined : createModerationGate(hook.run, hook.segmentChars);
  const newFilter = (): TextFilter => {
    const filter = createTextFilter(f.scan, f.counted);
    if (gate === undefined) return filter;
    return gate.tap(
      filter,
      f.hookScan === f.scan ? undefined : createTextFilter(f.hookScan, f.opts),
    );
  };
  return {
    ...response,
    chunks: (async function* guarded() {
      try {
        const rewritten = rewriteSseStream(endpoint, response.chunks, {
          newFilter,
          fullText: oneChunk(f.scan, f.opts),
        });
        yield* gate === undefined ? rewritten : gate.gate(rewritten);
      } finally {
        record();
        hook?.run.record();
      }
    })(),
  };
}

/**
 * The output guard, after `upstream`: credentials and configured PII redacted, markdown images
 * and links to hosts not allowed neutralised, pseudonyms restored, optionally HTML escaped,
 * then the optional moderation hook on the final text. Streams are rewritten delta by delta
 * with a bounded hold-back window and moderated segment by segment; a non-streamed reply runs
 * the same filter as a one-chunk stream and is moderated whole.
 */
export function createGuardOutputStage(deps: GuardOutputDeps): Stage {
  return {
    name: 'guard_output',
    run: function guardOutput(ctx: RequestContext): Verdict | Promise<Verdict> {
      const state = deps.session.of(ctx);
      const response = ctx.response;
      if (state === undefined || response === undefined || ctx.route.id === 'models')
        return undefined;
      const { output } = state.policy.config;
      if (!output.enabled) return undefined;
      const tally = new Tally();
      const opts: TextFilterOptions = {
        ...windowFor(output.holdBackChars),
        ...(output.escapeHtml ? { transform: escapeHtml } : {}),
      };
      const hook = deps.moderationFor(state.policy);
      const scan = createOutputScanner(state.policy, state.vault);
      const restores = output.restorePseudonyms && (state.vault?.size ?? 0) > 0;
      const filters: Filters = {
        scan,
        hookScan:
          hook !== undefined && restores ? createOutputScanner(state.policy, undefined) : scan,
        opts,
        counted: {
          ...opts,
          onApply: (r) => {
            const [action = 'redact', type = 'unknown'] = r.tag.split(':');
            tally.add(type, action);
          },
        },
      };
      const record = () => tally.flushTo(ctx.decisions, 'guard_output');
      const run = hook === undefined ? undefined : new ModerationRun(ctx, hook);
      if (response.kind === 'json') {
        const verdict = guardJson(ctx, response, filters, run);
        record();
        return verdict;
      }
      const gated =
        run === undefined || hook === undefined
          ? undefined
          : { run, segmentChars: hook.config.streamSegmentChars };
      ctx.response = guardStream(ctx, response, filters, gated, record);
      return undefined;
    },
  };
}
