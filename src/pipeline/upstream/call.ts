import { GatewayError } from '../../errors/gateway-error.js';
import type { RequestContext } from '../context.js';
import type { Stage, Verdict } from '../stage.js';
import { attemptUpstream, type AttemptInput } from './attempt.js';
import type { Circuit } from './circuit.js';
import { UpstreamExchange } from './exchange.js';
import type { ModelRoute } from './providers.js';
import { isRetryable, realSleep, retryDelayMs, type RetryOptions, type Sleep } from './retry.js';

export interface UpstreamDeps {
  /** Waits between retries; tests inject one that returns at once and records the delay. */
  sleep: Sleep;
  /** Uniform in [0, 1): the jitter source. */
  random: () => number;
}

export interface UpstreamOptions {
  maxResponseBytes: number;
  retry: RetryOptions;
}

const DEFAULT_DEPS: UpstreamDeps = { sleep: realSleep, random: Math.random };

/**
 * Calls the provider with a server-held key and prepares the reply for the caller. Failed
 * calls are retried (retry.ts) while nothing has been sent to the caller; a stream that has
 * started is never retried. The caller's budget was reserved once, before this stage.
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
          provider: route.provider.id,
          err: err.cause,
        });
      }
      return err;
    },
  };
}

async function callWithRetries(
  ctx: RequestContext,
  route: ModelRoute,
  exchange: UpstreamExchange,
  deps: UpstreamDeps,
  opts: UpstreamOptions,
): Promise<GatewayError | undefined> {
  const input = attemptInput(ctx, route, opts);
  const { provider } = route;
  let lastErr: GatewayError | undefined;
  for (let attemptNo = 1; ; attemptNo++) {
    if (!exchange.acquire(provider.circuit)) return lastErr ?? circuitOpen(provider.circuit);
    const err = await attemptUpstream(ctx, input, exchange.deadline, exchange.onStreamEnd);
    // A started stream reports to its breaker when it ends; anything else reports now.
    if (err !== undefined || ctx.response?.kind !== 'stream') exchange.release(err);
    if (err === undefined) return undefined;
    lastErr = err;
    if (!isRetryable(err) || attemptNo >= opts.retry.maxAttempts) return err;
    const waitMs = retryDelayMs(
      err,
      attemptNo,
      opts.retry,
      { elapsedMs: exchange.elapsedMs(), remainingMs: exchange.deadline.remainingMs() },
      deps.random,
    );
    if (waitMs === undefined) return err;
    ctx.decisions.push({
      stage: 'upstream',
      action: 'retry',
      type: err.code,
      count: attemptNo,
      detail: provider.keyLabel,
    });
    ctx.log.warn({
      event: 'upstream_retry',
      attempt: attemptNo,
      code: err.code,
      delayMs: waitMs,
      provider: provider.id,
    });
    if (!(await exchange.pause(waitMs, deps.sleep))) return exchange.abortReason();
  }
}

function circuitOpen(circuit: Circuit): GatewayError {
  return new GatewayError('upstream_circuit_open', {
    retryAfterSec: Math.max(1, Math.ceil(circuit.msUntilProbe() / 1000)),
  });
}

function attemptInput(ctx: RequestContext, route: ModelRoute, opts: UpstreamOptions): AttemptInput {
  const { provider } = route;
  const endpoint = ctx.route.id === 'models' ? 'chat_completions' : ctx.route.id;
  const prepared = provider.adapter.prepareBody(
    endpoint,
    ctx.body ?? {},
    route.upstreamModel,
    ctx.isStream,
  );
  return {
    provider,
    key: provider.key,
    body: prepared.json === undefined ? (ctx.rawBody ?? '') : JSON.stringify(prepared.json),
    isUsageRequestedByCaller: prepared.isUsageRequestedByCaller,
    timeouts: route.timeouts,
    maxResponseBytes: opts.maxResponseBytes,
  };
}
