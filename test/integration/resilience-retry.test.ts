import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { MockFault } from '../../src/providers/mock/server.js';
import { post, startTestGateway, type TestGateway } from '../helpers/gateway.js';
import { expectNoLeaks, resourceSnapshot, startSilentServer } from '../helpers/resilience.js';

const chat = (model = 'gpt-4o-mini', extra: Record<string, unknown> = {}) => ({
  model,
  messages: [{ role: 'user', content: 'hi' }],
  ...extra,
});

describe('retries: 429, 5xx and connection failures, before any byte reached the caller', () => {
  let gw: TestGateway;
  let silent: Awaited<ReturnType<typeof startSilentServer>>;
  let auth: Record<string, string>;
  let baselineTimers: number;
  /** Every backoff the gateway asked for; the injected sleep returns at once. */
  const sleeps: number[] = [];
  let isSleepHeld = false;

  beforeAll(async () => {
    silent = await startSilentServer();
    gw = await startTestGateway({
      appDeps: {
        upstream: {
          random: () => 0.5,
          sleep: (ms, signal) => {
            sleeps.push(ms);
            if (!isSleepHeld) return Promise.resolve();
            // Held: only the request's abort (deadline or caller) ends the wait.
            return new Promise((_resolve, reject) =>
              signal.addEventListener('abort', () => reject(new Error('aborted'))),
            );
          },
        },
      },
      configure: (mockUrl) => ({
        upstream: {
          retry: { maxAttempts: 3, baseDelayMs: 200, maxRetryTimeMs: 15_000 },
          circuit: { enabled: false },
        },
        providers: {
          openai: {
            kind: 'openai',
            baseUrl: mockUrl,
            apiKey: 'env:TEST_OPENAI_KEY',
            keyLabel: 'openai-primary',
            timeouts: { firstByteTimeoutMs: 200, idleTimeoutMs: 200 },
          },
          silent: {
            kind: 'openai',
            baseUrl: silent.origin,
            apiKey: 'env:TEST_OPENAI_KEY',
            timeouts: { connectTimeoutMs: 100 },
          },
        },
        models: {
          'gpt-4o-mini': { provider: 'openai' },
          brief: {
            provider: 'openai',
            upstreamModel: 'gpt-4o-mini',
            timeouts: { totalTimeoutMs: 300 },
          },
          unreachable: { provider: 'silent', upstreamModel: 'gpt-4o-mini' },
        },
      }),
    });
    auth = { authorization: `Bearer ${(await gw.createKey({ env: 'prod' })).secret}` };
    expect((await post(`${gw.url}/v1/chat/completions`, chat(), auth)).status).toBe(200);
    baselineTimers = resourceSnapshot(gw.app).timers;
  });
  beforeEach(() => {
    gw.mock.reset();
    sleeps.length = 0;
    isSleepHeld = false;
  });
  afterAll(async () => {
    await gw.close();
    await silent.close();
  });

  async function call(body: unknown = chat()) {
    const res = await post(`${gw.url}/v1/chat/completions`, body, auth);
    const text = await res.text();
    const code = res.ok ? null : (JSON.parse(text) as { error: { code: string } }).error.code;
    return { res, text, code };
  }
  async function lastAudit() {
    await gw.flushAudit();
    return (await gw.app.store.queryAudit({ limit: 1 }))[0];
  }

  it.each<[string, MockFault, number]>([
    ['429 with Retry-After', { status: 429, retryAfterSec: 2 }, 2_000],
    ['429 without Retry-After', { status: 429 }, 100],
    ['500', { status: 500 }, 100],
    ['503', { status: 503 }, 100],
    ['503 with Retry-After', { status: 503, retryAfterSec: 1 }, 1_000],
    ['a reset connection', { reset: true }, 100],
  ])('retries after %s and succeeds', async (_name, fault, expectedDelayMs) => {
    gw.mock.enqueueFault(fault);
    const { res } = await call();
    expect(res.status).toBe(200);
    expect(gw.mock.received).toHaveLength(2);
    expect(sleeps).toEqual([expectedDelayMs]);
    const row = await lastAudit();
    expect(row?.status).toBe(200);
    expect(row?.decisions).toEqual([
      expect.objectContaining({ stage: 'upstream', action: 'retry', count: 1 }),
    ]);
    await expectNoLeaks(gw.app, baselineTimers);
  });

  it('never exceeds maxAttempts; backoff doubles under full jitter', async () => {
    gw.mock.enqueueFault({ status: 500 }, { status: 500 }, { status: 500 }, { status: 500 });
    const { res, code } = await call();
    expect([res.status, code]).toEqual([502, 'upstream_error']);
    expect(gw.mock.received).toHaveLength(3);
    expect(sleeps).toEqual([100, 200]);
    const row = await lastAudit();
    expect(row?.decisions.map((d) => [d.action, d.type, d.count])).toEqual([
      ['retry', 'upstream_error', 1],
      ['retry', 'upstream_error', 2],
    ]);
    await expectNoLeaks(gw.app, baselineTimers);
  });

  it('passes a Retry-After longer than the retry budget on to the caller instead of waiting', async () => {
    gw.mock.enqueueFault({ status: 429, retryAfterSec: 60 });
    const { res, code } = await call();
    expect([res.status, code, res.headers.get('retry-after')]).toEqual([
      429,
      'upstream_rate_limited',
      '60',
    ]);
    expect([gw.mock.received.length, sleeps]).toEqual([1, []]);
  });

  it.each<[string, MockFault, number, string]>([
    ['malformed JSON', { malformedJson: true }, 502, 'upstream_bad_response'],
    ['a first-byte timeout', { delayMs: 2_000 }, 504, 'upstream_timeout_first_byte'],
    ['a 400', { status: 400 }, 400, 'upstream_invalid_request'],
  ])('does not retry %s', async (_name, fault, status, expected) => {
    gw.mock.enqueueFault(fault);
    const { res, code } = await call();
    expect([res.status, code]).toEqual([status, expected]);
    expect(gw.mock.received).toHaveLength(1);
    await expectNoLeaks(gw.app, baselineTimers);
  });

  it('never retries a stream that already started (truncated or stalled)', async () => {
    gw.mock.enqueueFault({ truncateAfterChunks: 1 }, { status: 500 });
    const truncated = await call(chat('gpt-4o-mini', { stream: true }));
    expect(truncated.res.status).toBe(200);
    expect(truncated.text).toContain('"code":"upstream_stream_interrupted"');
    expect(gw.mock.received).toHaveLength(1);
    gw.mock.reset();
    gw.mock.enqueueFault({ stallAfterChunks: 1 });
    const stalled = await call(chat('gpt-4o-mini', { stream: true }));
    expect(stalled.text).toContain('"code":"upstream_timeout_idle"');
    expect(gw.mock.received).toHaveLength(1);
    await expectNoLeaks(gw.app, baselineTimers);
  });

  it('retries a connect timeout up to the cap, then answers upstream_timeout_connect', async () => {
    const { res, code } = await call(chat('unreachable'));
    expect([res.status, code]).toEqual([504, 'upstream_timeout_connect']);
    expect(sleeps).toHaveLength(2);
    const row = await lastAudit();
    expect(row?.decisions.filter((d) => d.action === 'retry')).toHaveLength(2);
    await expectNoLeaks(gw.app, baselineTimers);
  });

  it('stops waiting when the total deadline fires during a backoff', async () => {
    isSleepHeld = true;
    gw.mock.enqueueFault({ status: 503 });
    const { res, code } = await call(chat('brief'));
    expect([res.status, code]).toEqual([504, 'upstream_timeout_total']);
    expect(gw.mock.received).toHaveLength(1);
    await expectNoLeaks(gw.app, baselineTimers);
  });
});
