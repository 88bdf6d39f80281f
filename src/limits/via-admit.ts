import type {
  AdmitOutcome,
  AdmitRequest,
  LimitBackend,
  RateOutcome,
  ReserveOutcome,
  SlotOutcome,
} from './types.js';

type RateRefusal = Extract<AdmitOutcome, { refused: 'rate' }>;
type SlotRefusal = Extract<AdmitOutcome, { refused: 'slot' }>;
type BudgetRefusal = Extract<AdmitOutcome, { refused: 'budget' }>;

const none = { rates: [], slots: [], budgets: [], amountMicroUsd: 0, leaseTtlMs: 0 };

/**
 * The single-kind operations as admissions of one kind, so both backends keep one code path: a
 * request with only rate windows can only be refused by a rate window, and so on.
 */
export function viaAdmit(
  admit: (req: AdmitRequest) => Promise<AdmitOutcome>,
): Pick<LimitBackend, 'consumeRate' | 'acquireSlots' | 'reserve'> {
  return {
    async consumeRate(rates, nowMs, id): Promise<RateOutcome> {
      const out = await admit({ ...none, rates, id, nowMs });
      return out.ok ? { ok: true, states: out.rates } : (out as RateRefusal).rate;
    },
    async acquireSlots(slots, id, nowMs, leaseTtlMs): Promise<SlotOutcome> {
      const out = await admit({ ...none, slots, id, nowMs, leaseTtlMs });
      return out.ok ? { ok: true } : { ok: false, index: (out as SlotRefusal).index };
    },
    async reserve(budgets, id, amountMicroUsd, nowMs, leaseTtlMs): Promise<ReserveOutcome> {
      const out = await admit({ ...none, budgets, id, amountMicroUsd, nowMs, leaseTtlMs });
      return out.ok ? { ok: true } : (out as BudgetRefusal).budget;
    },
  };
}
