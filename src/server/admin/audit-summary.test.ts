import { describe, expect, it } from 'vitest';
import type { AuditRecord } from '../../store/types.js';
import { quantile, summarizeAudit } from './audit-summary.js';

function row(timeMs: number, over: Partial<AuditRecord> = {}): AuditRecord {
  return {
    requestId: `req_${timeMs}`,
    timeMs,
    keyId: 'key_a',
    keyPrefix: 'bk_dev_a',
    env: 'dev',
    endpoint: 'chat_completions',
    model: 'gpt-4o-mini',
    provider: 'openai',
    upstreamKeyLabel: 'primary',
    status: 200,
    errorCode: null,
    promptTokens: 10,
    completionTokens: 5,
    latencyMs: 10,
    upstreamLatencyMs: 8,
    clientIp: '127.0.0.1',
    isStream: false,
    decisions: [],
    costMicroUsd: 100,
    userId: null,
    team: null,
    ...over,
  };
}

describe('audit summary', () => {
  it('takes nearest-rank quantiles', () => {
    const sorted = Array.from({ length: 100 }, (_, i) => i + 1);
    expect([quantile(sorted, 0.5), quantile(sorted, 0.99), quantile([], 0.5)]).toEqual([
      50,
      99,
      null,
    ]);
  });

  it('buckets requests, errors, tokens and spend, and ranks keys, models and refusals', () => {
    const rows = [
      row(0),
      row(59_999, { latencyMs: 30 }),
      row(60_000, { keyPrefix: 'bk_dev_b', keyId: 'key_b', model: 'claude', costMicroUsd: 500 }),
      row(130_000, {
        status: 429,
        errorCode: 'rate_limit_exceeded',
        promptTokens: null,
        completionTokens: null,
        costMicroUsd: null,
        latencyMs: 1,
        decisions: [
          { stage: 'guard_pii', action: 'redact', type: 'email', count: 2 },
          { stage: 'guard_injection', action: 'allow' },
          { stage: 'rate_limit', action: 'block', type: 'rpm' },
        ],
      }),
    ];
    const s = summarizeAudit(rows, { sinceMs: 0, untilMs: 180_000, bucketMs: 60_000, readCap: 10 });
    expect(s.series.map((b) => [b.requests, b.errors, b.costMicroUsd])).toEqual([
      [2, 0, 200],
      [1, 0, 500],
      [1, 1, 0],
    ]);
    expect(s.totals).toMatchObject({
      requests: 4,
      errors: 1,
      errorRatePct: 25,
      latencyP50Ms: 10,
      latencyP99Ms: 30,
      promptTokens: 30,
      completionTokens: 15,
      costMicroUsd: 700,
    });
    expect(s.top.keys.map((k) => [k.name, k.requests])).toEqual([
      ['bk_dev_a', 3],
      ['bk_dev_b', 1],
    ]);
    expect(s.refusals).toEqual([{ code: 'rate_limit_exceeded', status: 429, requests: 1 }]);
    expect(s.guard.byCategory).toEqual([
      { stage: 'guard_pii', action: 'redact', type: 'email', requests: 1 },
    ]);
    expect(s.guard.recent.map((r) => r.requestId)).toEqual(['req_130000']);
    expect(s.isPartial).toBe(false);
  });

  it('says when the read cap cut the range', () => {
    const s = summarizeAudit([row(0), row(1)], {
      sinceMs: 0,
      untilMs: 10,
      bucketMs: 10,
      readCap: 2,
    });
    expect(s.isPartial).toBe(true);
  });
});
