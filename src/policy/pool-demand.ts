import type { PolicyConfig } from './config.js';
import { ENVIRONMENTS, type VirtualKeyRecord } from '../store/types.js';

/**
 * How many upstream calls the keys may have in flight at once, from their concurrency limits
 * (a key's own, else its environment's default), capped by each environment's total and the
 * global limit. `bastion doctor` compares it with `upstream.connections`: when the keys may
 * want more than the pool holds, the surplus waits (`upstream.connectionWaitMs`) and then gets
 * 503 `upstream_queue_timeout`.
 */
export interface PoolDemand {
  /** Infinity when some active key has no concurrency limit and nothing caps it. */
  maxInFlight: number;
  activeKeys: number;
  unlimitedKeys: number;
}

export function poolDemand(
  policy: Pick<PolicyConfig, 'environments' | 'global'>,
  keys: readonly VirtualKeyRecord[],
  nowMs: number,
): PoolDemand {
  let activeKeys = 0;
  let unlimitedKeys = 0;
  let total = 0;
  for (const env of ENVIRONMENTS) {
    const config = policy.environments[env];
    let sum = 0;
    for (const key of keys) {
      const isActive =
        key.env === env &&
        key.revokedAtMs === null &&
        (key.expiresAtMs === null || key.expiresAtMs > nowMs);
      if (!isActive) continue;
      activeKeys++;
      const limit = key.scopes.limits?.concurrency ?? config.keyDefaults.concurrency;
      if (limit === undefined) unlimitedKeys++;
      sum += limit ?? Number.POSITIVE_INFINITY;
    }
    total += Math.min(sum, config.total.concurrency ?? Number.POSITIVE_INFINITY);
  }
  const maxInFlight = Math.min(total, policy.global.concurrency ?? Number.POSITIVE_INFINITY);
  return { maxInFlight, activeKeys, unlimitedKeys };
}
