import type { Logger } from '../log/logger.js';
import type { BudgetAlert, PolicyStore } from '../store/types.js';
import type { Clock } from '../util/clock.js';
import type { WebhookSender } from './webhook.js';

/** A budget in one window, as the budget stage knows it. */
export interface BudgetRef {
  /** e.g. `key:key_abc:monthly`. */
  readonly budget: string;
  /** e.g. `m202506`. */
  readonly window: string;
  readonly limitMicroUsd: number;
}

export interface BudgetAlerter {
  /** After a settle: raises every threshold the spend has reached and not yet raised. */
  check(ref: BudgetRef, spentMicroUsd: number): void;
  idle(): Promise<void>;
}

/**
 * Alerts at each configured percentage, once per budget, window and threshold. The store is the
 * arbiter of "once" (its primary key holds across replicas and restarts); a set in memory saves
 * asking it again for thresholds this process has already seen raised.
 */
export function createBudgetAlerter(
  deps: {
    store: Pick<PolicyStore, 'recordAlert'>;
    webhook: WebhookSender | undefined;
    log: Logger;
    clock: Clock;
  },
  opts: { thresholdsPct: readonly number[] },
): BudgetAlerter {
  const thresholds = [...new Set(opts.thresholdsPct)].sort((a, b) => a - b);
  const seen = new Set<string>();
  const pending = new Set<Promise<void>>();

  function raise(ref: BudgetRef, pct: number, spentMicroUsd: number): void {
    const id = `${ref.budget}|${ref.window}|${pct}`;
    if (seen.has(id)) return;
    seen.add(id);
    const alert: BudgetAlert = {
      budget: ref.budget,
      window: ref.window,
      thresholdPct: pct,
      spentMicroUsd,
      limitMicroUsd: ref.limitMicroUsd,
      atMs: deps.clock.now(),
    };
    const p = deps.store
      .recordAlert(alert)
      .then((isNew) => {
        if (!isNew) return;
        deps.log.warn({ event: 'budget_alert', ...alert });
        deps.webhook?.send(`alert:${id}`, { type: 'budget_alert', ...alert });
      })
      .catch((err: unknown) => {
        seen.delete(id);
        deps.log.error({ event: 'budget_alert_record_failed', budget: ref.budget, err });
      })
      .finally(() => pending.delete(p));
    pending.add(p);
  }

  return {
    check(ref, spentMicroUsd) {
      if (ref.limitMicroUsd <= 0) return;
      for (const pct of thresholds) {
        if (spentMicroUsd * 100 >= pct * ref.limitMicroUsd) raise(ref, pct, spentMicroUsd);
      }
    },
    async idle() {
      while (pending.size > 0) await Promise.allSettled([...pending]);
      await deps.webhook?.idle();
    },
  };
}
