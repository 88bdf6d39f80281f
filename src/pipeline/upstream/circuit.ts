import type { ErrorCode } from '../../errors/codes.js';
import type { GatewayError } from '../../errors/gateway-error.js';
import type { Logger } from '../../log/logger.js';
import type { Clock } from '../../util/clock.js';

export interface CircuitOptions {
  readonly enabled: boolean;
  /** Opens after this many failures in a row. */
  readonly failureThreshold: number;
  /** Or when at least `minRequests` calls in the window failed at this rate (percent). */
  readonly errorRatePct: number;
  readonly minRequests: number;
  readonly windowMs: number;
  /** How long an open circuit refuses calls before it lets probes through (half-open). */
  readonly openMs: number;
  /** Calls admitted at once while half-open; one success closes the circuit. */
  readonly halfOpenProbes: number;
}

export type CircuitState = 'closed' | 'open' | 'half_open';
export type CallOutcome = 'success' | 'failure' | 'neutral';

/** A state change, as replicas tell each other (Redis pub/sub) or the admin API shows. */
export interface CircuitChange {
  readonly id: string;
  readonly state: 'open' | 'closed';
  /** Wall clock (shared by replicas): when an open circuit starts admitting probes. */
  readonly untilMs: number;
}

/** Shares open/closed transitions between replicas; absent, circuits are per process. */
export interface CircuitSync {
  publish(change: CircuitChange): void;
  /** Resolves once transitions are being received (bounded: best effort when Redis is slow). */
  subscribe(listener: (change: CircuitChange) => void): Promise<void>;
  /** Circuits another replica opened before this one started. */
  load(ids: readonly string[]): Promise<CircuitChange[]>;
  close(): Promise<void>;
}

/**
 * Failures that say something about this key or deployment. A rejected request (4xx), the
 * caller leaving or our own total budget say nothing about it and leave the circuit alone.
 */
const FAILURES: ReadonlySet<ErrorCode> = new Set<ErrorCode>([
  'upstream_rate_limited',
  'upstream_overloaded',
  'upstream_error',
  'upstream_timeout',
  'upstream_unreachable',
  'upstream_timeout_connect',
  'upstream_timeout_first_byte',
  'upstream_timeout_idle',
  'upstream_auth_failed',
  'upstream_stream_interrupted',
  'upstream_bad_response',
]);

export function outcomeOf(err: GatewayError | undefined): CallOutcome {
  if (err === undefined) return 'success';
  return FAILURES.has(err.code) ? 'failure' : 'neutral';
}

/**
 * One upstream key's breaker. Checked on every call, so it is plain fields and synchronous:
 * a closed circuit costs a comparison. State is authoritative per process; transitions are
 * published so other replicas follow at once.
 */
export class Circuit {
  state: CircuitState = 'closed';
  consecutiveFailures = 0;
  /** Wall clock; meaningful while open. */
  openUntilMs = 0;
  #probesInFlight = 0;
  #windowStartMs = 0;
  #windowCalls = 0;
  #windowFailures = 0;

  constructor(
    readonly id: string,
    readonly opts: CircuitOptions,
    private readonly clock: Clock,
    private readonly onTransition: (circuit: Circuit, isLocal: boolean) => void,
  ) {}

  /** Would `tryAcquire()` admit a call now? No side effect: used to choose among keys. */
  isAdmitting(): boolean {
    if (this.state === 'closed' || !this.opts.enabled) return true;
    if (this.state === 'open') return this.clock.now() >= this.openUntilMs;
    return this.#probesInFlight < this.opts.halfOpenProbes;
  }

  /** May a call go to this key now? While half-open, admits up to `halfOpenProbes`. */
  tryAcquire(): boolean {
    if (this.state === 'closed' || !this.opts.enabled) return true;
    if (this.state === 'open') {
      if (this.clock.now() < this.openUntilMs) return false;
      this.state = 'half_open';
      this.#probesInFlight = 0;
      this.onTransition(this, true);
    }
    if (this.#probesInFlight >= this.opts.halfOpenProbes) return false;
    this.#probesInFlight++;
    return true;
  }

  /** Exactly once per admitted call. */
  record(outcome: CallOutcome): void {
    if (!this.opts.enabled) return;
    if (this.state === 'half_open') {
      this.#probesInFlight = Math.max(0, this.#probesInFlight - 1);
      if (outcome === 'success') this.#close(true);
      else if (outcome === 'failure') this.#open(true);
      return;
    }
    if (outcome === 'neutral' || this.state === 'open') return;
    this.#count(outcome === 'failure');
    if (outcome === 'success') {
      this.consecutiveFailures = 0;
      return;
    }
    this.consecutiveFailures++;
    if (this.consecutiveFailures >= this.opts.failureThreshold || this.#isRateTripped()) {
      this.#open(true);
    }
  }

  /** Another replica's transition (or a stored one at start). */
  apply(change: CircuitChange): void {
    if (change.state === 'open') {
      if (this.state === 'open' && this.openUntilMs >= change.untilMs) return;
      this.state = 'open';
      this.openUntilMs = change.untilMs;
      this.onTransition(this, false);
    } else if (this.state !== 'closed') {
      this.#close(false);
    }
  }

  /** Milliseconds until an open circuit admits a probe (0 when it would now). */
  msUntilProbe(): number {
    return this.state === 'open' ? Math.max(0, this.openUntilMs - this.clock.now()) : 0;
  }

  #count(isFailure: boolean): void {
    const now = this.clock.now();
    if (now - this.#windowStartMs >= this.opts.windowMs) {
      this.#windowStartMs = now;
      this.#windowCalls = 0;
      this.#windowFailures = 0;
    }
    this.#windowCalls++;
    if (isFailure) this.#windowFailures++;
  }

  #isRateTripped(): boolean {
    return (
      this.#windowCalls >= this.opts.minRequests &&
      this.#windowFailures * 100 >= this.opts.errorRatePct * this.#windowCalls
    );
  }

  #open(isLocal: boolean): void {
    this.state = 'open';
    this.openUntilMs = this.clock.now() + this.opts.openMs;
    this.#probesInFlight = 0;
    this.onTransition(this, isLocal);
  }

  #close(isLocal: boolean): void {
    this.state = 'closed';
    this.consecutiveFailures = 0;
    this.#windowStartMs = this.clock.now();
    this.#windowCalls = 0;
    this.#windowFailures = 0;
    this.onTransition(this, isLocal);
  }
}

export interface CircuitRegistry {
  /** The breaker of an upstream key, created on first use (at start, or when a key is added). */
  circuit(id: string): Circuit;
  /** Loads circuits other replicas opened, then follows their changes. */
  start(): Promise<void>;
  close(): Promise<void>;
}

/** Every breaker of this process; logs each transition and shares it through `sync`. */
export function createCircuitRegistry(
  deps: { clock: Clock; log: Logger; sync: CircuitSync | undefined },
  opts: CircuitOptions,
): CircuitRegistry {
  const circuits = new Map<string, Circuit>();
  const onTransition = (c: Circuit, isLocal: boolean): void => {
    const fields = { event: 'circuit_' + c.state, circuit: c.id, isLocal };
    if (c.state === 'open') deps.log.warn({ ...fields, openUntilMs: c.openUntilMs });
    else deps.log.info(fields);
    if (!isLocal || c.state === 'half_open' || deps.sync === undefined) return;
    deps.sync.publish({ id: c.id, state: c.state, untilMs: c.openUntilMs });
  };
  return {
    circuit(id) {
      let c = circuits.get(id);
      if (c === undefined) circuits.set(id, (c = new Circuit(id, opts, deps.clock, onTransition)));
      return c;
    },
    async start() {
      const sync = deps.sync;
      if (sync === undefined) return;
      try {
        // Subscribed before loading, so a transition published in between is not missed.
        await sync.subscribe((change) => circuits.get(change.id)?.apply(change));
        for (const change of await sync.load([...circuits.keys()])) {
          circuits.get(change.id)?.apply(change);
        }
      } catch (err) {
        deps.log.warn({ event: 'circuit_sync_unavailable', err });
      }
    },
    close: () => deps.sync?.close() ?? Promise.resolve(),
  };
}
