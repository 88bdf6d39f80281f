import { describe, expect, it } from 'vitest';
import type { AuditOverview } from '../../store/types.js';
import { buildAuditSummary, histogramQuantile } from './audit-summary.js';

const empty: AuditOverview = {
  series: [],
  latency: [],
  top: { keys: [], models: [], users: [], teams: [] },
  refusals: [],
  guardByCategory: [],
  guardRecent: [],
};

describe('audit summary', () => {
  it('takes nearest-rank quantiles from the latency histogram, as the class maximum', () => {
    // 100 requests of 1..100 ms, one per class.
    const classes = Array.from({ length: 100 }, (_, i) => ({
      fromMs: i + 1,
      maxMs: i + 1.5,
      requests: 1,
    }));
    expect([
      histogramQuantile(classes, 0.5),
      histogramQuantile(classes, 0.99),
      histogramQuantile([], 0.5),
    ]).toEqual([50.5, 99.5, null]);
    const skewed = [
      { fromMs: 3, maxMs: 3.2, requests: 98 },
      { fromMs: 4_500, maxMs: 4_509, requests: 2 },
    ];
    expect([histogramQuantile(skewed, 0.5), histogramQuantile(skewed, 0.99)]).toEqual([3.2, 4_509]);
  });

  it('fills every bucket of the range and sums the totals from them', () => {
    const s = buildAuditSummary(
      {
        ...empty,
        series: [
          {
            index: 0,
            requests: 2,
            errors: 0,
            promptTokens: 20,
            completionTokens: 10,
            costMicroUsd: 200,
          },
          {
            index: 2,
            requests: 2,
            errors: 1,
            promptTokens: 10,
            completionTokens: 5,
            costMicroUsd: 500,
          },
        ],
        latency: [
          { fromMs: 1, maxMs: 1, requests: 1 },
          { fromMs: 10, maxMs: 10, requests: 2 },
          { fromMs: 30, maxMs: 30, requests: 1 },
        ],
      },
      { sinceMs: 0, untilMs: 180_000, bucketMs: 60_000 },
    );
    expect(s.series.map((b) => [b.startMs, b.requests, b.errors, b.costMicroUsd])).toEqual([
      [0, 2, 0, 200],
      [60_000, 0, 0, 0],
      [120_000, 2, 1, 500],
    ]);
    expect(s.totals).toEqual({
      requests: 4,
      errors: 1,
      errorRatePct: 25,
      latencyP50Ms: 10,
      latencyP99Ms: 30,
      promptTokens: 30,
      completionTokens: 15,
      costMicroUsd: 700,
    });
  });

  it('answers an empty range with zeros and no quantile', () => {
    const s = buildAuditSummary(empty, { sinceMs: 0, untilMs: 10, bucketMs: 10 });
    expect(s.series).toHaveLength(1);
    expect(s.totals).toMatchObject({ requests: 0, errorRatePct: 0, latencyP50Ms: null });
  });
});
