import type { Clock } from '../util/clock.js';

export interface ObtainedToken {
  value: string;
  expiresInSec: number;
}

export interface AccessTokenCache {
  /**
   * A live token, obtained when none is held or it is about to expire. Not single-flight:
   * callers that arrive together at renewal time may each obtain one; the last one is kept.
   */
  get(ref: string): Promise<string>;
  /** Forget the token (a 401 from the API, or a reload). */
  invalidate(): void;
}

/**
 * Holds one OAuth access token in memory until shortly before it expires: 60 s early, or at
 * 90% of its life when it lives less than ten minutes.
 */
export function createAccessTokenCache(
  clock: Clock,
  obtain: (ref: string) => Promise<ObtainedToken>,
): AccessTokenCache {
  let held: Promise<{ value: string; renewAtMs: number }> | undefined;
  return {
    async get(ref) {
      const current = held === undefined ? undefined : await held.catch(() => undefined);
      if (current !== undefined && clock.now() < current.renewAtMs) return current.value;
      const pending = obtain(ref).then((t) => {
        const lifeMs = Math.max(0, t.expiresInSec) * 1000;
        const early = lifeMs >= 600_000 ? 60_000 : lifeMs * 0.1;
        return { value: t.value, renewAtMs: clock.now() + lifeMs - early };
      });
      held = pending;
      pending.catch(() => {
        if (held === pending) held = undefined;
      });
      return (await pending).value;
    },
    invalidate() {
      held = undefined;
    },
  };
}
