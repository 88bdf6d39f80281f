/** What a request holds on a counter until it ends or the lease runs out. */
export interface Lease {
  /** Micro-dollars reserved (0 for a concurrency slot). */
  readonly amount: number;
  readonly expiresAtMs: number;
}

/**
 * The leases on one counter (in-process backend). Dropping the expired ones is checked on every
 * admission, so it must not walk every lease each time: the set keeps a lower bound of their
 * expiry times and walks only once that time has come (about once per lease TTL), not once per
 * request with every in-flight request's lease.
 */
export class LeaseSet {
  private readonly byId = new Map<string, Lease>();
  /** No lease expires before this (a lower bound: a released lease may have set it). */
  private soonestMs = Infinity;

  get size(): number {
    return this.byId.size;
  }

  add(id: string, lease: Lease): void {
    this.byId.set(id, lease);
    if (lease.expiresAtMs < this.soonestMs) this.soonestMs = lease.expiresAtMs;
  }

  /** Removes the lease and returns it, if held. */
  take(id: string): Lease | undefined {
    const lease = this.byId.get(id);
    if (lease !== undefined) this.byId.delete(id);
    return lease;
  }

  /** Drops the leases expired by `nowMs` and returns the amount they held. */
  expire(nowMs: number): number {
    if (nowMs < this.soonestMs) return 0;
    let freed = 0;
    let soonest = Infinity;
    for (const [id, lease] of this.byId) {
      if (lease.expiresAtMs <= nowMs) {
        freed += lease.amount;
        this.byId.delete(id);
      } else if (lease.expiresAtMs < soonest) soonest = lease.expiresAtMs;
    }
    this.soonestMs = soonest;
    return freed;
  }
}
