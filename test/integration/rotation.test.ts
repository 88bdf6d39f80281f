import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { CliIo } from '../../src/cli/command.js';
import { command as list } from '../../src/cli/commands/providers-list.js';
import { command as rotate } from '../../src/cli/commands/providers-rotate.js';
import { command as verify } from '../../src/cli/commands/providers-verify.js';
import { CANARY_OPENAI_KEY, post, startTestGateway, type TestGateway } from '../helpers/gateway.js';

const NEXT_KEY = 'sk-canary-next-3c2b1a0f9e8d7c6b5a4f3e2d';
/** A key the provider refuses (401). */
const BAD_KEY = 'sk-canary-bad-0f1e2d3c4b5a69788796a5b4';
const ADMIN_TOKEN = `adm-${randomBytes(16).toString('hex')}`;
const DAY_MS = 86_400_000;
const chat = { model: 'gpt-4o-mini', messages: [{ role: 'user', content: 'hi' }] };

/**
 * Keeps `workers` requests in flight until stopped (closed loop: each worker sends its next
 * request when the last one answered), so the load follows what the machine can serve instead
 * of piling up on a busy one; counts every outcome.
 */
function startLoad(url: string, auth: Record<string, string>, workers: number) {
  const statuses = new Map<number, number>();
  let sent = 0;
  let stopping = false;
  const worker = async () => {
    while (!stopping) {
      sent++;
      const status = await post(`${url}/v1/chat/completions`, chat, auth).then(
        async (res) => {
          await res.arrayBuffer();
          return res.status;
        },
        () => 0,
      );
      statuses.set(status, (statuses.get(status) ?? 0) + 1);
    }
  };
  const running = Promise.all(Array.from({ length: workers }, worker));
  return {
    async stop() {
      stopping = true;
      await running;
      return { statuses: Object.fromEntries(statuses), sent };
    },
  };
}

function cliIo(): CliIo & { out: () => string } {
  let out = '';
  return {
    stdout: { write: (t: string) => (out += t) },
    stderr: { write: (t: string) => (out += t), isTTY: false },
    env: { BASTION_ADMIN_TOKEN: ADMIN_TOKEN },
    cwd: process.cwd(),
    out: () => out,
  };
}

describe('provider-key rotation on a live gateway', () => {
  let gw: TestGateway;
  let auth: Record<string, string>;
  let admin: string[];

  beforeAll(async () => {
    gw = await startTestGateway({
      mockApiKeys: [NEXT_KEY],
      env: { OPENAI_KEY_NEXT: NEXT_KEY, OPENAI_KEY_BAD: BAD_KEY, BASTION_ADMIN_TOKEN: ADMIN_TOKEN },
      configure: (mockUrl) => ({
        policy: { environments: { prod: { keyDefaults: { rpm: 1_000_000 } } } },
        providers: {
          openai: {
            kind: 'openai',
            baseUrl: mockUrl,
            keys: [
              {
                label: 'openai-old',
                apiKey: 'env:TEST_OPENAI_KEY',
                createdAt: new Date(Date.now() - 95 * DAY_MS).toISOString().slice(0, 10),
              },
            ],
          },
        },
        models: { 'gpt-4o-mini': { provider: 'openai' } },
      }),
    });
    auth = { authorization: `Bearer ${(await gw.createKey({ env: 'prod' })).secret}` };
    admin = ['--admin-url', gw.controlUrl as string];
  });
  afterAll(() => gw.close());

  it('warns about key age at start (90 days: error) and shows it in the admin API', async () => {
    expect(gw.logs.join('')).toMatch(
      /"level":"error".*"event":"provider_key_age".*"key":"openai-old","ageDays":95.*"thresholdDays":90/,
    );
    const io = cliIo();
    expect(await list.run(['openai', '--json', ...admin], io)).toBe(0);
    const [old] = JSON.parse(io.out()) as { label: string; ageWarning: string }[];
    expect([old?.label, old?.ageWarning]).toEqual(['openai-old', 'over_90_days']);
  });

  it('rolls back a new key that fails, without a failed request', async () => {
    const load = startLoad(gw.url, auth, 16);
    const io = cliIo();
    const code = await rotate.run(
      [
        'openai',
        '--new',
        'env:OPENAI_KEY_BAD',
        '--label',
        'openai-bad',
        '--steps',
        '20',
        // A deadline, not a wait: the step ends on the key's failures, however slow the machine.
        '--step-wait',
        '60s',
        ...admin,
      ],
      io,
    );
    const { statuses } = await load.stop();
    expect(code).toBe(1);
    // Rolled back on the key's own failures, never for want of evidence.
    expect(io.out()).toMatch(
      /rolled back: openai-bad: (its breaker is open|it failed \d+ of \d+ completed calls);/,
    );
    expect(statuses).toEqual({ 200: expect.any(Number) as number });
    const pool = gw.app.upstreams.providers.get('openai')?.pool;
    expect(pool?.keys.map((k) => [k.label, k.state])).toEqual([
      ['openai-old', 'active'],
      ['openai-bad', 'revoked'],
    ]);
  });

  it('rotates under load (16 requests in flight) with zero failed requests; verify finds the old key unused', async () => {
    // Upstream requests of this test only (the rolled-back key's are before it).
    const firstOfThisTest = gw.mock.received.length;
    const load = startLoad(gw.url, auth, 16);
    const io = cliIo();
    const code = await rotate.run(
      [
        'openai',
        '--new',
        'env:OPENAI_KEY_NEXT',
        '--label',
        'openai-next',
        '--steps',
        '10,50',
        // Each step passes on 10 completed successes on the new key, whenever they come.
        '--step-wait',
        '60s',
        ...admin,
      ],
      io,
    );
    const afterCutover = gw.mock.received.length;
    // Traffic keeps flowing after the playbook: all of it on the new key.
    // Wait on the traffic itself (50 more upstream requests), not on a timer.
    // A deadline, not a wait: a loaded machine serves 50 requests in more than poll's default 1 s.
    await expect
      .poll(() => gw.mock.received.length, { timeout: 30_000, interval: 20 })
      .toBeGreaterThanOrEqual(afterCutover + 50);
    const { statuses, sent } = await load.stop();

    expect([code, io.out()]).toEqual([
      0,
      expect.stringContaining(
        'verify  ok: old key(s) openai-old carried 0 request(s) since the cut-over',
      ),
    ]);
    expect(statuses).toEqual({ 200: expect.any(Number) as number });
    expect(statuses[200]).toBe(sent);
    // The traffic overlapped the whole shift: both keys served requests while it ran (the
    // achieved rate is a property of the machine, not of the gateway, so it is not asserted).
    const keysDuring = new Set(
      gw.mock.received.slice(firstOfThisTest, afterCutover).map((r) => r.headers.authorization),
    );
    expect(keysDuring).toEqual(new Set([`Bearer ${CANARY_OPENAI_KEY}`, `Bearer ${NEXT_KEY}`]));
    const keysAfter = gw.mock.received.slice(afterCutover).map((r) => r.headers.authorization);
    expect(new Set(keysAfter)).toEqual(new Set([`Bearer ${NEXT_KEY}`]));

    const events = await gw.app.store.listAdminEvents({ limit: 100 });
    const changes = events.filter(
      (e) =>
        e.target.startsWith('provider:openai/openai-next') ||
        e.target === 'provider:openai/openai-old',
    );
    expect(changes.map((e) => e.action)).toEqual(
      expect.arrayContaining(['provider_key_added', 'provider_key_weight', 'provider_key_state']),
    );
    expect(
      events.find((e) => e.action === 'provider_key_state' && e.detail === 'draining->revoked')
        ?.target,
    ).toBe('provider:openai/openai-old');
    expect(gw.logs.join('')).toContain('"event":"provider_key_changed"');

    const verifyIo = cliIo();
    const since = new Date(Date.now() - 60_000).toISOString();
    expect(
      await verify.run(['openai', '--key', 'openai-next', '--since', since, ...admin], verifyIo),
    ).toBe(1);
    expect(verifyIo.out()).toMatch(/openai-next carried \d+ request/);

    for (const text of [gw.logs.join(''), io.out()]) {
      expect(text).not.toContain(NEXT_KEY);
      expect(text).not.toContain(CANARY_OPENAI_KEY);
      expect(text).not.toContain(ADMIN_TOKEN);
      expect(text).not.toContain(BAD_KEY);
    }
  });

  it('drain waits for calls in flight on the old key, which finish on it', async () => {
    const call = (method: string, path: string, body?: unknown) =>
      fetch(`${gw.controlUrl as string}${path}`, {
        method,
        headers: { authorization: `Bearer ${ADMIN_TOKEN}`, 'content-type': 'application/json' },
        ...(body === undefined ? {} : { body: JSON.stringify(body) }),
      });
    expect(
      (
        await call('POST', '/admin/providers/openai/keys', {
          label: 'openai-third',
          apiKey: 'env:TEST_OPENAI_KEY',
        })
      ).status,
    ).toBe(201);
    gw.mock.enqueueFault({ delayMs: 600 });
    // The only active keys now: openai-next and openai-third; make the slow call land on third.
    expect(
      (await call('PATCH', '/admin/providers/openai/keys/openai-next', { weight: 0 })).status,
    ).toBe(200);
    const slow = post(`${gw.url}/v1/chat/completions`, chat, auth);
    await expect
      .poll(() => gw.app.upstreams.providers.get('openai')?.pool.get('openai-third')?.inFlight)
      .toBe(1);
    expect(
      (await call('PATCH', '/admin/providers/openai/keys/openai-next', { weight: 1 })).status,
    ).toBe(200);
    const drained = (await (
      await call('POST', '/admin/providers/openai/keys/openai-third/drain', { timeoutMs: 5_000 })
    ).json()) as { state: string; inFlight: number };
    expect(drained).toMatchObject({ state: 'draining', inFlight: 0 });
    expect((await slow).status).toBe(200);
    await gw.flushAudit();
    const rows = await gw.app.store.queryAudit({ limit: 5 });
    expect(rows.some((r) => r.upstreamKeyLabel === 'openai-third' && r.status === 200)).toBe(true);
  });

  it('refuses to drain or revoke the last active key, and never reactivates a revoked one', async () => {
    const call = (method: string, path: string, body?: unknown) =>
      fetch(`${gw.controlUrl as string}${path}`, {
        method,
        headers: { authorization: `Bearer ${ADMIN_TOKEN}`, 'content-type': 'application/json' },
        ...(body === undefined ? {} : { body: JSON.stringify(body) }),
      });
    const last = await call('PATCH', '/admin/providers/openai/keys/openai-next', {
      state: 'draining',
    });
    expect([last.status, ((await last.json()) as { error: { code: string } }).error.code]).toEqual([
      409,
      'last_active_key',
    ]);
    const revived = await call('PATCH', '/admin/providers/openai/keys/openai-old', {
      state: 'active',
    });
    expect(revived.status).toBe(409);
    const anonymous = await fetch(`${gw.controlUrl as string}/admin/providers`);
    expect(anonymous.status).toBe(401);
  });
});

describe('rotation judges the new key on completed calls only', () => {
  let gw: TestGateway;
  let auth: Record<string, string>;

  beforeAll(async () => {
    gw = await startTestGateway({
      env: { OPENAI_KEY_BAD: BAD_KEY, BASTION_ADMIN_TOKEN: ADMIN_TOKEN },
      configure: (mockUrl) => ({
        providers: {
          openai: {
            kind: 'openai',
            baseUrl: mockUrl,
            keys: [{ label: 'openai-old', apiKey: 'env:TEST_OPENAI_KEY' }],
          },
        },
        models: { 'gpt-4o-mini': { provider: 'openai' } },
      }),
    });
    auth = { authorization: `Bearer ${(await gw.createKey({ env: 'prod' })).secret}` };
  });
  afterAll(() => gw.close());

  // The bug: `calls - failures` counted calls still in flight as successes, so a bad key whose
  // calls had not answered yet when the step was judged passed, and rotate exited 0.
  it('rolls back a failing key whose calls are all still in flight, and exits 1', async () => {
    const pool = gw.app.upstreams.providers.get('openai')?.pool;
    const io = cliIo();
    const rotating = rotate.run(
      [
        'openai',
        '--new',
        'env:OPENAI_KEY_BAD',
        '--label',
        'openai-held',
        '--steps',
        '99',
        '--step-wait',
        '3s',
        '--admin-url',
        gw.controlUrl as string,
      ],
      io,
    );
    // Once the step sends traffic to the new key, hold its calls at the provider: they stay in
    // flight (and would then fail with 401) while the step is judged.
    await expect
      .poll(() => pool?.get('openai-held')?.weight ?? 0, { timeout: 15_000 })
      .toBeGreaterThan(0);
    const held = new AbortController();
    gw.mock.enqueueFault({ delayMs: 600_000 }, { delayMs: 600_000 }, { delayMs: 600_000 });
    const requests = [1, 2, 3].map(() =>
      fetch(`${gw.url}/v1/chat/completions`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', ...auth },
        body: JSON.stringify(chat),
        signal: held.signal,
      }).then(
        (res) => res.status,
        () => 'aborted',
      ),
    );
    await expect
      .poll(() => pool?.get('openai-held')?.inFlight ?? 0, { timeout: 15_000 })
      .toBeGreaterThan(0);
    const code = await rotating;
    const inFlightAtVerdict = pool?.get('openai-held')?.inFlight ?? 0;
    held.abort();
    // The held calls end when their callers leave.
    expect(await Promise.all(requests)).toEqual(['aborted', 'aborted', 'aborted']);

    expect([code, inFlightAtVerdict]).toEqual([1, expect.any(Number) as number]);
    expect(inFlightAtVerdict).toBeGreaterThan(0);
    expect(io.out()).toMatch(
      /rolled back: openai-held: 0 of the 10 successful calls needed completed within --step-wait \(\d+ still in flight, 0 failed\)/,
    );
    expect(pool?.keys.map((k) => [k.label, k.state, k.successes])).toEqual([
      ['openai-old', 'active', 0],
      ['openai-held', 'revoked', 0],
    ]);
    expect(pool?.get('openai-old')?.weight).toBe(1);
    expect(io.out()).not.toContain(BAD_KEY);
  });
});
