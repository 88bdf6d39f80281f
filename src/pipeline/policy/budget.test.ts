import { describe, expect, it } from 'vitest';
import { createMemoryLimitBackend } from '../../limits/memory.js';
import { createLogger } from '../../log/logger.js';
import { createPriceTable } from '../../pricing/prices.js';
import { createTokenCounter } from '../../pricing/tokens.js';
import type { RequestContext } from '../context.js';
import { createBudgetStage } from './budget.js';
import type { RequestPolicy } from './request-policy.js';

const NOW = Date.UTC(2026, 5, 15);
const prices = createPriceTable({
  models: {
    cheap: { inputUsdPerMTok: 0, outputUsdPerMTok: 1 },
    dear: { inputUsdPerMTok: 0, outputUsdPerMTok: 10 },
  },
});

function setup() {
  const backend = createMemoryLimitBackend();
  const checked: [string, number][] = [];
  const stage = createBudgetStage(
    {
      backend,
      prices,
      tokens: createTokenCounter({ estimateBytesPerToken: 3, exactTokenizeMaxChars: 1_000 }),
      alerts: { check: (ref, spent) => void checked.push([ref.budget, spent]) },
      upstreamModelOf: () => undefined,
    },
    { leaseTtlMs: 60_000, defaultMaxOutputTokens: 1_000 },
  );
  return { backend, stage, checked };
}

function ctx(maxTokens: number): RequestContext & { run(): Promise<void> } {
  const deferred: (() => void | Promise<void>)[] = [];
  const policy: RequestPolicy = {
    env: 'prod',
    user: undefined,
    team: undefined,
    tier: undefined,
    subjects: [{ kind: 'key', id: 'k1', limits: { monthlyBudgetMicroUsd: 1_000 } }],
    maxRequestCostMicroUsd: undefined,
    requestedOutputTokens: maxTokens,
    outputChoices: 1,
    promptTokens: undefined,
    mayUse: () => true,
  };
  const c = {
    reqId: `req_${Math.random()}`,
    route: { id: 'chat_completions', dialect: 'openai' },
    clock: { now: () => NOW, monotonicMs: () => 0 },
    log: createLogger({ level: 'silent' }),
    body: { model: 'cheap', messages: [] },
    decisions: [],
    policy,
    usage: undefined,
    response: undefined,
    costMicroUsd: undefined,
    defer: (fn: () => void | Promise<void>) => void deferred.push(fn),
    async run() {
      while (deferred.length > 0) await deferred.pop()?.();
    },
  };
  return c as unknown as RequestContext & { run(): Promise<void> };
}

const monthly = ['b:key:k1:m202606'];

describe('budget stage', () => {
  it('reserves the worst case and settles to the usage, at the price of the model that answered', async () => {
    const { backend, stage, checked } = setup();
    const a = ctx(100);
    expect(await stage.run(a)).toBeUndefined();
    expect(await backend.totals(monthly)).toEqual([{ spentMicroUsd: 0, reservedMicroUsd: 100 }]);
    a.response = { kind: 'json', status: 200, body: '{}' };
    a.usage = { promptTokens: 5, completionTokens: 40 };
    a.decisions.push({
      stage: 'upstream',
      action: 'fallback',
      type: 'upstream_error',
      detail: 'dear',
    });
    await a.run();
    expect(a.costMicroUsd).toBe(400);
    expect(await backend.totals(monthly)).toEqual([{ spentMicroUsd: 400, reservedMicroUsd: 0 }]);
    expect(checked).toEqual([['key:k1:monthly', 400]]);
  });

  it('refunds a request that got no reply, and refuses one that no longer fits', async () => {
    const { backend, stage } = setup();
    const a = ctx(600);
    expect(await stage.run(a)).toBeUndefined();
    const b = ctx(600);
    expect((await stage.run(b))?.code).toBe('budget_exceeded');
    expect(b.decisions).toContainEqual({
      stage: 'budget',
      action: 'block',
      type: 'budget:key:monthly',
      count: 600,
    });
    await a.run();
    expect(a.costMicroUsd).toBe(0);
    expect(await backend.totals(monthly)).toEqual([{ spentMicroUsd: 0, reservedMicroUsd: 0 }]);
    expect(await stage.run(ctx(600))).toBeUndefined();
  });

  it('refuses an unpriced model when a budget applies', async () => {
    const { stage } = setup();
    const a = ctx(10);
    a.body = { model: 'unpriced-model', messages: [] };
    expect((await stage.run(a))?.code).toBe('model_price_unknown');
  });
});
