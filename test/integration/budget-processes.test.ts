import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { createRedisLimitBackend } from '../../src/limits/redis.js';
import { issueVirtualKey } from '../../src/pipeline/auth/virtual-key.js';
import { budgetWindow } from '../../src/policy/windows.js';
import { createMockProvider } from '../../src/providers/mock/server.js';
import { createSqliteStore } from '../../src/store/sqlite/sqlite-store.js';
import { dropRedisPrefix, REDIS_URL, uniqueRedisPrefix } from '../helpers/redis.js';
import { spawnServe, type ServeProcess } from '../helpers/spawn.js';

/**
 * The strongest form of the budget race test: two `bastion serve` processes (built CLI) share one
 * store file and one Redis, 500 concurrent requests go to them alternately, and the budget fits
 * exactly N. Prices make the worst case equal the real cost (input free, 1 µ$ per output token,
 * 10 output tokens asked and returned), so exactly N must reach the provider.
 */
const N = 23;
const COST = 10;
const REQUESTS = 500;
const UPSTREAM_KEY = 'sk-processes-upstream-7c1e';

describe('budget across two gateway processes sharing Redis', () => {
  const prefix = uniqueRedisPrefix('processes');
  const servers: ServeProcess[] = [];
  const mock = createMockProvider({ apiKeys: [UPSTREAM_KEY] });
  afterAll(async () => {
    await Promise.all(servers.map((s) => s.stop()));
    await mock.close();
    await dropRedisPrefix(prefix);
  });

  it(`admits exactly N of ${REQUESTS} concurrent requests and settles exactly the budget`, async () => {
    const mockUrl = await mock.listen(0, '127.0.0.1');
    mock.enqueueFault(...Array.from({ length: REQUESTS }, () => ({ reply: 'x'.repeat(40) })));
    const dir = mkdtempSync(join(tmpdir(), 'bastion-processes-'));
    const dbPath = join(dir, 'bastion.db');
    const store = createSqliteStore({ path: dbPath });
    await store.migrate();
    const issued = issueVirtualKey({
      name: 'shared',
      env: 'prod',
      nowMs: Date.now(),
      scopes: { limits: { monthlyBudgetMicroUsd: N * COST } },
    });
    await store.insertKey(issued.record);
    await store.close();
    // One config per process: they share the store, Redis and the default audit spool directory.
    const configPaths = [0, 1].map((i) => join(dir, `bastion-${i}.yaml`));
    configPaths.forEach((configPath) =>
      writeFileSync(
        configPath,
        JSON.stringify({
          server: { port: 0 },
          controlPlane: { enabled: false },
          stores: { kind: 'sqlite', sqlite: { path: dbPath } },
          providers: {
            openai: { kind: 'openai', baseUrl: mockUrl, apiKey: 'env:TEST_UPSTREAM_KEY' },
          },
          models: { 'gpt-4o-mini': { provider: 'openai' } },
          pricing: { models: { 'gpt-4o-mini': { inputUsdPerMTok: 0, outputUsdPerMTok: 1 } } },
          // A loaded CI machine can be slow; a timeout here would refuse (fail closed), not admit.
          limits: {
            backend: 'redis',
            redis: { url: 'env:REDIS_URL', keyPrefix: prefix, commandTimeoutMs: 5_000 },
          },
          policy: { environments: { prod: { keyDefaults: {} } } },
        }),
      ),
    );
    const env = { PATH: process.env.PATH, TEST_UPSTREAM_KEY: UPSTREAM_KEY, REDIS_URL };
    servers.push(
      ...(await Promise.all(
        configPaths.map((configPath) => spawnServe(['--config', configPath], env)),
      )),
    );

    const responses = await Promise.all(
      Array.from({ length: REQUESTS }, (_, i) =>
        fetch(`${servers[i % 2]?.url ?? ''}/v1/chat/completions`, {
          method: 'POST',
          headers: { 'content-type': 'application/json', authorization: `Bearer ${issued.secret}` },
          body: JSON.stringify({
            model: 'gpt-4o-mini',
            max_tokens: 10,
            messages: [{ role: 'user', content: 'hello' }],
          }),
        }).then((res) => ({ status: res.status, code: res.headers.get('x-bastion-error-code') })),
      ),
    );
    expect(mock.received.length).toBeLessThanOrEqual(N);
    expect(new Set(responses.filter((r) => r.status !== 200).map((r) => r.code))).toEqual(
      new Set(['budget_exceeded']),
    );
    expect(mock.received).toHaveLength(N);
    expect(responses.filter((r) => r.status === 200)).toHaveLength(N);

    const backend = createRedisLimitBackend({
      url: REDIS_URL,
      keyPrefix: prefix,
      commandTimeoutMs: 2_000,
    });
    await backend.waitReady(2_000);
    try {
      const id = `b:key:${issued.record.id}:${budgetWindow('monthly', Date.now()).id}`;
      // Settlement runs after each reply's last byte: wait for the reservations to drain.
      await expect
        .poll(async () => (await backend.totals([id]))[0], { timeout: 5_000 })
        .toEqual({ spentMicroUsd: N * COST, reservedMicroUsd: 0 });
    } finally {
      await backend.close();
    }
  }, 60_000);
});
