import { parseKeyScopes } from '../key-scopes.js';
import { recordRowParsers } from '../record-rows.js';
import { decisionsJson, rowChecks } from '../row-check.js';
import type { AuditRecord, VirtualKeyRecord } from '../types.js';

/*
 * Rows come back from pg as `unknown` and are checked here, once, column by column. BIGINT
 * columns arrive as decimal strings (pg does not guess at precision) and become numbers; a
 * value past 2^53 or of the wrong type means the store cannot decide, so it fails closed.
 * Values never go into the message.
 */

const parsers = recordRowParsers(rowChecks('postgres'));
export const parseKeyRow = parsers.key;
export const parseAuditRow = parsers.audit;
export const parseChainedAuditRow = parsers.chainedAudit;
export const parseChainStartRow = parsers.chainStart;
export const parseUnchainedRow = parsers.unchained;

/** JSON text of valid scopes; NULL (refused by NOT NULL) when they do not match the schema. */
export function scopesJson(value: unknown): string | null {
  const parsed = parseKeyScopes(value);
  return parsed === undefined ? null : JSON.stringify(parsed);
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
 * One array per column, in `AUDIT_COLUMNS` then `CHAIN_COLUMNS` order, for the `unnest` insert.
 * A batch of any size is then 25 parameters and one statement. Decisions go as JSON text, cast to jsonb by the
 * statement; a non-boolean or an invalid decision list becomes NULL and is refused.
 */
export function auditColumnArrays(records: readonly AuditRecord[]): unknown[][] {
  const columns: unknown[][] = Array.from({ length: 25 }, () => new Array<unknown>(records.length));
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
      r.chain?.chainId ?? null,
      r.chain?.seq ?? null,
      r.chain?.prevHash ?? null,
      r.chain?.hash ?? null,
    ];
    row.forEach((value, c) => {
      (columns[c] as unknown[])[i] = value;
    });
  });
  return columns;
}
