import type { RowChecks } from './row-check.js';
import {
  ENVIRONMENTS,
  type AdminEvent,
  type BudgetAlert,
  type Environment,
  type KillSwitch,
  type KillSwitchScope,
  type SpendRow,
} from './types.js';

/** Rows of the policy tables (kill switches, alerts, operator events, spend), for both stores. */
export interface PolicyRowParsers {
  kill: (value: unknown) => KillSwitch;
  alert: (value: unknown) => BudgetAlert;
  event: (value: unknown) => AdminEvent;
  spend: (value: unknown) => SpendRow;
}

const SCOPES: ReadonlySet<string> = new Set(['global', 'env', 'provider', 'key']);
const environments: ReadonlySet<string> = new Set(ENVIRONMENTS);
const DEFAULT_LIMIT = 100;
const MAX_LIMIT = 10_000;

/** A list query's row limit: 100 by default, at most 10,000. */
export function listLimit(limit: number | undefined): number {
  return limit === undefined ? DEFAULT_LIMIT : Math.min(Math.max(Math.floor(limit), 0), MAX_LIMIT);
}

export function policyRowParsers(c: RowChecks): PolicyRowParsers {
  const { asRow, text, textOrNull, int } = c;
  /** Explicitly typed, so that a call as a statement narrows like a `throw`. */
  const corrupt: (table: string, column: string) => never = c.corrupt;
  return {
    kill(value) {
      const t = 'kill_switches';
      const r = asRow(value, t);
      const scope = text(r, t, 'scope');
      if (!SCOPES.has(scope)) corrupt(t, 'scope');
      return {
        scope: scope as KillSwitchScope,
        target: text(r, t, 'target'),
        reason: text(r, t, 'reason'),
        createdAtMs: int(r, t, 'created_at_ms'),
        actor: text(r, t, 'actor'),
      };
    },
    alert(value) {
      const t = 'budget_alerts';
      const r = asRow(value, t);
      return {
        budget: text(r, t, 'budget'),
        window: text(r, t, 'window_id'),
        thresholdPct: int(r, t, 'threshold_pct'),
        spentMicroUsd: int(r, t, 'spent_micro_usd'),
        limitMicroUsd: int(r, t, 'limit_micro_usd'),
        atMs: int(r, t, 'at_ms'),
      };
    },
    event(value) {
      const t = 'admin_events';
      const r = asRow(value, t);
      return {
        timeMs: int(r, t, 'time_ms'),
        actor: text(r, t, 'actor'),
        action: text(r, t, 'action'),
        target: text(r, t, 'target'),
        detail: textOrNull(r, t, 'detail'),
      };
    },
    spend(value) {
      const t = 'audit_log';
      const r = asRow(value, t);
      const env = textOrNull(r, t, 'env');
      if (env !== null && !environments.has(env)) corrupt(t, 'env');
      return {
        keyId: textOrNull(r, t, 'key_id'),
        userId: textOrNull(r, t, 'user_id'),
        team: textOrNull(r, t, 'team'),
        env: env as Environment | null,
        costMicroUsd: int(r, t, 'cost'),
      };
    },
  };
}
