import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { Clock } from '../../src/util/clock.js';
import { post, startTestGateway, type TestGateway } from '../helpers/gateway.js';

const chat = { model: 'gpt-4o-mini', messages: [{ role: 'user', content: 'hi' }] };
const REDIS_URL = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';

/** Real time plus an offset the test moves forward: breakers see time pass, nobody sleeps. */
function steppingClock(): Clock & { advance(ms: number): void } {
  let offsetMs = 0;
  return {
    now: () => Date.now() + offsetMs,
    monotonicMs: () => performance.now() + offsetMs,
    advance: (ms) => void (offsetMs += ms),
  };
}

const circuitConfig = (extra: Record<string, unknown> = {}) => ({
  // The stepping clock jumps ahead; kill-switch state must not look stale when it does.
  policy: { killSwitchMaxStaleMs: 3_600_000 },
  upstream: {
    retry: { maxAttempts: 1 },
    circuit: { failureThreshold: 3, openMs: 10_000, ...extra },
  },
});

async function call(gw: TestGateway, auth: Record<string, string>) {
  const res = await post(`${gw.url}/v1/chat/completions`, chat, auth);
  const text = await res.text();
  const code = res.ok ? null : (JSON.parse(text) as { error: { code: string } }).error.code;
  return { status: res.status, code, retryAfter: res.headers.get('retry-after') };
}

describe('circuit breaker, in process', () => {
  let gw: TestGateway;
  let auth: Record<string, string>;
  const clock = steppingClock();
  const circuit = () => gw.app.upstreams.circuits.circuit('openai/openai-primary');

  beforeAll(async () => {
    gw = await startTestGateway({ config: circuitConfig(), appDeps: { clock } });
    auth = { authorization: `Bearer ${(await gw.createKey({ env: 'prod' })).secret}` };
  });
  beforeEach(() => gw.mock.reset());
  afterAll(() => gw.close());

  it('opens after the threshold, refuses without calling upstream, probes, then closes', async () => {
    gw.mock.enqueueFault({ status: 500 }, { status: 503 }, { status: 500 });
    for (let i = 0; i < 3; i++) expect((await call(gw, auth)).status).toBeGreaterThanOrEqual(500);
    expect(circuit().state).toBe('open');

    const refused = await call(gw, auth);
    expect(refused).toEqual({ status: 503, code: 'upstream_circuit_open', retryAfter: '10' });
    expect(gw.mock.received).toHaveLength(3);

    clock.advance(10_000);
    expect(await call(gw, auth)).toMatchObject({ status: 200 });
    expect(circuit().state).toBe('closed');
    expect((await call(gw, auth)).status).toBe(200);
    expect(gw.mock.received).toHaveLength(5);
    const events = gw.logs.join('').match(/"event":"circuit_(open|half_open|closed)"/g);
    expect(events).toEqual([
      '"event":"circuit_open"',
      '"event":"circuit_half_open"',
      '"event":"circuit_closed"',
    ]);
  });

  it('a failed probe reopens the circuit', async () => {
    gw.mock.enqueueFault({ status: 500 }, { status: 500 }, { status: 500 }, { status: 500 });
    for (let i = 0; i < 3; i++) await call(gw, auth);
    clock.advance(10_000);
    expect((await call(gw, auth)).code).toBe('upstream_error');
    expect((await call(gw, auth)).code).toBe('upstream_circuit_open');
    clock.advance(10_000);
    expect((await call(gw, auth)).status).toBe(200);
  });

  it('caller faults (a 400) never trip it', async () => {
    gw.mock.enqueueFault(...Array.from({ length: 5 }, () => ({ status: 400 })));
    for (let i = 0; i < 5; i++) expect((await call(gw, auth)).status).toBe(400);
    expect(circuit().state).toBe('closed');
  });
});

describe('circuit breaker shared through Redis by two replicas', () => {
  let a: TestGateway;
  let b: TestGateway;
  let authA: Record<string, string>;
  let authB: Record<string, string>;
  const clock = steppingClock();
  const circuitOf = (gw: TestGateway) => gw.app.upstreams.circuits.circuit('openai/openai-primary');

  beforeAll(async () => {
    const keyPrefix = `bastion-test-${randomBytes(6).toString('hex')}`;
    const config = {
      ...circuitConfig({ backend: 'redis' }),
      limits: { redis: { keyPrefix } },
    };
    const env = { REDIS_URL };
    [a, b] = await Promise.all([
      startTestGateway({ config, env, appDeps: { clock } }),
      startTestGateway({ config, env, appDeps: { clock } }),
    ]);
    authA = { authorization: `Bearer ${(await a.createKey({ env: 'prod' })).secret}` };
    authB = { authorization: `Bearer ${(await b.createKey({ env: 'prod' })).secret}` };
  });
  afterAll(async () => {
    await Promise.all([a.close(), b.close()]);
  });

  it('a circuit one replica opens is open on the other, and closes on both', async () => {
    a.mock.enqueueFault({ status: 500 }, { status: 500 }, { status: 500 });
    for (let i = 0; i < 3; i++) await call(a, authA);
    await expect.poll(() => circuitOf(b).state).toBe('open');
    expect((await call(b, authB)).code).toBe('upstream_circuit_open');
    expect(b.mock.received).toHaveLength(0);

    clock.advance(10_000);
    expect((await call(a, authA)).status).toBe(200);
    await expect.poll(() => circuitOf(b).state).toBe('closed');
    expect((await call(b, authB)).status).toBe(200);
  });
});
