import type { LimitBackend } from '../limits/types.js';
import type { SpendRow, Store } from '../store/types.js';
import type { SubjectKind } from './model.js';
import { budgetWindow, RETENTION_MS, type BudgetPeriod } from './windows.js';

/**
 * The in-process backend starts empty; this window's settled spend is rebuilt from the audit
 * log (each row carries its cost, key, user, team and environment), so a restart does not
 * reset budgets. Open reservations of the previous process are gone with it.
 */
export async function seedSpend(
  deps: { store: Pick<Store, 'sumSpend'>; backend: Pick<LimitBackend, 'addSpend'> },
  nowMs: number,
): Promise<void> {
  for (const period of ['daily', 'monthly'] as const satisfies readonly BudgetPeriod[]) {
    const w = budgetWindow(period, nowMs);
    const rows = await deps.store.sumSpend(w.startMs);
    const totals = new Map<string, number>();
    for (const row of rows) {
      for (const [kind, id] of subjectsOf(row)) {
        const counter = `b:${kind}:${id}:${w.id}`;
        totals.set(counter, (totals.get(counter) ?? 0) + row.costMicroUsd);
      }
    }
    for (const [id, amount] of totals) {
      await deps.backend.addSpend(
        { id, limitMicroUsd: 0, expiresAtMs: w.endMs + RETENTION_MS },
        amount,
      );
    }
  }
}

function subjectsOf(row: SpendRow): [SubjectKind, string][] {
  const out: [SubjectKind, string][] = [['global', '*']];
  if (row.keyId !== null) out.push(['key', row.keyId]);
  if (row.userId !== null) {
    out.push(['user', row.keyId === null ? `jwt:${row.userId}` : `app:${row.keyId}:${row.userId}`]);
  }
  if (row.team !== null) out.push(['team', row.team]);
  if (row.env !== null) out.push(['env', row.env]);
  return out;
}
