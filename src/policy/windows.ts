/** Budget windows in UTC: a day (`d20250601`) and a calendar month (`m202506`). */
export type BudgetPeriod = 'daily' | 'monthly';

export interface BudgetWindow {
  readonly id: string;
  readonly startMs: number;
  readonly endMs: number;
}

/** Counters outlive their window this long, so the admin API can show the last one. */
export const RETENTION_MS = 40 * 86_400_000;

const last: Record<BudgetPeriod, BudgetWindow | undefined> = {
  daily: undefined,
  monthly: undefined,
};

/** The window holding `nowMs`; the last one computed is reused while it still holds. */
export function budgetWindow(period: BudgetPeriod, nowMs: number): BudgetWindow {
  const cached = last[period];
  if (cached !== undefined && nowMs >= cached.startMs && nowMs < cached.endMs) return cached;
  return (last[period] = computeWindow(period, nowMs));
}

function computeWindow(period: BudgetPeriod, nowMs: number): BudgetWindow {
  const d = new Date(nowMs);
  const y = d.getUTCFullYear();
  const m = d.getUTCMonth();
  const mm = String(m + 1).padStart(2, '0');
  if (period === 'monthly') {
    return { id: `m${y}${mm}`, startMs: Date.UTC(y, m, 1), endMs: Date.UTC(y, m + 1, 1) };
  }
  const day = d.getUTCDate();
  return {
    id: `d${y}${mm}${String(day).padStart(2, '0')}`,
    startMs: Date.UTC(y, m, day),
    endMs: Date.UTC(y, m, day + 1),
  };
}
