import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { AuditRecord } from '../../src/store/types.js';
import type { Clock } from '../../src/util/clock.js';
import { CANARY_OPENAI_KEY, post, startTestGateway, type TestGateway } from '../helpers/gateway.js';
import { startKeyAwareFront } from '../helpers/resilience.js';

const SECOND_KEY = 'sk-canary-second-7a6b5c4d3e2f1a0b9c8d7e6f';
const chat = (model = 'gpt-4o-mini') => ({ model, messages: [{ role: 'user', content: 'hi' }] });

/** Real time plus an offset the test moves forward: breakers see time pass, nobody sleeps. */
function steppingClock(): Clock & { advance(ms: number): void } {
  let offsetMs = 0;
  return {
    now: () => Date.now() + offsetMs,
    monotonicMs: () => performance.now() + offsetMs,
    advance: (ms) => void (offsetMs += ms),
  };
}

describe('key pools and fallback', () => {
  let gw: TestGateway;
  let front: Awaited<ReturnType<typeof startKeyAwareFront>>;
  let auth: Record<string, string>;
  const clock = steppingClock();
  const sleeps: number[] = [];
  /** Scripted draws for key picks and jitter, cycling. */
  let draws: number[] = [0];
  let drawAt = 0;

  beforeAll(async () => {
    front = await startKeyAwareFront();
    const key = (label: string, ref: string, extra: Record<string, unknown> = {}) => ({
      label,
      apiKey: ref,
      ...extra,
    });
    gw = await startTestGateway({
      mockApiKeys: [SECOND_KEY],
      env: { TEST_SECOND_KEY: SECOND_KEY },
      appDeps: {
        clock,
        upstream: {
          random: () => draws[drawAt++ % draws.length] as number,
          sleep: (ms) => {
            sleeps.push(ms);
            return Promise.resolve();
          },
        },
      },
      configure: (mockUrl) => {
        front.target = mockUrl;
        const provider = (baseUrl: string, keys: unknown[]) => ({ kind: 'openai', baseUrl, keys });
        return {
          policy: { killSwitchMaxStaleMs: 3_600_000 },
          upstream: { circuit: { failureThreshold: 3, openMs: 10_000 } },
          providers: {
            openai: provider(mockUrl, [
              key('key-a', 'env:TEST_OPENAI_KEY', { weight: 3 }),
              key('key-b', 'env:TEST_SECOND_KEY', { weight: 1 }),
            ]),
            flaky: provider(front.url, [
              key('flaky-a', 'env:TEST_OPENAI_KEY'),
              key('flaky-b', 'env:TEST_SECOND_KEY'),
            ]),
            solo: provider(mockUrl, [key('solo-1', 'env:TEST_OPENAI_KEY')]),
            spare: provider(mockUrl, [key('spare-1', 'env:TEST_SECOND_KEY')]),
            retired: provider(mockUrl, [key('old', 'env:TEST_OPENAI_KEY', { state: 'draining' })]),
          },
          models: {
            'gpt-4o-mini': { provider: 'openai' },
            'gpt-4o': { provider: 'flaky' },
            'solo-model': {
              provider: 'solo',
              upstreamModel: 'gpt-4o-mini',
              fallbacks: ['spare-model'],
            },
            'spare-model': { provider: 'spare', upstreamModel: 'gpt-4.1-mini' },
            'retired-model': { provider: 'retired', upstreamModel: 'gpt-4o-mini' },
          },
        };
      },
    });
    auth = { authorization: `Bearer ${(await gw.createKey({ env: 'prod' })).secret}` };
  });
  beforeEach(() => {
    gw.mock.reset();
    front.seen.length = 0;
    sleeps.length = 0;
    draws = [0];
    drawAt = 0;
  });
  afterAll(async () => {
    await gw.close();
    await front.close();
  });

  const call = (model?: string, headers = auth) =>
    post(`${gw.url}/v1/chat/completions`, chat(model), headers);
  const which = (key: string) => (key === SECOND_KEY ? 'b' : key === CANARY_OPENAI_KEY ? 'a' : '?');
  const mockKeys = () =>
    gw.mock.received.map((r) => which((r.headers.authorization ?? '').slice('Bearer '.length)));
  async function lastRow(): Promise<AuditRecord> {
    await gw.flushAudit();
    return (await gw.app.store.queryAudit({ limit: 1 }))[0] as AuditRecord;
  }

  it('splits traffic by weight', async () => {
    draws = [0.01, 0.26, 0.51, 0.76];
    for (let i = 0; i < 8; i++) expect((await call()).status).toBe(200);
    expect(mockKeys()).toEqual(['a', 'a', 'a', 'b', 'a', 'a', 'a', 'b']);
    expect((await lastRow()).upstreamKeyLabel).toBe('key-b');
  });

  it('moves a failed call to the other key at once, and audits the key that served it', async () => {
    gw.mock.enqueueFault({ status: 500 });
    expect((await call()).status).toBe(200);
    expect([mockKeys(), sleeps]).toEqual([['a', 'b'], []]);
    const row = await lastRow();
    expect(row.upstreamKeyLabel).toBe('key-b');
    expect(row.decisions).toEqual([
      expect.objectContaining({ action: 'retry', type: 'upstream_error', detail: 'key-a' }),
    ]);
  });

  it('backs off only once every key failed, then goes round again', async () => {
    gw.mock.enqueueFault({ status: 500 }, { status: 503 });
    expect((await call()).status).toBe(200);
    expect([mockKeys(), sleeps.length]).toEqual([['a', 'b', 'a'], 1]);
  });

  it('a breaker opens on the failing key within the threshold, traffic moves to the healthy key, and it closes after recovery', async () => {
    const flakyA = gw.app.upstreams.circuits.circuit('flaky/flaky-a');
    front.down.add(CANARY_OPENAI_KEY);
    for (let i = 0; i < 3; i++) expect((await call('gpt-4o')).status).toBe(200);
    expect(front.seen.map(which)).toEqual(['a', 'b', 'a', 'b', 'a', 'b']);
    expect(flakyA.state).toBe('open');

    front.seen.length = 0;
    for (let i = 0; i < 3; i++) expect((await call('gpt-4o')).status).toBe(200);
    expect(front.seen.map(which)).toEqual(['b', 'b', 'b']);

    front.down.clear();
    clock.advance(10_000);
    front.seen.length = 0;
    for (let i = 0; i < 2; i++) expect((await call('gpt-4o')).status).toBe(200);
    expect([front.seen.map(which), flakyA.state]).toEqual([['a', 'a'], 'closed']);
  });

  it('falls back to the next model in the chain, naming it upstream', async () => {
    gw.mock.enqueueFault({ status: 500 });
    expect((await call('solo-model')).status).toBe(200);
    expect(gw.mock.received.map((r) => (r.body as { model: string }).model)).toEqual([
      'gpt-4o-mini',
      'gpt-4.1-mini',
    ]);
    const row = await lastRow();
    expect([row.model, row.provider, row.upstreamKeyLabel]).toEqual([
      'solo-model',
      'spare',
      'spare-1',
    ]);
    expect(row.decisions.map((d) => [d.action, d.type, d.detail])).toEqual([
      ['retry', 'upstream_error', 'solo-1'],
      ['fallback', 'upstream_error', 'spare-model'],
      ['served', 'native', 'spare/spare-model'],
    ]);
  });

  it('never falls back beyond what the caller may use', async () => {
    const scoped = await gw.createKey({ env: 'prod', scopes: { models: ['solo-model'] } });
    expect((await call('solo-model')).status).toBe(200); // a success resets solo-1's breaker run
    gw.mock.reset();
    gw.mock.enqueueFault({ status: 500 }, { status: 500 }, { status: 500 });
    const res = await call('solo-model', { authorization: `Bearer ${scoped.secret}` });
    expect(res.status).toBe(502);
    expect(gw.mock.received.map((r) => (r.body as { model: string }).model)).toEqual([
      'gpt-4o-mini',
      'gpt-4o-mini',
      'gpt-4o-mini',
    ]);
  });

  it('refuses with upstream_no_active_key when no key is active', async () => {
    const res = await call('retired-model');
    expect(res.status).toBe(503);
    expect(((await res.json()) as { error: { code: string } }).error.code).toBe(
      'upstream_no_active_key',
    );
    expect(gw.mock.received).toHaveLength(0);
  });
});
