import { parseKeyScopes } from '../key-scopes.js';
import { recordRowParsers } from '../record-rows.js';
import { decisionsJson, rowChecks } from '../row-check.js';
import type { AuditRecord, VirtualKeyRecord } from '../types.js';

/*
 * Rows come back from the driver as `unknown` and are checked here, once, column by column.
 * A row that does not match the schema means the file was changed behind our back: the store
 * cannot decide, so it fails closed. Values never go into the message.
 */

const parsers = recordRowParsers(rowChecks('sqlite'));
export const parseKeyRow = parsers.key;
export const parseAuditRow = parsers.audit;
export const parseChainedAuditRow = parsers.chainedAudit;
export const parseChainStartRow = parsers.chainStart;
export const parseUnchainedRow = parsers.unchained;

/**
 * Column order of `AUDIT_COLUMNS` then `CHAIN_COLUMNS`; booleans become 0/1 and decisions JSON text (a non-boolean or
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
    r.chain?.chainId ?? null,
    r.chain?.seq ?? null,
    r.chain?.prevHash ?? null,
    r.chain?.hash ?? null,
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
