import { GatewayError } from '../../errors/gateway-error.js';
import type { Endpoint } from '../../providers/types.js';
import type { RequestContext } from '../context.js';
import type { Stage, Verdict } from '../stage.js';
import { attemptUpstream, type AttemptInput } from './attempt.js';
import { UpstreamExchange } from './exchange.js';
import { nextCandidate, unavailableError } from './fallback.js';
import type { PoolKey } from './key-pool.js';
import type { ModelRoute } from './providers.js';
import { isRetryable, realSleep, retryDelayMs, type RetryOptions, type Sleep } from './retry.js';
import { CanonicalCache, translateRequest } from './translate.js';

export interface UpstreamDeps {
  /** Waits between retries; tests inject one that returns at once and records the delay. */
  sleep: Sleep;
  /** Uniform in [0, 1): the jitter and key-weight source. */
  random: () => number;
}

export interface UpstreamOptions {
  maxResponseBytes: number;
  retry: RetryOptions;
  /** Output bound sent to a provider whose format requires one when the caller set none. */
  defaultMaxOutputTokens?: number;
}

const DEFAULT_MAX_OUTPUT_TOKENS = 4_096;

const DEFAULT_DEPS: UpstreamDeps = { sleep: realSleep, random: Math.random };

/**
 * Calls the provider with a server-held key and prepares the reply for the caller. A failed
 * call moves to another key of the pool, then to the fallback models, and once every usable
 * key failed it backs off and goes round again, all within `retry.maxAttempts` and while
 * nothing has been sent to the caller: a stream that started is never retried. The caller's
 * budget was reserved once, before this stage.
 */
export function createUpstreamStage(deps: Partial<UpstreamDeps>, opts: UpstreamOptions): Stage {
  const resolved: UpstreamDeps = { ...DEFAULT_DEPS, ...deps };
  return {
    name: 'upstream',
    run: async function upstream(ctx: RequestContext): Promise<Verdict> {
      const route = ctx.target as ModelRoute | undefined;
      if (route === undefined || ctx.body === undefined || ctx.route.id === 'models') {
        return new GatewayError('internal_error');
      }
      const exchange = new UpstreamExchange(ctx, route.timeouts.totalTimeoutMs);
      const err = await callWithRetries(ctx, route, exchange, resolved, opts);
      exchange.settle(err);
      if (err !== undefined && err.code !== 'client_closed') {
        ctx.log.warn({
          event: 'upstream_failed',
          code: err.code,
          provider: ctx.upstreamKey?.providerId ?? route.provider.id,
          key: ctx.upstreamKey?.label,
          err: err.cause,
        });
      }
      return err;
    },
  };
}

async function callWithRetries(
  ctx: RequestContext,
  primary: ModelRoute,
  exchange: UpstreamExchange,
  deps: UpstreamDeps,
  opts: UpstreamOptions,
): Promise<GatewayError | undefined> {
  let lastErr: GatewayError | undefined;
  let lastKey: PoolKey | undefined;
  let current = primary;
  let input: AttemptInput | undefined;
  const canonical = new CanonicalCache(ctx.route.id as Endpoint, ctx.body ?? {});
  for (let attemptNo = 1; ;) {
    const candidate = nextCandidate(ctx, primary, exchange, deps.random);
    if (candidate === undefined) {
      if (lastErr === undefined) return unavailableError(ctx, primary);
      // Nothing was tried this round (every breaker open): waiting again would not help.
      if (exchange.tried === undefined || exchange.tried.size === 0) return lastErr;
      if (!isRetryable(lastErr)) return lastErr;
      const backedOff = await backOff(ctx, exchange, lastErr, deps, opts);
      if (backedOff !== undefined) return backedOff;
      continue;
    }
    const { route, key } = candidate;
    let next: AttemptInput | GatewayError | undefined = route === current ? input : undefined;
    if (next === undefined) {
      next = attemptInput(ctx, route, opts, canonical);
      if (next instanceof GatewayError) {
        // The caller's own model: the request cannot be served. A fallback: try the next one.
        if (route === primary) return next;
        skipFallback(ctx, exchange, route, next);
        continue;
      }
    }
    if (!exchange.acquire(key)) {
      // Another request took the last half-open probe slot meanwhile.
      exchange.exclude(key);
      continue;
    }
    if (lastErr !== undefined) recordRetry(ctx, lastErr, attemptNo - 1, lastKey as PoolKey);
    if (route !== current) recordFallback(ctx, route, lastErr);
    current = route;
    input = next;
    const span = ctx.trace.attempt({
      attempt: attemptNo,
      provider: route.provider.id,
      model: route.model,
      keyLabel: key.label,
    });
    const err = await attemptUpstream(ctx, input, key.secret, exchange.deadline, {
      onStreamEnd: exchange.onStreamEnd,
      span,
    });
    span.end(err);
    // A started stream reports to its key when it ends; anything else reports now.
    if (err !== undefined || ctx.response?.kind !== 'stream') exchange.release(err);
    if (err === undefined) {
      recordServed(ctx, route, input, primary);
      return undefined;
    }
    if (!isRetryable(err) && err.code !== 'upstream_auth_failed') return err;
    if (attemptNo >= opts.retry.maxAttempts) return err;
    attemptNo++;
    lastErr = err;
    lastKey = key;
    exchange.exclude(key);
  }
}

/** Every usable key failed this round: wait (jittered, Retry-After honoured), then go again. */
async function backOff(
  ctx: RequestContext,
  exchange: UpstreamExchange,
  lastErr: GatewayError,
  deps: UpstreamDeps,
  opts: UpstreamOptions,
): Promise<GatewayError | undefined> {
  const waitMs = retryDelayMs(
    lastErr,
    exchange.round,
    opts.retry,
    { elapsedMs: exchange.elapsedMs(), remainingMs: exchange.deadline.remainingMs() },
    deps.random,
  );
  if (waitMs === undefined) return lastErr;
  ctx.log.warn({
    event: 'upstream_backoff',
    round: exchange.round,
    code: lastErr.code,
    delayMs: waitMs,
  });
  if (!(await exchange.pause(waitMs, deps.sleep))) return exchange.abortReason();
  exchange.newRound();
  return undefined;
}

function recordRetry(ctx: RequestContext, err: GatewayError, failedAttempt: number, key: PoolKey) {
  ctx.decisions.push({
    stage: 'upstream',
    action: 'retry',
    type: err.code,
    count: failedAttempt,
    detail: key.label,
  });
  ctx.log.warn({
    event: 'upstream_retry',
    attempt: failedAttempt,
    code: err.code,
    provider: key.providerId,
    key: key.label,
  });
}

function recordFallback(ctx: RequestContext, route: ModelRoute, cause: GatewayError | undefined) {
  ctx.decisions.push({
    stage: 'upstream',
    action: 'fallback',
    type: cause?.code ?? 'upstream_circuit_open',
    detail: route.model,
  });
  ctx.log.warn({ event: 'upstream_fallback', model: route.model, provider: route.provider.id });
}

/** A fallback whose provider cannot express the request: recorded, and not tried again. */
function skipFallback(
  ctx: RequestContext,
  exchange: UpstreamExchange,
  route: ModelRoute,
  err: GatewayError,
): void {
  exchange.skip(route);
  ctx.decisions.push({
    stage: 'upstream',
    action: 'fallback_skipped',
    type: err.code,
    detail: route.model,
  });
}

/**
 * Names what served a request that was translated or fell back: the provider and model, and
 * the two formats when translated (with the earlier `retry` and `fallback` decisions, every
 * attempt is in the audit row).
 */
function recordServed(
  ctx: RequestContext,
  route: ModelRoute,
  input: AttemptInput,
  primary: ModelRoute,
): void {
  const { translation } = input;
  if (translation === undefined && route === primary) return;
  ctx.decisions.push({
    stage: 'upstream',
    action: 'served',
    type:
      translation === undefined
        ? 'native'
        : `${translation.caller.format}>${translation.provider.translator.format}`,
    detail: `${route.provider.id}/${route.model}`,
  });
}

function attemptInput(
  ctx: RequestContext,
  route: ModelRoute,
  opts: UpstreamOptions,
  canonical: CanonicalCache,
): AttemptInput | GatewayError {
  const { provider } = route;
  const endpoint = ctx.route.id === 'models' ? 'chat_completions' : ctx.route.id;
  if (!provider.adapter.paths.has(endpoint)) {
    const translated = translateRequest(endpoint, route, canonical, {
      defaultMaxTokens: opts.defaultMaxOutputTokens ?? DEFAULT_MAX_OUTPUT_TOKENS,
    });
    if (translated instanceof GatewayError) return translated;
    return {
      provider,
      path: translated.path,
      body: translated.body,
      translation: translated.translation,
      isUsageRequestedByCaller: true,
      timeouts: route.timeouts,
      maxResponseBytes: opts.maxResponseBytes,
    };
  }
  // The routed model's name equals the caller's, so only an alias (or a fallback) edits it.
  const prepared = provider.adapter.prepareBody(
    endpoint,
    ctx.body ?? {},
    route.upstreamModel ?? route.model,
    ctx.isStream,
  );
  return {
    provider,
    path: provider.pathFor(endpoint, route.upstreamModel ?? route.model, ctx.isStream) as string,
    translation: undefined,
    body: prepared.json === undefined ? (ctx.rawBody ?? '') : JSON.stringify(prepared.json),
    isUsageRequestedByCaller: prepared.isUsageRequestedByCaller,
    timeouts: route.timeouts,
    maxResponseBytes: opts.maxResponseBytes,
  };
}
