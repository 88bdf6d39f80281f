import type Database from 'better-sqlite3';
import { consoleRowParsers, OVERVIEW_TOP_COLUMNS } from '../console-rows.js';
import { rowChecks } from '../row-check.js';
import type { AuditOverview, AuditOverviewQuery, ConsoleStore } from '../types.js';

type Stmt = Database.Statement<unknown[]>;
type Sync<T> = {
  [K in keyof T]: T[K] extends (...a: infer A) => Promise<infer R> ? (...a: A) => R : never;
};

const parse = consoleRowParsers(rowChecks('sqlite'));
const RANGE = 'time_ms >= @since AND time_ms < @until';
/** One decision of a row, with its fields: `json_each` over the row's JSON array. */
const DECISION =
  "json_extract(d.value, '$.stage') AS stage, json_extract(d.value, '$.action') AS action, " +
  "json_extract(d.value, '$.type') AS type";
const GUARD_FROM =
  'FROM audit_log a, json_each(a.decisions) d ' +
  "WHERE a.time_ms >= @since AND a.time_ms < @until AND a.decisions <> '[]' " +
  "AND substr(json_extract(d.value, '$.stage'), 1, 6) = 'guard_' " +
  "AND json_extract(d.value, '$.action') <> 'allow'";

function overviewSql(): Record<string, string> {
  const top = Object.fromEntries(
    Object.entries(OVERVIEW_TOP_COLUMNS).map(([list, column]) => [
      list,
      `SELECT name, count(*) AS requests, coalesce(sum(cost_micro_usd), 0) AS cost FROM ` +
        `(SELECT ${column} AS name, cost_micro_usd FROM audit_log WHERE ${RANGE}) ` +
        'WHERE name IS NOT NULL GROUP BY name ORDER BY requests DESC, cost DESC, name LIMIT @top',
    ]),
  );
  return {
    ...top,
    series:
      'SELECT (time_ms - CAST(@since AS INTEGER)) / CAST(@bucket AS INTEGER) AS idx, count(*) AS requests, sum(status >= 400) AS errors, ' +
      'coalesce(sum(prompt_tokens), 0) AS prompt_tokens, ' +
      'coalesce(sum(completion_tokens), 0) AS completion_tokens, ' +
      `coalesce(sum(cost_micro_usd), 0) AS cost FROM audit_log WHERE ${RANGE} GROUP BY idx ORDER BY idx`,
    latency:
      'SELECT cls AS from_ms, max(latency_ms) AS max_ms, count(*) AS requests FROM (' +
      'SELECT latency_ms, CASE WHEN latency_ms < 1000 THEN CAST(latency_ms AS INTEGER) ' +
      'WHEN latency_ms < 10000 THEN CAST(latency_ms / 10 AS INTEGER) * 10 ' +
      'WHEN latency_ms < 100000 THEN CAST(latency_ms / 100 AS INTEGER) * 100 ' +
      `ELSE CAST(latency_ms / 1000 AS INTEGER) * 1000 END AS cls FROM audit_log WHERE ${RANGE}) ` +
      'GROUP BY cls ORDER BY cls',
    refusals:
      'SELECT error_code AS code, max(status) AS status, count(*) AS requests FROM audit_log ' +
      `WHERE ${RANGE} AND error_code IS NOT NULL GROUP BY error_code ORDER BY requests DESC, code`,
    guardByCategory:
      `SELECT ${DECISION}, count(*) AS requests ${GUARD_FROM} ` +
      'GROUP BY stage, action, type ORDER BY requests DESC, stage, action, type',
    guardRecent:
      `SELECT a.request_id, a.time_ms, ${DECISION} ${GUARD_FROM} ` +
      'ORDER BY a.time_ms DESC, a.seq DESC, d.key LIMIT @recent',
  };
}

/**
 * The console half of the SQLite store: alert acknowledgements, sessions, and the overview
 * summed by SQLite (one read transaction, so every section sees the same rows). Synchronous
 * driver calls; the caller wraps failures.
 */
export function createSqliteConsoleStore(db: Database.Database): Sync<ConsoleStore> {
  const prepare = (sql: string): Stmt => db.prepare<unknown[]>(sql);
  const o = Object.fromEntries(
    Object.entries(overviewSql()).map(([name, sql]) => [name, prepare(sql)]),
  ) as Record<string, Stmt>;
  const all = (name: string, params: Record<string, number>) => (o[name] as Stmt).all(params);
  const s = {
    insertAck: prepare(
      'INSERT INTO alert_acks (kind, alert_id, actor, at_ms) VALUES (?, ?, ?, ?) ON CONFLICT DO NOTHING',
    ),
    hasBudgetAlert: prepare(
      'SELECT 1 FROM budget_alerts WHERE budget = ? AND window_id = ? AND threshold_pct = ?',
    ),
    listAcks: prepare(
      'SELECT kind, alert_id, actor, at_ms FROM alert_acks WHERE kind = ? ' +
        'AND alert_id IN (SELECT value FROM json_each(?))',
    ),
    insertSession: prepare(
      'INSERT INTO console_sessions (token_hash, role, label, created_at_ms, last_seen_ms, ' +
        'expires_at_ms) VALUES (?, ?, ?, ?, ?, ?)',
    ),
    findSession: prepare(
      'SELECT token_hash, role, label, created_at_ms, last_seen_ms, expires_at_ms ' +
        'FROM console_sessions WHERE token_hash = ?',
    ),
    touchSession: prepare(
      'UPDATE console_sessions SET last_seen_ms = ?, expires_at_ms = ? WHERE token_hash = ?',
    ),
    deleteSession: prepare('DELETE FROM console_sessions WHERE token_hash = ?'),
    purgeExpired: prepare('DELETE FROM console_sessions WHERE expires_at_ms <= ?'),
    purgeBeyond: prepare(
      'DELETE FROM console_sessions WHERE token_hash IN (SELECT token_hash FROM console_sessions ' +
        'ORDER BY last_seen_ms DESC, token_hash LIMIT -1 OFFSET ?)',
    ),
  };
  const summarize = db.transaction((q: AuditOverviewQuery): AuditOverview => {
    const p = { since: q.sinceMs, until: q.untilMs };
    const top = (list: string) => all(list, { ...p, top: q.topN }).map(parse.top);
    return {
      series: all('series', { ...p, bucket: q.bucketMs }).map(parse.bucket),
      latency: all('latency', p).map(parse.latency),
      top: { keys: top('keys'), models: top('models'), users: top('users'), teams: top('teams') },
      refusals: all('refusals', p).map(parse.refusal),
      guardByCategory: all('guardByCategory', p).map(parse.guardCategory),
      guardRecent: all('guardRecent', { ...p, recent: q.recentGuard }).map(parse.guardDecision),
    };
  });
  return {
    acknowledgeAlert: (a) => s.insertAck.run(a.kind, a.alertId, a.actor, a.atMs).changes === 1,
    hasBudgetAlert: (a) => s.hasBudgetAlert.get(a.budget, a.window, a.thresholdPct) !== undefined,
    listAlertAcks: (kind, ids) =>
      ids.length === 0 ? [] : s.listAcks.all(kind, JSON.stringify(ids)).map(parse.ack),
    insertConsoleSession: (r) => {
      s.insertSession.run(r.tokenHash, r.role, r.label, r.createdAtMs, r.lastSeenMs, r.expiresAtMs);
    },
    findConsoleSession: (hash) => {
      const row = s.findSession.get(hash);
      return row === undefined ? undefined : parse.session(row);
    },
    touchConsoleSession: (hash, lastSeenMs, expiresAtMs) =>
      s.touchSession.run(lastSeenMs, expiresAtMs, hash).changes === 1,
    deleteConsoleSession: (hash) => s.deleteSession.run(hash).changes === 1,
    purgeConsoleSessions: db.transaction((nowMs: number, keep: number) => {
      s.purgeExpired.run(nowMs);
      s.purgeBeyond.run(keep);
    }),
    summarizeAudit: (q) => summarize.deferred(q),
  };
}
