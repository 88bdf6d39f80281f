import { parseKeyScopes } from '../key-scopes.js';
import { decisionOf, decisionsJson, rowChecks, type Row } from '../row-check.js';
import {
  type AuditDecision,
  type AuditRecord,
  type KeyScopes,
  type VirtualKeyRecord,
} from '../types.js';

/*
 * Rows come back from the driver as `unknown` and are checked here, once, column by column.
 * A row that does not match the schema means the file was changed behind our back: the store
 * cannot decide, so it fails closed. Values never go into the message.
 */

const checks = rowChecks('sqlite');
/** Explicitly typed, so that a call as a statement narrows like a `throw`. */
const corrupt: (table: string, column: string) => never = checks.corrupt;
const { text, textOrNull, num, numOrNull, env, int, intOrNull, asRow } = checks;

function decisions(row: Row, table: string, column: string): AuditDecision[] {
  const value = row[column];
  if (typeof value !== 'string') corrupt(table, column);
  let parsed: unknown;
  try {
    parsed = JSON.parse(value);
  } catch {
    corrupt(table, column);
  }
  if (!Array.isArray(parsed)) corrupt(table, column);
  return parsed.map((item: unknown) => decisionOf(item) ?? corrupt(table, column));
}

export function parseKeyRow(value: unknown): VirtualKeyRecord {
  const t = 'virtual_keys';
  const row = asRow(value, t);
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

function scopes(row: Row, table: string, column: string): KeyScopes {
  const value = row[column];
  if (typeof value !== 'string') corrupt(table, column);
  let parsed: unknown;
  try {
    parsed = JSON.parse(value);
  } catch {
    corrupt(table, column);
  }
  return parseKeyScopes(parsed) ?? corrupt(table, column);
}

export function parseAuditRow(value: unknown): AuditRecord {
  const t = 'audit_log';
  const row = asRow(value, t);
  const isStream = row['is_stream'];
  if (isStream !== 0 && isStream !== 1) corrupt(t, 'is_stream');
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
    isStream: isStream === 1,
    decisions: decisions(row, t, 'decisions'),
    costMicroUsd: intOrNull(row, t, 'cost_micro_usd'),
    userId: textOrNull(row, t, 'user_id'),
    team: textOrNull(row, t, 'team'),
  };
}

/**
 * Column order of `AUDIT_COLUMNS`; booleans become 0/1 and decisions JSON text (a non-boolean or
 * an invalid decision list becomes NULL and is refused).
 */
export function auditParams(r: AuditRecord): unknown[] {
  return [
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
    r.isStream === true ? 1 : r.isStream === false ? 0 : null,
    decisionsJson(r.decisions),
    r.costMicroUsd,
    r.userId,
    r.team,
  ];
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

/** JSON text of valid scopes; NULL (refused by NOT NULL) when they do not match the schema. */
export function scopesJson(value: unknown): string | null {
  const parsed = parseKeyScopes(value);
  return parsed === undefined ? null : JSON.stringify(parsed);
}
