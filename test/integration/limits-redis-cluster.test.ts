import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { issueVirtualKey } from '../../src/pipeline/auth/virtual-key.js';
import { budgetWindow } from '../../src/policy/windows.js';
import type { LimitSet } from '../../src/store/types.js';
import type { Clock } from '../../src/util/clock.js';
import { post, startTestGateway, type TestGateway } from '../helpers/gateway.js';
import { chatBody, simulatedClock } from '../helpers/policy.js';
import { startPrivateCluster, uniqueRedisPrefix, type PrivateCluster } from '../helpers/redis.js';

/**
 * `limits.redis.cluster` on a private three-shard Redis Cluster, attacked where the design can
 * break: a key and its team on different shards, so every request is admitted in two steps on
 * two servers. A refusal by the team must take back what the key's step took; two gateways
 * racing on a budget must not overspend it; a shard that is down must refuse, not admit, and
 * must not leave the key's shard charged.
 */
const T0 = Date.UTC(2026, 5, 1, 12, 0, 0);
const COST = 10;
const reply = 'x'.repeat(40); // the mock counts ceil(chars / 4) = 10 completion tokens
const pricing = { models: { 'gpt-4o-mini': { inputUsdPerMTok: 0, outputUsdPerMTok: 1 } } };
// Every node requires it; it rides in the seed URLs and must never leave them.
const PASSWORD = 'cluster-canary-pw-5e1f9a'; // bastion:allow test canary

let cluster: PrivateCluster;
beforeAll(async () => {
  cluster = await startPrivateCluster(3, PASSWORD);
});
afterAll(() => cluster.close());

describe('Redis Cluster limits: a key and its team on different shards', () => {
  const gateways: TestGateway[] = [];
  const prefix = uniqueRedisPrefix('cluster');
  afterEach(async () => {
    await Promise.all(gateways.splice(0).map((gw) => gw.close()));
  });

  const shardOf = (subject: string) => cluster.nodeOf(`${prefix}:{${subject}}`);

  /** A prod key, and a team whose counters sit on another shard than the key's. */
  async function keyAndTeam(limits: LimitSet) {
    const issued = issueVirtualKey({ name: 'k', env: 'prod', nowMs: Date.now() });
    const keyShard = await shardOf(`key:${issued.record.id}`);
    let team = '';
    for (let i = 0; team === ''; i++)
      if ((await shardOf(`team:t${i}`)) !== keyShard) team = `t${i}`;
    const record = { ...issued.record, scopes: { team, limits } };
    return {
      secret: issued.secret,
      record,
      team,
      keyShard,
      teamShard: await shardOf(`team:${team}`),
    };
  }

  async function start(
    replicas: number,
    team: string,
    teamLimits: Record<string, unknown>,
    opts: { clock?: Clock; commandTimeoutMs?: number } = {},
  ) {
    for (let i = 0; i < replicas; i++) {
      gateways.push(
        await startTestGateway({
          config: {
            pricing,
            policy: { teams: { [team]: teamLimits } },
            limits: {
              backend: 'redis',
              redis: {
                url: 'env:REDIS_URL',
                keyPrefix: prefix,
                commandTimeoutMs: opts.commandTimeoutMs ?? 3_000,
                cluster: true,
              },
            },
          },
          env: { REDIS_URL: cluster.url },
          ...(opts.clock === undefined ? {} : { appDeps: { clock: opts.clock } }),
        }),
      );
    }
    return gateways;
  }

  it('takes back the key’s rate unit, slot and reservation when the team refuses', async () => {
    const clock = simulatedClock(T0);
    const k = await keyAndTeam({ rpm: 5, concurrency: 5, monthlyBudgetMicroUsd: 1_000_000 });
    expect(k.keyShard).not.toBe(k.teamShard);
    const [gw] = (await start(1, k.team, { rpm: 1 }, { clock })) as [TestGateway];
    await gw.app.store.insertKey(k.record);
    gw.mock.enqueueFault(...Array.from({ length: 20 }, () => ({ reply })));
    const send = () =>
      post(`${gw.url}/v1/chat/completions`, chatBody({ max_tokens: 10 }), {
        authorization: `Bearer ${k.secret}`,
      });
    expect((await send()).status).toBe(200);
    // The key's step admits each of these (4 of 5 left), then the team's refuses.
    const refused = await Promise.all(Array.from({ length: 12 }, () => send()));
    expect(refused.map((r) => r.status)).toEqual(Array(12).fill(429));
    expect(gw.mock.received).toHaveLength(1);

    // The key counts the one admitted request only: no unit, slot or reservation left over.
    const backend = gw.app.policy.backend;
    const id = k.record.id;
    const probe = await backend.consumeRate(
      [{ id: `rl:key:${id}:rpm`, limit: 5, windowMs: 60_000, cost: 0 }],
      clock.now(),
      'probe',
    );
    expect(probe.ok && probe.states[0]?.remaining).toBe(4);
    const month = budgetWindow('monthly', clock.now()).id;
    expect(await backend.totals([`b:key:${id}:${month}`])).toEqual([
      { spentMicroUsd: COST, reservedMicroUsd: 0 },
    ]);
    const slot = [{ id: `cc:key:${id}`, limit: 1 }];
    expect(await backend.acquireSlots(slot, 'probe', clock.now(), 1_000)).toEqual({ ok: true });
    await backend.releaseSlots([slot[0]?.id ?? ''], 'probe');

    // A minute on the team admits again, and the key has its four left.
    clock.advance(60_000);
    const again = await Promise.all(Array.from({ length: 2 }, () => send()));
    expect(again.map((r) => r.status).sort()).toEqual([200, 429]);
    const after = await backend.consumeRate(
      [{ id: `rl:key:${id}:rpm`, limit: 5, windowMs: 60_000, cost: 0 }],
      clock.now(),
      'probe2',
    );
    expect(after.ok && after.states[0]?.remaining).toBe(4);
  });

  it('never lets two gateways overspend a team budget held on another shard than the key', async () => {
    const N = 23;
    const REQUESTS = 300;
    // The key's slots are held while the team's step runs (prod keys default to 32): room
    // for all, so every refusal here is the budget's.
    const k = await keyAndTeam({ concurrency: 1_000, monthlyBudgetMicroUsd: 1_000_000 });
    await start(2, k.team, { monthlyBudgetUsd: (N * COST) / 1e6 });
    for (const gw of gateways) {
      await gw.app.store.insertKey(k.record);
      gw.mock.enqueueFault(...Array.from({ length: REQUESTS }, () => ({ reply })));
    }
    const responses = await Promise.all(
      Array.from({ length: REQUESTS }, (_, i) =>
        post(
          `${(gateways[i % 2] as TestGateway).url}/v1/chat/completions`,
          chatBody({ max_tokens: 10 }),
          { authorization: `Bearer ${k.secret}` },
        ).then((res) => ({ status: res.status, code: res.headers.get('x-bastion-error-code') })),
      ),
    );
    const reached = gateways.reduce((n, gw) => n + gw.mock.received.length, 0);
    expect(reached).toBe(N);
    expect(responses.filter((r) => r.status === 200)).toHaveLength(N);
    expect(new Set(responses.filter((r) => r.status !== 200).map((r) => r.code))).toEqual(
      new Set(['budget_exceeded']),
    );
    await Promise.all(gateways.map((gw) => gw.flushAudit()));
    const month = budgetWindow('monthly', Date.now()).id;
    const totals = await (gateways[0] as TestGateway).app.policy.backend.totals([
      `b:team:${k.team}:${month}`,
      `b:key:${k.record.id}:${month}`,
    ]);
    // Both spent exactly the N admitted; the key holds none of the refused ones' reservations.
    expect(totals).toEqual([
      { spentMicroUsd: N * COST, reservedMicroUsd: 0 },
      { spentMicroUsd: N * COST, reservedMicroUsd: 0 },
    ]);
  }, 60_000);

  it('refuses while the team’s shard is down, without charging the key’s, and resumes', async () => {
    const clock = simulatedClock(T0);
    const k = await keyAndTeam({ rpm: 100, concurrency: 50, monthlyBudgetMicroUsd: 1_000_000 });
    const [gw] = (await start(1, k.team, { rpm: 1_000 }, { clock, commandTimeoutMs: 300 })) as [
      TestGateway,
    ];
    await gw.app.store.insertKey(k.record);
    const send = () =>
      post(`${gw.url}/v1/chat/completions`, chatBody({ max_tokens: 10 }), {
        authorization: `Bearer ${k.secret}`,
      });
    expect((await send()).status).toBe(200);

    await cluster.stop(k.teamShard);
    try {
      gw.mock.reset();
      const during = await Promise.all(Array.from({ length: 15 }, () => send()));
      expect(during.map((r) => r.status)).toEqual(Array(15).fill(503));
      expect(new Set(during.map((r) => r.headers.get('x-bastion-error-code')))).toEqual(
        new Set(['limits_unavailable']),
      );
      expect(gw.mock.received).toHaveLength(0);
      for (const r of during) expect(await r.text()).not.toContain(PASSWORD);
      // The key's shard is up: each refused request's key step was taken back there.
      const backend = gw.app.policy.backend;
      const probe = await backend.consumeRate(
        [{ id: `rl:key:${k.record.id}:rpm`, limit: 100, windowMs: 60_000, cost: 0 }],
        clock.now(),
        'probe',
      );
      expect(probe.ok && probe.states[0]?.remaining).toBe(99);
      const month = budgetWindow('monthly', clock.now()).id;
      const [key] = await backend.totals([`b:key:${k.record.id}:${month}`]);
      expect(key?.reservedMicroUsd).toBe(0);
    } finally {
      await cluster.start(k.teamShard);
    }
    await expect
      .poll(async () => (await send()).status, { timeout: 15_000, interval: 100 })
      .toBe(200);
    expect(gw.logs.join('')).not.toContain(PASSWORD);
    expect(gw.logs.join('')).not.toContain(cluster.url);
  }, 60_000);
});
