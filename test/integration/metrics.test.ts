import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CANARY_OPENAI_KEY, post, startTestGateway, type TestGateway } from '../helpers/gateway.js';

const DAY_MS = 86_400_000;
const METRICS_TOKEN = 'metrics-canary-token-5b0c7e21d9a4f3b8';
const PROMPT_CANARY = 'prompt-canary-9e8d7c6b';
const daysAgo = (days: number) => new Date(Date.now() - days * DAY_MS).toISOString().slice(0, 10);

/** The value of one sample, found by its name and every label given. */
function sample(text: string, name: string, labels: Record<string, string>): number | undefined {
  for (const line of text.split('\n')) {
    if (!line.startsWith(`${name}{`)) continue;
    const body = line.slice(name.length + 1, line.lastIndexOf('}'));
    if (Object.entries(labels).every(([k, v]) => body.includes(`${k}="${v}"`)))
      return Number(line.slice(line.lastIndexOf(' ') + 1));
  }
  return undefined;
}

describe('/metrics on the control plane', () => {
  let gw: TestGateway;
  let secret: string;
  let keyId: string;
  const scrape = (token: string | null = METRICS_TOKEN) =>
    fetch(`${gw.controlUrl as string}/metrics`, {
      headers: token === null ? {} : { authorization: `Bearer ${token}` },
    });

  beforeAll(async () => {
    gw = await startTestGateway({
      env: { METRICS_TOKEN, SECOND_KEY: CANARY_OPENAI_KEY },
      config: { controlPlane: { metrics: { token: 'env:METRICS_TOKEN' } } },
      configure: (mockUrl) => ({
        providers: {
          openai: {
            kind: 'openai',
            baseUrl: mockUrl,
            keys: [
              { label: 'openai-old', apiKey: 'env:TEST_OPENAI_KEY', createdAt: daysAgo(95) },
              {
                label: 'openai-newer',
                apiKey: 'env:SECOND_KEY',
                createdAt: daysAgo(65),
                state: 'draining',
              },
            ],
          },
        },
        models: { 'gpt-4o-mini': { provider: 'openai' } },
      }),
    });
    const key = await gw.createKey({ env: 'dev' });
    secret = key.secret;
    keyId = key.id;
    const auth = { authorization: `Bearer ${secret}` };
    const chat = (model: string, content: string) =>
      post(`${gw.url}/v1/chat/completions`, { model, messages: [{ role: 'user', content }] }, auth);
    expect((await chat('gpt-4o-mini', `hello ${PROMPT_CANARY}`)).status).toBe(200);
    expect((await chat('gpt-4o-mini', 'mail me at jane.doe@example.com')).status).toBe(200);
    expect((await chat(`caller-model-${PROMPT_CANARY}`, 'hi')).status).toBe(404);
    expect((await post(`${gw.url}/v1/chat/completions`, {})).status).toBe(401);
  });
  afterAll(() => gw.close());

  it('counts requests by endpoint, environment, provider, status and code', async () => {
    const text = await (await scrape()).text();
    const chat = { endpoint: '/v1/chat/completions', env: 'dev' };
    expect(
      sample(text, 'bastion_gateway_requests_total', { ...chat, status: '200', code: 'none' }),
    ).toBe(2);
    expect(
      sample(text, 'bastion_gateway_requests_total', { ...chat, code: 'model_not_found' }),
    ).toBe(1);
    expect(
      sample(text, 'bastion_gateway_requests_total', {
        env: 'none',
        status: '401',
        code: 'missing_api_key',
      }),
    ).toBe(1);
    expect(
      sample(text, 'bastion_gateway_request_duration_seconds_count', {
        endpoint: '/v1/chat/completions',
      }),
    ).toBe(4);
    expect(
      sample(text, 'bastion_upstream_request_duration_seconds_count', { provider: 'openai' }),
    ).toBe(2);
    const chatDuration = { endpoint: '/v1/chat/completions', stream: 'false' };
    const bucket = (le: string) =>
      sample(text, 'bastion_gateway_request_duration_seconds_bucket', { ...chatDuration, le });
    expect(bucket('+Inf')).toBe(4);
    expect(bucket('30')).toBe(4);
    expect(bucket('0.001')).toBeLessThanOrEqual(bucket('0.01') ?? 0);
    expect(
      sample(text, 'bastion_gateway_request_duration_seconds_sum', chatDuration),
    ).toBeGreaterThan(0);
    expect(
      sample(text, 'bastion_upstream_tokens_total', { model: 'gpt-4o-mini', kind: 'prompt' }),
    ).toBeGreaterThan(0);
    expect(
      sample(text, 'bastion_gateway_decisions_total', { stage: 'guard_pii', type: 'email' }),
    ).toBe(1);
  });

  it('shows upstream key age, its rotation warning, state and breaker per key', async () => {
    const text = await (await scrape()).text();
    const old = { provider: 'openai', key: 'openai-old' };
    const newer = { provider: 'openai', key: 'openai-newer' };
    expect(sample(text, 'bastion_provider_key_age_days', old)).toBe(95);
    expect(sample(text, 'bastion_provider_key_age_days', newer)).toBe(65);
    expect(
      sample(text, 'bastion_provider_key_age_warning', { ...old, level: 'over_90_days' }),
    ).toBe(1);
    expect(
      sample(text, 'bastion_provider_key_age_warning', { ...newer, level: 'over_60_days' }),
    ).toBe(1);
    expect(sample(text, 'bastion_provider_key_state', { ...newer, state: 'draining' })).toBe(1);
    expect(sample(text, 'bastion_provider_key_circuit_state', { ...old, state: 'closed' })).toBe(1);
  });

  it('refuses a scrape without the configured bearer token', async () => {
    for (const token of [null, 'wrong-token', `${METRICS_TOKEN}x`]) {
      const res = await scrape(token);
      expect(res.status).toBe(401);
      const text = await res.text();
      expect(text).not.toContain('bastion_');
      expect(JSON.parse(text)).toMatchObject({ error: { code: 'metrics_unauthorized' } });
    }
  });

  it('holds no secret, key id, prompt text or caller-chosen label', async () => {
    const text = await (await scrape()).text();
    for (const canary of [secret, keyId, CANARY_OPENAI_KEY, METRICS_TOKEN, PROMPT_CANARY])
      expect(text).not.toContain(canary);
    expect(gw.logs.join('')).not.toContain(METRICS_TOKEN);
  });
});

describe('/metrics switched off', () => {
  it('answers 404 when controlPlane.metrics.enabled is false', async () => {
    const gw = await startTestGateway({
      config: { controlPlane: { metrics: { enabled: false } } },
    });
    try {
      expect((await fetch(`${gw.controlUrl as string}/metrics`)).status).toBe(404);
      expect((await fetch(`${gw.controlUrl as string}/healthz`)).status).toBe(200);
    } finally {
      await gw.close();
    }
  });
});
