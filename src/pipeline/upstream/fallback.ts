import { GatewayError } from '../../errors/gateway-error.js';
import type { RequestContext } from '../context.js';
import type { UpstreamExchange } from './exchange.js';
import type { PoolKey } from './key-pool.js';
import type { ModelRoute } from './providers.js';
import { canServe } from './translate.js';

/** Where the next attempt goes: a route and one of its provider's keys. */
export interface Candidate {
  readonly route: ModelRoute;
  readonly key: PoolKey;
}

/**
 * Where the next attempt goes: a usable key of the routed model first (weighted, skipping open
 * breakers, draining or revoked keys and keys that failed this round), then of each fallback
 * model in config order. Undefined when no key is usable this round.
 */
export function nextCandidate(
  ctx: RequestContext,
  primary: ModelRoute,
  exchange: UpstreamExchange,
  random: () => number,
): Candidate | undefined {
  let key = primary.provider.pool.pick(random, exchange.tried);
  if (key !== undefined) return { route: primary, key };
  for (const route of primary.fallbacks) {
    if (exchange.isSkipped(route) || !mayFallBackTo(ctx, route)) continue;
    key = route.provider.pool.pick(random, exchange.tried);
    if (key !== undefined) return { route, key };
  }
  return undefined;
}

/**
 * A fallback never widens what the caller may do: it must serve this endpoint (in its own
 * format or translated, so it may be another provider's model), and the caller's scopes
 * (key, environment, provider kill switches) must allow its model and provider. Without an
 * access policy on the request, the hook allows.
 */
export function mayFallBackTo(ctx: RequestContext, route: ModelRoute): boolean {
  if (ctx.route.id === 'models' || !canServe(ctx.route.id, route.provider)) return false;
  return ctx.policy?.mayUse(route.model, route.provider.id) ?? true;
}

/**
 * Nothing usable before any attempt: breakers are open (503 with Retry-After until the first
 * probe), or no key is active at all (an operator must act).
 */
export function unavailableError(ctx: RequestContext, primary: ModelRoute): GatewayError {
  let soonestMs = Infinity;
  for (const route of [primary, ...primary.fallbacks]) {
    if (route !== primary && !mayFallBackTo(ctx, route)) continue;
    if (route.provider.pool.hasActiveKey()) {
      soonestMs = Math.min(soonestMs, route.provider.pool.msUntilProbe());
    }
  }
  if (soonestMs === Infinity) return new GatewayError('upstream_no_active_key');
  return new GatewayError('upstream_circuit_open', {
    retryAfterSec: Math.max(1, Math.ceil(soonestMs / 1000)),
  });
}
