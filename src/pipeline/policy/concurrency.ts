import { GatewayError } from '../../errors/gateway-error.js';
import type { LimitBackend, SlotCheck } from '../../limits/types.js';
import type { RequestContext } from '../context.js';
import type { Stage, Verdict } from '../stage.js';

export interface ConcurrencyDeps {
  backend: Pick<LimitBackend, 'acquireSlots' | 'releaseSlots'>;
  leaseTtlMs: number;
}

/**
 * In-flight limits: a slot on every subject's counter for the life of the request, released
 * after the last byte, on error and on client abort (`ctx.defer`). A replica that dies holding
 * slots loses them after `leaseTtlMs`.
 */
export function createConcurrencyStage(deps: ConcurrencyDeps): Stage {
  return {
    name: 'concurrency',
    run: async function concurrency(ctx: RequestContext): Promise<Verdict> {
      const checks: SlotCheck[] = [];
      const labels: string[] = [];
      for (const s of ctx.policy?.subjects ?? []) {
        if (s.limits.concurrency === undefined) continue;
        checks.push({ id: `cc:${s.kind}:${s.id}`, limit: s.limits.concurrency });
        labels.push(`${s.kind}:concurrency`);
      }
      if (checks.length === 0) return undefined;
      const outcome = await deps.backend.acquireSlots(
        checks,
        ctx.reqId,
        ctx.clock.now(),
        deps.leaseTtlMs,
      );
      if (!outcome.ok) {
        const label = labels[outcome.index] ?? 'concurrency';
        ctx.decisions.push({ stage: 'concurrency', action: 'block', type: label });
        return new GatewayError('concurrency_limit_exceeded', { retryAfterSec: 1 });
      }
      const ids = checks.map((c) => c.id);
      ctx.defer(() => deps.backend.releaseSlots(ids, ctx.reqId));
      return undefined;
    },
  };
}
