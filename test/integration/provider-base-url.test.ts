import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { createMockProvider, type MockProvider } from '../../src/providers/mock/server.js';
import {
  CANARY_ANTHROPIC_KEY,
  CANARY_OPENAI_KEY,
  post,
  startTestGateway,
  type TestGateway,
} from '../helpers/gateway.js';

// Issue 11: `new URL(baseUrl).origin` dropped the path, so `https://api.groq.com/openai` (the
// README's example) sent to `https://api.groq.com/v1/...`. The mock here serves only under a
// prefix, as Groq, OpenRouter or Fireworks do.
describe('a provider baseUrl with a path', () => {
  let prefixed: MockProvider;
  let gw: TestGateway;
  let auth: Record<string, string>;
  beforeAll(async () => {
    prefixed = createMockProvider({
      apiKeys: [CANARY_OPENAI_KEY, CANARY_ANTHROPIC_KEY],
      basePath: '/openai',
    });
    const url = await prefixed.listen(0, '127.0.0.1');
    gw = await startTestGateway({
      config: {
        models: {
          'bare-style': { provider: 'groq', upstreamModel: 'gpt-4o-mini' },
          'sdk-style': { provider: 'groqv1', upstreamModel: 'gpt-4o-mini' },
          'claude-haiku-4-5': { provider: 'proxied-anthropic' },
        },
      },
      configure: () => ({
        providers: {
          groq: { kind: 'openai', baseUrl: `${url}/openai`, apiKey: 'env:TEST_OPENAI_KEY' },
          groqv1: { kind: 'openai', baseUrl: `${url}/openai/v1/`, apiKey: 'env:TEST_OPENAI_KEY' },
          'proxied-anthropic': {
            kind: 'anthropic',
            baseUrl: `${url}/openai`,
            apiKey: 'env:TEST_ANTHROPIC_KEY',
          },
        },
      }),
    });
    auth = { authorization: `Bearer ${(await gw.createKey()).secret}` };
  });
  beforeEach(() => prefixed.reset());
  afterAll(async () => {
    await gw.close();
    await prefixed.close();
  });

  const chat = (model: string, stream = false) =>
    post(
      `${gw.url}/v1/chat/completions`,
      { model, stream, messages: [{ role: 'user', content: 'ping' }] },
      auth,
    );

  it('sends to <base path>/v1/chat/completions for a base without a version (Groq style)', async () => {
    const res = await chat('bare-style');
    expect(res.status).toBe(200);
    expect(prefixed.received.map((r) => r.path)).toEqual(['/openai/v1/chat/completions']);
  });

  it('does not double the version when the base already ends in /v1 (OpenAI SDK style)', async () => {
    const res = await chat('sdk-style', true);
    expect(res.status).toBe(200);
    expect(await res.text()).toContain('[DONE]');
    expect(prefixed.received.map((r) => r.path)).toEqual(['/openai/v1/chat/completions']);
  });

  it('keeps the path for Anthropic too', async () => {
    const res = await post(
      `${gw.url}/v1/messages`,
      { model: 'claude-haiku-4-5', max_tokens: 20, messages: [{ role: 'user', content: 'ping' }] },
      {
        'x-api-key': auth.authorization?.slice('Bearer '.length) ?? '',
        'anthropic-version': '2023-06-01',
      },
    );
    expect(res.status).toBe(200);
    expect(prefixed.received.map((r) => r.path)).toEqual(['/openai/v1/messages']);
  });

  it('leaks no provider key (leak canary)', async () => {
    await chat('bare-style');
    await gw.flushAudit();
    const stored = readFileSync(gw.dbPath);
    for (const canary of [CANARY_OPENAI_KEY, CANARY_ANTHROPIC_KEY]) {
      expect(gw.logs.join('')).not.toContain(canary);
      expect(stored.includes(canary)).toBe(false);
    }
  });
});
