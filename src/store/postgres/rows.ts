import { parseKeyScopes } from '../key-scopes.js';
import { decisionOf, decisionsJson, rowChecks, type Row } from '../row-check.js';
import {
  type AuditDecision,
  type AuditRecord,
  type KeyScopes,
  type VirtualKeyRecord,
} from '../types.js';

/*
 * Rows come back from pg as `unknown` and are checked here, once, column by column. BIGINT
 * columns arrive as decimal strings (pg does not guess at precision) and become numbers; a
 * value past 2^53 or of the wrong type means the store cannot decide, so it fails closed.
 * Values never go into the message.
 */

const checks = rowChecks('postgres');
/** Explicitly typed, so that a call as a statement narrows like a `throw`. */
const corrupt: (table: string, column: string) => never = checks.corrupt;
const { text, textOrNull, num, numOrNull, env, int, intOrNull } = checks;

/** JSONB arrives parsed (pg's default type parser). */
function decisions(row: Row, table: string, column: string): AuditDecision[] {
  const value = row[column];
  if (!Array.isArray(value)) corrupt(table, column);
  return value.map((item: unknown) => decisionOf(item) ?? corrupt(table, column));
}

export function parseKeyRow(row: Row): VirtualKeyRecord {
  const t = 'virtual_keys';
  return {
    id: text(row, t, 'id'),
    name: text(row, t, 'name'),
    env: env(row, t, 'env'),
    prefix: text(row, t, 'prefix'),
    hash: text(row, t, 'hash'),
    createdAtMs: int(row, t, 'created_at_ms'),
    expiresAtMs: intOrNull(row, t, 'expires_at_ms'),
    revokedAtMs: intOrNull(row, t, 'revoked_at_ms'),
    scopes: scopes(row, t, 'scopes'),
  };
}

/** JSONB arrives parsed. */
function scopes(row: Row, table: string, column: string): KeyScopes {
  return parseKeyScopes(row[column]) ?? corrupt(table, column);
}

/** JSON text of valid scopes; NULL (refused by NOT NULL) when they do not match the schema. */
export function scopesJson(value: unknown): string | null {
  const parsed = parseKeyScopes(value);
  return parsed === undefined ? null : JSON.stringify(parsed);
}

export function parseAuditRow(row: Row): AuditRecord {
  const t = 'audit_log';
  const isStream = row['is_stream'];
  if (typeof isStream !== 'boolean') corrupt(t, 'is_stream');
  return {
    requestId: text(row, t, 'request_id'),
    timeMs: int(row, t, 'time_ms'),
    keyId: textOrNull(row, t, 'key_id'),
    keyPrefix: textOrNull(row, t, 'key_prefix'),
    env: row['env'] === null ? null : env(row, t, 'env'),
    endpoint: text(row, t, 'endpoint'),
    model: textOrNull(row, t, 'model'),
    provider: textOrNull(row, t, 'provider'),
    upstreamKeyLabel: textOrNull(row, t, 'upstream_key_label'),
    status: int(row, t, 'status'),
    errorCode: textOrNull(row, t, 'error_code'),
    promptTokens: intOrNull(row, t, 'prompt_tokens'),
    completionTokens: intOrNull(row, t, 'completion_tokens'),
    latencyMs: num(row, t, 'latency_ms'),
    upstreamLatencyMs: numOrNull(row, t, 'upstream_latency_ms'),
    clientIp: textOrNull(row, t, 'client_ip'),
    isStream,
    decisions: decisions(row, t, 'decisions'),
    costMicroUsd: intOrNull(row, t, 'cost_micro_usd'),
    userId: textOrNull(row, t, 'user_id'),
    team: textOrNull(row, t, 'team'),
  };
}

export function keyParams(k: VirtualKeyRecord): unknown[] {
  return [
    k.id,
    k.name,
    k.env,
    k.prefix,
    k.hash,
    k.createdAtMs,
    k.expiresAtMs,
    k.revokedAtMs,
    scopesJson(k.scopes),
  ];
}

/**
 * One array per column, in `AUDIT_COLUMNS` order, for the `unnest` insert. A batch of any size
 * is then 21 parameters and one statement. Decisions go as JSON text, cast to jsonb by the
 * statement; a non-boolean or an invalid decision list becomes NULL and is refused.
 */
export function auditColumnArrays(records: readonly AuditRecord[]): unknown[][] {
  const columns: unknown[][] = Array.from({ length: 21 }, () => new Array<unknown>(records.length));
  records.forEach((r, i) => {
    const row = [
      r.requestId,
      r.timeMs,
      r.keyId,
      r.keyPrefix,
      r.env,
      r.endpoint,
      r.model,
      r.provider,
      r.upstreamKeyLabel,
      r.status,
      r.errorCode,
      r.promptTokens,
      r.completionTokens,
      r.latencyMs,
      r.upstreamLatencyMs,
      r.clientIp,
      typeof r.isStream === 'boolean' ? r.isStream : null,
      decisionsJson(r.decisions),
      r.costMicroUsd,
      r.userId,
      r.team,
    ];
    row.forEach((value, c) => {
      (columns[c] as unknown[])[i] = value;
    });
  });
  return columns;
}
