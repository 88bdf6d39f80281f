import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { post, startTestGateway, type TestGateway } from '../helpers/gateway.js';
import { chatBody, redisLimits } from '../helpers/policy.js';
import { startPrivateRedis, type PrivateRedis } from '../helpers/redis.js';

/**
 * The third published failure: budget checks that wave requests through when the store errors.
 * A private redis-server (never the shared one) is stopped mid-test: every request must be
 * refused with 503 limits_unavailable and none may reach the provider; when Redis is back the
 * gateway serves again without a restart.
 */
describe('Redis down: fail closed, then resume', () => {
  let redis: PrivateRedis;
  let gw: TestGateway;
  beforeAll(async () => {
    redis = await startPrivateRedis();
    gw = await startTestGateway({
      config: {
        limits: {
          ...redisLimits('failclosed'),
          redis: { url: 'env:REDIS_URL', keyPrefix: 'failclosed', commandTimeoutMs: 300 },
        },
      },
      env: { REDIS_URL: redis.url },
    });
  });
  afterAll(async () => {
    await gw.close();
    await redis.close();
  });

  it('refuses everything while Redis is stopped and resumes when it is back', async () => {
    const key = await gw.createKey({
      env: 'prod',
      scopes: { limits: { rpm: 1_000, concurrency: 50, monthlyBudgetMicroUsd: 10_000_000 } },
    });
    const send = () =>
      post(`${gw.url}/v1/chat/completions`, chatBody({ max_tokens: 20 }), {
        authorization: `Bearer ${key.secret}`,
      });
    expect((await send()).status).toBe(200);

    await redis.stop();
    gw.mock.reset();
    const during = await Promise.all(Array.from({ length: 20 }, () => send()));
    expect(during.map((r) => r.status)).toEqual(Array(20).fill(503));
    expect(new Set(during.map((r) => r.headers.get('x-bastion-error-code')))).toEqual(
      new Set(['limits_unavailable']),
    );
    expect(gw.mock.received).toHaveLength(0);

    await redis.start();
    await expect
      .poll(async () => (await send()).status, { timeout: 15_000, interval: 100 })
      .toBe(200);
    const after = await Promise.all(Array.from({ length: 5 }, () => send()));
    expect(after.map((r) => r.status)).toEqual(Array(5).fill(200));
  }, 30_000);

  it('never logs the Redis URL or its password', () => {
    expect(gw.logs.join('')).not.toContain(redis.url);
  });
});
