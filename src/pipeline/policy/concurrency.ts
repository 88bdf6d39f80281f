import { GatewayError } from '../../errors/gateway-error.js';
import type { RequestContext } from '../context.js';
import type { Stage, Verdict } from '../stage.js';
import type { PlannedSlot } from './request-policy.js';
import { planOf } from './subject-plan.js';

/**
 * In-flight limits: a slot on every subject's counter for the life of the request. This stage
 * plans the slots; the budget stage takes them with the rate windows and its reservation in one
 * backend call (`admission.ts`) and releases them after the last byte, on error and on client
 * abort (`ctx.defer`). A replica that dies holding slots loses them after the lease TTL.
 */
export function createConcurrencyStage(): Stage {
  return {
    name: 'concurrency',
    run: function concurrency(ctx: RequestContext): Verdict {
      const policy = ctx.policy;
      if (policy === undefined) return undefined;
      const slots: PlannedSlot[] = [];
      for (const s of policy.subjects) {
        const slot = planOf(s).slot;
        if (slot !== undefined) slots.push(slot);
      }
      if (slots.length > 0) policy.admission = { rates: policy.admission?.rates ?? [], slots };
      return undefined;
    },
  };
}

export function concurrencyRefusal(ctx: RequestContext, refused: PlannedSlot): GatewayError {
  ctx.decisions.push({ stage: 'concurrency', action: 'block', type: refused.label });
  return new GatewayError('concurrency_limit_exceeded', { retryAfterSec: 1 });
}
