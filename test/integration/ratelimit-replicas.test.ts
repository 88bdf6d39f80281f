import { afterEach, describe, expect, it } from 'vitest';
import { post, startTestGateway, type TestGateway } from '../helpers/gateway.js';
import { chatBody, createSharedKey, redisLimits, simulatedClock } from '../helpers/policy.js';
import { dropRedisPrefix, REDIS_URL, uniqueRedisPrefix } from '../helpers/redis.js';

/**
 * Rate limits multiplied by the replica count is the other published failure. Two replicas
 * share Redis and one simulated clock; a minute-long burst of three requests every 100 ms
 * (1,800 in all) must admit 600 ± 1 % under a 600 RPM limit.
 */
const T0 = Date.UTC(2026, 5, 1, 12, 0, 0);

describe.each([
  { backend: 'memory', replicas: 1 },
  { backend: 'redis', replicas: 2 },
])('rate limits: $backend backend, $replicas replica(s)', ({ backend, replicas }) => {
  const gateways: TestGateway[] = [];
  const prefix = uniqueRedisPrefix('rpm');
  afterEach(async () => {
    await Promise.all(gateways.splice(0).map((gw) => gw.close()));
    await dropRedisPrefix(prefix);
  });

  async function start(clock: ReturnType<typeof simulatedClock>) {
    for (let i = 0; i < replicas; i++) {
      gateways.push(
        await startTestGateway({
          config: backend === 'redis' ? { limits: redisLimits(prefix) } : {},
          env: { REDIS_URL },
          appDeps: { clock },
        }),
      );
    }
  }

  it('admits 600 ± 1 % in a minute-long burst against 600 RPM', async () => {
    const clock = simulatedClock(T0);
    await start(clock);
    const key = await createSharedKey(gateways, { scopes: { limits: { rpm: 600 } } });
    const send = (i: number) =>
      post(`${(gateways[i % replicas] as TestGateway).url}/v1/chat/completions`, chatBody(), {
        authorization: `Bearer ${key.secret}`,
      });
    let admitted = 0;
    let sent = 0;
    for (let step = 0; step < 600; step++) {
      const batch = await Promise.all([send(sent++), send(sent++), send(sent++)]);
      admitted += batch.filter((r) => r.status === 200).length;
      clock.advance(100);
    }
    expect(admitted).toBeGreaterThanOrEqual(594);
    expect(admitted).toBeLessThanOrEqual(606);
    // The window slides: a minute after the burst began, capacity returns.
    const after = await send(sent++);
    expect(after.status).toBe(200);
  }, 60_000);

  it('answers 429 with Retry-After and the OpenAI x-ratelimit headers', async () => {
    const clock = simulatedClock(T0);
    await start(clock);
    const key = await createSharedKey(gateways, { scopes: { limits: { rpm: 2, tpm: 10_000 } } });
    const send = (i: number) =>
      post(
        `${(gateways[i % replicas] as TestGateway).url}/v1/chat/completions`,
        chatBody({ max_tokens: 100 }),
        {
          authorization: `Bearer ${key.secret}`,
        },
      );
    const first = await send(0);
    expect(first.status).toBe(200);
    expect(first.headers.get('x-ratelimit-limit-requests')).toBe('2');
    expect(first.headers.get('x-ratelimit-remaining-requests')).toBe('1');
    expect(first.headers.get('x-ratelimit-reset-requests')).toBe('1m0s');
    expect(first.headers.get('x-ratelimit-limit-tokens')).toBe('10000');
    expect(Number(first.headers.get('x-ratelimit-remaining-tokens'))).toBeLessThan(10_000 - 100);
    clock.advance(15_000);
    expect((await send(1)).status).toBe(200);
    const refused = await send(2);
    expect(refused.status).toBe(429);
    expect(refused.headers.get('retry-after')).toBe('45');
    expect(refused.headers.get('x-ratelimit-remaining-requests')).toBe('0');
    expect(
      ((await refused.json()) as { error: { code: string; type: string } }).error,
    ).toMatchObject({
      code: 'rate_limit_exceeded',
      type: 'rate_limit_error',
    });
  });
});
