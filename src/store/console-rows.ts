import type { RowChecks } from './row-check.js';
import type {
  AlertAck,
  AuditGuardCategory,
  AuditGuardDecision,
  AuditOverview,
  AuditOverviewBucket,
  AuditTopEntry,
  ConsoleSessionRecord,
} from './types.js';

/** Rows of the console tables and of the overview's aggregate queries, for both stores. */
export interface ConsoleRowParsers {
  ack: (value: unknown) => AlertAck;
  session: (value: unknown) => ConsoleSessionRecord;
  bucket: (value: unknown) => AuditOverviewBucket;
  latency: (value: unknown) => AuditOverview['latency'][number];
  top: (value: unknown) => AuditTopEntry;
  refusal: (value: unknown) => AuditOverview['refusals'][number];
  guardCategory: (value: unknown) => AuditGuardCategory;
  guardDecision: (value: unknown) => AuditGuardDecision;
}

/** The overview's top lists: the name each one groups by (SQL shared by both stores). */
export const OVERVIEW_TOP_COLUMNS = {
  keys: 'coalesce(key_prefix, key_id)',
  models: 'model',
  users: 'user_id',
  teams: 'team',
} as const;

export function consoleRowParsers(c: RowChecks): ConsoleRowParsers {
  const { asRow, text, textOrNull, int, num } = c;
  const a = 'audit_log';
  return {
    ack(value) {
      const t = 'alert_acks';
      const r = asRow(value, t);
      return {
        kind: text(r, t, 'kind'),
        alertId: text(r, t, 'alert_id'),
        actor: text(r, t, 'actor'),
        atMs: int(r, t, 'at_ms'),
      };
    },
    session(value) {
      const t = 'console_sessions';
      const r = asRow(value, t);
      const role = text(r, t, 'role');
      if (role !== 'admin' && role !== 'viewer') c.corrupt(t, 'role');
      return {
        tokenHash: text(r, t, 'token_hash'),
        role: role,
        label: text(r, t, 'label'),
        createdAtMs: int(r, t, 'created_at_ms'),
        lastSeenMs: int(r, t, 'last_seen_ms'),
        expiresAtMs: int(r, t, 'expires_at_ms'),
      };
    },
    bucket(value) {
      const r = asRow(value, a);
      return {
        index: int(r, a, 'idx'),
        requests: int(r, a, 'requests'),
        errors: int(r, a, 'errors'),
        promptTokens: int(r, a, 'prompt_tokens'),
        completionTokens: int(r, a, 'completion_tokens'),
        costMicroUsd: int(r, a, 'cost'),
      };
    },
    latency(value) {
      const r = asRow(value, a);
      return {
        fromMs: int(r, a, 'from_ms'),
        maxMs: num(r, a, 'max_ms'),
        requests: int(r, a, 'requests'),
      };
    },
    top(value) {
      const r = asRow(value, a);
      return {
        name: text(r, a, 'name'),
        requests: int(r, a, 'requests'),
        costMicroUsd: int(r, a, 'cost'),
      };
    },
    refusal(value) {
      const r = asRow(value, a);
      return {
        code: text(r, a, 'code'),
        status: int(r, a, 'status'),
        requests: int(r, a, 'requests'),
      };
    },
    guardCategory(value) {
      const r = asRow(value, a);
      return {
        stage: text(r, a, 'stage'),
        action: text(r, a, 'action'),
        type: textOrNull(r, a, 'type'),
        requests: int(r, a, 'requests'),
      };
    },
    guardDecision(value) {
      const r = asRow(value, a);
      return {
        requestId: text(r, a, 'request_id'),
        timeMs: int(r, a, 'time_ms'),
        stage: text(r, a, 'stage'),
        action: text(r, a, 'action'),
        type: textOrNull(r, a, 'type'),
      };
    },
  };
}
