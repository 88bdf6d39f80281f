import type {
  AuditGuardCategory,
  AuditGuardDecision,
  AuditOverview,
  AuditTopEntry,
} from '../../store/types.js';

export interface SummaryBucket {
  startMs: number;
  requests: number;
  errors: number;
  promptTokens: number;
  completionTokens: number;
  costMicroUsd: number;
}

export type TopEntry = AuditTopEntry;

export interface GuardSummary {
  /** `stage/action/type` → how many decisions of that category (their `count` summed apart). */
  byCategory: AuditGuardCategory[];
  /** The newest guard decisions: request ids and categories, never text. */
  recent: AuditGuardDecision[];
}

export interface AuditSummary {
  sinceMs: number;
  untilMs: number;
  bucketMs: number;
  totals: {
    requests: number;
    errors: number;
    errorRatePct: number;
    /** From the store's latency histogram: exact under 1 s, within 1 % above. */
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

/** Entries per top list, and guard decisions listed, on the overview. */
export const OVERVIEW_LIMITS = { topN: 5, recentGuard: 50 } as const;

/**
 * The nearest-rank quantile q of a latency histogram (classes in ascending order): the largest
 * latency of the class holding that rank, so never below the true value and at most one class
 * width above it.
 */
export function histogramQuantile(classes: AuditOverview['latency'], q: number): number | null {
  const total = classes.reduce((n, c) => n + c.requests, 0);
  if (total === 0) return null;
  const rank = Math.min(total, Math.max(1, Math.ceil(q * total)));
  let seen = 0;
  for (const c of classes) {
    seen += c.requests;
    if (seen >= rank) return c.maxMs;
  }
  return classes.at(-1)?.maxMs ?? null;
}

/**
 * What the console's overview shows, from the sums the store made over one time range: every
 * bucket of the series (empty ones too), totals with latency quantiles, the top lists, refusals
 * and guard decisions. Metadata only.
 */
export function buildAuditSummary(
  overview: AuditOverview,
  range: { sinceMs: number; untilMs: number; bucketMs: number },
): AuditSummary {
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
  const totals = { requests: 0, errors: 0, promptTokens: 0, completionTokens: 0, costMicroUsd: 0 };
  for (const b of overview.series) {
    const bucket = series[Math.min(Math.max(b.index, 0), count - 1)] as SummaryBucket;
    for (const field of Object.keys(totals) as (keyof typeof totals)[]) {
      bucket[field] += b[field];
      totals[field] += b[field];
    }
  }
  const { requests, errors } = totals;
  return {
    sinceMs,
    untilMs,
    bucketMs,
    totals: {
      ...totals,
      errorRatePct: requests === 0 ? 0 : Math.round((errors / requests) * 1000) / 10,
      latencyP50Ms: histogramQuantile(overview.latency, 0.5),
      latencyP99Ms: histogramQuantile(overview.latency, 0.99),
    },
    series,
    top: overview.top,
    refusals: overview.refusals,
    guard: { byCategory: overview.guardByCategory, recent: overview.guardRecent },
  };
}
