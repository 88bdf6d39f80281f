import type { GatewayError } from '../../errors/gateway-error.js';
import type { BudgetCheck, LimitBackend } from '../../limits/types.js';
import type { RequestContext } from '../context.js';
import type { Verdict } from '../stage.js';
import { concurrencyRefusal } from './concurrency.js';
import { rateVerdict } from './rate-limit.js';
import type { PlannedSlot } from './request-policy.js';

export interface AdmissionDeps {
  backend: Pick<LimitBackend, 'admit' | 'releaseSlots'>;
  leaseTtlMs: number;
}

export interface BudgetPart {
  readonly checks: readonly BudgetCheck[];
  readonly amountMicroUsd: number;
  /** The refusal of the budget at this index. */
  refuse(index: number): GatewayError;
}

/**
 * Takes what the rate-limit and concurrency stages planned, and the budget reservation when
 * there is one, in one backend call (one Redis round trip): rate windows are checked first, then
 * slots, then budgets, and the first refusal is the request's answer, with that stage's code and
 * audit decision; a refused request is charged nothing. The slots are released after the last
 * byte.
 */
export async function admitPending(
  ctx: RequestContext,
  deps: AdmissionDeps,
  budget?: BudgetPart,
): Promise<Verdict> {
  const policy = ctx.policy;
  const pending = policy?.admission;
  if (policy !== undefined) policy.admission = undefined;
  const rates = pending?.rates ?? [];
  const slots = pending?.slots ?? [];
  const budgets = budget?.checks ?? [];
  if (rates.length === 0 && slots.length === 0 && budgets.length === 0) return undefined;
  const outcome = await deps.backend.admit({
    rates: rates.map((r) => r.check),
    slots: slots.map((s) => s.check),
    budgets,
    id: ctx.reqId,
    amountMicroUsd: budget?.amountMicroUsd ?? 0,
    nowMs: ctx.clock.now(),
    leaseTtlMs: deps.leaseTtlMs,
  });
  if (outcome.ok) {
    rateVerdict(ctx, rates, { ok: true, states: outcome.rates });
    if (slots.length > 0) {
      const ids = slots.map((s) => s.check.id);
      ctx.defer(() => deps.backend.releaseSlots(ids, ctx.reqId));
    }
    return undefined;
  }
  switch (outcome.refused) {
    case 'rate':
      return rateVerdict(ctx, rates, outcome.rate);
    case 'slot':
      return concurrencyRefusal(ctx, slots[outcome.index] as PlannedSlot);
    case 'budget':
      return (budget as BudgetPart).refuse(outcome.budget.index);
  }
}
