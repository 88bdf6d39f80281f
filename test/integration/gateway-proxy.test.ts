import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { post, startTestGateway, type TestGateway } from '../helpers/gateway.js';

describe('proxying', () => {
  let gw: TestGateway;
  let auth: Record<string, string>;
  beforeAll(async () => {
    gw = await startTestGateway();
    auth = {
      authorization: `Bearer ${(await gw.createKey({ env: 'staging', name: 'checkout' })).secret}`,
    };
  });
  beforeEach(() => gw.mock.reset());
  afterAll(() => gw.close());

  const errorOf = async (res: Response) =>
    ((await res.json()) as { error: { code: string } }).error.code;

  it('passes a chat completion through and audits its usage', async () => {
    const res = await post(
      `${gw.url}/v1/chat/completions`,
      { model: 'gpt-4o-mini', messages: [{ role: 'user', content: 'ping' }] },
      auth,
    );
    expect(res.status).toBe(200);
    const body = (await res.json()) as {
      choices: { message: { content: string } }[];
      usage: { prompt_tokens: number; completion_tokens: number };
    };
    expect(body.choices[0]?.message.content).toContain('ping');
    const reqId = res.headers.get('x-request-id') as string;
    await gw.flushAudit();
    const [row] = await gw.app.store.queryAudit({ limit: 1 });
    expect(row).toMatchObject({
      requestId: reqId,
      endpoint: '/v1/chat/completions',
      model: 'gpt-4o-mini',
      provider: 'openai',
      upstreamKeyLabel: 'openai-primary',
      env: 'staging',
      status: 200,
      errorCode: null,
      promptTokens: body.usage.prompt_tokens,
      completionTokens: body.usage.completion_tokens,
      isStream: false,
    });
    expect(row?.keyPrefix).toMatch(/^bk_staging_/);
    expect(row?.clientIp).toBe('127.0.0.1');
  });

  it('sends the upstream model for an alias', async () => {
    await post(
      `${gw.url}/v1/chat/completions`,
      { model: 'fast', messages: [{ role: 'user', content: 'x' }] },
      auth,
    );
    expect((gw.mock.received[0]?.body as { model: string }).model).toBe('gpt-4o-mini');
  });

  it('streams chat chunk by chunk, asks upstream for usage, and hides the usage event the caller did not ask for', async () => {
    const res = await post(
      `${gw.url}/v1/chat/completions`,
      { model: 'gpt-4o-mini', stream: true, messages: [{ role: 'user', content: 'stream me' }] },
      auth,
    );
    expect(res.headers.get('content-type')).toMatch(/^text\/event-stream/);
    const text = await res.text();
    expect(text.trimEnd().endsWith('data: [DONE]')).toBe(true);
    expect(text).not.toMatch(/"choices":\[\]/);
    expect((gw.mock.received[0]?.body as { stream_options: unknown }).stream_options).toEqual({
      include_usage: true,
    });
    await gw.flushAudit();
    const [row] = await gw.app.store.queryAudit({ limit: 1 });
    expect(row?.isStream).toBe(true);
    expect(row?.completionTokens).toBeGreaterThan(0);
  });

  it('keeps the usage event when the caller asked for it', async () => {
    const res = await post(
      `${gw.url}/v1/chat/completions`,
      {
        model: 'gpt-4o-mini',
        stream: true,
        stream_options: { include_usage: true },
        messages: [{ role: 'user', content: 'u' }],
      },
      auth,
    );
    expect(await res.text()).toMatch(/"choices":\[\],.*"usage":\{/);
  });

  it('refuses bad requests with typed codes before any upstream call', async () => {
    const url = `${gw.url}/v1/chat/completions`;
    expect(await errorOf(await post(url, '{"model":', auth))).toBe('invalid_json');
    expect(await errorOf(await post(url, { model: 'gpt-4o-mini' }, auth))).toBe('invalid_request');
    expect(
      await errorOf(
        await post(url, { model: 'gpt-9', messages: [{ role: 'user', content: 'x' }] }, auth),
      ),
    ).toBe('model_not_found');
    const big = await post(
      url,
      { model: 'gpt-4o-mini', messages: [{ role: 'user', content: 'x'.repeat(5 * 1024 * 1024) }] },
      auth,
    );
    expect([big.status, await errorOf(big)]).toEqual([413, 'body_too_large']);
    const xml = await fetch(url, {
      method: 'POST',
      headers: { ...auth, 'content-type': 'text/xml' },
      body: '<a/>',
    });
    expect([xml.status, await errorOf(xml)]).toEqual([415, 'unsupported_media_type']);
    const wrongEndpoint = await post(
      `${gw.url}/v1/embeddings`,
      { model: 'claude-haiku-4-5', input: 'x' },
      auth,
    );
    expect(await errorOf(wrongEndpoint)).toBe('endpoint_not_supported');
    expect(await errorOf(await fetch(`${gw.url}/v2/nothing`))).toBe('route_not_found');
    expect(await errorOf(await fetch(url))).toBe('method_not_allowed');
    expect(gw.mock.received).toHaveLength(0);
  });

  it('lists the served models', async () => {
    const res = await fetch(`${gw.url}/v1/models`, { headers: auth });
    const body = (await res.json()) as { data: { id: string }[] };
    expect(body.data.map((m) => m.id).sort()).toEqual([
      'claude-haiku-4-5',
      'fast',
      'gpt-4o-mini',
      'text-embedding-3-small',
    ]);
  });

  it('proxies Anthropic messages with the anthropic-version header and the server key', async () => {
    const res = await post(
      `${gw.url}/v1/messages`,
      {
        model: 'claude-haiku-4-5',
        max_tokens: 50,
        messages: [{ role: 'user', content: 'bonjour' }],
      },
      { 'x-api-key': auth.authorization!.slice(7) },
    );
    expect(res.status).toBe(200);
    expect(gw.mock.received[0]?.headers['anthropic-version']).toBe('2023-06-01');
    expect(gw.mock.received[0]?.headers['x-api-key']).toBeDefined();
    expect(gw.mock.received[0]?.headers.authorization).toBeUndefined();
  });
});
