import type { AuditQuery } from '../types.js';

export const KEY_COLUMNS =
  'id, name, env, prefix, hash, created_at_ms, expires_at_ms, revoked_at_ms, scopes';

export const AUDIT_COLUMNS =
  'request_id, time_ms, key_id, key_prefix, env, endpoint, model, provider, upstream_key_label, ' +
  'status, error_code, prompt_tokens, completion_tokens, latency_ms, upstream_latency_ms, ' +
  'client_ip, is_stream, decisions, cost_micro_usd, user_id, team';

export const CHAIN_COLUMNS = 'chain_id, chain_seq, prev_hash, hash';

const AUDIT_ARRAY_TYPES = [
  'text',
  'bigint',
  'text',
  'text',
  'text',
  'text',
  'text',
  'text',
  'text',
  'integer',
  'text',
  'integer',
  'integer',
  'double precision',
  'double precision',
  'text',
  'boolean',
  // JSON text per element: pg sends the array as text and PostgreSQL parses each as jsonb.
  'jsonb',
  'bigint',
  'text',
  'text',
  // CHAIN_COLUMNS
  'text',
  'bigint',
  'text',
  'text',
];

const CHAINS =
  'SELECT chain_id, min(chain_seq) AS from_seq, max(chain_seq) AS to_seq FROM audit_log WHERE chain_id IS NOT NULL';
const UNCHAINED =
  'SELECT count(*) AS count_rows, min(time_ms) AS from_ms, max(time_ms) AS to_ms FROM audit_log WHERE chain_id IS NULL';

/*
 * Named statements: pg parses each once per connection and then only binds and executes. Every
 * connection of a store has the same search_path, so a cached plan always means the same table.
 */
export const sql = {
  insertKey: {
    name: 'bastion_insert_key',
    text: `INSERT INTO virtual_keys (${KEY_COLUMNS}) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9::jsonb)`,
  },
  /*
   * The key change counter (migration 10) and the keys with these hashes, in one statement and
   * so one snapshot: the rows are exactly those of the version read. One row with a null key
   * when no hash matches; the version is null only if its row was deleted.
   */
  keysByHash: {
    name: 'bastion_keys_by_hash_versioned',
    text:
      `SELECT (SELECT version::text FROM key_changes) AS key_changes_version, ` +
      `${KEY_COLUMNS.split(', ')
        .map((c) => `k.${c}`)
        .join(', ')} ` +
      'FROM (SELECT 1) AS one LEFT JOIN virtual_keys k ON k.hash = ANY($1::text[])',
  },
  keyByIdOrPrefix: {
    name: 'bastion_key_by_id_or_prefix',
    // An id match wins over a prefix match should one key's id ever equal another's prefix.
    text:
      `SELECT ${KEY_COLUMNS} FROM virtual_keys WHERE id = $1 OR prefix = $1 ` +
      'ORDER BY id = $1 DESC LIMIT 1',
  },
  listKeys: {
    name: 'bastion_list_keys',
    text: `SELECT ${KEY_COLUMNS} FROM virtual_keys ORDER BY created_at_ms, id`,
  },
  revokeKey: {
    name: 'bastion_revoke_key',
    text: 'UPDATE virtual_keys SET revoked_at_ms = $2 WHERE id = $1 AND revoked_at_ms IS NULL',
  },
  updateKeyScopes: {
    name: 'bastion_update_key_scopes',
    text: 'UPDATE virtual_keys SET scopes = $2::jsonb WHERE id = $1',
  },
  appendAudit: {
    name: 'bastion_append_audit',
    // unnest keeps the batch one statement whatever its size (a VALUES list would need
    // 25 parameters a row and hit the 65,535-parameter limit at 2,621 rows). A retried batch
    // whose first attempt did commit inserts nothing twice.
    text:
      `INSERT INTO audit_log (${AUDIT_COLUMNS}, ${CHAIN_COLUMNS}) SELECT * FROM unnest(` +
      AUDIT_ARRAY_TYPES.map((type, i) => `$${i + 1}::${type}[]`).join(', ') +
      ') ON CONFLICT (chain_id, chain_seq) DO NOTHING',
  },
  auditChains: {
    name: 'bastion_audit_chains',
    text: `${CHAINS} GROUP BY chain_id ORDER BY chain_id`,
  },
  auditChainsSince: {
    name: 'bastion_audit_chains_since',
    text: `${CHAINS} AND time_ms >= $1 GROUP BY chain_id ORDER BY chain_id`,
  },
  auditChain: {
    name: 'bastion_audit_chain',
    text:
      `SELECT ${AUDIT_COLUMNS}, ${CHAIN_COLUMNS} FROM audit_log ` +
      'WHERE chain_id = $1 AND chain_seq > $2 ORDER BY chain_seq LIMIT $3',
  },
  unchained: { name: 'bastion_audit_unchained', text: UNCHAINED },
  unchainedSince: {
    name: 'bastion_audit_unchained_since',
    text: `${UNCHAINED} AND time_ms >= $1`,
  },
} as const;

const FILTERS = [
  { field: 'keyId', column: 'key_id =' },
  { field: 'sinceMs', column: 'time_ms >=' },
  { field: 'untilMs', column: 'time_ms <' },
  { field: 'status', column: 'status =' },
] as const satisfies readonly { field: keyof AuditQuery; column: string }[];

const DEFAULT_LIMIT = 100;
const MAX_LIMIT = 10_000;

export function auditLimit(limit: number | undefined): number {
  if (limit === undefined || Number.isNaN(limit)) return DEFAULT_LIMIT;
  return Math.min(Math.max(Math.floor(limit), 0), MAX_LIMIT);
}

export interface AuditQueryStatement {
  name: string;
  text: string;
  values: unknown[];
}

/** Builds the statement for one combination of filters; texts are built once per combination. */
export function createAuditQueryBuilder(): (query: AuditQuery) => AuditQueryStatement {
  const texts = new Map<number, string>();
  return function auditQueryStatement(query) {
    let mask = 0;
    const values: unknown[] = [];
    const where: string[] = [];
    FILTERS.forEach(({ field, column }, bit) => {
      const value = query[field];
      if (value === undefined) return;
      mask |= 1 << bit;
      values.push(value);
      where.push(`${column} $${values.length}`);
    });
    values.push(auditLimit(query.limit));
    let text = texts.get(mask);
    if (text === undefined) {
      text =
        `SELECT ${AUDIT_COLUMNS} FROM audit_log` +
        (where.length > 0 ? ` WHERE ${where.join(' AND ')}` : '') +
        // seq breaks ties so records of the same millisecond keep a stable order.
        ` ORDER BY time_ms DESC, seq DESC LIMIT $${values.length}`;
      texts.set(mask, text);
    }
    return { name: `bastion_query_audit_${mask}`, text, values };
  };
}
