import type { Secret } from '../../log/secret.js';
import type { CallOutcome, Circuit } from './circuit.js';

export type KeyState = 'active' | 'draining' | 'revoked';

export interface PoolKeyInit {
  readonly label: string;
  readonly secret: Secret;
  /** The secret reference (`env:…`), kept to re-resolve on reload; undefined in mock mode. */
  readonly ref: string | undefined;
  readonly weight: number;
  readonly state: KeyState;
  readonly createdAtMs: number | null;
  readonly source: 'config' | 'admin';
}

/**
 * One upstream key: its secret, share of traffic, lifecycle state, breaker and the calls it
 * carries now. Read on every request, so plain fields; changed only by the pool's owner
 * (config at start, the admin API later).
 */
export class PoolKey {
  readonly label: string;
  secret: Secret;
  ref: string | undefined;
  weight: number;
  state: KeyState;
  createdAtMs: number | null;
  source: 'config' | 'admin';
  /** Wall clock of the last state change (start, or an admin call). */
  stateChangedAtMs: number;
  inFlight = 0;
  /**
   * Since start: calls leased (`calls`, including those still in flight), and calls completed
   * with a success or a failure. A call in flight is neither: the rotation playbook judges a
   * new key on completed outcomes only, never on `calls - failures`.
   */
  calls = 0;
  successes = 0;
  failures = 0;
  #idleWaiters: (() => void)[] = [];

  constructor(
    readonly providerId: string,
    init: PoolKeyInit,
    readonly circuit: Circuit,
    nowMs: number,
  ) {
    this.label = init.label;
    this.secret = init.secret;
    this.ref = init.ref;
    this.weight = init.weight;
    this.state = init.state;
    this.createdAtMs = init.createdAtMs;
    this.source = init.source;
    this.stateChangedAtMs = nowMs;
  }

  /** May a new request pick this key? (Does not take a breaker slot.) */
  isUsable(): boolean {
    return this.state === 'active' && this.weight > 0 && this.circuit.isAdmitting();
  }

  /** Takes a breaker slot and counts the call in flight; false when the breaker refuses. */
  lease(): boolean {
    if (!this.circuit.tryAcquire()) return false;
    this.inFlight++;
    this.calls++;
    return true;
  }

  /** Exactly once per successful `lease()`. */
  release(outcome: CallOutcome): void {
    this.inFlight--;
    if (outcome === 'failure') this.failures++;
    else if (outcome === 'success') this.successes++;
    this.circuit.record(outcome);
    if (this.inFlight === 0 && this.#idleWaiters.length > 0) {
      const waiters = this.#idleWaiters;
      this.#idleWaiters = [];
      for (const resolve of waiters) resolve();
    }
  }

  /** Resolves once no call is in flight on this key (at once if none is). */
  whenIdle(): Promise<void> {
    if (this.inFlight === 0) return Promise.resolve();
    return new Promise((resolve) => this.#idleWaiters.push(resolve));
  }
}

/** The keys of one provider. Picks by weight among usable keys, skipping open breakers. */
export class KeyPool {
  #keys: readonly PoolKey[] = [];

  constructor(readonly providerId: string) {}

  get keys(): readonly PoolKey[] {
    return this.#keys;
  }

  get(label: string): PoolKey | undefined {
    return this.#keys.find((k) => k.label === label);
  }

  /** Copy on write, so a pick that is iterating keeps a consistent list. */
  add(key: PoolKey): void {
    if (this.get(key.label) !== undefined) throw new Error(`duplicate key label ${key.label}`);
    this.#keys = [...this.#keys, key];
  }

  /**
   * A weighted random usable key not in `exclude`, or undefined. `random` is uniform in [0, 1).
   * No allocation: two passes over a short array.
   */
  pick(random: () => number, exclude: ReadonlySet<PoolKey> | undefined): PoolKey | undefined {
    const keys = this.#keys;
    let total = 0;
    for (let i = 0; i < keys.length; i++) {
      const k = keys[i] as PoolKey;
      if (k.isUsable() && exclude?.has(k) !== true) total += k.weight;
    }
    if (total === 0) return undefined;
    let r = random() * total;
    let last: PoolKey | undefined;
    for (let i = 0; i < keys.length; i++) {
      const k = keys[i] as PoolKey;
      if (!k.isUsable() || exclude?.has(k) === true) continue;
      last = k;
      r -= k.weight;
      if (r < 0) return k;
    }
    return last;
  }

  /** Active keys exist (with weight), whatever their breakers say. */
  hasActiveKey(): boolean {
    return this.#keys.some((k) => k.state === 'active' && k.weight > 0);
  }

  /** The soonest an open breaker of an active key lets a probe through. */
  msUntilProbe(): number {
    let soonest = Infinity;
    for (const k of this.#keys) {
      if (k.state === 'active' && k.weight > 0)
        soonest = Math.min(soonest, k.circuit.msUntilProbe());
    }
    return soonest === Infinity ? 0 : soonest;
  }
}
