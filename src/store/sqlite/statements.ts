import type Database from 'better-sqlite3';
import type { AuditQuery, AuditRecord } from '../types.js';
import { auditParams } from './rows.js';

export const KEY_COLUMNS =
  'id, name, env, prefix, hash, created_at_ms, expires_at_ms, revoked_at_ms, scopes';

export const AUDIT_COLUMNS =
  'request_id, time_ms, key_id, key_prefix, env, endpoint, model, provider, upstream_key_label, ' +
  'status, error_code, prompt_tokens, completion_tokens, latency_ms, upstream_latency_ms, ' +
  'client_ip, is_stream, decisions, cost_micro_usd, user_id, team';

export const CHAIN_COLUMNS = 'chain_id, chain_seq, prev_hash, hash';

type Stmt = Database.Statement<unknown[]>;

export interface SqliteStatements {
  readonly insertKey: Stmt;
  readonly keyByHash: Stmt;
  readonly keyById: Stmt;
  readonly keyByPrefix: Stmt;
  readonly listKeys: Stmt;
  readonly revokeKey: Stmt;
  readonly updateKeyScopes: Stmt;
  /** `PRAGMA data_version`, plucked: changes when another connection commits to the file. */
  readonly dataVersion: Stmt;
  /** Inserts the whole batch in one transaction: all rows or none. */
  readonly appendAudit: (records: readonly AuditRecord[]) => void;
  /** `listAuditChains`: all chains, or (second) those with rows at or after a time. */
  readonly auditChains: Stmt;
  readonly auditChainsSince: Stmt;
  /** One chain's rows after a seq, in seq order: chain id, after seq, limit. */
  readonly auditChain: Stmt;
  readonly unchained: Stmt;
  readonly unchainedSince: Stmt;
  /** One statement per combination of filters, prepared the first time it is used. */
  auditQuery(query: AuditQuery): { stmt: Stmt; params: unknown[] };
}

const FILTERS = [
  { field: 'keyId', sql: 'key_id = ?' },
  { field: 'sinceMs', sql: 'time_ms >= ?' },
  { field: 'untilMs', sql: 'time_ms < ?' },
  { field: 'status', sql: 'status = ?' },
] as const satisfies readonly { field: keyof AuditQuery; sql: string }[];

const DEFAULT_LIMIT = 100;
const MAX_LIMIT = 10_000;

export function auditLimit(limit: number | undefined): number {
  if (limit === undefined || Number.isNaN(limit)) return DEFAULT_LIMIT;
  return Math.min(Math.max(Math.floor(limit), 0), MAX_LIMIT);
}

/** Statements need the tables, so they are prepared after `migrate()`, on first use. */
export function prepareStatements(db: Database.Database): SqliteStatements {
  const prepare = (sql: string): Stmt => db.prepare<unknown[]>(sql);
  const auditQueries = new Map<number, Stmt>();
  const insertColumns = `${AUDIT_COLUMNS}, ${CHAIN_COLUMNS}`;
  const insertAudit = prepare(
    `INSERT INTO audit_log (${insertColumns}) VALUES (${insertColumns.split(',').fill('?').join(', ')})` +
      // A retried batch whose first attempt did commit inserts nothing twice.
      ' ON CONFLICT (chain_id, chain_seq) DO NOTHING',
  );
  const chains =
    'SELECT chain_id, min(chain_seq) AS from_seq, max(chain_seq) AS to_seq FROM audit_log';
  const unchained =
    'SELECT count(*) AS count_rows, min(time_ms) AS from_ms, max(time_ms) AS to_ms FROM audit_log WHERE chain_id IS NULL';

  return {
    insertKey: prepare(
      `INSERT INTO virtual_keys (${KEY_COLUMNS}) VALUES (${KEY_COLUMNS.split(',').fill('?').join(', ')})`,
    ),
    keyByHash: prepare(`SELECT ${KEY_COLUMNS} FROM virtual_keys WHERE hash = ?`),
    keyById: prepare(`SELECT ${KEY_COLUMNS} FROM virtual_keys WHERE id = ?`),
    keyByPrefix: prepare(`SELECT ${KEY_COLUMNS} FROM virtual_keys WHERE prefix = ?`),
    listKeys: prepare(`SELECT ${KEY_COLUMNS} FROM virtual_keys ORDER BY created_at_ms, id`),
    revokeKey: prepare(
      'UPDATE virtual_keys SET revoked_at_ms = ? WHERE id = ? AND revoked_at_ms IS NULL',
    ),
    updateKeyScopes: prepare('UPDATE virtual_keys SET scopes = ? WHERE id = ?'),
    dataVersion: db.prepare<unknown[]>('PRAGMA data_version').pluck(),
    auditChains: prepare(
      `${chains} WHERE chain_id IS NOT NULL GROUP BY chain_id ORDER BY chain_id`,
    ),
    // `+chain_id` keeps the planner off the chain index (it would walk every row of the table
    // for the grouping and filter on time): the time index reads only the rows since.
    auditChainsSince: prepare(
      `${chains} WHERE time_ms >= ? AND +chain_id IS NOT NULL GROUP BY +chain_id ORDER BY chain_id`,
    ),
    auditChain: prepare(
      `SELECT ${AUDIT_COLUMNS}, ${CHAIN_COLUMNS} FROM audit_log ` +
        'WHERE chain_id = ? AND chain_seq > ? ORDER BY chain_seq LIMIT ?',
    ),
    unchained: prepare(unchained),
    unchainedSince: prepare(`${unchained} AND time_ms >= ?`),
    appendAudit: db.transaction((records: readonly AuditRecord[]) => {
      for (const record of records) insertAudit.run(...auditParams(record));
    }),
    auditQuery(query) {
      let mask = 0;
      const params: unknown[] = [];
      FILTERS.forEach(({ field }, bit) => {
        const value = query[field];
        if (value === undefined) return;
        mask |= 1 << bit;
        params.push(value);
      });
      params.push(auditLimit(query.limit));
      let stmt = auditQueries.get(mask);
      if (stmt === undefined) {
        const where = FILTERS.filter((_, bit) => (mask & (1 << bit)) !== 0).map((f) => f.sql);
        stmt = prepare(
          `SELECT ${AUDIT_COLUMNS} FROM audit_log` +
            (where.length > 0 ? ` WHERE ${where.join(' AND ')}` : '') +
            // seq breaks ties so records of the same millisecond keep a stable order.
            ' ORDER BY time_ms DESC, seq DESC LIMIT ?',
        );
        auditQueries.set(mask, stmt);
      }
      return { stmt, params };
    },
  };
}
