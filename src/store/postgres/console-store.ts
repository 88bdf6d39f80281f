import type pg from 'pg';
import { consoleRowParsers, OVERVIEW_TOP_COLUMNS } from '../console-rows.js';
import { rowChecks, type Row } from '../row-check.js';
import type { AuditOverviewQuery, ConsoleStore } from '../types.js';

const parse = consoleRowParsers(rowChecks('postgres'));
const RANGE = 'time_ms >= $1::bigint AND time_ms < $2::bigint';
const DECISION =
  "d.value->>'stage' AS stage, d.value->>'action' AS action, d.value->>'type' AS type";
const GUARD_FROM =
  'FROM audit_log a CROSS JOIN LATERAL jsonb_array_elements(a.decisions) WITH ORDINALITY AS d(value, ord) ' +
  "WHERE a.time_ms >= $1::bigint AND a.time_ms < $2::bigint AND a.decisions <> '[]'::jsonb " +
  "AND left(d.value->>'stage', 6) = 'guard_' AND d.value->>'action' <> 'allow'";

const topSql = (list: string, column: string) => ({
  name: `bastion_overview_top_${list}`,
  text:
    `SELECT ${column} AS name, count(*) AS requests, coalesce(sum(cost_micro_usd), 0) AS cost ` +
    `FROM audit_log WHERE ${RANGE} AND ${column} IS NOT NULL GROUP BY 1 ` +
    'ORDER BY requests DESC, cost DESC, name LIMIT $3',
});

const sql = {
  series: {
    name: 'bastion_overview_series',
    text:
      'SELECT (time_ms - $1::bigint) / $3::bigint AS idx, count(*) AS requests, ' +
      'count(*) FILTER (WHERE status >= 400) AS errors, ' +
      'coalesce(sum(prompt_tokens), 0) AS prompt_tokens, ' +
      'coalesce(sum(completion_tokens), 0) AS completion_tokens, ' +
      `coalesce(sum(cost_micro_usd), 0) AS cost FROM audit_log WHERE ${RANGE} GROUP BY 1 ORDER BY 1`,
  },
  latency: {
    name: 'bastion_overview_latency',
    text:
      'SELECT (CASE WHEN latency_ms < 1000 THEN floor(latency_ms) ' +
      'WHEN latency_ms < 10000 THEN floor(latency_ms / 10) * 10 ' +
      'WHEN latency_ms < 100000 THEN floor(latency_ms / 100) * 100 ' +
      'ELSE floor(latency_ms / 1000) * 1000 END)::bigint AS from_ms, ' +
      `max(latency_ms) AS max_ms, count(*) AS requests FROM audit_log WHERE ${RANGE} GROUP BY 1 ORDER BY 1`,
  },
  refusals: {
    name: 'bastion_overview_refusals',
    text:
      'SELECT error_code AS code, max(status) AS status, count(*) AS requests FROM audit_log ' +
      `WHERE ${RANGE} AND error_code IS NOT NULL GROUP BY error_code ORDER BY requests DESC, code`,
  },
  guardByCategory: {
    name: 'bastion_overview_guard_categories',
    text:
      `SELECT ${DECISION}, count(*) AS requests ${GUARD_FROM} ` +
      'GROUP BY 1, 2, 3 ORDER BY requests DESC, stage, action, type',
  },
  guardRecent: {
    name: 'bastion_overview_guard_recent',
    text:
      `SELECT a.request_id, a.time_ms, ${DECISION} ${GUARD_FROM} ` +
      'ORDER BY a.time_ms DESC, a.seq DESC, d.ord LIMIT $3',
  },
  keys: topSql('keys', OVERVIEW_TOP_COLUMNS.keys),
  models: topSql('models', OVERVIEW_TOP_COLUMNS.models),
  users: topSql('users', OVERVIEW_TOP_COLUMNS.users),
  teams: topSql('teams', OVERVIEW_TOP_COLUMNS.teams),
  insertAck: {
    name: 'bastion_insert_alert_ack',
    text:
      'INSERT INTO alert_acks (kind, alert_id, actor, at_ms) VALUES ($1, $2, $3, $4) ' +
      'ON CONFLICT DO NOTHING',
  },
  hasBudgetAlert: {
    name: 'bastion_has_budget_alert',
    text: 'SELECT 1 FROM budget_alerts WHERE budget = $1 AND window_id = $2 AND threshold_pct = $3',
  },
  listAcks: {
    name: 'bastion_list_alert_acks',
    text: 'SELECT kind, alert_id, actor, at_ms FROM alert_acks WHERE kind = $1 AND alert_id = ANY($2::text[])',
  },
  insertSession: {
    name: 'bastion_insert_console_session',
    text:
      'INSERT INTO console_sessions (token_hash, role, label, created_at_ms, last_seen_ms, ' +
      'expires_at_ms) VALUES ($1, $2, $3, $4, $5, $6)',
  },
  findSession: {
    name: 'bastion_find_console_session',
    text:
      'SELECT token_hash, role, label, created_at_ms, last_seen_ms, expires_at_ms ' +
      'FROM console_sessions WHERE token_hash = $1',
  },
  touchSession: {
    name: 'bastion_touch_console_session',
    text: 'UPDATE console_sessions SET last_seen_ms = $2, expires_at_ms = $3 WHERE token_hash = $1',
  },
  deleteSession: {
    name: 'bastion_delete_console_session',
    text: 'DELETE FROM console_sessions WHERE token_hash = $1',
  },
  purgeSessions: {
    name: 'bastion_purge_console_sessions',
    // One statement: expired sessions, then all but the `keep` most recently used live ones.
    text:
      'WITH expired AS (DELETE FROM console_sessions WHERE expires_at_ms <= $1 RETURNING token_hash) ' +
      'DELETE FROM console_sessions WHERE token_hash IN (SELECT token_hash FROM console_sessions ' +
      'WHERE expires_at_ms > $1 ORDER BY last_seen_ms DESC, token_hash OFFSET $2)',
  },
} as const;

/**
 * The console half of the PostgreSQL store. The overview is summed by the database, so only
 * group rows travel. The caller wraps failures.
 */
export function createPostgresConsoleStore(pool: pg.Pool): ConsoleStore {
  const rows = async (query: pg.QueryConfig): Promise<Row[]> => (await pool.query<Row>(query)).rows;
  const count = async (query: pg.QueryConfig): Promise<number> =>
    (await pool.query(query)).rowCount ?? 0;
  return {
    acknowledgeAlert: async (a) =>
      (await count({ ...sql.insertAck, values: [a.kind, a.alertId, a.actor, a.atMs] })) === 1,
    hasBudgetAlert: async (a) =>
      (await count({ ...sql.hasBudgetAlert, values: [a.budget, a.window, a.thresholdPct] })) === 1,
    listAlertAcks: async (kind, ids) =>
      ids.length === 0 ? [] : (await rows({ ...sql.listAcks, values: [kind, ids] })).map(parse.ack),
    insertConsoleSession: async (r) => {
      const values = [r.tokenHash, r.role, r.label, r.createdAtMs, r.lastSeenMs, r.expiresAtMs];
      await pool.query({ ...sql.insertSession, values });
    },
    findConsoleSession: async (hash) => {
      const [row] = await rows({ ...sql.findSession, values: [hash] });
      return row === undefined ? undefined : parse.session(row);
    },
    touchConsoleSession: async (hash, lastSeenMs, expiresAtMs) =>
      (await count({ ...sql.touchSession, values: [hash, lastSeenMs, expiresAtMs] })) === 1,
    deleteConsoleSession: async (hash) =>
      (await count({ ...sql.deleteSession, values: [hash] })) === 1,
    purgeConsoleSessions: async (nowMs, keep) => {
      await pool.query({ ...sql.purgeSessions, values: [nowMs, keep] });
    },
    summarizeAudit: (q) => summarize(pool, q),
  };
}

/**
 * The overview's sections, one after another on one connection in a read-only REPEATABLE READ
 * transaction: every section sees the same rows, the data plane keeps the rest of the pool, and
 * a statement that runs past 10 s is cancelled (the console then shows store_unavailable).
 */
async function summarize(
  pool: pg.Pool,
  q: AuditOverviewQuery,
): ReturnType<ConsoleStore['summarizeAudit']> {
  const client = await pool.connect();
  let isBroken = false;
  try {
    await client.query('BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY');
    await client.query("SET LOCAL statement_timeout = '10s'");
    const run = async (query: { name: string; text: string }, third?: number) => {
      const values = third === undefined ? [q.sinceMs, q.untilMs] : [q.sinceMs, q.untilMs, third];
      return (await client.query<Row>({ ...query, values })).rows;
    };
    const overview = {
      series: (await run(sql.series, q.bucketMs)).map(parse.bucket),
      latency: (await run(sql.latency)).map(parse.latency),
      top: {
        keys: (await run(sql.keys, q.topN)).map(parse.top),
        models: (await run(sql.models, q.topN)).map(parse.top),
        users: (await run(sql.users, q.topN)).map(parse.top),
        teams: (await run(sql.teams, q.topN)).map(parse.top),
      },
      refusals: (await run(sql.refusals)).map(parse.refusal),
      guardByCategory: (await run(sql.guardByCategory)).map(parse.guardCategory),
      guardRecent: (await run(sql.guardRecent, q.recentGuard)).map(parse.guardDecision),
    };
    await client.query('COMMIT');
    return overview;
  } catch (err) {
    isBroken = true;
    throw err;
  } finally {
    client.release(isBroken);
  }
}
