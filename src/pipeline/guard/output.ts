import { GatewayError } from '../../errors/gateway-error.js';
import type { Endpoint } from '../../providers/types.js';
import type { GatewayResponse, RequestContext } from '../context.js';
import type { Stage, Verdict } from '../stage.js';
import { isAudioField, isChatField, isFunctionCallField } from './output-chat-fields.js';
import { createModerationGate, ModerationRun, type ModerationHook } from './output-moderate.js';
import {
  rewriteArgsText,
  rewriteJsonValue,
  rewriteToolCallFields,
  rewriteUnknownFields,
  type ArgsRewrite,
} from './output-args.js';
import { outputScanners, type OutputScanners } from './output-scan.js';
import { rewriteChatReasoning, rewriteThinkingBlock } from './output-reasoning.js';
import { rewriteItem } from './output-stream-events.js';
import { rewriteSseStream } from './output-stream.js';
import {
  createTextFilter,
  windowFor,
  type TextFilter,
  type Replacement,
  type TextFilterOptions,
  type WindowScanner,
} from './output-text.js';
import type { GuardPolicy } from './policy.js';
import type { GuardRequestState } from './request-state.js';
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

interface Rewrites extends ArgsRewrite {
  /** A whole assistant text. */
  readonly text: (t: string) => string;
}

/** Rewrites `holder[key]` when it is a string; true when it changed. */
function applyTo(holder: Json, key: string, fn: (t: string) => string): boolean {
  const value = holder[key];
  if (typeof value !== 'string') return false;
  const next = fn(value);
  if (next === value) return false;
  holder[key] = next;
  return true;
}

/**
 * A chat message: its text, reasoning, tool-call and legacy `function_call` arguments, audio
 * transcript, and every other field whole (`annotations`, what a provider adds).
 */
function chatMessage(m: Json, r: Rewrites): boolean {
  const args = (t: string) => rewriteArgsText(t, r);
  let isChanged = applyTo(m, 'content', r.text);
  if (rewriteChatReasoning(m, r.text, r.value)) isChanged = true;
  if (Array.isArray(m.tool_calls)) {
    for (const call of m.tool_calls as unknown[])
      if (isObject(call) && isObject(call.function) && applyTo(call.function, 'arguments', args))
        isChanged = true;
    if (rewriteToolCallFields(m.tool_calls as unknown[], r.value)) isChanged = true;
  }
  const fn = m.function_call;
  if (isObject(fn)) {
    if (applyTo(fn, 'arguments', args)) isChanged = true;
    if (rewriteUnknownFields(fn, isFunctionCallField, r.value)) isChanged = true;
  }
  if (isObject(m.audio)) {
    if (applyTo(m.audio, 'transcript', r.text)) isChanged = true;
    if (rewriteUnknownFields(m.audio, isAudioField, r.value)) isChanged = true;
  }
  return rewriteUnknownFields(m, (k) => isChatField(m, k), r.value) || isChanged;
}

/** A choice's fields but its message, whole: `logprobs` (token by token) and what a provider adds. */
const chatChoice = (c: Json, r: Rewrites) =>
  rewriteUnknownFields(
    c,
    (k) => k === 'index' || k === 'message' || k === 'finish_reason',
    r.value,
  );

/** Every assistant text and tool-call argument of a non-streamed reply, rewritten in place. */
function rewriteJson(endpoint: Endpoint, json: Json, r: Rewrites): boolean {
  let isChanged = false;
  const changed = (b: boolean) => (isChanged ||= b);
  if (endpoint === 'chat_completions' && Array.isArray(json.choices)) {
    for (const c of json.choices) {
      // A choice without a message is not one the guard knows: every string of it is screened.
      if (!isObject(c) || !isObject(c.message)) changed(rewriteJsonValue(c, r.value));
      else {
        changed(chatMessage(c.message, r));
        changed(chatChoice(c, r));
      }
    }
  } else if (endpoint === 'responses' && Array.isArray(json.output)) {
    const full = { text: r.text, args: (t: string) => rewriteArgsText(t, r), value: r.value };
    for (const item of json.output) changed(rewriteItem(item, full));
    changed(applyTo(json, 'output_text', r.text));
  } else if (endpoint === 'messages' && Array.isArray(json.content)) {
    for (const block of json.content) {
      if (!isObject(block)) continue;
      if (block.type === 'text') changed(applyTo(block, 'text', r.text));
      else if (block.type === 'tool_use') changed(rewriteJsonValue(block.input, r.value));
      else if (block.type === 'thinking') changed(rewriteThinkingBlock(block, r.text));
      // Anything else but the provider's encrypted reasoning: every string (fail closed).
      else if (block.type !== 'redacted_thinking') changed(rewriteJsonValue(block, r.value));
    }
  }
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
  rewrites: Rewrites,
): GatewayResponse {
  if (ctx.route.id === 'models' || ctx.route.id === 'embeddings') return response;
  const json = response.json ?? parsed(response.body);
  if (json === undefined || !rewriteJson(ctx.route.id, json, rewrites)) return response;
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
  /** Tool-call arguments (JSON text): restored values JSON-escaped. */
  readonly argsScan: WindowScanner;
  /** `counted` without the HTML escaping: tool arguments are values for code, not for display. */
  readonly plain: TextFilterOptions;
}

/** Whole arguments and JSON values, counted (the non-streamed reply). */
function argsRewrite(f: Filters, o: TextFilterOptions): ArgsRewrite {
  return { args: oneChunk(f.argsScan, o), value: oneChunk(f.scan, o) };
}

const oneChunk = (scan: WindowScanner, o: TextFilterOptions) => (text: string) => {
  const f = createTextFilter(scan, o);
  return f.push(text) + f.flush();
};

/**
 * `scan` without its open tail, for a text that comes whole (a non-streamed reply): nothing
 * is released ahead of the block grid, so the text is scanned once per block, not once more
 * for an early release (a short reply was scanned twice, plus the open-tail search). The
 * output and tally are the same (property-tested in output-text.prop.test.ts).
 */
const whole = (scan: WindowScanner): WindowScanner =>
  scan.openFrom === undefined ? scan : (window: string) => scan(window);

/** What a policy's output filters are made of: the same for all its requests, built once. */
interface PolicyFilters {
  readonly window: Omit<TextFilterOptions, 'transform'>;
  readonly transform: ((text: string) => string) | undefined;
  readonly opts: TextFilterOptions;
  /** The scanners when there is no pseudonym to restore, and the same without open tail. */
  readonly scanners: OutputScanners;
  readonly wholeScanners: OutputScanners;
}

const policyFilters = new WeakMap<GuardPolicy, PolicyFilters>();

function filtersOf(policy: GuardPolicy): PolicyFilters {
  let built = policyFilters.get(policy);
  if (built !== undefined) return built;
  const { output } = policy.config;
  const window = windowFor(output.holdBackChars);
  const transform = output.escapeHtml ? escapeHtml : undefined;
  const scanners = outputScanners(policy, undefined);
  built = {
    window,
    transform,
    opts: { ...window, ...(transform === undefined ? {} : { transform }) },
    scanners,
    wholeScanners: { scan: whole(scanners.scan), argsScan: whole(scanners.argsScan) },
  };
  policyFilters.set(policy, built);
  return built;
}

/** Tallies each applied replacement by its tag (`redact:email`). */
function counter(tally: Tally): (r: Replacement) => void {
  return (r) => {
    const [action = 'redact', type = 'unknown'] = r.tag.split(':');
    tally.add(type, action);
  };
}

/**
 * The filters of one request. Only the audit tally and, when pseudonyms are restored, the
 * scanners are its own; the rest is the policy's. `isWhole`: the texts come whole (a
 * non-streamed reply), so the scanners need no open tail.
 */
function buildFilters(
  state: GuardRequestState,
  hasHook: boolean,
  tally: Tally,
  isWhole: boolean,
): Filters {
  const p = filtersOf(state.policy);
  const { blockChars, lookaheadChars, lookbehindChars } = p.window;
  const onApply = counter(tally);
  const restores = state.policy.config.output.restorePseudonyms && (state.vault?.size ?? 0) > 0;
  let scanners = isWhole ? p.wholeScanners : p.scanners;
  let hookScan = scanners.scan;
  if (restores) {
    const own = outputScanners(state.policy, state.vault);
    scanners = isWhole ? { scan: whole(own.scan), argsScan: whole(own.argsScan) } : own;
    if (!hasHook) hookScan = scanners.scan;
  }
  return {
    scan: scanners.scan,
    hookScan,
    opts: p.opts,
    counted: { blockChars, lookaheadChars, lookbehindChars, transform: p.transform, onApply },
    argsScan: scanners.argsScan,
    plain: { blockChars, lookaheadChars, lookbehindChars, onApply },
  };
}

function guardJson(
  ctx: RequestContext,
  response: GatewayResponse & { kind: 'json' },
  f: Filters,
  moderation: ModerationRun | undefined,
): Verdict | Promise<Verdict> {
  // Each distinct final text once (the Responses API repeats its parts in output_text).
  const texts = moderation === undefined ? undefined : new Set<string>();
  const rewrite = oneChunk(f.scan, f.counted);
  const forHook = f.hookScan === f.scan ? undefined : oneChunk(f.hookScan, f.opts);
  const rewrites: Rewrites = {
    ...argsRewrite(f, f.plain),
    text:
      texts === undefined
        ? rewrite
        : (t) => {
            const final = rewrite(t);
            texts.add(forHook?.(t) ?? final);
            return final;
          },
  };
  try {
    ctx.response = jsonResponse(ctx, response, rewrites);
  } catch (err) {
    // A reply the guard cannot walk is refused, never passed on unscreened.
    if (err instanceof GatewayError) return err;
    throw err;
  }
  if (moderation === undefined || texts === undefined) return undefined;
  texts.delete('');
  if (texts.size === 0) return undefined;
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
  const whole = argsRewrite(f, { ...f.plain, onApply: undefined });
  const deps = {
    newFilter,
    newArgsFilter: () => createTextFilter(f.argsScan, f.plain),
    fullText: oneChunk(f.scan, f.opts),
    fullArgs: (t: string) => rewriteArgsText(t, whole),
    fullValue: whole.value,
    scanValue: argsRewrite(f, f.plain).value,
  };
  const done = () => {
    record();
    hook?.run.record();
  };
  // Without a moderation gate the rewriter is the only layer between upstream and the caller.
  if (gate === undefined)
    return { ...response, chunks: rewriteSseStream(endpoint, response.chunks, deps, done) };
  return {
    ...response,
    chunks: (async function* guarded() {
      try {
        yield* gate.gate(rewriteSseStream(endpoint, response.chunks, deps));
      } finally {
        done();
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
      const hook = deps.moderationFor(state.policy);
      const filters = buildFilters(state, hook !== undefined, tally, response.kind === 'json');
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
