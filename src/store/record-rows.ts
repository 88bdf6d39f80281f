import { parseKeyScopes } from './key-scopes.js';
import { decisionOf, type Row, type RowChecks } from './row-check.js';
import type {
  AuditChainStart,
  AuditDecision,
  AuditRecord,
  KeyScopes,
  UnchainedAudit,
  VirtualKeyRecord,
} from './types.js';

/** Rows of the key and audit tables, for both stores; the driver differences live in `RowChecks`. */
export interface RecordRowParsers {
  key: (value: unknown) => VirtualKeyRecord;
  audit: (value: unknown) => AuditRecord;
  /** An audit row read with its chain columns (`CHAIN_COLUMNS`), which must all be set. */
  chainedAudit: (value: unknown) => AuditRecord;
  /** A `listAuditChains` row: `chain_id`, `from_seq`, `to_seq`. */
  chainStart: (value: unknown) => AuditChainStart;
  /** An `unchainedAudit` row: `count_rows`, `from_ms`, `to_ms`. */
  unchained: (value: unknown) => UnchainedAudit;
}

export function recordRowParsers(c: RowChecks): RecordRowParsers {
  const { asRow, text, textOrNull, int, intOrNull, num, numOrNull, env, json, bool } = c;
  /** Explicitly typed, so that a call as a statement narrows like a `throw`. */
  const corrupt: (table: string, column: string) => never = c.corrupt;

  function decisions(row: Row, table: string, column: string): AuditDecision[] {
    const value = json(row, table, column);
    if (!Array.isArray(value)) corrupt(table, column);
    return value.map((item: unknown) => decisionOf(item) ?? corrupt(table, column));
  }

  function scopes(row: Row, table: string, column: string): KeyScopes {
    return parseKeyScopes(json(row, table, column)) ?? corrupt(table, column);
  }

  function audit(value: unknown): AuditRecord {
    const t = 'audit_log';
    const row = asRow(value, t);
    const isStream = bool(row, t, 'is_stream');
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

  return {
    key(value) {
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
    },
    audit,
    chainedAudit(value) {
      const t = 'audit_log';
      const row = asRow(value, t);
      return {
        ...audit(row),
        // A hash cleared by hand reads as empty, so verify reports it as a mismatch.
        chain: {
          chainId: text(row, t, 'chain_id'),
          seq: int(row, t, 'chain_seq'),
          prevHash: textOrNull(row, t, 'prev_hash') ?? '',
          hash: textOrNull(row, t, 'hash') ?? '',
        },
      };
    },
    chainStart(value) {
      const row = asRow(value, 'audit_log');
      return {
        chainId: text(row, 'audit_log', 'chain_id'),
        fromSeq: int(row, 'audit_log', 'from_seq'),
        toSeq: int(row, 'audit_log', 'to_seq'),
      };
    },
    unchained(value) {
      const row = asRow(value, 'audit_log');
      return {
        rows: int(row, 'audit_log', 'count_rows'),
        fromMs: intOrNull(row, 'audit_log', 'from_ms'),
        toMs: intOrNull(row, 'audit_log', 'to_ms'),
      };
    },
  };
}
