import type pg from 'pg';
import {
  type AdminEvent,
  type BudgetAlert,
  type KillSwitch,
  type KillSwitchScope,
  type PolicyStore,
} from '../types.js';
import { listLimit, policyRowParsers } from '../policy-rows.js';
import { rowChecks, type Row } from '../row-check.js';

const sql = {
  listKill: {
    name: 'bastion_list_kill',
    text: 'SELECT scope, target, reason, created_at_ms, actor FROM kill_switches ORDER BY scope, target',
  },
  setKill: {
    name: 'bastion_set_kill',
    text:
      'INSERT INTO kill_switches (scope, target, reason, created_at_ms, actor) VALUES ($1, $2, $3, $4, $5) ' +
      'ON CONFLICT (scope, target) DO UPDATE SET reason = excluded.reason, ' +
      'created_at_ms = excluded.created_at_ms, actor = excluded.actor',
  },
  clearKill: {
    name: 'bastion_clear_kill',
    text: 'DELETE FROM kill_switches WHERE scope = $1 AND target = $2',
  },
  insertAlert: {
    name: 'bastion_insert_alert',
    text:
      'INSERT INTO budget_alerts (budget, window_id, threshold_pct, spent_micro_usd, ' +
      'limit_micro_usd, at_ms) VALUES ($1, $2, $3, $4, $5, $6) ON CONFLICT DO NOTHING',
  },
  listAlerts: {
    name: 'bastion_list_alerts',
    text:
      'SELECT budget, window_id, threshold_pct, spent_micro_usd, limit_micro_usd, at_ms ' +
      'FROM budget_alerts WHERE at_ms >= $1 ORDER BY at_ms DESC, budget, threshold_pct DESC LIMIT $2',
  },
  insertEvent: {
    name: 'bastion_insert_admin_event',
    text: 'INSERT INTO admin_events (time_ms, actor, action, target, detail) VALUES ($1, $2, $3, $4, $5)',
  },
  listEvents: {
    name: 'bastion_list_admin_events',
    text:
      'SELECT time_ms, actor, action, target, detail FROM admin_events WHERE time_ms >= $1 ' +
      'ORDER BY time_ms DESC, seq DESC LIMIT $2',
  },
  sumSpend: {
    name: 'bastion_sum_spend',
    text:
      'SELECT key_id, user_id, team, env, SUM(cost_micro_usd) AS cost FROM audit_log ' +
      'WHERE time_ms >= $1 AND cost_micro_usd IS NOT NULL GROUP BY key_id, user_id, team, env',
  },
} as const;

const parse = policyRowParsers(rowChecks('postgres'));

/** The policy half of the PostgreSQL store. The caller wraps failures. */
export function createPostgresPolicyStore(pool: pg.Pool): PolicyStore {
  const rows = async (query: pg.QueryConfig): Promise<Row[]> => (await pool.query<Row>(query)).rows;
  return {
    listKillSwitches: async () => (await rows(sql.listKill)).map(parse.kill),
    setKillSwitch: async (e: KillSwitch) => {
      await pool.query({
        ...sql.setKill,
        values: [e.scope, e.target, e.reason, e.createdAtMs, e.actor],
      });
    },
    clearKillSwitch: async (scope: KillSwitchScope, target: string) =>
      (await pool.query({ ...sql.clearKill, values: [scope, target] })).rowCount === 1,
    recordAlert: async (a: BudgetAlert) => {
      const values = [a.budget, a.window, a.thresholdPct, a.spentMicroUsd, a.limitMicroUsd, a.atMs];
      return (await pool.query({ ...sql.insertAlert, values })).rowCount === 1;
    },
    listAlerts: async (q) =>
      (await rows({ ...sql.listAlerts, values: [q.sinceMs ?? 0, listLimit(q.limit)] })).map(
        parse.alert,
      ),
    appendAdminEvent: async (e: AdminEvent) => {
      await pool.query({
        ...sql.insertEvent,
        values: [e.timeMs, e.actor, e.action, e.target, e.detail],
      });
    },
    listAdminEvents: async (q) =>
      (await rows({ ...sql.listEvents, values: [q.sinceMs ?? 0, listLimit(q.limit)] })).map(
        parse.event,
      ),
    sumSpend: async (sinceMs: number) =>
      (await rows({ ...sql.sumSpend, values: [sinceMs] })).map(parse.spend),
  };
}
