import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { CliIo } from '../../src/cli/command.js';
import { command as rotate } from '../../src/cli/commands/providers-rotate.js';
import { admin, ADMIN_TOKEN } from '../helpers/admin.js';
import { CANARY_OPENAI_KEY, post, startTestGateway, type TestGateway } from '../helpers/gateway.js';
import { chatBody, redisLimits } from '../helpers/policy.js';
import { TEST_DATABASE_URL, useTestSchemas } from '../helpers/postgres.js';
import { dropRedisPrefix, REDIS_URL, uniqueRedisPrefix } from '../helpers/redis.js';

const NEXT_KEY = 'sk-canary-fleet-next-7d6c5b4a39281706f5e4'; // bastion:allow test canary
const OLD = `Bearer ${CANARY_OPENAI_KEY}`;
const NEXT = `Bearer ${NEXT_KEY}`;

/**
 * Issue 15: provider-key pools live in the store. Two replicas share one Postgres schema and one
 * Redis; the rotation playbook runs through replica A while ~200 requests a second are spread
 * over both, and B follows every step; then both restart and keep the state.
 */
describe('provider-key rotation across two replicas (Postgres + Redis)', () => {
  const schemas = useTestSchemas();
  const prefix = uniqueRedisPrefix('pools');
  let schema: string;
  let a: TestGateway;
  let b: TestGateway;
  let auth: Record<string, string>;
  const open: TestGateway[] = [];

  const start = async (keys: { label: string; apiKey: string }[] = oldKeyOnly) => {
    const gw = await startTestGateway({
      mockApiKeys: [NEXT_KEY],
      env: {
        DATABASE_URL: TEST_DATABASE_URL,
        REDIS_URL,
        OPENAI_KEY_NEXT: NEXT_KEY,
        BASTION_ADMIN_TOKEN: ADMIN_TOKEN,
      },
      stores: { kind: 'postgres', postgres: { url: 'env:DATABASE_URL', schema } },
      config: {
        limits: redisLimits(prefix),
        audit: { durability: 'batched', flushIntervalMs: 20 },
      },
      configure: (mockUrl) => ({
        providers: { openai: { kind: 'openai', baseUrl: mockUrl, keys } },
        models: { 'gpt-4o-mini': { provider: 'openai' } },
      }),
    });
    open.push(gw);
    return gw;
  };
  const oldKeyOnly = [{ label: 'openai-old', apiKey: 'env:TEST_OPENAI_KEY' }];
  const pool = (gw: TestGateway) => gw.app.upstreams.providers.get('openai')?.pool;
  const states = (gw: TestGateway) =>
    pool(gw)?.keys.map((k) => [k.label, k.state, k.weight] as const);

  beforeAll(async () => {
    schema = (await schemas.create('pools')).schema;
    a = await start();
    b = await start();
    auth = { authorization: `Bearer ${(await a.createKey({ env: 'prod' })).secret}` };
  });
  afterAll(async () => {
    await Promise.all(open.map((gw) => gw.close()));
    await dropRedisPrefix(prefix);
  });

  it('a change through A is applied on B before A answers; concurrent changes through both never overwrite each other', async () => {
    const added = await admin(a, 'POST', '/admin/providers/openai/keys', {
      label: 'openai-spare',
      apiKey: 'env:TEST_OPENAI_KEY',
      weight: 0,
    });
    expect(added).toMatchObject({ status: 201, body: { fleet: { replicas: 1, pending: 0 } } });
    // No waiting: A answered only once B reported the change applied.
    expect(states(b)).toEqual([
      ['openai-old', 'active', 1],
      ['openai-spare', 'active', 0],
    ]);
    // Two operators at once, on different replicas, each draining "the other" key: the second
    // decides on the first one's change and refuses to leave the provider with no active key.
    await admin(b, 'PATCH', '/admin/providers/openai/keys/openai-spare', { weight: 1 });
    const [onA, onB] = await Promise.all([
      admin(a, 'PATCH', '/admin/providers/openai/keys/openai-old', { state: 'draining' }),
      admin(b, 'PATCH', '/admin/providers/openai/keys/openai-spare', { state: 'draining' }),
    ]);
    const codes = [onA, onB].map((r) =>
      r.status === 200 ? 200 : (r.body as { error: { code: string } }).error.code,
    );
    expect(codes.sort()).toEqual([200, 'last_active_key']);
    // Back to one active key for the rotation: the drained one returns, the spare goes.
    const drained = onA.status === 200 ? 'openai-old' : 'openai-spare';
    await admin(b, 'PATCH', `/admin/providers/openai/keys/${drained}`, { state: 'active' });
    const revoked = await admin(b, 'PATCH', '/admin/providers/openai/keys/openai-spare', {
      state: 'revoked',
    });
    expect(revoked).toMatchObject({ status: 200, body: { fleet: { replicas: 1, pending: 0 } } });
    expect(states(a)).toEqual([
      ['openai-old', 'active', 1],
      ['openai-spare', 'revoked', 1],
    ]);
    expect(states(a)).toEqual(states(b));
  });

  it('rotates through A under ~200 req/s over both replicas: no failed request, B follows, the old key is never used after the drain', async () => {
    const marks = { a: 0, b: 0 };
    const load = startPacedLoad([a.url, b.url], auth, 200);
    const io = cliIo((line) => {
      // The drain line is printed once every replica reported no call in flight on the old key.
      if (line.startsWith('drain ')) Object.assign(marks, markOf(a, b));
    });
    const fromA = a.mock.received.length;
    const fromB = b.mock.received.length;
    const code = await rotate.run(
      [
        'openai',
        '--new',
        'env:OPENAI_KEY_NEXT',
        '--label',
        'openai-next',
        '--steps',
        '10,50',
        '--step-wait',
        '60s',
        '--admin-url',
        a.controlUrl as string,
      ],
      io,
    );
    // Traffic after the playbook, on both replicas, before the load stops.
    const after = markOf(a, b);
    const wait = { timeout: 30_000, interval: 20 };
    await expect.poll(() => b.mock.received.length, wait).toBeGreaterThanOrEqual(after.b + 50);
    await expect.poll(() => a.mock.received.length, wait).toBeGreaterThanOrEqual(after.a + 50);
    const { statuses, sent, elapsedMs } = await load.stop();

    expect([code, io.out()]).toEqual([
      0,
      expect.stringMatching(
        /verify {2}ok: old key\(s\) .* carried 0 request\(s\) since the cut-over/,
      ),
    ]);
    expect(statuses).toEqual({ 200: sent });
    // Both replicas served both keys during the shift, and only the new one after the drain.
    for (const [gw, from, mark] of [
      [a, fromA, marks.a],
      [b, fromB, marks.b],
    ] as const) {
      const auths = gw.mock.received.map((r) => r.headers.authorization);
      expect(new Set(auths.slice(from, mark))).toEqual(new Set([OLD, NEXT]));
      expect(new Set(auths.slice(mark))).toEqual(new Set([NEXT]));
    }
    expect(states(b)).toEqual(states(a));
    expect(states(b)).toEqual([
      ['openai-old', 'revoked', expect.any(Number)],
      ['openai-spare', 'revoked', 1],
      ['openai-next', 'active', 1],
    ]);
    // How long after A stored the revoke B ran with it (B's apply time, same clock).
    const stored = (await a.app.store.listProviderKeys()).find((r) => r.label === 'openai-old');
    const lagMs = (pool(b)?.get('openai-old')?.stateChangedAtMs ?? 0) - (stored?.updatedAtMs ?? 0);
    // B dropped the revoked key's secret too.
    expect(pool(b)?.get('openai-old')?.secret.reveal()).toBe('');
    console.info(
      `fleet rotation: ${sent} requests in ${elapsedMs} ms over two replicas; B applied the revoke ${lagMs} ms after A stored it`,
    );
    const storedRows = JSON.stringify([
      await a.app.store.listProviderKeys(),
      await a.app.store.listPoolReplicas(0),
      await a.app.store.listAdminEvents({ limit: 1000 }),
    ]);
    expect(storedRows).toContain('env:OPENAI_KEY_NEXT');
    for (const text of [a.logs.join(''), b.logs.join(''), io.out(), storedRows]) {
      expect(text).not.toContain(NEXT_KEY);
      expect(text).not.toContain(CANARY_OPENAI_KEY);
      expect(text).not.toContain(ADMIN_TOKEN);
    }
  }, 120_000);

  it('keeps the rotated pool across a restart of both replicas; a key the config dropped is ignored and reported', async () => {
    const rotated = [...(states(a) ?? [])].sort();
    await Promise.all([a.close(), b.close()]);
    open.length = 0;
    // A restarts with the config unchanged; B with the rotation made permanent in its config.
    a = await start();
    b = await start([{ label: 'openai-next', apiKey: 'env:OPENAI_KEY_NEXT' }]);
    expect([...(states(a) ?? [])].sort()).toEqual(rotated);
    expect(states(b)).toEqual([
      ['openai-next', 'active', 1],
      ['openai-spare', 'revoked', 1],
    ]);
    expect(b.logs.join('')).toMatch(
      /"event":"provider_key_state_ignored","provider":"openai","key":"openai-old"/,
    );
    const fromA = a.mock.received.length;
    const fromB = b.mock.received.length;
    for (let i = 0; i < 10; i++) {
      expect((await post(`${a.url}/v1/chat/completions`, chatBody(), auth)).status).toBe(200);
      expect((await post(`${b.url}/v1/chat/completions`, chatBody(), auth)).status).toBe(200);
    }
    for (const [gw, from] of [
      [a, fromA],
      [b, fromB],
    ] as const) {
      const auths = gw.mock.received.slice(from).map((r) => r.headers.authorization);
      expect(new Set(auths)).toEqual(new Set([NEXT]));
    }
  }, 60_000);
});

describe('provider-key pools on one SQLite file', () => {
  it('a replica that cannot resolve a run-time key leaves it out, says so, the change answers as pending, and the playbook rolls back', async () => {
    // Fast polls so the fleet wait (maxStale + two polls) ends soon.
    const config = { policy: { killSwitchPollMs: 100, killSwitchMaxStaleMs: 1_000 } };
    const a = await startTestGateway({
      config,
      mockApiKeys: [NEXT_KEY],
      env: { OPENAI_KEY_NEXT: NEXT_KEY, BASTION_ADMIN_TOKEN: ADMIN_TOKEN },
    });
    // B has no OPENAI_KEY_NEXT in its environment.
    const b = await startTestGateway({
      config,
      env: { BASTION_ADMIN_TOKEN: ADMIN_TOKEN },
      stores: { kind: 'sqlite', sqlite: { path: a.dbPath } },
    });
    try {
      const added = await admin(a, 'POST', '/admin/providers/openai/keys', {
        label: 'openai-next',
        apiKey: 'env:OPENAI_KEY_NEXT',
      });
      expect(added).toMatchObject({ status: 201, body: { fleet: { replicas: 1, pending: 1 } } });
      expect(b.app.upstreams.providers.get('openai')?.pool.get('openai-next')).toBeUndefined();
      expect(b.logs.join('')).toMatch(
        /"event":"provider_key_unresolved","provider":"openai","key":"openai-next"/,
      );
      // Other changes still reach B.
      const weighted = await admin(b, 'PATCH', '/admin/providers/openai/keys/openai-primary', {
        weight: 3,
      });
      expect(weighted.status).toBe(200);
      expect(a.app.upstreams.providers.get('openai')?.pool.get('openai-primary')?.weight).toBe(3);
      // The playbook stops at once and rolls back: B would have no key left after the drain.
      const io = cliIo(() => undefined);
      const code = await rotate.run(
        ['openai', '--new', 'env:OPENAI_KEY_NEXT', '--label', 'openai-rot', '--steps', ''].concat([
          '--admin-url',
          a.controlUrl as string,
        ]),
        io,
      );
      expect([code, io.out()]).toEqual([
        1,
        expect.stringContaining('openai-rot: 1 replica(s) had not taken it'),
      ]);
      for (const gw of [a, b])
        expect(gw.app.upstreams.providers.get('openai')?.pool.get('openai-primary')?.state).toBe(
          'active',
        );
      expect(a.app.upstreams.providers.get('openai')?.pool.get('openai-rot')?.state).toBe(
        'revoked',
      );
    } finally {
      await b.close();
      await a.close();
    }
  });
});

describe('provider-key pool state and a config reload', () => {
  it('a reload that rebuilds the provider keeps the revoked key revoked and the added key in', async () => {
    const file = join(mkdtempSync(join(tmpdir(), 'bastion-pools-')), 'bastion.yaml');
    writeFileSync(file, 'audit: { flushIntervalMs: 20 }\n');
    const gw = await startTestGateway({
      configFile: file,
      mockApiKeys: [NEXT_KEY],
      env: { OPENAI_KEY_NEXT: NEXT_KEY, BASTION_ADMIN_TOKEN: ADMIN_TOKEN },
    });
    try {
      const auth = { authorization: `Bearer ${(await gw.createKey({ env: 'prod' })).secret}` };
      const path = '/admin/providers/openai/keys';
      expect(
        (await admin(gw, 'POST', path, { label: 'openai-next', apiKey: 'env:OPENAI_KEY_NEXT' }))
          .status,
      ).toBe(201);
      expect(
        (await admin(gw, 'PATCH', `${path}/openai-primary`, { state: 'revoked' })).status,
      ).toBe(200);
      const before = gw.app.upstreams.providers.get('openai');
      // A changed provider setting: the pool is rebuilt from the file, where the key is active.
      writeFileSync(
        file,
        'audit: { flushIntervalMs: 20 }\nproviders:\n  openai:\n    headers: { x-reloaded: "1" }\n',
      );
      expect((await gw.app.reloadConfig()).outcome).toBe('applied');
      const rebuilt = gw.app.upstreams.providers.get('openai');
      expect(rebuilt).not.toBe(before);
      expect(rebuilt?.pool.keys.map((k) => [k.label, k.state])).toEqual([
        ['openai-primary', 'revoked'],
        ['openai-next', 'active'],
      ]);
      const from = gw.mock.received.length;
      for (let i = 0; i < 5; i++)
        expect((await post(`${gw.url}/v1/chat/completions`, chatBody(), auth)).status).toBe(200);
      const auths = gw.mock.received.slice(from).map((r) => r.headers.authorization);
      expect(new Set(auths)).toEqual(new Set([NEXT]));
    } finally {
      await gw.close();
    }
  });
});

function markOf(a: TestGateway, b: TestGateway) {
  return { a: a.mock.received.length, b: b.mock.received.length };
}

/**
 * Requests stay below what both replicas, their mocks and this test can serve in one process on
 * a shared machine: more in flight only queues them (for Postgres connections above all).
 */
const MAX_IN_FLIGHT = 16;

/**
 * About `perSecond` requests a second, alternating over the replicas, sent on a 20 ms tick with
 * at most MAX_IN_FLIGHT in flight (a loaded machine gets fewer, never a pile-up); counts every
 * outcome.
 */
function startPacedLoad(urls: string[], auth: Record<string, string>, perSecond: number) {
  const statuses = new Map<number, number>();
  const running = new Set<Promise<void>>();
  const startedMs = Date.now();
  let sent = 0;
  const send = () => {
    const url = urls[sent % urls.length] as string;
    sent++;
    const done = post(`${url}/v1/chat/completions`, chatBody(), auth)
      .then(
        async (res) => {
          await res.arrayBuffer();
          return res.status;
        },
        () => 0,
      )
      .then((status) => {
        statuses.set(status, (statuses.get(status) ?? 0) + 1);
        running.delete(done);
      });
    running.add(done);
  };
  const timer = setInterval(() => {
    const due = Math.floor(((Date.now() - startedMs) * perSecond) / 1000) - sent;
    for (let i = 0; i < due && running.size < MAX_IN_FLIGHT; i++) send();
  }, 20);
  return {
    async stop() {
      clearInterval(timer);
      await Promise.all(running);
      return { statuses: Object.fromEntries(statuses), sent, elapsedMs: Date.now() - startedMs };
    },
  };
}

function cliIo(onLine: (line: string) => void): CliIo & { out: () => string } {
  let out = '';
  return {
    stdout: {
      write: (t: string) => {
        for (const line of t.split('\n')) if (line !== '') onLine(line);
        out += t;
      },
    },
    stderr: { write: (t: string) => (out += t), isTTY: false },
    env: { BASTION_ADMIN_TOKEN: ADMIN_TOKEN },
    cwd: process.cwd(),
    out: () => out,
  };
}
