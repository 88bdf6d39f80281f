import type { Logger } from '../../log/logger.js';
import type { Clock } from '../../util/clock.js';
import type { PoolKey } from './key-pool.js';
import type { ProviderRuntime } from './providers.js';

const DAY_MS = 86_400_000;
const KEY_AGE_WARN_DAYS = 60;
const KEY_AGE_CRITICAL_DAYS = 90;

export type KeyAgeWarning = 'over_60_days' | 'over_90_days' | null;

/** Whole days since the key was created; null when its creation date is unknown. */
export function keyAgeDays(key: PoolKey, nowMs: number): number | null {
  return key.createdAtMs === null ? null : Math.floor((nowMs - key.createdAtMs) / DAY_MS);
}

export function keyAgeWarning(ageDays: number | null): KeyAgeWarning {
  if (ageDays === null || ageDays < KEY_AGE_WARN_DAYS) return null;
  return ageDays >= KEY_AGE_CRITICAL_DAYS ? 'over_90_days' : 'over_60_days';
}

/**
 * Logs every key in use (not revoked) that is 60 days old (`warn`) or 90 (`error`: an operator
 * should rotate it), at start and once a day. Returns the stop function.
 */
export function startKeyAgeMonitor(
  deps: { providers: ReadonlyMap<string, ProviderRuntime>; clock: Clock; log: Logger },
  opts: { intervalMs: number } = { intervalMs: DAY_MS },
): () => void {
  const check = (): void => {
    const nowMs = deps.clock.now();
    for (const provider of deps.providers.values()) {
      for (const key of provider.pool.keys) {
        if (key.state === 'revoked') continue;
        const ageDays = keyAgeDays(key, nowMs);
        const warning = keyAgeWarning(ageDays);
        if (warning === null) continue;
        const line = { event: 'provider_key_age', provider: provider.id, key: key.label, ageDays };
        if (warning === 'over_90_days') {
          deps.log.error({ ...line, thresholdDays: KEY_AGE_CRITICAL_DAYS });
        } else {
          deps.log.warn({ ...line, thresholdDays: KEY_AGE_WARN_DAYS });
        }
      }
    }
  };
  check();
  const timer = setInterval(check, opts.intervalMs);
  timer.unref();
  return () => clearInterval(timer);
}
