import type pg from 'pg';
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

const SCOPES: ReadonlySet<string> = new Set(['global', 'env', 'provider', 'key']);
const environments: ReadonlySet<string> = new Set(ENVIRONMENTS);
const DECIMAL = /^-?\d+$/;
const DEFAULT_LIMIT = 100;
const MAX_LIMIT = 10_000;

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

/** BIGINT and NUMERIC (SUM) arrive as decimal strings. */
function int(r: Row, table: string, column: string): number {
  const v = r[column];
  if (typeof v === 'number' && Number.isSafeInteger(v)) return v;
  if (typeof v === 'string' && DECIMAL.test(v) && Number.isSafeInteger(Number(v))) return Number(v);
  return corrupt(table, column);
}

const checks = rowChecks('postgres');
/** Explicitly typed, so that a call as a statement narrows like a `throw`. */
const corrupt: (table: string, column: string) => never = checks.corrupt;
const { text: str, textOrNull: strOrNull } = checks;

function limitOf(limit: number | undefined): number {
  return limit === undefined ? DEFAULT_LIMIT : Math.min(Math.max(Math.floor(limit), 0), MAX_LIMIT);
}

/** The policy half of the PostgreSQL store. The caller wraps failures. */
export function createPostgresPolicyStore(pool: pg.Pool): PolicyStore {
  const rows = async (query: pg.QueryConfig): Promise<Row[]> => (await pool.query<Row>(query)).rows;
  return {
    listKillSwitches: async () => (await rows(sql.listKill)).map(parseKill),
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
      (await rows({ ...sql.listAlerts, values: [q.sinceMs ?? 0, limitOf(q.limit)] })).map(
        parseAlert,
      ),
    appendAdminEvent: async (e: AdminEvent) => {
      await pool.query({
        ...sql.insertEvent,
        values: [e.timeMs, e.actor, e.action, e.target, e.detail],
      });
    },
    listAdminEvents: async (q) =>
      (await rows({ ...sql.listEvents, values: [q.sinceMs ?? 0, limitOf(q.limit)] })).map(
        parseEvent,
      ),
    sumSpend: async (sinceMs: number) =>
      (await rows({ ...sql.sumSpend, values: [sinceMs] })).map(parseSpend),
  };
}

function parseKill(r: Row): KillSwitch {
  const t = 'kill_switches';
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

function parseAlert(r: Row): BudgetAlert {
  const t = 'budget_alerts';
  return {
    budget: str(r, t, 'budget'),
    window: str(r, t, 'window_id'),
    thresholdPct: int(r, t, 'threshold_pct'),
    spentMicroUsd: int(r, t, 'spent_micro_usd'),
    limitMicroUsd: int(r, t, 'limit_micro_usd'),
    atMs: int(r, t, 'at_ms'),
  };
}

function parseEvent(r: Row): AdminEvent {
  const t = 'admin_events';
  return {
    timeMs: int(r, t, 'time_ms'),
    actor: str(r, t, 'actor'),
    action: str(r, t, 'action'),
    target: str(r, t, 'target'),
    detail: strOrNull(r, t, 'detail'),
  };
}

function parseSpend(r: Row): SpendRow {
  const t = 'audit_log';
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
