import type { BudgetAlerter } from '../../alerts/budget-alerts.js';
import { GatewayError } from '../../errors/gateway-error.js';
import type { LimitBackend } from '../../limits/types.js';
import type { LimitSubject } from '../../policy/model.js';
import { costMicroUsd, type ModelPrice, type PriceTable } from '../../pricing/prices.js';
import type { TokenCounter } from '../../pricing/tokens.js';
import type { RequestContext } from '../context.js';
import type { Stage, Verdict } from '../stage.js';
import { admitPending } from './admission.js';
import type { PlannedBudget } from './request-policy.js';
import { plannedBudget, planOf } from './subject-plan.js';
import { promptTokensOf } from './tokens.js';

export interface BudgetDeps {
  backend: Pick<LimitBackend, 'admit' | 'admitNow' | 'releaseSlots' | 'settle'>;
  prices: PriceTable;
  tokens: TokenCounter;
  alerts: Pick<BudgetAlerter, 'check'>;
  upstreamModelOf: (model: string) => string | undefined;
}

export interface BudgetOptions {
  leaseTtlMs: number;
  defaultMaxOutputTokens: number;
}

/**
 * Reserves the worst-case cost (prompt tokens counted, output at its bound) against every
 * budget that applies, in one atomic step with the rate windows and concurrency slots the stages
 * before it planned (`admission.ts`: one backend call), before any upstream call. Runs once per request, so
 * upstream retries do not reserve again. After the last byte the reservation settles to the
 * provider's reported usage (the rest is refunded); a request that got no reply is refunded
 * fully; one whose usage is unknown (a stream cut before its usage event) keeps the worst case.
 */
export function createBudgetStage(deps: BudgetDeps, opts: BudgetOptions): Stage {
  const admission = { backend: deps.backend, leaseTtlMs: opts.leaseTtlMs };

  /** Reserves `worst` with the planned windows and slots (or refuses), once the prompt is counted. */
  function reserve(
    ctx: RequestContext,
    planned: readonly PlannedBudget[],
    price: ModelPrice,
    worst: number,
  ): Verdict | Promise<Verdict> {
    const ceiling = ctx.policy?.maxRequestCostMicroUsd;
    if (ceiling !== undefined && worst > ceiling) {
      return refuseAfter(admitPending(ctx, admission), () => {
        ctx.decisions.push({
          stage: 'budget',
          action: 'block',
          type: 'request_cost',
          count: worst,
        });
        return new GatewayError('request_cost_exceeded');
      });
    }
    const checks = planned.map((p) => p.check);
    const verdict = admitPending(ctx, admission, {
      checks,
      amountMicroUsd: worst,
      refuse: (index) => refusal(ctx, planned[index] as PlannedBudget, worst),
    });
    const settleAfter = (): undefined => {
      if (planned.length === 0) {
        ctx.defer(() => {
          ctx.costMicroUsd = actualCost(ctx, price, worst, deps);
        });
        return undefined;
      }
      ctx.defer(async () => {
        const actual = actualCost(ctx, price, worst, deps);
        ctx.costMicroUsd = actual;
        const totals = await deps.backend.settle(checks, ctx.reqId, actual);
        totals.forEach((t, i) => {
          const ref = planned[i]?.ref;
          if (ref !== undefined) deps.alerts.check(ref, t.spentMicroUsd);
        });
      });
      return undefined;
    };
    if (verdict instanceof Promise) return verdict.then((v) => v ?? settleAfter());
    return verdict ?? settleAfter();
  }

  return {
    name: 'budget',
    run: function budget(ctx: RequestContext): Verdict | Promise<Verdict> {
      const policy = ctx.policy;
      const model = ctx.body?.model;
      if (policy === undefined || typeof model !== 'string' || ctx.route.id === 'models') {
        return admitPending(ctx, admission);
      }
      const planned = plan(policy.subjects, ctx.clock.now());
      const upstreamModel = deps.upstreamModelOf(model);
      const price = deps.prices.priceOf(model, upstreamModel);
      if (price === undefined) {
        return planned.length > 0 || policy.maxRequestCostMicroUsd !== undefined
          ? refuseAfter(
              admitPending(ctx, admission),
              () => new GatewayError('model_price_unknown', { param: 'model' }),
            )
          : admitPending(ctx, admission);
      }
      const prompt = promptTokensOf(ctx, deps.tokens, upstreamModel);
      if (typeof prompt !== 'number') {
        return prompt.then((n) => reserve(ctx, planned, price, worstCost(ctx, opts, price, n)));
      }
      return reserve(ctx, planned, price, worstCost(ctx, opts, price, prompt));
    },
  };
}

/** The planned rate windows and slots refuse first; if they admit, `refuse` answers. */
function refuseAfter(
  admitted: Verdict | Promise<Verdict>,
  refuse: () => GatewayError,
): Verdict | Promise<Verdict> {
  if (admitted instanceof Promise) return admitted.then((v) => v ?? refuse());
  return admitted ?? refuse();
}

/** The worst-case cost: prompt tokens counted, output at its bound. */
function worstCost(
  ctx: RequestContext,
  opts: BudgetOptions,
  price: ModelPrice,
  promptTokens: number,
): number {
  const policy = ctx.policy;
  const output =
    ctx.route.id === 'embeddings'
      ? 0
      : (policy?.requestedOutputTokens ??
        (price.maxOutputTokens ?? opts.defaultMaxOutputTokens) * (policy?.outputChoices ?? 1));
  return costMicroUsd(price, promptTokens, output);
}

function refusal(ctx: RequestContext, blocked: PlannedBudget, worst: number): GatewayError {
  ctx.decisions.push({ stage: 'budget', action: 'block', type: blocked.label, count: worst });
  return new GatewayError('budget_exceeded', {
    // The label, not the budget's id: a user budget's id carries the end user's id.
    message: `The ${blocked.label.split(':').slice(1).join(' ')} budget would be exceeded by this request.`,
  });
}

export function plan(subjects: readonly LimitSubject[], nowMs: number): PlannedBudget[] {
  const out: PlannedBudget[] = [];
  for (const s of subjects) {
    for (const b of planOf(s).budgets) out.push(plannedBudget(s, b, nowMs));
  }
  return out;
}

/**
 * The model that answered: the requested one, or the last fallback upstream recorded. Its price
 * settles the request; one without a price keeps the reserved worst case.
 */
function servedPrice(
  ctx: RequestContext,
  requested: ModelPrice,
  deps: BudgetDeps,
): ModelPrice | undefined {
  for (let i = ctx.decisions.length - 1; i >= 0; i--) {
    const d = ctx.decisions[i];
    if (d?.stage === 'upstream' && d.action === 'fallback' && d.detail !== undefined) {
      return deps.prices.priceOf(d.detail, deps.upstreamModelOf(d.detail));
    }
  }
  return requested;
}

function actualCost(
  ctx: RequestContext,
  requested: ModelPrice,
  reserved: number,
  deps: BudgetDeps,
): number {
  const usage = ctx.usage;
  const price = servedPrice(ctx, requested, deps);
  if (usage !== undefined && price !== undefined) {
    return costMicroUsd(price, usage.promptTokens, usage.completionTokens);
  }
  if (ctx.response === undefined) return 0;
  const detail = usage === undefined ? 'usage_unknown' : 'price_unknown';
  ctx.decisions.push({ stage: 'budget', action: 'charge_reserved', detail });
  return reserved;
}
