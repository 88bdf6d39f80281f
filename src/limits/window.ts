/**
 * A sliding window in O(1) memory: the window is cut into `WINDOW_BUCKETS` sub-buckets of
 * `windowMs / WINDOW_BUCKETS` each (600 ms for a minute), and a bucket keeps only its units and
 * the time of its earliest unit. A bucket leaves the window when its earliest unit does, so a
 * unit may leave up to one bucket (1 % of the window) early and never late: every decision is
 * the one an exact sliding log would take with a window between 99 % and 100 % of `windowMs`
 * (`test/contract/limits.contract.ts` checks this against an exact log). At most
 * `WINDOW_BUCKETS + 1` buckets are live, whatever the traffic.
 *
 * The Redis backend runs the same rules in Lua (`redis-scripts.ts`, `RATE_SCRIPT`) over a ring
 * of `WINDOW_BUCKETS + 1` slots; the contract suite runs both.
 */
export const WINDOW_BUCKETS = 100;

export function bucketMsOf(windowMs: number): number {
  return Math.max(1, Math.floor(windowMs / WINDOW_BUCKETS));
}

/** The live buckets, oldest first (parallel arrays from `head`), and their units' sum. */
export class SlidingWindow {
  readonly windowMs: number;
  readonly bucketMs: number;
  sum = 0;
  private index: number[] = [];
  private earliest: number[] = [];
  private units: number[] = [];
  private head = 0;

  constructor(windowMs: number) {
    this.windowMs = windowMs;
    this.bucketMs = bucketMsOf(windowMs);
  }

  /** Drops the buckets that left the window by `nowMs`. */
  expire(nowMs: number): void {
    const lo = Math.floor(nowMs / this.bucketMs) - WINDOW_BUCKETS;
    const { index, earliest, units } = this;
    let h = this.head;
    while (h < index.length && (index[h] as number) < lo) this.sum -= units[h++] as number;
    if (h < index.length && index[h] === lo && (earliest[h] as number) + this.windowMs <= nowMs) {
      this.sum -= units[h++] as number;
    }
    this.head = h;
    if (h > 64 && h * 2 > index.length) {
      this.index = index.slice(h);
      this.earliest = earliest.slice(h);
      this.units = units.slice(h);
      this.head = 0;
    }
  }

  /**
   * Adds `cost` units at `nowMs`. A clock behind the newest bucket (another replica's) adds to
   * that bucket, so the units stay counted at least as long as they should.
   */
  charge(nowMs: number, cost: number): void {
    this.sum += cost;
    if (cost === 0) return;
    const cur = Math.floor(nowMs / this.bucketMs);
    const last = this.index.length - 1;
    if (last >= this.head && (this.index[last] as number) >= cur) {
      this.units[last] = (this.units[last] as number) + cost;
      if (this.index[last] === cur) {
        this.earliest[last] = Math.min(this.earliest[last] as number, nowMs);
      }
      return;
    }
    this.index.push(cur);
    this.earliest.push(nowMs);
    this.units.push(cost);
  }

  isEmpty(): boolean {
    return this.head >= this.index.length;
  }

  /** Until the oldest counted unit leaves (the whole window when nothing is counted). */
  resetMs(nowMs: number): number {
    const oldest = this.isEmpty() ? nowMs : (this.earliest[this.head] as number);
    return oldest + this.windowMs - nowMs;
  }

  /** How long until enough units leave for `cost` to fit under `limit`. */
  waitFor(nowMs: number, cost: number, limit: number): number {
    if (cost > limit) return this.windowMs;
    let freed = 0;
    for (let i = this.head; i < this.index.length; i++) {
      freed += this.units[i] as number;
      if (this.sum - freed + cost <= limit) {
        return Math.max(1, (this.earliest[i] as number) + this.windowMs - nowMs);
      }
    }
    return this.windowMs;
  }
}
