import type Database from 'better-sqlite3';
import {
  type AdminEvent,
  type BudgetAlert,
  type KillSwitch,
  type KillSwitchScope,
  type PolicyStore,
} from '../types.js';
import { listLimit, policyRowParsers } from '../policy-rows.js';
import { rowChecks } from '../row-check.js';

type Stmt = Database.Statement<unknown[]>;

const parse = policyRowParsers(rowChecks('sqlite'));

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
    listKillSwitches: () => s.listKill.all().map(parse.kill),
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
    listAlerts: (q) => s.listAlerts.all(q.sinceMs ?? 0, listLimit(q.limit)).map(parse.alert),
    appendAdminEvent: (e: AdminEvent) => {
      s.insertEvent.run(e.timeMs, e.actor, e.action, e.target, e.detail);
    },
    listAdminEvents: (q) => s.listEvents.all(q.sinceMs ?? 0, listLimit(q.limit)).map(parse.event),
    sumSpend: (sinceMs: number) => s.sumSpend.all(sinceMs).map(parse.spend),
  };
}
