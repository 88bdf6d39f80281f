import type { AuditDecision, AuditRecord } from '../../store/types.js';

export interface SummaryBucket {
  startMs: number;
  requests: number;
  errors: number;
  promptTokens: number;
  completionTokens: number;
  costMicroUsd: number;
}

export interface TopEntry {
  name: string;
  requests: number;
  costMicroUsd: number;
}

export interface GuardSummary {
  /** `stage/action/type` → how many requests had that decision (its `count` summed apart). */
  byCategory: { stage: string; action: string; type: string | null; requests: number }[];
  /** The newest guard decisions: request ids and categories, never text. */
  recent: {
    requestId: string;
    timeMs: number;
    stage: string;
    action: string;
    type: string | null;
  }[];
}

export interface AuditSummary {
  sinceMs: number;
  untilMs: number;
  bucketMs: number;
  /** Rows summarised; when it equals the read cap, only the newest rows of the range are in. */
  rows: number;
  isPartial: boolean;
  totals: {
    requests: number;
    errors: number;
    errorRatePct: number;
    latencyP50Ms: number | null;
    latencyP99Ms: number | null;
    promptTokens: number;
    completionTokens: number;
    costMicroUsd: number;
  };
  series: SummaryBucket[];
  top: { keys: TopEntry[]; models: TopEntry[]; users: TopEntry[]; teams: TopEntry[] };
  /** Refused or failed requests by error code, most frequent first. */
  refusals: { code: string; status: number; requests: number }[];
  guard: GuardSummary;
}

const TOP_N = 5;
const RECENT_GUARD = 50;

/** The value at quantile q of sorted numbers (nearest rank). */
export function quantile(sorted: readonly number[], q: number): number | null {
  if (sorted.length === 0) return null;
  const rank = Math.min(sorted.length, Math.max(1, Math.ceil(q * sorted.length)));
  return sorted[rank - 1] ?? null;
}

function tally(map: Map<string, TopEntry>, name: string | null, cost: number): void {
  if (name === null) return;
  const entry = map.get(name) ?? { name, requests: 0, costMicroUsd: 0 };
  entry.requests += 1;
  entry.costMicroUsd += cost;
  map.set(name, entry);
}

function top(map: Map<string, TopEntry>): TopEntry[] {
  return [...map.values()]
    .sort((a, b) => b.requests - a.requests || b.costMicroUsd - a.costMicroUsd)
    .slice(0, TOP_N);
}

const isGuard = (d: AuditDecision) => d.stage.startsWith('guard_') && d.action !== 'allow';

/**
 * What the console's overview shows, from audit rows of one time range (newest first, as the
 * store returns them): a time series, totals with latency quantiles, the top keys, models,
 * users and teams, refusals by code, and guard decisions by category. Metadata only.
 */
export function summarizeAudit(
  rows: readonly AuditRecord[],
  range: { sinceMs: number; untilMs: number; bucketMs: number; readCap: number },
): AuditSummary {
  // Long by design: one pass over the rows fills every section of the summary.
  const { sinceMs, untilMs, bucketMs } = range;
  const count = Math.max(1, Math.ceil((untilMs - sinceMs) / bucketMs));
  const series: SummaryBucket[] = Array.from({ length: count }, (_, i) => ({
    startMs: sinceMs + i * bucketMs,
    requests: 0,
    errors: 0,
    promptTokens: 0,
    completionTokens: 0,
    costMicroUsd: 0,
  }));
  const latencies: number[] = [];
  const keys = new Map<string, TopEntry>();
  const models = new Map<string, TopEntry>();
  const users = new Map<string, TopEntry>();
  const teams = new Map<string, TopEntry>();
  const refusals = new Map<string, { code: string; status: number; requests: number }>();
  const guardCounts = new Map<string, GuardSummary['byCategory'][number]>();
  const recent: GuardSummary['recent'] = [];
  let errors = 0;
  let promptTokens = 0;
  let completionTokens = 0;
  let costMicroUsd = 0;
  for (const row of rows) {
    const i = Math.floor((row.timeMs - sinceMs) / bucketMs);
    const bucket = series[Math.min(Math.max(i, 0), count - 1)] as SummaryBucket;
    const cost = row.costMicroUsd ?? 0;
    const isError = row.status >= 400;
    bucket.requests += 1;
    bucket.errors += isError ? 1 : 0;
    bucket.promptTokens += row.promptTokens ?? 0;
    bucket.completionTokens += row.completionTokens ?? 0;
    bucket.costMicroUsd += cost;
    errors += isError ? 1 : 0;
    promptTokens += row.promptTokens ?? 0;
    completionTokens += row.completionTokens ?? 0;
    costMicroUsd += cost;
    latencies.push(row.latencyMs);
    tally(keys, row.keyPrefix ?? row.keyId, cost);
    tally(models, row.model, cost);
    tally(users, row.userId, cost);
    tally(teams, row.team, cost);
    if (row.errorCode !== null) {
      const r = refusals.get(row.errorCode) ?? {
        code: row.errorCode,
        status: row.status,
        requests: 0,
      };
      r.requests += 1;
      refusals.set(row.errorCode, r);
    }
    for (const d of row.decisions) {
      if (!isGuard(d)) continue;
      const id = `${d.stage}/${d.action}/${d.type ?? ''}`;
      const entry = guardCounts.get(id) ?? {
        stage: d.stage,
        action: d.action,
        type: d.type ?? null,
        requests: 0,
      };
      entry.requests += 1;
      guardCounts.set(id, entry);
      if (recent.length < RECENT_GUARD) {
        recent.push({
          requestId: row.requestId,
          timeMs: row.timeMs,
          stage: d.stage,
          action: d.action,
          type: d.type ?? null,
        });
      }
    }
  }
  latencies.sort((a, b) => a - b);
  const requests = rows.length;
  return {
    sinceMs,
    untilMs,
    bucketMs,
    rows: requests,
    isPartial: requests >= range.readCap,
    totals: {
      requests,
      errors,
      errorRatePct: requests === 0 ? 0 : Math.round((errors / requests) * 1000) / 10,
      latencyP50Ms: quantile(latencies, 0.5),
      latencyP99Ms: quantile(latencies, 0.99),
      promptTokens,
      completionTokens,
      costMicroUsd,
    },
    series,
    top: { keys: top(keys), models: top(models), users: top(users), teams: top(teams) },
    refusals: [...refusals.values()].sort((a, b) => b.requests - a.requests),
    guard: {
      byCategory: [...guardCounts.values()].sort((a, b) => b.requests - a.requests),
      recent,
    },
  };
}
