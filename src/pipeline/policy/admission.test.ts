import { describe, expect, it } from 'vitest';
import { createMemoryLimitBackend } from '../../limits/memory.js';
import type { LimitBackend } from '../../limits/types.js';
import { createLogger } from '../../log/logger.js';
import { createPriceTable } from '../../pricing/prices.js';
import { createTokenCounter } from '../../pricing/tokens.js';
import type { LimitSet } from '../../store/types.js';
import type { RequestContext } from '../context.js';
import { runStages } from '../run.js';
import { createBudgetStage } from './budget.js';
import { createConcurrencyStage } from './concurrency.js';
import { createRateLimitStage } from './rate-limit.js';
import type { RequestPolicy } from './request-policy.js';

const NOW = Date.UTC(2026, 5, 15);
const tokens = createTokenCounter({ estimateBytesPerToken: 3, exactTokenizeMaxChars: 1_000 });

/**
 * The three limit stages in pipeline order, over an in-process backend that counts its calls
 * (as a remote one would be: answering with promises), or over the in-process backend itself.
 */
function setup(counting = true) {
  const inner = createMemoryLimitBackend();
  const calls: string[] = [];
  const counted: Pick<LimitBackend, 'admit' | 'releaseSlots' | 'settle'> = {
    admit: (req) => {
      calls.push('admit');
      return inner.admit(req);
    },
    releaseSlots: (ids, leaseId) => {
      calls.push('releaseSlots');
      return inner.releaseSlots(ids, leaseId);
    },
    settle: (checks, id, actual) => {
      calls.push('settle');
      return inner.settle(checks, id, actual);
    },
  };
  const stages = [
    createRateLimitStage({ tokens, upstreamModelOf: () => undefined }),
    createConcurrencyStage(),
    createBudgetStage(
      {
        backend: counting ? counted : inner,
        prices: createPriceTable({
          models: { cheap: { inputUsdPerMTok: 0, outputUsdPerMTok: 1 } },
        }),
        tokens,
        alerts: { check: () => undefined },
        upstreamModelOf: () => undefined,
      },
      { leaseTtlMs: 60_000, defaultMaxOutputTokens: 1_000 },
    ),
  ];
  return { backend: inner, calls, stages };
}

function ctx(limits: LimitSet, reqId: string) {
  const deferred: (() => void | Promise<void>)[] = [];
  const policy: RequestPolicy = {
    env: 'prod',
    user: undefined,
    team: undefined,
    tier: undefined,
    subjects: [{ kind: 'key', id: 'k1', limits }],
    maxRequestCostMicroUsd: undefined,
    requestedOutputTokens: 100,
    outputChoices: 1,
    promptTokens: undefined,
    mayUse: () => true,
  };
  const c = {
    reqId,
    route: { id: 'chat_completions', dialect: 'openai' },
    clock: { now: () => NOW, monotonicMs: () => 0 },
    log: createLogger({ level: 'silent' }),
    body: { model: 'cheap', messages: [{ role: 'user', content: 'hi' }] },
    decisions: [],
    policy,
    usage: undefined,
    response: undefined,
    costMicroUsd: undefined,
    responseHeaders: {},
    defer: (fn: () => void | Promise<void>) => void deferred.push(fn),
    async finish() {
      while (deferred.length > 0) await deferred.pop()?.();
    },
  };
  return c as unknown as RequestContext & { finish(): Promise<void> };
}

const limits = { rpm: 5, concurrency: 1, monthlyBudgetMicroUsd: 150 };

describe('admission: rate limit, concurrency and budget in one backend call', () => {
  it('takes the rate window, the slot and the reservation in one call, and frees them after', async () => {
    const { calls, stages } = setup();
    const a = ctx(limits, 'q1');
    expect(await runStages(stages, a)).toBeUndefined();
    expect(calls).toEqual(['admit']);
    expect(a.responseHeaders['x-ratelimit-remaining-requests']).toBe('4');
    // The slot is held until the first request ends.
    const b = ctx(limits, 'q2');
    expect((await runStages(stages, b))?.code).toBe('concurrency_limit_exceeded');
    expect(b.decisions).toContainEqual({
      stage: 'concurrency',
      action: 'block',
      type: 'key:concurrency',
    });
    await a.finish();
    expect(calls.slice(2).sort()).toEqual(['releaseSlots', 'settle']);
    expect(await runStages(stages, ctx(limits, 'q3'))).toBeUndefined();
  });

  it('charges a request refused by its budget nothing: no rate unit, no slot', async () => {
    const { backend, stages } = setup();
    const a = ctx(limits, 'q1');
    expect(await runStages(stages, a)).toBeUndefined();
    a.response = { kind: 'json', status: 200, body: '{}' };
    await a.finish();
    // Answered without usage: it keeps the 100 µ$ reserved, 50 are left and the next is refused.
    const b = ctx({ ...limits, concurrency: 5 }, 'q2');
    expect((await runStages(stages, b))?.code).toBe('budget_exceeded');
    const rate = await backend.consumeRate(
      [{ id: 'rl:key:k1:rpm', limit: 5, windowMs: 60_000, cost: 1 }],
      NOW,
      'q3',
    );
    expect(rate.ok && rate.states[0]?.remaining).toBe(3);
  });

  it('answers at once over the in-process backend: no promise, admitted or refused', () => {
    const { stages } = setup(false);
    const a = ctx(limits, 'q1');
    expect(runStages(stages, a)).toBeUndefined();
    expect(a.responseHeaders['x-ratelimit-remaining-requests']).toBe('4');
    expect(runStages(stages, ctx(limits, 'q2'))).toMatchObject({
      code: 'concurrency_limit_exceeded',
    });
  });

  it('refuses over the rate limit with its code, its headers and Retry-After', async () => {
    const { stages } = setup();
    const rpm1 = { rpm: 1 };
    expect(await runStages(stages, ctx(rpm1, 'q1'))).toBeUndefined();
    const b = ctx(rpm1, 'q2');
    const refused = await runStages(stages, b);
    expect(refused).toMatchObject({ code: 'rate_limit_exceeded', retryAfterSec: 60 });
    expect(b.responseHeaders['x-ratelimit-remaining-requests']).toBe('0');
  });
});
