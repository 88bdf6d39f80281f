import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config/load.js';
import type { KeyScopes } from '../../src/store/types.js';
import { post, startTestGateway, type TestGateway } from '../helpers/gateway.js';

const chat = { model: 'gpt-4o-mini', messages: [{ role: 'user', content: 'hello' }] };
const claude = {
  model: 'claude-haiku-4-5',
  max_tokens: 20,
  messages: [{ role: 'user', content: 'hi' }],
};

async function codeOf(res: Response): Promise<string | undefined> {
  const body = (await res.json()) as { error?: { code?: string } };
  return body.error?.code;
}

describe('key scopes', () => {
  let gw: TestGateway;
  beforeAll(async () => {
    gw = await startTestGateway();
  });
  afterAll(() => gw.close());

  async function call(scopes: KeyScopes, path: string, body: unknown) {
    const key = await gw.createKey({ scopes });
    const res = await post(`${gw.url}${path}`, body, { authorization: `Bearer ${key.secret}` });
    return {
      status: res.status,
      code: res.status === 200 ? undefined : await codeOf(res.clone()),
      res,
    };
  }

  it('allows models matching a glob and refuses others with 403 scope_model_denied', async () => {
    gw.mock.reset();
    expect((await call({ models: ['gpt-4o*'] }, '/v1/chat/completions', chat)).status).toBe(200);
    const denied = await call({ models: ['gpt-4o*'] }, '/v1/messages', claude);
    expect([denied.status, denied.code]).toEqual([403, 'scope_model_denied']);
    const alias = await call({ models: ['gpt-4o-mini'] }, '/v1/chat/completions', {
      ...chat,
      model: 'fast',
    });
    expect(alias.code).toBe('scope_model_denied');
    expect(gw.mock.received).toHaveLength(1);
  });

  it('refuses endpoints, providers and source addresses outside the scopes, each with its code', async () => {
    const endpoint = await call({ endpoints: ['embeddings'] }, '/v1/chat/completions', chat);
    const provider = await call({ providers: ['anthropic'] }, '/v1/chat/completions', chat);
    const ip = await call(
      { ipRanges: ['10.0.0.0/8', '2001:db8::/32'] },
      '/v1/chat/completions',
      chat,
    );
    expect([endpoint, provider, ip].map((r) => [r.status, r.code])).toEqual([
      [403, 'scope_endpoint_denied'],
      [403, 'scope_provider_denied'],
      [403, 'scope_ip_denied'],
    ]);
    const loopback = await call(
      { ipRanges: ['127.0.0.0/8'], providers: ['openai'] },
      '/v1/chat/completions',
      chat,
    );
    expect(loopback.status).toBe(200);
  });

  it('answers a scope denial on /v1/messages in the Anthropic shape', async () => {
    const { res } = await call({ providers: ['openai'] }, '/v1/messages', claude);
    expect(res.status).toBe(403);
    expect(await res.json()).toMatchObject({
      type: 'error',
      error: { type: 'permission_error', code: 'scope_provider_denied' },
    });
  });

  it('clamps max_tokens to the key ceiling, sends the clamped value upstream and audits it', async () => {
    gw.mock.reset();
    const key = await gw.createKey({ scopes: { maxTokens: 50 } });
    const res = await post(
      `${gw.url}/v1/chat/completions`,
      { ...chat, max_tokens: 500 },
      {
        authorization: `Bearer ${key.secret}`,
      },
    );
    expect(res.status).toBe(200);
    expect(gw.mock.received[0]?.body).toMatchObject({ max_tokens: 50 });
    const unset = await post(
      `${gw.url}/v1/messages`,
      { ...claude, max_tokens: 4096 },
      { 'x-api-key': key.secret },
    );
    expect(unset.status).toBe(200);
    expect(gw.mock.received[1]?.body).toMatchObject({ max_tokens: 50 });
    await gw.flushAudit();
    const [row] = await gw.app.store.queryAudit({ keyId: key.id, limit: 1 });
    expect(row?.decisions).toContainEqual({
      stage: 'authorize',
      action: 'clamp',
      type: 'max_tokens',
      count: 50,
    });
  });

  it('refuses a larger max_tokens when the key says so', async () => {
    const r = await call({ maxTokens: 50, maxTokensMode: 'refuse' }, '/v1/chat/completions', {
      ...chat,
      max_completion_tokens: 51,
    });
    expect([r.status, r.code]).toEqual([403, 'max_tokens_exceeded']);
    const ok = await call({ maxTokens: 50, maxTokensMode: 'refuse' }, '/v1/chat/completions', {
      ...chat,
      max_tokens: 50,
    });
    expect(ok.status).toBe(200);
  });

  it('refuses a request whose worst-case cost is above the per-request ceiling', async () => {
    // gpt-4o-mini: $0.60 per million output tokens; 16,384 tokens worst case ≈ 9,831 µ$.
    const r = await call({ maxRequestCostMicroUsd: 1_000 }, '/v1/chat/completions', chat);
    expect([r.status, r.code]).toEqual([403, 'request_cost_exceeded']);
    const bounded = await call({ maxRequestCostMicroUsd: 1_000 }, '/v1/chat/completions', {
      ...chat,
      max_tokens: 100,
    });
    expect(bounded.status).toBe(200);
  });

  it('lists only the models a key may use', async () => {
    const key = await gw.createKey({
      scopes: { models: ['gpt-*', 'fast'], providers: ['openai'] },
    });
    const res = await fetch(`${gw.url}/v1/models`, {
      headers: { authorization: `Bearer ${key.secret}` },
    });
    const body = (await res.json()) as { data: { id: string }[] };
    expect(body.data.map((m) => m.id).sort()).toEqual(['fast', 'gpt-4o-mini']);
    const denied = await gw.createKey({ scopes: { endpoints: ['chat_completions'] } });
    const res2 = await fetch(`${gw.url}/v1/models`, {
      headers: { authorization: `Bearer ${denied.secret}` },
    });
    expect([res2.status, await codeOf(res2)]).toEqual([403, 'scope_endpoint_denied']);
  });
});

describe('environments', () => {
  it('ships the documented defaults: 10/100/600/50 RPM, $5/$50/$500/$20 a month, 32 in flight in prod', () => {
    const { config } = loadConfig({ env: {} });
    const envs = config.policy.environments;
    expect([envs.dev, envs.staging, envs.prod, envs.ci].map((e) => e.keyDefaults)).toEqual([
      { rpm: 10, monthlyBudgetUsd: 5 },
      { rpm: 100, monthlyBudgetUsd: 50 },
      { rpm: 600, monthlyBudgetUsd: 500, concurrency: 32 },
      { rpm: 50, monthlyBudgetUsd: 20 },
    ]);
  });

  it('applies the environment defaults to its keys unless a key sets its own', async () => {
    const gw = await startTestGateway({ config: { policy: {} } });
    try {
      const dev = await gw.createKey({ env: 'dev' });
      const own = await gw.createKey({ env: 'dev', scopes: { limits: { rpm: 12 } } });
      const send = (secret: string) =>
        post(`${gw.url}/v1/chat/completions`, chat, { authorization: `Bearer ${secret}` });
      const devStatuses: number[] = [];
      for (let i = 0; i < 11; i++) devStatuses.push((await send(dev.secret)).status);
      expect(devStatuses.filter((s) => s === 200)).toHaveLength(10);
      const refused = await send(dev.secret);
      expect([refused.status, await codeOf(refused)]).toEqual([429, 'rate_limit_exceeded']);
      const ownStatuses: number[] = [];
      for (let i = 0; i < 13; i++) ownStatuses.push((await send(own.secret)).status);
      expect(ownStatuses.filter((s) => s === 200)).toHaveLength(12);
    } finally {
      await gw.close();
    }
  });

  it('refuses keys of environments this gateway does not serve, and models an environment may not use', async () => {
    const gw = await startTestGateway({
      config: {
        policy: {
          acceptEnvironments: ['prod', 'ci'],
          environments: { ci: { keyDefaults: {}, models: ['gpt-4o-mini'] } },
        },
      },
    });
    try {
      const dev = await gw.createKey({ env: 'dev' });
      const ci = await gw.createKey({ env: 'ci' });
      const r1 = await post(`${gw.url}/v1/chat/completions`, chat, {
        authorization: `Bearer ${dev.secret}`,
      });
      const r2 = await post(`${gw.url}/v1/messages`, claude, { 'x-api-key': ci.secret });
      const r3 = await post(`${gw.url}/v1/chat/completions`, chat, {
        authorization: `Bearer ${ci.secret}`,
      });
      expect([r1.status, await codeOf(r1)]).toEqual([403, 'environment_denied']);
      expect([r2.status, r2.headers.get('x-bastion-error-code')]).toEqual([
        403,
        'environment_denied',
      ]);
      expect(r3.status).toBe(200);
    } finally {
      await gw.close();
    }
  });
});
