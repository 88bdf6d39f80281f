import { issueVirtualKey } from '../../src/pipeline/auth/virtual-key.js';
import type { Environment, KeyScopes } from '../../src/store/types.js';
import type { Clock } from '../../src/util/clock.js';
import type { TestGateway } from './gateway.js';

/** Simulated wall time for rate windows; durations stay real (staleness checks, latency). */
export function simulatedClock(startMs: number): Clock & { advance(ms: number): void } {
  let nowMs = startMs;
  return {
    now: () => nowMs,
    monotonicMs: () => performance.now(),
    advance(ms: number) {
      nowMs += ms;
    },
  };
}

/** One key stored in every gateway's store, as replicas sharing a database would see it. */
export async function createSharedKey(
  gateways: readonly TestGateway[],
  opts: { env?: Environment; scopes?: KeyScopes } = {},
): Promise<{ secret: string; id: string }> {
  const issued = issueVirtualKey({
    name: 'shared',
    env: opts.env ?? 'prod',
    nowMs: Date.now(),
    ...(opts.scopes === undefined ? {} : { scopes: opts.scopes }),
  });
  for (const gw of gateways) await gw.app.store.insertKey(issued.record);
  return { secret: issued.secret, id: issued.record.id };
}

export function chatBody(extra: Record<string, unknown> = {}): Record<string, unknown> {
  return { model: 'gpt-4o-mini', messages: [{ role: 'user', content: 'hello' }], ...extra };
}

export function redisLimits(prefix: string): Record<string, unknown> {
  // Generous timeout: on a loaded CI machine a slow Redis call would refuse (fail closed).
  return {
    backend: 'redis',
    redis: { url: 'env:REDIS_URL', keyPrefix: prefix, commandTimeoutMs: 5_000 },
  };
}
