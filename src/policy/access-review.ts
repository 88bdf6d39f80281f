import type { AuditStore, KillSwitch, VirtualKeyRecord } from '../store/types.js';

/** Why a key deserves a second look. */
export type ReviewFinding =
  /** Not used for `unusedDays` (or never, once older than that). */
  | 'unused'
  /** No expiry date. */
  | 'no_expiry'
  /** May call every model: no `models` scope, or one that is `*`. */
  | 'all_models'
  /** A prod key without a source IP range. */
  | 'no_ip_range_in_prod'
  /** Issued more than `maxAgeDays` ago. */
  | 'old'
  /** Names a team the configuration no longer has. */
  | 'unknown_team';

export type KeyState = 'active' | 'suspended' | 'expired' | 'revoked';

export interface KeyReview {
  id: string;
  name: string;
  prefix: string;
  env: VirtualKeyRecord['env'];
  state: KeyState;
  team: string | null;
  createdAtMs: number;
  expiresAtMs: number | null;
  /** Time of the newest audit row of the key; null when it never made a request. */
  lastUsedMs: number | null;
  ageDays: number;
  /** Empty for revoked and expired keys: they can no longer be used. */
  findings: ReviewFinding[];
}

export interface ReviewOptions {
  nowMs: number;
  unusedDays: number;
  maxAgeDays: number;
  /** Teams of the configuration (`policy.teams`). */
  teams: ReadonlySet<string>;
}

const DAY_MS = 86_400_000;

/** A key's state: revoked, expired, suspended (a `key` kill switch is engaged on it) or active. */
export function keyState(
  key: VirtualKeyRecord,
  suspended: ReadonlySet<string>,
  nowMs: number,
): KeyState {
  if (key.revokedAtMs !== null) return 'revoked';
  if (key.expiresAtMs !== null && key.expiresAtMs <= nowMs) return 'expired';
  return suspended.has(key.id) ? 'suspended' : 'active';
}

/** The ids of keys held by a `key` kill switch. */
export function suspendedKeyIds(switches: readonly KillSwitch[]): Set<string> {
  return new Set(switches.filter((s) => s.scope === 'key').map((s) => s.target));
}

/**
 * The access review of every key: stale, never-expiring, over-broad, old, or orphaned keys.
 * Pure: the caller reads keys, kill switches and last-used times from the store.
 */
export function reviewKeys(
  keys: readonly VirtualKeyRecord[],
  facts: { lastUsedMs: ReadonlyMap<string, number>; suspended: ReadonlySet<string> },
  opts: ReviewOptions,
): KeyReview[] {
  const { nowMs } = opts;
  return keys.map((key) => {
    const state = keyState(key, facts.suspended, nowMs);
    const lastUsedMs = facts.lastUsedMs.get(key.id) ?? null;
    const ageMs = nowMs - key.createdAtMs;
    const findings: ReviewFinding[] = [];
    if (state === 'active' || state === 'suspended') {
      const unusedSinceMs = lastUsedMs ?? key.createdAtMs;
      if (nowMs - unusedSinceMs >= opts.unusedDays * DAY_MS) findings.push('unused');
      if (key.expiresAtMs === null) findings.push('no_expiry');
      const models = key.scopes.models;
      if (models === undefined || models.length === 0 || models.includes('*'))
        findings.push('all_models');
      if (key.env === 'prod' && (key.scopes.ipRanges ?? []).length === 0)
        findings.push('no_ip_range_in_prod');
      if (ageMs > opts.maxAgeDays * DAY_MS) findings.push('old');
      const team = key.scopes.team;
      if (team !== undefined && !opts.teams.has(team)) findings.push('unknown_team');
    }
    return {
      id: key.id,
      name: key.name,
      prefix: key.prefix,
      env: key.env,
      state,
      team: key.scopes.team ?? null,
      createdAtMs: key.createdAtMs,
      expiresAtMs: key.expiresAtMs,
      lastUsedMs,
      ageDays: Math.floor(Math.max(0, ageMs) / DAY_MS),
      findings,
    };
  });
}

/** The newest audit time of each key: one indexed read per key, a few at a time. */
export async function lastUsedTimes(
  store: Pick<AuditStore, 'queryAudit'>,
  keyIds: readonly string[],
): Promise<Map<string, number>> {
  const out = new Map<string, number>();
  const BATCH = 8;
  for (let i = 0; i < keyIds.length; i += BATCH) {
    const ids = keyIds.slice(i, i + BATCH);
    const rows = await Promise.all(ids.map((keyId) => store.queryAudit({ keyId, limit: 1 })));
    rows.forEach((found, j) => {
      const row = found[0];
      if (row !== undefined) out.set(ids[j] as string, row.timeMs);
    });
  }
  return out;
}
