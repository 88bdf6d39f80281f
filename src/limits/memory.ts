import type {
  AdmitOutcome,
  AdmitRequest,
  BudgetCheck,
  BudgetTotals,
  LimitBackend,
  RateCheck,
  RateState,
  SlotCheck,
} from './types.js';
import { LeaseSet, type Lease } from './leases.js';
import { viaAdmit } from './via-admit.js';
import { SlidingWindow } from './window.js';

interface Budget {
  spent: number;
  reserved: number;
  leases: LeaseSet;
  expiresAtMs: number;
}

const SWEEP_EVERY_OPS = 4_096;

/**
 * Counters in this process: atomic because each operation runs to completion on the one
 * JavaScript thread; rate windows are sub-bucketed (`window.ts`), so a subject's state is bounded
 * whatever its traffic. Right for one replica; several replicas need the Redis backend.
 */
export function createMemoryLimitBackend(): LimitBackend {
  // Long by design: one short method per LimitBackend operation, all over the same maps.
  const windows = new Map<string, SlidingWindow>();
  const slots = new Map<string, LeaseSet>();
  const budgets = new Map<string, Budget>();
  let ops = 0;

  function tick(nowMs: number): void {
    if (++ops % SWEEP_EVERY_OPS !== 0) return;
    for (const [id, w] of windows) {
      w.expire(nowMs);
      if (w.isEmpty()) windows.delete(id);
    }
    for (const [id, leases] of slots) {
      leases.expire(nowMs);
      if (leases.size === 0) slots.delete(id);
    }
    for (const [id, b] of budgets) if (b.expiresAtMs <= nowMs) budgets.delete(id);
  }

  function budget(check: BudgetCheck): Budget {
    let b = budgets.get(check.id);
    if (b === undefined) {
      b = { spent: 0, reserved: 0, leases: new LeaseSet(), expiresAtMs: check.expiresAtMs };
      budgets.set(check.id, b);
    }
    return b;
  }

  /** The windows of `checks` if all admit their cost, else the refusal. */
  function checkRates(checks: readonly RateCheck[], nowMs: number) {
    const held: SlidingWindow[] = [];
    for (let i = 0; i < checks.length; i++) {
      const c = checks[i] as RateCheck;
      let w = windows.get(c.id);
      if (w?.windowMs !== c.windowMs) windows.set(c.id, (w = new SlidingWindow(c.windowMs)));
      w.expire(nowMs);
      if (w.sum + c.cost > c.limit) {
        const retryAfterMs = w.waitFor(nowMs, c.cost, c.limit);
        const state = {
          limit: c.limit,
          remaining: Math.max(0, c.limit - w.sum),
          resetMs: retryAfterMs,
        };
        return { ok: false as const, index: i, retryAfterMs, states: [state] };
      }
      held.push(w);
    }
    return held;
  }

  function checkSlots(checks: readonly SlotCheck[], nowMs: number) {
    const held: LeaseSet[] = [];
    for (let i = 0; i < checks.length; i++) {
      const c = checks[i] as SlotCheck;
      let leases = slots.get(c.id);
      if (leases === undefined) slots.set(c.id, (leases = new LeaseSet()));
      leases.expire(nowMs);
      if (leases.size >= c.limit) return i;
      held.push(leases);
    }
    return held;
  }

  function checkBudgets(checks: readonly BudgetCheck[], amount: number, nowMs: number) {
    const held: Budget[] = [];
    for (let i = 0; i < checks.length; i++) {
      const c = checks[i] as BudgetCheck;
      const b = budget(c);
      b.reserved -= b.leases.expire(nowMs);
      if (b.spent + b.reserved + amount > c.limitMicroUsd) {
        const { spent, reserved } = b;
        return { ok: false as const, index: i, spentMicroUsd: spent, reservedMicroUsd: reserved };
      }
      held.push(b);
    }
    return held;
  }

  function admit(req: AdmitRequest): AdmitOutcome {
    const { nowMs, id } = req;
    tick(nowMs);
    const rates = checkRates(req.rates, nowMs);
    if (!Array.isArray(rates)) return { ok: false, refused: 'rate', rate: rates };
    const leases = checkSlots(req.slots, nowMs);
    if (!Array.isArray(leases)) return { ok: false, refused: 'slot', index: leases };
    const held = checkBudgets(req.budgets, req.amountMicroUsd, nowMs);
    if (!Array.isArray(held)) return { ok: false, refused: 'budget', budget: held };
    const states: RateState[] = req.rates.map((c, i) => {
      const w = rates[i] as SlidingWindow;
      w.charge(nowMs, c.cost);
      return { limit: c.limit, remaining: c.limit - w.sum, resetMs: w.resetMs(nowMs) };
    });
    const expiresAtMs = nowMs + req.leaseTtlMs;
    if (leases.length > 0) {
      const slot: Lease = { amount: 0, expiresAtMs };
      for (const l of leases) l.add(id, slot);
    }
    if (held.length > 0) {
      const lease: Lease = { amount: req.amountMicroUsd, expiresAtMs };
      for (const b of held) {
        b.reserved += lease.amount;
        b.leases.add(id, lease);
      }
    }
    return { ok: true, rates: states };
  }

  return {
    kind: 'memory',

    admit: (req) => Promise.resolve(admit(req)),
    admitNow: admit,
    ...viaAdmit((req) => Promise.resolve(admit(req))),

    releaseSlots(ids: readonly string[], leaseId: string): Promise<void> {
      for (const id of ids) slots.get(id)?.take(leaseId);
      return Promise.resolve();
    },

    settle(checks, reservationId, actual): Promise<BudgetTotals[]> {
      return Promise.resolve(
        checks.map((c) => {
          const b = budget(c);
          const lease = b.leases.take(reservationId);
          if (lease !== undefined) b.reserved -= lease.amount;
          b.spent += actual;
          return { spentMicroUsd: b.spent, reservedMicroUsd: b.reserved };
        }),
      );
    },

    totals(ids: readonly string[]): Promise<BudgetTotals[]> {
      return Promise.resolve(
        ids.map((id) => {
          const b = budgets.get(id);
          return { spentMicroUsd: b?.spent ?? 0, reservedMicroUsd: b?.reserved ?? 0 };
        }),
      );
    },

    addSpend(check: BudgetCheck, amount: number): Promise<void> {
      budget(check).spent += amount;
      return Promise.resolve();
    },

    ping: () => Promise.resolve(),
    close: () => Promise.resolve(),
  };
}
