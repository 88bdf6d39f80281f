import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import {
  CANARY_ANTHROPIC_KEY,
  CANARY_OPENAI_KEY,
  post,
  startTestGateway,
  type TestGateway,
} from '../helpers/gateway.js';

// Issue 11: every model had to be listed by name (`gpt-4.1` was 404 unless listed). Now a
// `models` entry may be a pattern and a provider may pass unknown names through; scopes still
// see the caller's name, and budgets never price an unknown model at 0.
describe('model routing by pattern and pass-through', () => {
  let gw: TestGateway;
  let key: string;
  let narrow: string;
  let budgeted: string;
  beforeAll(async () => {
    gw = await startTestGateway({
      config: {
        models: {
          'gpt-4o-mini': { provider: 'openai' },
          'gpt-*': { provider: 'openai' },
          'llama-*': { provider: 'openai' },
        },
        pricing: { models: { 'llama-3.3-70b': { inputUsdPerMTok: 0.6, outputUsdPerMTok: 0.8 } } },
        policy: {
          environments: {
            dev: { keyDefaults: {} },
            staging: { keyDefaults: {} },
            prod: { keyDefaults: { monthlyBudgetUsd: 50 } },
            ci: { keyDefaults: {} },
          },
        },
      },
      configure: (mockUrl) => ({
        providers: {
          openai: { kind: 'openai', baseUrl: mockUrl, apiKey: 'env:TEST_OPENAI_KEY' },
          anthropic: {
            kind: 'anthropic',
            baseUrl: mockUrl,
            apiKey: 'env:TEST_ANTHROPIC_KEY',
            passthrough: true,
          },
        },
      }),
    });
    key = (await gw.createKey()).secret;
    narrow = (await gw.createKey({ scopes: { models: ['gpt-4o*', 'claude-haiku-*'] } })).secret;
    budgeted = (await gw.createKey({ env: 'prod' })).secret;
  });
  beforeEach(() => gw.mock.reset());
  afterAll(async () => {
    const logs = gw.logs.join('');
    await gw.close();
    expect(logs).not.toContain(CANARY_OPENAI_KEY);
    expect(logs).not.toContain(CANARY_ANTHROPIC_KEY);
  });

  const chat = (secret: string, model: string) =>
    post(
      `${gw.url}/v1/chat/completions`,
      { model, messages: [{ role: 'user', content: 'hi' }] },
      { authorization: `Bearer ${secret}` },
    );
  const messages = (secret: string, model: string) =>
    post(
      `${gw.url}/v1/messages`,
      { model, max_tokens: 16, messages: [{ role: 'user', content: 'hi' }] },
      { 'x-api-key': secret, 'anthropic-version': '2023-06-01' },
    );
  const code = async (res: Response) =>
    ((await res.json()) as { error?: { code?: string } }).error?.code;

  it('routes an unlisted name that matches a pattern, sending it upstream unchanged', async () => {
    const res = await chat(key, 'gpt-4.1');
    expect(res.status).toBe(200);
    expect(gw.mock.received.map((r) => (r.body as { model: string }).model)).toEqual(['gpt-4.1']);
  });

  it('passes any other Anthropic name through the pass-through provider', async () => {
    const res = await messages(key, 'claude-opus-4-1');
    expect(res.status).toBe(200);
    expect((gw.mock.received[0]?.body as { model: string }).model).toBe('claude-opus-4-1');
  });

  it('still refuses a name no entry matches on a dialect without pass-through', async () => {
    const res = await chat(key, 'mistral-large');
    expect(res.status).toBe(404);
    expect(await code(res)).toBe('model_not_found');
    expect(gw.mock.received).toEqual([]);
  });

  it('applies key scopes to the name the caller sent, not to the pattern', async () => {
    expect(await code(await chat(narrow, 'gpt-4.1'))).toBe('scope_model_denied');
    expect(await code(await messages(narrow, 'claude-opus-4-1'))).toBe('scope_model_denied');
    expect((await chat(narrow, 'gpt-4o')).status).toBe(200);
    expect(gw.mock.received.map((r) => (r.body as { model: string }).model)).toEqual(['gpt-4o']);
  });

  it('labels metrics by the configured entry, so invented names cannot grow the label set', async () => {
    for (const name of ['gpt-invented-1', 'gpt-invented-2']) {
      expect((await chat(key, name)).status).toBe(200);
    }
    expect((await messages(key, 'claude-invented')).status).toBe(200);
    await gw.flushAudit();
    const scraped = await (await fetch(`${gw.controlUrl ?? ''}/metrics`)).text();
    const tokens = scraped.split('\n').filter((l) => l.startsWith('bastion_'));
    expect(tokens.some((l) => l.includes('model="gpt-*"'))).toBe(true);
    expect(tokens.some((l) => l.includes('model="passthrough"'))).toBe(true);
    expect(scraped).not.toContain('invented');
  });

  it('refuses an unpriced model under a budget rather than charging it 0, and charges a priced one', async () => {
    const unpriced = await chat(budgeted, 'llama-3.1-8b');
    expect(unpriced.status).toBe(403);
    expect(await code(unpriced)).toBe('model_price_unknown');
    const priced = await chat(budgeted, 'llama-3.3-70b');
    expect(priced.status).toBe(200);
    await gw.flushAudit();
    const [row] = await gw.app.store.queryAudit({ limit: 1 });
    expect(row?.model).toBe('llama-3.3-70b');
    expect(row?.costMicroUsd).toBeGreaterThan(0);
    expect(gw.mock.received.map((r) => (r.body as { model: string }).model)).toEqual([
      'llama-3.3-70b',
    ]);
  });
});
