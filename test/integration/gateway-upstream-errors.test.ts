import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { once } from 'node:events';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { CANARY_OPENAI_KEY, post, startTestGateway, type TestGateway } from '../helpers/gateway.js';

const chat = { model: 'gpt-4o-mini', messages: [{ role: 'user', content: 'hi' }] };

describe('upstream failures', () => {
  let gw: TestGateway;
  let auth: Record<string, string>;
  beforeAll(async () => {
    // One attempt and no breaker: this suite pins how a single upstream failure maps
    // (retries and circuits: resilience-*.test.ts).
    gw = await startTestGateway({
      config: { upstream: { retry: { maxAttempts: 1 }, circuit: { enabled: false } } },
    });
    auth = { authorization: `Bearer ${(await gw.createKey()).secret}` };
  });
  beforeEach(() => gw.mock.reset());
  afterAll(() => gw.close());

  async function call(body: unknown = chat, path = '/v1/chat/completions', headers = auth) {
    const res = await post(`${gw.url}${path}`, body, headers);
    const text = await res.text();
    return { res, text, code: (JSON.parse(text) as { error: { code: string } }).error.code };
  }

  it('maps a 429 to upstream_rate_limited and passes Retry-After on', async () => {
    gw.mock.enqueueFault({ status: 429, retryAfterSec: 3 });
    const { res, code } = await call();
    expect([res.status, code, res.headers.get('retry-after')]).toEqual([
      429,
      'upstream_rate_limited',
      '3',
    ]);
    gw.mock.enqueueFault({ status: 429 });
    const bare = await call();
    expect([bare.res.status, bare.res.headers.get('retry-after')]).toEqual([429, null]);
  });

  it.each([
    [{ status: 500 }, 502, 'upstream_error'],
    [{ status: 503 }, 503, 'upstream_overloaded'],
    [{ reset: true }, 502, 'upstream_unreachable'],
    [{ malformedJson: true }, 502, 'upstream_bad_response'],
    [
      { status: 400, errorMessage: "Invalid value for 'temperature'" },
      400,
      'upstream_invalid_request',
    ],
  ])('maps fault %j to %i %s', async (fault, status, expected) => {
    gw.mock.enqueueFault(fault);
    const { res, code } = await call();
    expect([res.status, code]).toEqual([status, expected]);
    await gw.flushAudit();
    const [row] = await gw.app.store.queryAudit({ limit: 1 });
    expect([row?.status, row?.errorCode]).toEqual([status, expected]);
  });

  it('never echoes the provider key from an upstream error, in either dialect', async () => {
    gw.mock.enqueueFault({ status: 401, echoKey: true });
    const openai = await call();
    expect([openai.res.status, openai.code]).toEqual([502, 'upstream_auth_failed']);
    gw.mock.enqueueFault({ status: 400, echoKey: true });
    const rejected = await call();
    gw.mock.enqueueFault({ status: 400, echoKey: true });
    const anthropic = await call(
      { model: 'claude-haiku-4-5', max_tokens: 5, messages: [{ role: 'user', content: 'x' }] },
      '/v1/messages',
    );
    for (const r of [openai, rejected, anthropic]) {
      expect(r.text).not.toContain(CANARY_OPENAI_KEY);
      expect(r.text).not.toContain('sk-ant-canary');
      expect(JSON.stringify([...r.res.headers])).not.toContain('canary');
    }
    expect(gw.logs.join('')).not.toContain('canary');
  });

  it('ends a truncated stream with a typed SSE error event and audits it', async () => {
    gw.mock.enqueueFault({ truncateAfterChunks: 2 });
    const res = await post(`${gw.url}/v1/chat/completions`, { ...chat, stream: true }, auth);
    expect(res.status).toBe(200);
    const text = await res.text();
    expect(text).toContain('"code":"upstream_stream_interrupted"');
    expect(text).not.toContain('[DONE]');
    await gw.flushAudit();
    const [row] = await gw.app.store.queryAudit({ limit: 1 });
    expect(row?.errorCode).toBe('upstream_stream_interrupted');
  });

  it('sends Anthropic stream errors as an Anthropic error event', async () => {
    gw.mock.enqueueFault({ truncateAfterChunks: 1 });
    const res = await post(
      `${gw.url}/v1/messages`,
      {
        model: 'claude-haiku-4-5',
        max_tokens: 20,
        stream: true,
        messages: [{ role: 'user', content: 'x' }],
      },
      auth,
    );
    expect(await res.text()).toMatch(
      /event: error\ndata: \{"type":"error","error":\{"type":"api_error"/,
    );
  });
});

describe('client disconnect', () => {
  let upstream: Server;
  let gw: TestGateway;
  let upstreamClosed: Promise<unknown>;
  let upstreamRequests = 0;

  beforeAll(async () => {
    // A provider that sends one event and then waits forever: only a cancel can end it. Its
    // text ends a word, so the output guard releases it at once (an open word is held back).
    upstream = createServer((req, res) => {
      upstreamClosed = once(res, 'close');
      upstreamRequests += 1;
      req.resume();
      res.writeHead(200, { 'content-type': 'text/event-stream' });
      res.write('data: {"choices":[{"index":0,"delta":{"content":"a "}}]}\n\n');
    });
    upstream.listen(0, '127.0.0.1');
    await once(upstream, 'listening');
    const port = (upstream.address() as AddressInfo).port;
    gw = await startTestGateway({
      config: {
        providers: {
          slow: {
            kind: 'openai',
            baseUrl: `http://127.0.0.1:${port}`,
            apiKey: 'env:TEST_OPENAI_KEY',
          },
        },
        models: { 'gpt-4o-mini': { provider: 'slow' } },
      },
    });
  });
  afterAll(async () => {
    await gw.close();
    upstream.closeAllConnections();
    upstream.close();
  });

  it('cancels the upstream call when the client goes away, and audits client_closed', async () => {
    const abort = new AbortController();
    const key = await gw.createKey();
    const res = await fetch(`${gw.url}/v1/chat/completions`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${key.secret}` },
      body: JSON.stringify({ ...chat, stream: true }),
      signal: abort.signal,
    });
    const reader = (res.body as ReadableStream<Uint8Array>).getReader();
    await reader.read();
    abort.abort();
    await upstreamClosed;
    await expect
      .poll(async () => {
        await gw.flushAudit();
        return (await gw.app.store.queryAudit({ limit: 1 }))[0]?.errorCode;
      })
      .toBe('client_closed');
  });

  it('cancels a non-streamed call whose reply never ends when the client goes away', async () => {
    const abort = new AbortController();
    const key = await gw.createKey();
    const before = upstreamRequests;
    const request = fetch(`${gw.url}/v1/chat/completions`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${key.secret}` },
      body: JSON.stringify(chat),
      signal: abort.signal,
    });
    // The provider has sent its headers and a first chunk, and waits: the reply never ends.
    await expect.poll(() => upstreamRequests).toBe(before + 1);
    const closed = upstreamClosed;
    abort.abort();
    await expect(request).rejects.toThrow();
    await closed;
    await expect
      .poll(async () => {
        await gw.flushAudit();
        return (await gw.app.store.queryAudit({ limit: 1 }))[0]?.errorCode;
      })
      .toBe('client_closed');
  });
});
