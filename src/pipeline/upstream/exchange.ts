import { GatewayError } from '../../errors/gateway-error.js';
import type { RequestContext } from '../context.js';
import { outcomeOf } from './circuit.js';
import type { PoolKey } from './key-pool.js';
import type { ModelRoute } from './providers.js';
import type { Sleep } from './retry.js';
import { UpstreamDeadline } from './timeouts.js';

/**
 * The state of one request's upstream exchange across its attempts: the total deadline, when
 * it started, the key the current attempt holds, and the end-of-stream hook. One per
 * request, so a class (methods on the prototype) with a single bound callback.
 */
export class UpstreamExchange {
  readonly deadline: UpstreamDeadline;
  readonly startedMono: number;
  readonly #ctx: RequestContext;
  #key: PoolKey | undefined;
  #tried: Set<PoolKey> | undefined;
  #skipped: Set<ModelRoute> | undefined;
  #isDone = false;
  /** Rounds over every usable key; backoff grows with it. */
  round = 1;

  constructor(ctx: RequestContext, totalTimeoutMs: number) {
    this.#ctx = ctx;
    this.startedMono = ctx.clock.monotonicMs();
    this.deadline = new UpstreamDeadline(ctx.disconnect, totalTimeoutMs, () =>
      ctx.clock.monotonicMs(),
    );
  }

  elapsedMs(): number {
    return this.#ctx.clock.monotonicMs() - this.startedMono;
  }

  /** Keys that failed this round; allocated only once one has. */
  get tried(): ReadonlySet<PoolKey> | undefined {
    return this.#tried;
  }

  exclude(key: PoolKey): void {
    (this.#tried ??= new Set()).add(key);
  }

  /** A fallback that cannot take this request (its provider cannot express it): never tried. */
  skip(route: ModelRoute): void {
    (this.#skipped ??= new Set()).add(route);
  }

  isSkipped(route: ModelRoute): boolean {
    return this.#skipped?.has(route) ?? false;
  }

  /** Every usable key failed: after the backoff, all of them may be tried again. */
  newRound(): void {
    this.#tried?.clear();
    this.round++;
  }

  /** Leases `key` for the next attempt (breaker slot, in-flight count); false if refused. */
  acquire(key: PoolKey): boolean {
    if (!key.lease()) return false;
    this.#key = key;
    this.#ctx.upstreamKey = key;
    return true;
  }

  /** The attempt is over: its outcome goes to the key (and its breaker), exactly once. */
  release(err: GatewayError | undefined): void {
    const key = this.#key;
    if (key === undefined) return;
    this.#key = undefined;
    key.release(outcomeOf(err));
  }

  /** Told once how a started stream ended (`undefined`: complete). */
  readonly onStreamEnd = (err: GatewayError | undefined): void => {
    this.release(err);
    this.finish();
  };

  /** Waits between attempts; false when the caller left or the deadline fired meanwhile. */
  async pause(ms: number, sleep: Sleep): Promise<boolean> {
    try {
      await sleep(ms, this.deadline);
    } catch {
      return false;
    }
    return !this.deadline.aborted;
  }

  /** Why the exchange stopped while waiting: our deadline, or the caller. */
  abortReason(): GatewayError {
    return new GatewayError(this.deadline.isExpired ? 'upstream_timeout_total' : 'client_closed');
  }

  /**
   * After the last attempt: a started stream finishes later (its end, or the request's deferred
   * cleanup if nobody reads it); anything else finishes now.
   */
  settle(err: GatewayError | undefined): void {
    if (err === undefined && this.#ctx.response?.kind === 'stream') {
      this.#ctx.defer(() => this.finish());
    } else {
      this.finish();
    }
  }

  /** Idempotent: clears the deadline and records the upstream latency. */
  finish(): void {
    if (this.#isDone) return;
    this.#isDone = true;
    // A stream nobody read says nothing about the upstream.
    if (this.#key !== undefined) {
      this.#key.release('neutral');
      this.#key = undefined;
    }
    this.deadline.clear();
    this.#ctx.upstreamLatencyMs = this.elapsedMs();
  }
}
