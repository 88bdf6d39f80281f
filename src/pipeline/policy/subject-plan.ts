import type { LimitSubject } from '../../policy/model.js';
import { budgetWindow, RETENTION_MS, type BudgetPeriod } from '../../policy/windows.js';
import type { PlannedBudget, PlannedRate, PlannedSlot } from './request-policy.js';

/** A subject's token window: its check is made per request, with that request's tokens. */
export interface TokenWindow {
  readonly id: string;
  readonly limit: number;
  readonly label: string;
}

/** A subject's budget in one period; the check of the current window is kept while it holds. */
interface BudgetPlan {
  readonly period: BudgetPeriod;
  readonly limit: number;
  current: PlannedBudget | undefined;
  window: unknown;
}

/**
 * What the limit stages ask the backend for one subject, built on its first request: the
 * counter ids, labels and checks do not change while the subject's limits do not, and the
 * subjects of a key, team, environment and global are the same objects request after request
 * (`subjects.ts`), so planning a request allocates only what depends on it (its token count).
 */
export interface SubjectPlan {
  /** Request windows (rps, rpm, rph), each costing one unit. */
  readonly requests: readonly PlannedRate[];
  readonly tokens: TokenWindow | undefined;
  readonly slot: PlannedSlot | undefined;
  readonly budgets: readonly BudgetPlan[];
}

const REQUEST_WINDOWS = [
  ['rps', 1_000],
  ['rpm', 60_000],
  ['rph', 3_600_000],
] as const;

export const TOKEN_WINDOW_MS = 60_000;

const PERIODS = [
  ['daily', 'dailyBudgetMicroUsd'],
  ['monthly', 'monthlyBudgetMicroUsd'],
] as const;

const plans = new WeakMap<LimitSubject, SubjectPlan>();

export function planOf(s: LimitSubject): SubjectPlan {
  let plan = plans.get(s);
  if (plan === undefined) plans.set(s, (plan = build(s)));
  return plan;
}

function build(s: LimitSubject): SubjectPlan {
  const { kind, id, limits } = s;
  const requests: PlannedRate[] = [];
  for (const [name, windowMs] of REQUEST_WINDOWS) {
    const limit = limits[name];
    if (limit === undefined) continue;
    requests.push({
      check: { id: `rl:${kind}:${id}:${name}`, limit, windowMs, cost: 1 },
      label: `${kind}:${name}`,
      isTokens: false,
    });
  }
  const tokens =
    limits.tpm === undefined
      ? undefined
      : { id: `rl:${kind}:${id}:tpm`, limit: limits.tpm, label: `${kind}:tpm` };
  const slot =
    limits.concurrency === undefined
      ? undefined
      : {
          check: { id: `cc:${kind}:${id}`, limit: limits.concurrency },
          label: `${kind}:concurrency`,
        };
  const budgets: BudgetPlan[] = [];
  for (const [period, field] of PERIODS) {
    const limit = limits[field];
    if (limit !== undefined) budgets.push({ period, limit, current: undefined, window: undefined });
  }
  return { requests, tokens, slot, budgets };
}

/** The budget's check in the window holding `nowMs`. */
export function plannedBudget(s: LimitSubject, b: BudgetPlan, nowMs: number): PlannedBudget {
  const w = budgetWindow(b.period, nowMs);
  if (b.window === w && b.current !== undefined) return b.current;
  b.window = w;
  b.current = {
    label: `budget:${s.kind}:${b.period}`,
    check: {
      id: `b:${s.kind}:${s.id}:${w.id}`,
      limitMicroUsd: b.limit,
      expiresAtMs: w.endMs + RETENTION_MS,
    },
    ref: { budget: `${s.kind}:${s.id}:${b.period}`, window: w.id, limitMicroUsd: b.limit },
  };
  return b.current;
}
