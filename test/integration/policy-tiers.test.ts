import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { post, startTestGateway, type TestGateway } from '../helpers/gateway.js';
import { startTestIdp, type TestIdp } from '../helpers/jwks.js';
import { chatBody, simulatedClock } from '../helpers/policy.js';

/** Tiers carry per-user limits: the shipped free tier is 30 requests an hour, 5 a second. */
describe('tiers', () => {
  let idp: TestIdp;
  let gw: TestGateway;
  const clock = simulatedClock(Date.now());
  beforeAll(async () => {
    idp = await startTestIdp();
    gw = await startTestGateway({
      config: {
        jwt: { enabled: true, jwksUrl: idp.jwksUrl, issuer: idp.issuer, algorithms: ['RS256'] },
        policy: {
          environments: { prod: { keyDefaults: {} } },
          tiers: { free: { rph: 30, rps: 5 }, pro: { rpm: 600 } },
        },
      },
      appDeps: { clock },
    });
  });
  afterAll(async () => {
    await gw.close();
    await idp.close();
  });

  const send = async (headers: Record<string, string>, body = chatBody()) => {
    const res = await post(`${gw.url}/v1/chat/completions`, body, headers);
    return { status: res.status, code: res.headers.get('x-bastion-error-code') };
  };
  const bearer = (token: string) => ({ authorization: `Bearer ${token}` });

  it('holds a free user to 5 a second and 30 an hour, and leaves a pro user alone', async () => {
    const free = bearer(
      await idp.sign({ sub: 'free-user', tier: 'free' }, { expiresInSec: 7_200 }),
    );
    const pro = bearer(await idp.sign({ sub: 'pro-user', tier: 'pro' }, { expiresInSec: 7_200 }));
    const burst = await Promise.all(Array.from({ length: 8 }, () => send(free)));
    expect(burst.filter((r) => r.status === 200)).toHaveLength(5);
    expect(
      burst.filter((r) => r.status === 429).every((r) => r.code === 'rate_limit_exceeded'),
    ).toBe(true);
    expect((await send(pro)).status).toBe(200);

    let admitted = 5;
    for (let second = 1; second < 20; second++) {
      clock.advance(1_000);
      const batch = await Promise.all(Array.from({ length: 3 }, () => send(free)));
      admitted += batch.filter((r) => r.status === 200).length;
    }
    expect(admitted).toBe(30);
    await gw.flushAudit();
    const [row] = await gw.app.store.queryAudit({ status: 429, limit: 1 });
    expect(row?.decisions).toContainEqual({
      stage: 'rate_limit',
      action: 'block',
      type: 'user:rph',
    });
    clock.advance(3_600_000);
    expect((await send(free)).status).toBe(200);
  });

  it('uses the default tier when the token names none, and refuses an unknown tier', async () => {
    const none = bearer(await idp.sign({ sub: 'no-tier-user' }, { expiresInSec: 7_200 }));
    const burst = await Promise.all(Array.from({ length: 7 }, () => send(none)));
    expect(burst.filter((r) => r.status === 200)).toHaveLength(5);
    const unknown = bearer(await idp.sign({ sub: 'x', tier: 'platinum' }, { expiresInSec: 7_200 }));
    expect(await send(unknown)).toEqual({ status: 403, code: 'tier_unknown' });
  });

  it('applies per-user limits to the end users an app names with a key that has a tier', async () => {
    clock.advance(10_000);
    const key = await gw.createKey({ env: 'prod', scopes: { tier: 'free' } });
    const as = (user: string) => ({
      authorization: `Bearer ${key.secret}`,
      'x-bastion-user': user,
    });
    const alice = await Promise.all(Array.from({ length: 7 }, () => send(as('alice'))));
    expect(alice.filter((r) => r.status === 200)).toHaveLength(5);
    expect((await send(as('bob'))).status).toBe(200);
    const viaField = await Promise.all(
      Array.from({ length: 7 }, () =>
        send({ authorization: `Bearer ${key.secret}` }, chatBody({ user: 'carol' })),
      ),
    );
    expect(viaField.filter((r) => r.status === 200)).toHaveLength(5);
    expect((await send({ authorization: `Bearer ${key.secret}` })).status).toBe(200);
  });
});
