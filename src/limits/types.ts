/**
 * The counter backend behind rate limits, concurrency slots and budget reservations. Two
 * implementations pass the same contract suite (`test/contract/limits.contract.ts`): in process
 * (`memory.ts`) and Redis (`redis.ts`, atomic Lua scripts). Every operation over several counters
 * is all-or-nothing: either every counter admits and is charged, or none is touched. Time is
 * passed in (from the gateway's `Clock`), never read from the backend, so tests can simulate it.
 * A backend that cannot decide rejects with `GatewayError('limits_unavailable')`.
 */

/**
 * A sliding-window counter: at most `limit` units in any `windowMs`, to within one sub-bucket
 * (1 % of the window) at the window's trailing edge (`window.ts`).
 */
export interface RateCheck {
  /** Counter id, e.g. `rl:key:key_abc:rpm`. */
  readonly id: string;
  readonly limit: number;
  readonly windowMs: number;
  /** Units this request takes (1 for requests, tokens for token limits). */
  readonly cost: number;
}

export interface RateState {
  readonly limit: number;
  /** Left after this request; when refused, only the refusing check is reported. */
  readonly remaining: number;
  /** Until the oldest counted unit leaves the window. */
  readonly resetMs: number;
}

export type RateOutcome =
  | { readonly ok: true; readonly states: readonly RateState[] }
  | {
      readonly ok: false;
      /** Index of the first check that refused. */
      readonly index: number;
      readonly retryAfterMs: number;
      readonly states: readonly RateState[];
    };

/** A concurrency counter: at most `limit` leases held at once. */
export interface SlotCheck {
  readonly id: string;
  readonly limit: number;
}

export type SlotOutcome = { readonly ok: true } | { readonly ok: false; readonly index: number };

/** A budget in one window: settled spend plus open reservations may not pass `limit`. */
export interface BudgetCheck {
  /** e.g. `b:key:key_abc:m202506`. */
  readonly id: string;
  readonly limitMicroUsd: number;
  /** Counters are kept at least this long (window end plus a retention period). */
  readonly expiresAtMs: number;
}

export type ReserveOutcome =
  | { readonly ok: true }
  | {
      readonly ok: false;
      readonly index: number;
      readonly spentMicroUsd: number;
      readonly reservedMicroUsd: number;
    };

export interface BudgetTotals {
  readonly spentMicroUsd: number;
  readonly reservedMicroUsd: number;
}

/**
 * Counter ids read `<counter>:<subject kind>:<subject id>[:<window>]`: `rl:key:key_abc:rpm`,
 * `cc:team:search`, `b:user:app:key_abc:u42:m202506` (a subject id may hold colons; only rate
 * (`rl`) and budget (`b`) counters end in a window). The subject part, `key:key_abc`, is what
 * the Redis backend makes a key's hash tag, so a Redis Cluster spreads subjects over its shards
 * and keeps each subject's counters in one slot.
 */
export function subjectOf(id: string): string {
  const first = id.indexOf(':');
  if (first < 0) return id;
  const rest = id.slice(first + 1);
  const kind = id.slice(0, first);
  if (kind !== 'rl' && kind !== 'b') return rest;
  const last = rest.lastIndexOf(':');
  return last <= 0 ? rest : rest.slice(0, last);
}

/**
 * A subject's counters as one Redis hash: `subject` is its hash tag, `field` the counter's name
 * inside it (`rl:rpm`, `b:m202506`; `_` for an id without a kind).
 */
export function splitId(id: string): { subject: string; field: string } {
  const subject = subjectOf(id);
  const first = id.indexOf(':');
  if (first < 0) return { subject, field: '_' };
  // Never starts with `:`, which the backend keeps for its own fields.
  const kind = id.slice(0, first) || '_';
  const tail = id.slice(first + 1 + subject.length);
  return { subject, field: kind + tail };
}

/**
 * Everything a request holds from the limit backend, taken in one step: rate windows charged,
 * a concurrency slot on every slot counter and `amountMicroUsd` reserved on every budget, or
 * none of them. `id` names the lease and the reservation (the request id).
 */
export interface AdmitRequest {
  readonly rates: readonly RateCheck[];
  readonly slots: readonly SlotCheck[];
  readonly budgets: readonly BudgetCheck[];
  readonly id: string;
  readonly amountMicroUsd: number;
  readonly nowMs: number;
  readonly leaseTtlMs: number;
}

export type AdmitOutcome =
  | { readonly ok: true; readonly rates: readonly RateState[] }
  | { readonly ok: false; readonly refused: 'rate'; readonly rate: RateOutcome & { ok: false } }
  | { readonly ok: false; readonly refused: 'slot'; readonly index: number }
  | {
      readonly ok: false;
      readonly refused: 'budget';
      readonly budget: ReserveOutcome & { ok: false };
    };

export interface LimitBackend {
  readonly kind: 'memory' | 'redis';
  /** Checked in order (rates, slots, budgets); the first refusal is reported. */
  admit(request: AdmitRequest): Promise<AdmitOutcome>;
  /**
   * `admit` answered at once, by a backend that needs no I/O (in process): the stages then take
   * no promise turn. A remote backend leaves it out.
   */
  readonly admitNow?: (request: AdmitRequest) => AdmitOutcome;
  consumeRate(checks: readonly RateCheck[], nowMs: number, requestId: string): Promise<RateOutcome>;
  /** Takes one slot on every counter, or none. Leases expire after `leaseTtlMs`. */
  acquireSlots(
    checks: readonly SlotCheck[],
    leaseId: string,
    nowMs: number,
    leaseTtlMs: number,
  ): Promise<SlotOutcome>;
  releaseSlots(ids: readonly string[], leaseId: string): Promise<void>;
  /** Reserves `amount` on every budget, or none. Reservations expire after `leaseTtlMs`. */
  reserve(
    checks: readonly BudgetCheck[],
    reservationId: string,
    amountMicroUsd: number,
    nowMs: number,
    leaseTtlMs: number,
  ): Promise<ReserveOutcome>;
  /**
   * Drops the reservation and adds the real cost (0 to refund) to each budget's spend; the
   * spend is added even when the reservation had expired. Returns each budget's new totals.
   */
  settle(
    checks: readonly BudgetCheck[],
    reservationId: string,
    actualMicroUsd: number,
  ): Promise<BudgetTotals[]>;
  /** Current totals, for the admin API. */
  totals(ids: readonly string[]): Promise<BudgetTotals[]>;
  /** Adds settled spend without a reservation (used to rebuild in-process counters at start). */
  addSpend(check: BudgetCheck, amountMicroUsd: number): Promise<void>;
  ping(): Promise<void>;
  close(): Promise<void>;
}
