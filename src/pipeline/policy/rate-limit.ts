import { GatewayError } from '../../errors/gateway-error.js';
import type { RateOutcome, RateState } from '../../limits/types.js';
import type { LimitSubject } from '../../policy/model.js';
import type { TokenCounter } from '../../pricing/tokens.js';
import type { RequestContext } from '../context.js';
import type { Stage, Verdict } from '../stage.js';
import type { PlannedRate } from './request-policy.js';
import { planOf, TOKEN_WINDOW_MS } from './subject-plan.js';
import { promptTokensOf } from './tokens.js';

export interface RateLimitDeps {
  tokens: TokenCounter;
  upstreamModelOf: (model: string) => string | undefined;
}

/**
 * Sliding-window limits for every subject (key, user, team, environment, global): requests per
 * second, minute and hour, and tokens per minute (prompt tokens plus the requested output bound,
 * counted at admission as OpenAI does). This stage plans the windows; the budget stage charges
 * them with the concurrency slots and its reservation in one atomic step, all or none
 * (`admission.ts`), so a request costs the limit backend one round trip.
 */
export function createRateLimitStage(deps: RateLimitDeps): Stage {
  return {
    name: 'rate_limit',
    run: function rateLimit(ctx: RequestContext): Verdict | Promise<Verdict> {
      const subjects = ctx.policy?.subjects ?? [];
      if (!subjects.some(hasRateLimit)) return undefined;
      if (subjects.some((s) => planOf(s).tokens !== undefined)) {
        const model = typeof ctx.body?.model === 'string' ? ctx.body.model : '';
        const counted = promptTokensOf(ctx, deps.tokens, deps.upstreamModelOf(model));
        if (typeof counted !== 'number') return counted.then((n) => consume(ctx, subjects, n));
        return consume(ctx, subjects, counted);
      }
      return consume(ctx, subjects, 0);
    },
  };

  function consume(
    ctx: RequestContext,
    subjects: readonly LimitSubject[],
    promptTokens: number,
  ): Verdict {
    const tokens = promptTokens + (ctx.policy?.requestedOutputTokens ?? 0);
    const policy = ctx.policy;
    if (policy !== undefined) {
      policy.admission = { rates: plan(subjects, tokens), slots: policy.admission?.slots ?? [] };
    }
    return undefined;
  }
}

/** Sets the rate headers of an admitted request, or refuses one a window refused. */
export function rateVerdict(
  ctx: RequestContext,
  planned: readonly PlannedRate[],
  outcome: RateOutcome,
): Verdict {
  if (outcome.ok) {
    setHeaders(ctx, planned, outcome.states);
    return undefined;
  }
  const refused = planned[outcome.index] as PlannedRate;
  setHeaders(ctx, [refused], outcome.states);
  ctx.decisions.push({ stage: 'rate_limit', action: 'block', type: refused.label });
  return new GatewayError('rate_limit_exceeded', {
    message: `Rate limit reached (${refused.label}, limit ${refused.check.limit}). Retry after the time in the Retry-After header.`,
    retryAfterSec: Math.max(1, Math.ceil(outcome.retryAfterMs / 1000)),
  });
}

function hasRateLimit(s: LimitSubject): boolean {
  const p = planOf(s);
  return p.requests.length > 0 || p.tokens !== undefined;
}

function plan(subjects: readonly LimitSubject[], tokens: number): PlannedRate[] {
  const out: PlannedRate[] = [];
  for (const s of subjects) {
    const p = planOf(s);
    for (const r of p.requests) out.push(r);
    const t = p.tokens;
    if (t === undefined) continue;
    out.push({
      check: { id: t.id, limit: t.limit, windowMs: TOKEN_WINDOW_MS, cost: tokens },
      label: t.label,
      isTokens: true,
    });
  }
  return out;
}

/** OpenAI's headers, for the tightest request limit and the tightest token limit. */
function setHeaders(
  ctx: RequestContext,
  planned: readonly PlannedRate[],
  states: readonly RateState[],
) {
  let requests: RateState | undefined;
  let tokens: RateState | undefined;
  planned.forEach((p, i) => {
    const s = states[i];
    if (s === undefined) return;
    if (p.isTokens) {
      if (tokens === undefined || s.remaining < tokens.remaining) tokens = s;
    } else if (requests === undefined || s.remaining < requests.remaining) requests = s;
  });
  const h = ctx.responseHeaders;
  if (requests !== undefined) {
    h['x-ratelimit-limit-requests'] = String(requests.limit);
    h['x-ratelimit-remaining-requests'] = String(Math.max(0, requests.remaining));
    h['x-ratelimit-reset-requests'] = formatDuration(requests.resetMs);
  }
  if (tokens !== undefined) {
    h['x-ratelimit-limit-tokens'] = String(tokens.limit);
    h['x-ratelimit-remaining-tokens'] = String(Math.max(0, tokens.remaining));
    h['x-ratelimit-reset-tokens'] = formatDuration(tokens.resetMs);
  }
}

/**
 * Each distinct header value is built once: a reset under a minute has one of 1,600 forms
 * (whole milliseconds under a second, tenths of a second under a minute), and longer ones (an
 * hourly window) one per second; building it costs a number-to-string conversion per header.
 */
const MS_TEXT: string[] = [];
const TENTHS_TEXT: string[] = [];
const SECONDS_TEXT: string[] = [];
/** Seconds beyond this (a day) are formatted each time rather than kept. */
const MAX_KEPT_SECONDS = 86_400;

/** OpenAI's format: `20ms`, `1.5s`, `6m0s`, `1h2m3s`. */
export function formatDuration(ms: number): string {
  const clamped = Math.max(0, Math.ceil(ms));
  if (clamped < 1_000) return (MS_TEXT[clamped] ??= `${clamped}ms`);
  const totalSec = clamped / 1_000;
  if (totalSec < 60) {
    const tenths = Math.round(totalSec * 10);
    return (TENTHS_TEXT[tenths] ??= `${tenths / 10}s`);
  }
  const s = Math.floor(totalSec);
  if (s > MAX_KEPT_SECONDS) return minutesText(s);
  return (SECONDS_TEXT[s] ??= minutesText(s));
}

function minutesText(s: number): string {
  const h = Math.floor(s / 3_600);
  const m = Math.floor((s % 3_600) / 60);
  return `${h > 0 ? `${h}h` : ''}${m}m${s % 60}s`;
}
