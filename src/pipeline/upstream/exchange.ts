import { GatewayError } from '../../errors/gateway-error.js';
import type { RequestContext } from '../context.js';
import { outcomeOf, type Circuit } from './circuit.js';
import type { Sleep } from './retry.js';
import { UpstreamDeadline } from './timeouts.js';

/**
 * The state of one request's upstream exchange across its attempts: the total deadline, when
 * it started, the breaker the current attempt holds, and the end-of-stream hook. One per
 * request, so a class (methods on the prototype) with a single bound callback.
 */
export class UpstreamExchange {
  readonly deadline: UpstreamDeadline;
  readonly startedMono: number;
  readonly #ctx: RequestContext;
  #circuit: Circuit | undefined;
  #isDone = false;

  constructor(ctx: RequestContext, totalTimeoutMs: number) {
    this.#ctx = ctx;
    this.startedMono = ctx.clock.monotonicMs();
    this.deadline = new UpstreamDeadline(ctx.signal, totalTimeoutMs, () => ctx.clock.monotonicMs());
  }

  elapsedMs(): number {
    return this.#ctx.clock.monotonicMs() - this.startedMono;
  }

  /** Takes a slot of the key's breaker for the next attempt; false while it is open. */
  acquire(circuit: Circuit): boolean {
    if (!circuit.tryAcquire()) return false;
    this.#circuit = circuit;
    return true;
  }

  /** The attempt is over: its outcome goes to the breaker it held, exactly once. */
  release(err: GatewayError | undefined): void {
    const circuit = this.#circuit;
    if (circuit === undefined) return;
    this.#circuit = undefined;
    circuit.record(outcomeOf(err));
  }

  /** Told once how a started stream ended (`undefined`: complete). */
  readonly onStreamEnd = (err: GatewayError | undefined): void => {
    this.release(err);
    this.finish();
  };

  /** Waits between attempts; false when the caller left or the deadline fired meanwhile. */
  async pause(ms: number, sleep: Sleep): Promise<boolean> {
    try {
      await sleep(ms, this.deadline.signal);
    } catch {
      return false;
    }
    return !this.deadline.signal.aborted;
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
    if (this.#circuit !== undefined) {
      this.#circuit.record('neutral');
      this.#circuit = undefined;
    }
    this.deadline.clear();
    this.#ctx.upstreamLatencyMs = this.elapsedMs();
  }
}
