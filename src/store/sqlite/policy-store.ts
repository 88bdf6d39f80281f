import type Database from 'better-sqlite3';
import {
  ENVIRONMENTS,
  type AdminEvent,
  type BudgetAlert,
  type Environment,
  type KillSwitch,
  type KillSwitchScope,
  type PolicyStore,
  type SpendRow,
} from '../types.js';
import { rowChecks, type Row } from '../row-check.js';

type Stmt = Database.Statement<unknown[]>;

const SCOPES: ReadonlySet<string> = new Set(['global', 'env', 'provider', 'key']);
const environments: ReadonlySet<string> = new Set(ENVIRONMENTS);
const DEFAULT_LIMIT = 100;
const MAX_LIMIT = 10_000;

function row(value: unknown, table: string): Row {
  return typeof value === 'object' && value !== null ? (value as Row) : corrupt(table, '*');
}

function int(r: Row, table: string, column: string): number {
  const v = r[column];
  return Number.isSafeInteger(v) ? (v as number) : corrupt(table, column);
}

const checks = rowChecks('sqlite');
/** Explicitly typed, so that a call as a statement narrows like a `throw`. */
const corrupt: (table: string, column: string) => never = checks.corrupt;
const { text: str, textOrNull: strOrNull } = checks;

function limitOf(limit: number | undefined): number {
  return limit === undefined ? DEFAULT_LIMIT : Math.min(Math.max(Math.floor(limit), 0), MAX_LIMIT);
}

/**
 * The policy half of the SQLite store: kill switches, budget alerts, operator events, and spend
 * summed from the audit log. Synchronous driver calls; the caller wraps failures.
 */
export function createSqlitePolicyStore(db: Database.Database): {
  [K in keyof PolicyStore]: (
    ...args: Parameters<PolicyStore[K]>
  ) => Awaited<ReturnType<PolicyStore[K]>>;
} {
  const prepare = (sql: string): Stmt => db.prepare<unknown[]>(sql);
  const s = {
    listKill: prepare(
      'SELECT scope, target, reason, created_at_ms, actor FROM kill_switches ORDER BY scope, target',
    ),
    setKill: prepare(
      'INSERT INTO kill_switches (scope, target, reason, created_at_ms, actor) VALUES (?, ?, ?, ?, ?) ' +
        'ON CONFLICT (scope, target) DO UPDATE SET reason = excluded.reason, ' +
        'created_at_ms = excluded.created_at_ms, actor = excluded.actor',
    ),
    clearKill: prepare('DELETE FROM kill_switches WHERE scope = ? AND target = ?'),
    insertAlert: prepare(
      'INSERT INTO budget_alerts (budget, window_id, threshold_pct, spent_micro_usd, ' +
        'limit_micro_usd, at_ms) VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT DO NOTHING',
    ),
    listAlerts: prepare(
      'SELECT budget, window_id, threshold_pct, spent_micro_usd, limit_micro_usd, at_ms ' +
        'FROM budget_alerts WHERE at_ms >= ? ORDER BY at_ms DESC, budget, threshold_pct DESC LIMIT ?',
    ),
    insertEvent: prepare(
      'INSERT INTO admin_events (time_ms, actor, action, target, detail) VALUES (?, ?, ?, ?, ?)',
    ),
    listEvents: prepare(
      'SELECT time_ms, actor, action, target, detail FROM admin_events WHERE time_ms >= ? ' +
        'ORDER BY time_ms DESC, seq DESC LIMIT ?',
    ),
    sumSpend: prepare(
      'SELECT key_id, user_id, team, env, SUM(cost_micro_usd) AS cost FROM audit_log ' +
        'WHERE time_ms >= ? AND cost_micro_usd IS NOT NULL GROUP BY key_id, user_id, team, env',
    ),
  };

  return {
    listKillSwitches: () => s.listKill.all().map(parseKill),
    setKillSwitch: (e: KillSwitch) => {
      s.setKill.run(e.scope, e.target, e.reason, e.createdAtMs, e.actor);
    },
    clearKillSwitch: (scope: KillSwitchScope, target: string) =>
      s.clearKill.run(scope, target).changes === 1,
    recordAlert: (a: BudgetAlert) =>
      s.insertAlert.run(
        a.budget,
        a.window,
        a.thresholdPct,
        a.spentMicroUsd,
        a.limitMicroUsd,
        a.atMs,
      ).changes === 1,
    listAlerts: (q) => s.listAlerts.all(q.sinceMs ?? 0, limitOf(q.limit)).map(parseAlert),
    appendAdminEvent: (e: AdminEvent) => {
      s.insertEvent.run(e.timeMs, e.actor, e.action, e.target, e.detail);
    },
    listAdminEvents: (q) => s.listEvents.all(q.sinceMs ?? 0, limitOf(q.limit)).map(parseEvent),
    sumSpend: (sinceMs: number) => s.sumSpend.all(sinceMs).map(parseSpend),
  };
}

function parseKill(value: unknown): KillSwitch {
  const t = 'kill_switches';
  const r = row(value, t);
  const scope = str(r, t, 'scope');
  if (!SCOPES.has(scope)) corrupt(t, 'scope');
  return {
    scope: scope as KillSwitchScope,
    target: str(r, t, 'target'),
    reason: str(r, t, 'reason'),
    createdAtMs: int(r, t, 'created_at_ms'),
    actor: str(r, t, 'actor'),
  };
}

function parseAlert(value: unknown): BudgetAlert {
  const t = 'budget_alerts';
  const r = row(value, t);
  return {
    budget: str(r, t, 'budget'),
    window: str(r, t, 'window_id'),
    thresholdPct: int(r, t, 'threshold_pct'),
    spentMicroUsd: int(r, t, 'spent_micro_usd'),
    limitMicroUsd: int(r, t, 'limit_micro_usd'),
    atMs: int(r, t, 'at_ms'),
  };
}

function parseEvent(value: unknown): AdminEvent {
  const t = 'admin_events';
  const r = row(value, t);
  return {
    timeMs: int(r, t, 'time_ms'),
    actor: str(r, t, 'actor'),
    action: str(r, t, 'action'),
    target: str(r, t, 'target'),
    detail: strOrNull(r, t, 'detail'),
  };
}

function parseSpend(value: unknown): SpendRow {
  const t = 'audit_log';
  const r = row(value, t);
  const env = strOrNull(r, t, 'env');
  if (env !== null && !environments.has(env)) corrupt(t, 'env');
  return {
    keyId: strOrNull(r, t, 'key_id'),
    userId: strOrNull(r, t, 'user_id'),
    team: strOrNull(r, t, 'team'),
    env: env as Environment | null,
    costMicroUsd: int(r, t, 'cost'),
  };
}
