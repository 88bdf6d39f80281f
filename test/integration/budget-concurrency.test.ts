import { afterEach, describe, expect, it } from 'vitest';
import { budgetWindow } from '../../src/policy/windows.js';
import { post, startTestGateway, type TestGateway } from '../helpers/gateway.js';
import { chatBody, createSharedKey, redisLimits } from '../helpers/policy.js';
import { dropRedisPrefix, REDIS_URL, uniqueRedisPrefix } from '../helpers/redis.js';

/**
 * The race published gateways lose: many concurrent requests against a budget checked then
 * incremented. Here each request reserves its worst case atomically before the upstream call.
 * Prices make the worst case equal the real cost (input free, 1 µ$ per output token, 10 output
 * tokens asked and returned), so the budget fits exactly N requests however they interleave.
 */
const N = 37;
const COST = 10;
const REQUESTS = 500;
const reply = 'x'.repeat(40); // the mock counts ceil(chars / 4) = 10 completion tokens
const pricing = { models: { 'gpt-4o-mini': { inputUsdPerMTok: 0, outputUsdPerMTok: 1 } } };

describe.each([
  { backend: 'memory', replicas: 1 },
  { backend: 'redis', replicas: 2 },
])('budget under concurrency: $backend backend, $replicas replica(s)', ({ backend, replicas }) => {
  const gateways: TestGateway[] = [];
  const prefix = uniqueRedisPrefix('budget');
  afterEach(async () => {
    await Promise.all(gateways.splice(0).map((gw) => gw.close()));
    await dropRedisPrefix(prefix);
  });

  it(`admits at most N of ${REQUESTS} concurrent requests and never settles past the budget`, async () => {
    for (let i = 0; i < replicas; i++) {
      gateways.push(
        await startTestGateway({
          config: { pricing, ...(backend === 'redis' ? { limits: redisLimits(prefix) } : {}) },
          env: { REDIS_URL },
        }),
      );
    }
    for (const gw of gateways)
      gw.mock.enqueueFault(...Array.from({ length: REQUESTS }, () => ({ reply })));
    const key = await createSharedKey(gateways, {
      scopes: { limits: { monthlyBudgetMicroUsd: N * COST } },
    });
    const responses = await Promise.all(
      Array.from({ length: REQUESTS }, (_, i) =>
        post(
          `${(gateways[i % replicas] as TestGateway).url}/v1/chat/completions`,
          chatBody({ max_tokens: 10 }),
          {
            authorization: `Bearer ${key.secret}`,
          },
        ).then((res) => ({
          status: res.status,
          code: res.headers.get('x-bastion-error-code'),
        })),
      ),
    );
    const reached = gateways.reduce((n, gw) => n + gw.mock.received.length, 0);
    const admitted = responses.filter((r) => r.status === 200).length;
    expect(reached).toBeLessThanOrEqual(N);
    expect(admitted).toBe(reached);
    expect(reached).toBe(N);
    expect(
      responses.filter((r) => r.status !== 200).every((r) => r.code === 'budget_exceeded'),
    ).toBe(true);

    await Promise.all(gateways.map((gw) => gw.flushAudit()));
    const window = budgetWindow('monthly', Date.now()).id;
    const [totals] = await (gateways[0] as TestGateway).app.policy.backend.totals([
      `b:key:${key.id}:${window}`,
    ]);
    expect(totals?.spentMicroUsd).toBeLessThanOrEqual(N * COST);
    expect(totals).toEqual({ spentMicroUsd: N * COST, reservedMicroUsd: 0 });
  });
});
