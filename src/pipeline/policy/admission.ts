import type { GatewayError } from '../../errors/gateway-error.js';
import type { AdmitOutcome, BudgetCheck, LimitBackend } from '../../limits/types.js';
import type { RequestContext } from '../context.js';
import type { Verdict } from '../stage.js';
import { concurrencyRefusal } from './concurrency.js';
import { rateVerdict } from './rate-limit.js';
import type { PendingAdmission, PlannedSlot } from './request-policy.js';

export interface AdmissionDeps {
  backend: Pick<LimitBackend, 'admit' | 'admitNow' | 'releaseSlots'>;
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
 * byte. An in-process backend answers at once, and so does this.
 */
export function admitPending(
  ctx: RequestContext,
  deps: AdmissionDeps,
  budget?: BudgetPart,
): Verdict | Promise<Verdict> {
  const policy = ctx.policy;
  const pending = policy?.admission;
  if (policy !== undefined) policy.admission = undefined;
  const rates = pending?.rates ?? [];
  const slots = pending?.slots ?? [];
  const budgets = budget?.checks ?? [];
  if (rates.length === 0 && slots.length === 0 && budgets.length === 0) return undefined;
  const request = {
    rates: rates.map((r) => r.check),
    slots: slots.map((s) => s.check),
    budgets,
    id: ctx.reqId,
    amountMicroUsd: budget?.amountMicroUsd ?? 0,
    nowMs: ctx.clock.now(),
    leaseTtlMs: deps.leaseTtlMs,
  };
  if (deps.backend.admitNow !== undefined) {
    return decide(ctx, deps, pending, budget, deps.backend.admitNow(request));
  }
  return deps.backend.admit(request).then((outcome) => decide(ctx, deps, pending, budget, outcome));
}

function decide(
  ctx: RequestContext,
  deps: AdmissionDeps,
  pending: PendingAdmission | undefined,
  budget: BudgetPart | undefined,
  outcome: AdmitOutcome,
): Verdict {
  const rates = pending?.rates ?? [];
  const slots = pending?.slots ?? [];
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
