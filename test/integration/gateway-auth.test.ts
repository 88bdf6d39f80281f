import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CANARY_OPENAI_KEY, post, startTestGateway, type TestGateway } from '../helpers/gateway.js';
import { TEST_DATABASE_URL, useTestSchemas } from '../helpers/postgres.js';

const chat = { model: 'gpt-4o-mini', messages: [{ role: 'user', content: 'hello' }] };

describe('authentication', () => {
  let gw: TestGateway;
  beforeAll(async () => {
    gw = await startTestGateway();
  });
  afterAll(() => gw.close());

  async function codeFor(headers: Record<string, string>, path = '/v1/chat/completions') {
    const res = await post(`${gw.url}${path}`, chat, headers);
    const body = (await res.json()) as { error: { code: string; type: string } };
    return {
      status: res.status,
      code: body.error.code,
      type: body.error.type,
      reqId: res.headers.get('x-request-id'),
    };
  }

  it('refuses missing, malformed, unknown, revoked and expired keys with 401 and distinct codes', async () => {
    const revoked = await gw.createKey();
    await gw.app.store.revokeKey(revoked.id, Date.now());
    const expired = await gw.createKey({ expiresAtMs: Date.now() - 1 });
    const unknown = `bk_dev_${'A'.repeat(43)}`;
    const results = [
      await codeFor({}),
      await codeFor({ authorization: 'Bearer not-a-bastion-key' }),
      await codeFor({ authorization: `Bearer ${unknown}` }),
      await codeFor({ authorization: `Bearer ${revoked.secret}` }),
      await codeFor({ authorization: `Bearer ${expired.secret}` }),
    ];
    expect(results.map((r) => [r.status, r.code])).toEqual([
      [401, 'missing_api_key'],
      [401, 'malformed_api_key'],
      [401, 'invalid_api_key'],
      [401, 'key_revoked'],
      [401, 'key_expired'],
    ]);
    expect(results.every((r) => r.reqId?.startsWith('req_'))).toBe(true);
    expect(gw.mock.received).toHaveLength(0);
  });

  it('answers /v1/messages auth failures in the Anthropic error shape', async () => {
    const res = await post(
      `${gw.url}/v1/messages`,
      { model: 'claude-haiku-4-5', max_tokens: 10, messages: [] },
      { 'x-api-key': 'nope' },
    );
    expect(res.status).toBe(401);
    expect(await res.json()).toMatchObject({
      type: 'error',
      error: { type: 'authentication_error', code: 'malformed_api_key' },
    });
  });

  it('never parses the body of an unauthenticated request', async () => {
    const res = await post(`${gw.url}/v1/chat/completions`, '{not json', {});
    expect(((await res.json()) as { error: { code: string } }).error.code).toBe('missing_api_key');
  });

  it('ignores provider keys a caller sends and uses the server-held key upstream', async () => {
    const key = await gw.createKey();
    gw.mock.reset();
    const res = await post(`${gw.url}/v1/chat/completions`, chat, {
      authorization: 'Bearer sk-caller-own-provider-key-123456',
      'x-api-key': key.secret,
    });
    expect(res.status).toBe(200);
    const seen = gw.mock.received[0];
    expect(seen?.headers.authorization).toBe(`Bearer ${CANARY_OPENAI_KEY}`);
    expect(JSON.stringify(seen?.headers)).not.toContain('sk-caller-own');
    expect(JSON.stringify(seen?.headers)).not.toContain(key.secret);
  });

  it('accepts a key created while the gateway runs, and refuses it at once when revoked', async () => {
    const key = await gw.createKey({ env: 'prod' });
    expect(
      (await post(`${gw.url}/v1/chat/completions`, chat, { authorization: `Bearer ${key.secret}` }))
        .status,
    ).toBe(200);
    await gw.app.store.revokeKey(key.id, Date.now());
    expect((await codeFor({ authorization: `Bearer ${key.secret}` })).code).toBe('key_revoked');
  });
});

describe('authentication on two replicas sharing PostgreSQL', () => {
  const schemas = useTestSchemas();
  const replicas: TestGateway[] = [];
  beforeAll(async () => {
    const { schema } = await schemas.create('auth_replicas');
    for (let i = 0; i < 2; i++) {
      replicas.push(
        await startTestGateway({
          env: { DATABASE_URL: TEST_DATABASE_URL },
          stores: { kind: 'postgres', postgres: { url: 'env:DATABASE_URL', schema } },
        }),
      );
    }
  });
  afterAll(() => Promise.all(replicas.map((gw) => gw.close())));

  const send = async (gw: TestGateway, secret: string, model = 'gpt-4o-mini') => {
    const res = await post(
      `${gw.url}/v1/chat/completions`,
      { ...chat, model },
      {
        authorization: `Bearer ${secret}`,
      },
    );
    const body = (await res.json()) as { error?: { code: string } };
    return body.error?.code ?? res.status;
  };

  it('refuses on A the very next request after B revokes the key or narrows its scopes', async () => {
    const [a, b] = replicas as [TestGateway, TestGateway];
    const revoked = await b.createKey({ env: 'prod' });
    const scoped = await a.createKey({ env: 'prod' });
    for (const secret of [revoked.secret, scoped.secret]) {
      expect([await send(a, secret), await send(a, secret), await send(b, secret)]).toEqual([
        200, 200, 200,
      ]);
    }
    await b.app.store.revokeKey(revoked.id, Date.now());
    expect(await send(a, revoked.secret)).toBe('key_revoked');
    await b.app.store.updateKeyScopes(scoped.id, { models: ['claude-haiku-4-5'] });
    expect(await send(a, scoped.secret)).toBe('scope_model_denied');
  });
});
