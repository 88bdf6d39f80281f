import { GatewayError } from '../../errors/gateway-error.js';
import type { UpstreamAbortSignal } from '../../providers/core/http.js';

/**
 * Admission to a provider's connection pool, shared fairly between callers.
 *
 * undici queues a request without limit and without a timeout once every connection is busy,
 * so 1,000 open streams from one key left every other key's request waiting forever (issue 9,
 * finding 4). The gate sits in front of the pool with the same capacity and:
 * - lets a caller (a key, or an end user) below its fair share (the pool divided by the
 *   callers holding or waiting, and never more than half) take any free connection;
 * - lets a caller above it take one only while more than `reserved` stay free, so one caller
 *   can use most of an idle pool but never the last connections another caller needs;
 * - when the pool is full, hands each freed connection to the waiting caller that holds the
 *   fewest (max-min fairness), first come first served among equals;
 * - refuses a request that waited `waitMs` with 503 `upstream_queue_timeout` and Retry-After,
 *   instead of leaving it queued.
 * State is per process, like the pool it guards.
 */
export interface PoolGateOptions {
  capacity: number;
  /** Connections only callers below their fair share may take. */
  reserved: number;
  waitMs: number;
}

export type ReleaseConnection = () => void;

export interface PoolGate {
  /** Resolves once a connection may be used; the release must be called exactly once after. */
  acquire(caller: string, signal: UpstreamAbortSignal): Promise<ReleaseConnection>;
  /**
   * `acquire` when it would resolve at once (a connection may be taken now), without its
   * promise; `undefined` otherwise, and the caller uses `acquire`.
   */
  tryAcquire(caller: string): ReleaseConnection | undefined;
  stats(): { held: number; waiting: number };
}

interface Waiter {
  readonly caller: string;
  readonly arrived: number;
  grant(release: ReleaseConnection): void;
}

/** The signal's reason when it is an error (the upstream deadline's AbortError), else ours. */
function abortError(signal: UpstreamAbortSignal): Error {
  return signal.reason instanceof Error ? signal.reason : new GatewayError('client_closed');
}

export function createPoolGate(opts: PoolGateOptions): PoolGate {
  // Long by design: acquire, release and the fair-share bookkeeping share one set of counters.
  const held = new Map<string, number>();
  const waiting = new Map<string, Waiter[]>();
  let total = 0;
  let waiters = 0;
  let arrivals = 0;

  const heldBy = (caller: string) => held.get(caller) ?? 0;

  function fairShare(caller: string): number {
    let callers = held.size + (held.has(caller) ? 0 : 1);
    for (const c of waiting.keys()) if (!held.has(c) && c !== caller) callers++;
    return Math.max(1, Math.floor(opts.capacity / Math.max(2, callers)));
  }

  function canTake(caller: string): boolean {
    const free = opts.capacity - total;
    return free > 0 && (heldBy(caller) < fairShare(caller) || free > opts.reserved);
  }

  function take(caller: string): ReleaseConnection {
    total++;
    held.set(caller, heldBy(caller) + 1);
    let isReleased = false;
    return function release() {
      if (isReleased) return;
      isReleased = true;
      total--;
      const n = heldBy(caller) - 1;
      if (n === 0) held.delete(caller);
      else held.set(caller, n);
      pump();
    };
  }

  function remove(w: Waiter): boolean {
    const queue = waiting.get(w.caller);
    const at = queue?.indexOf(w) ?? -1;
    if (queue === undefined || at === -1) return false;
    queue.splice(at, 1);
    if (queue.length === 0) waiting.delete(w.caller);
    waiters--;
    return true;
  }

  /** The waiter to serve next: of the callers that may take one, the one holding fewest. */
  function next(): Waiter | undefined {
    let best: Waiter | undefined;
    for (const [caller, queue] of waiting) {
      const first = queue[0];
      if (first === undefined || !canTake(caller)) continue;
      const isFewer = best === undefined || heldBy(caller) < heldBy(best.caller);
      const isTiedEarlier =
        best !== undefined &&
        heldBy(caller) === heldBy(best.caller) &&
        first.arrived < best.arrived;
      if (isFewer || isTiedEarlier) best = first;
    }
    return best;
  }

  function pump(): void {
    while (total < opts.capacity) {
      const w = next();
      if (w === undefined) return;
      remove(w);
      w.grant(take(w.caller));
    }
  }

  return {
    acquire(caller, signal) {
      if (signal.aborted) return Promise.reject(abortError(signal));
      if (canTake(caller)) return Promise.resolve(take(caller));
      return new Promise<ReleaseConnection>((resolve, reject) => {
        const onAbort = () => {
          if (remove(w)) finish(() => reject(abortError(signal)));
        };
        const timer = setTimeout(() => {
          if (remove(w))
            finish(() => reject(new GatewayError('upstream_queue_timeout', { retryAfterSec: 1 })));
        }, opts.waitMs);
        const finish = (settle: () => void) => {
          clearTimeout(timer);
          signal.removeEventListener('abort', onAbort);
          settle();
        };
        const w: Waiter = {
          caller,
          arrived: arrivals++,
          grant: (release) => finish(() => resolve(release)),
        };
        const queue = waiting.get(caller);
        if (queue === undefined) waiting.set(caller, [w]);
        else queue.push(w);
        waiters++;
        signal.addEventListener('abort', onAbort, { once: true });
      });
    },
    tryAcquire: (caller) => (canTake(caller) ? take(caller) : undefined),
    stats: () => ({ held: total, waiting: waiters }),
  };
}
