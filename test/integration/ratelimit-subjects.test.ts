import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { post, startTestGateway, type TestGateway } from '../helpers/gateway.js';
import { chatBody, simulatedClock } from '../helpers/policy.js';

/** Limits on a team, an environment's total and everything, across several keys. */
describe('team, environment and global limits', () => {
  let gw: TestGateway;
  const clock = simulatedClock(Date.UTC(2026, 5, 1));
  beforeAll(async () => {
    gw = await startTestGateway({
      appDeps: { clock },
      config: {
        policy: {
          environments: {
            dev: { keyDefaults: {}, total: { rpm: 4 } },
            staging: { keyDefaults: {} },
            prod: { keyDefaults: {} },
            ci: { keyDefaults: {} },
          },
          teams: { growth: { rpm: 3, concurrency: 5 } },
          global: { rpm: 8 },
        },
      },
    });
  });
  afterAll(() => gw.close());

  const send = async (secret: string) => {
    const res = await post(`${gw.url}/v1/chat/completions`, chatBody(), {
      authorization: `Bearer ${secret}`,
    });
    return res.status === 200 ? 200 : res.headers.get('x-bastion-error-code');
  };

  it('counts every key of a team together, then the environment, then everything', async () => {
    const a = await gw.createKey({ env: 'prod', scopes: { team: 'growth' } });
    const b = await gw.createKey({ env: 'prod', scopes: { team: 'growth' } });
    expect([await send(a.secret), await send(b.secret), await send(a.secret)]).toEqual([
      200, 200, 200,
    ]);
    expect(await send(b.secret)).toBe('rate_limit_exceeded');
    await gw.flushAudit();
    const [row] = await gw.app.store.queryAudit({ keyId: b.id, status: 429 });
    expect(row?.decisions).toContainEqual({
      stage: 'rate_limit',
      action: 'block',
      type: 'team:rpm',
    });

    const dev1 = await gw.createKey({ env: 'dev' });
    const dev2 = await gw.createKey({ env: 'dev' });
    const devResults = [];
    for (let i = 0; i < 5; i++)
      devResults.push(await send(i % 2 === 0 ? dev1.secret : dev2.secret));
    expect(devResults).toEqual([200, 200, 200, 200, 'rate_limit_exceeded']);

    // 3 (team) + 4 (dev total) admitted so far; the global limit of 8 leaves one.
    const solo = await gw.createKey({ env: 'staging' });
    expect([await send(solo.secret), await send(solo.secret)]).toEqual([
      200,
      'rate_limit_exceeded',
    ]);
    clock.advance(60_000);
    expect(await send(solo.secret)).toBe(200);
  });
});
