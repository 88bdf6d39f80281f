import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { post, startTestGateway, type TestGateway } from '../helpers/gateway.js';
import { expectNoLeaks, resourceSnapshot, startSilentServer } from '../helpers/resilience.js';

const chat = (model: string, extra: Record<string, unknown> = {}) => ({
  model,
  messages: [{ role: 'user', content: 'hi' }],
  ...extra,
});

describe('upstream timeouts: one code per timeout, configured per provider and per model', () => {
  let gw: TestGateway;
  let silent: Awaited<ReturnType<typeof startSilentServer>>;
  let auth: Record<string, string>;
  let baselineTimers: number;

  beforeAll(async () => {
    silent = await startSilentServer();
    const mockProvider = { kind: 'openai', apiKey: 'env:TEST_OPENAI_KEY' };
    gw = await startTestGateway({
      configure: (mockUrl) => ({
        upstream: { retry: { maxAttempts: 1 }, circuit: { enabled: false } },
        providers: {
          openai: {
            ...mockProvider,
            baseUrl: mockUrl,
            timeouts: { firstByteTimeoutMs: 200, idleTimeoutMs: 200 },
          },
          silent: { ...mockProvider, baseUrl: silent.origin, timeouts: { connectTimeoutMs: 100 } },
        },
        models: {
          'gpt-4o-mini': { provider: 'openai' },
          patient: {
            provider: 'openai',
            upstreamModel: 'gpt-4o-mini',
            timeouts: { firstByteTimeoutMs: 5_000 },
          },
          hasty: {
            provider: 'openai',
            upstreamModel: 'gpt-4o-mini',
            timeouts: { firstByteTimeoutMs: 5_000, idleTimeoutMs: 5_000, totalTimeoutMs: 150 },
          },
          unreachable: { provider: 'silent', upstreamModel: 'gpt-4o-mini' },
        },
      }),
    });
    auth = { authorization: `Bearer ${(await gw.createKey({ env: 'prod' })).secret}` };
    // Steady state first: lazily started housekeeping timers are not leaks.
    expect((await post(`${gw.url}/v1/chat/completions`, chat('gpt-4o-mini'), auth)).status).toBe(
      200,
    );
    baselineTimers = resourceSnapshot(gw.app).timers;
  });
  beforeEach(() => gw.mock.reset());
  afterAll(async () => {
    await gw.close();
    await silent.close();
  });

  async function call(body: unknown) {
    const res = await post(`${gw.url}/v1/chat/completions`, body, auth);
    return { res, text: await res.text() };
  }
  const codeOf = (text: string) => (JSON.parse(text) as { error: { code: string } }).error.code;

  it('connect timeout: 504 upstream_timeout_connect', async () => {
    const { res, text } = await call(chat('unreachable'));
    expect([res.status, codeOf(text)]).toEqual([504, 'upstream_timeout_connect']);
    await expectNoLeaks(gw.app, baselineTimers);
  });

  it('first-byte timeout: 504 upstream_timeout_first_byte', async () => {
    gw.mock.enqueueFault({ delayMs: 2_000 });
    const { res, text } = await call(chat('gpt-4o-mini'));
    expect([res.status, codeOf(text)]).toEqual([504, 'upstream_timeout_first_byte']);
    await expectNoLeaks(gw.app, baselineTimers);
  });

  it('a model override lifts the provider first-byte timeout', async () => {
    gw.mock.enqueueFault({ delayMs: 300 });
    const { res } = await call(chat('patient'));
    expect(res.status).toBe(200);
  });

  it('idle timeout on a stalled stream: an SSE error event with upstream_timeout_idle', async () => {
    gw.mock.enqueueFault({ stallAfterChunks: 1 });
    const { res, text } = await call(chat('gpt-4o-mini', { stream: true }));
    expect(res.status).toBe(200);
    expect(text).toContain('"code":"upstream_timeout_idle"');
    expect(text).not.toContain('[DONE]');
    await gw.flushAudit();
    const [row] = await gw.app.store.queryAudit({ limit: 1 });
    expect([row?.status, row?.errorCode]).toEqual([504, 'upstream_timeout_idle']);
    await expectNoLeaks(gw.app, baselineTimers);
  });

  it('total timeout: 504 upstream_timeout_total, before and during a stream', async () => {
    gw.mock.enqueueFault({ delayMs: 2_000 });
    const before = await call(chat('hasty'));
    expect([before.res.status, codeOf(before.text)]).toEqual([504, 'upstream_timeout_total']);
    gw.mock.enqueueFault({ stallAfterChunks: 1 });
    const during = await call(chat('hasty', { stream: true }));
    expect(during.text).toContain('"code":"upstream_timeout_total"');
    await expectNoLeaks(gw.app, baselineTimers);
  });
});
