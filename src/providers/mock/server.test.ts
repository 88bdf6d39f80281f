import Anthropic, { type APIError as AnthropicApiError } from '@anthropic-ai/sdk';
import { Agent, request as httpRequest } from 'node:http';
import OpenAI, { type APIError as OpenAIApiError } from 'openai';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createMockProvider, type MockProvider } from './server.js';

let mock: MockProvider;
let url: string;
let openai: OpenAI;
let anthropic: Anthropic;

const OPENAI_KEY = 'sk-proj-FULLSECRETKEY0123456789abcdef';
const ANTHROPIC_KEY = 'sk-ant-api03-FULLSECRETKEY0123456789';

beforeEach(async () => {
  mock = createMockProvider();
  url = await mock.listen();
  openai = new OpenAI({ apiKey: OPENAI_KEY, baseURL: `${url}/v1`, maxRetries: 0 });
  anthropic = new Anthropic({ apiKey: ANTHROPIC_KEY, baseURL: url, maxRetries: 0 });
});
afterEach(() => mock.close());

const chat = { model: 'gpt-4o-mini', messages: [{ role: 'user' as const, content: 'Hello' }] };
const message = {
  model: 'claude-haiku-4-5',
  max_tokens: 50,
  messages: [{ role: 'user' as const, content: 'Hi' }],
};
const reply = 'Mock reply from gpt-4o-mini: Hello';

function failure(promise: Promise<unknown>): Promise<unknown> {
  return promise.then(
    () => {
      throw new Error('expected a failure');
    },
    (err: unknown) => err,
  );
}

describe('status faults', () => {
  it('429 with Retry-After, in OpenAI shape', async () => {
    mock.enqueueFault({ status: 429, retryAfterSec: 7 });
    const err = await failure(openai.chat.completions.create(chat));
    expect(err).toBeInstanceOf(OpenAI.RateLimitError);
    const apiErr = err as OpenAIApiError;
    expect(apiErr.headers?.get('retry-after')).toBe('7');
    expect(apiErr.headers?.get('x-request-id')).toMatch(/^req_/);
    expect(apiErr.error).toMatchObject({
      type: 'rate_limit_error',
      code: 'rate_limit_exceeded',
      param: null,
    });
  });

  it('429 without Retry-After, in Anthropic shape', async () => {
    mock.enqueueFault({ status: 429, errorMessage: 'slow down' });
    const err = await failure(anthropic.messages.create(message));
    expect(err).toBeInstanceOf(Anthropic.RateLimitError);
    const apiErr = err as AnthropicApiError;
    expect(apiErr.headers?.get('retry-after')).toBeNull();
    expect(apiErr.requestID).toMatch(/^req_011/);
    expect(apiErr.error).toEqual({
      type: 'error',
      error: { type: 'rate_limit_error', message: 'slow down' },
    });
  });

  it('500 and 529', async () => {
    mock.enqueueFault({ status: 500 }, { status: 529 });
    expect(await failure(openai.chat.completions.create(chat))).toBeInstanceOf(
      OpenAI.InternalServerError,
    );
    const overloaded = (await failure(anthropic.messages.create(message))) as AnthropicApiError;
    expect(overloaded.status).toBe(529);
    expect(overloaded.error).toMatchObject({ error: { type: 'overloaded_error' } });
  });

  it('echoKey puts the full key in the error message', async () => {
    mock.enqueueFault({ status: 401, echoKey: true }, { status: 401, echoKey: true });
    const openaiErr = (await failure(openai.chat.completions.create(chat))) as OpenAIApiError;
    expect(openaiErr).toBeInstanceOf(OpenAI.AuthenticationError);
    expect(openaiErr.message).toContain(OPENAI_KEY);
    expect(openaiErr.code).toBe('invalid_api_key');
    const anthropicErr = (await failure(anthropic.messages.create(message))) as AnthropicApiError;
    expect(anthropicErr.message).toContain(ANTHROPIC_KEY);
    expect(anthropicErr.error).toMatchObject({ error: { type: 'authentication_error' } });
  });

  it('consumes faults in FIFO order, one per request', async () => {
    mock.enqueueFault({ status: 503 }, { reply: 'second' });
    expect((await failure(openai.chat.completions.create(chat))) as OpenAIApiError).toMatchObject({
      status: 503,
    });
    expect((await openai.chat.completions.create(chat)).choices[0]?.message.content).toBe('second');
    expect((await openai.chat.completions.create(chat)).choices[0]?.message.content).toBe(reply);
    expect(mock.received).toHaveLength(3);
  });

  it('rejects an invalid fault', () => {
    expect(() => mock.enqueueFault({ status: 200 })).toThrow(TypeError);
    expect(() => mock.enqueueFault({ echoKey: true })).toThrow(/needs "status"/);
  });
});

describe('x-mock-fault header', () => {
  it('takes precedence over the queue and leaves it alone', async () => {
    mock.enqueueFault({ reply: 'queued' });
    const fault = JSON.stringify({ reply: 'from header' });
    const first = await openai.chat.completions.create(chat, {
      headers: { 'x-mock-fault': fault },
    });
    expect(first.choices[0]?.message.content).toBe('from header');
    expect((await openai.chat.completions.create(chat)).choices[0]?.message.content).toBe('queued');
  });

  it('answers 400 to a bad header', async () => {
    const err = await failure(
      openai.chat.completions.create(chat, { headers: { 'x-mock-fault': '{"oops":1}' } }),
    );
    expect(err).toBeInstanceOf(OpenAI.BadRequestError);
  });
});

describe('control API', () => {
  async function control(method: string, path: string, body?: unknown) {
    const init: RequestInit = { method };
    if (body !== undefined) init.body = typeof body === 'string' ? body : JSON.stringify(body);
    const res = await fetch(`${url}${path}`, init);
    return {
      status: res.status,
      body: res.status === 204 ? undefined : await res.json(),
    };
  }

  it('queues faults, lists and clears requests, and is not recorded', async () => {
    expect(await control('POST', '/_mock/faults', [{ status: 429 }, { reply: 'two' }])).toEqual({
      status: 200,
      body: { queued: 2 },
    });
    expect(await control('POST', '/_mock/faults', { reply: 'three' })).toEqual({
      status: 200,
      body: { queued: 3 },
    });
    expect(await failure(openai.chat.completions.create(chat))).toBeInstanceOf(
      OpenAI.RateLimitError,
    );
    expect((await openai.chat.completions.create(chat)).choices[0]?.message.content).toBe('two');
    expect((await control('DELETE', '/_mock/faults')).status).toBe(204);
    expect((await openai.chat.completions.create(chat)).choices[0]?.message.content).toBe(reply);

    const listed = await control('GET', '/_mock/requests');
    expect(listed.status).toBe(200);
    const requests = listed.body as { method: string; path: string; body: unknown }[];
    expect(requests.map((r) => r.path)).toEqual(Array(3).fill('/v1/chat/completions'));
    expect(requests[0]?.body).toMatchObject(chat);
    expect((await control('DELETE', '/_mock/requests')).status).toBe(204);
    expect(mock.received).toEqual([]);
  });

  it('answers 400 to bad faults', async () => {
    for (const bad of [
      'not json',
      { status: 'x' },
      { nope: true },
      [{ reply: 'ok' }, { chunkSize: 0 }],
    ]) {
      const res = await control('POST', '/_mock/faults', bad);
      expect(res.status).toBe(400);
      expect(res.body).toMatchObject({ error: { type: 'invalid_request_error' } });
    }
    expect((await openai.chat.completions.create(chat)).choices[0]?.message.content).toBe(reply);
  });

  it('reset() clears faults and requests', async () => {
    await openai.models.list();
    mock.enqueueFault({ status: 500 });
    mock.reset();
    expect(mock.received).toEqual([]);
    expect((await openai.chat.completions.create(chat)).choices[0]?.message.content).toBe(reply);
  });
});

describe('authentication and routing', () => {
  it('enforces apiKeys in each dialect, masking the key like real providers', async () => {
    const strict = createMockProvider({ apiKeys: ['sk-good-key-000000', 'ant-good'] });
    const base = await strict.listen();
    try {
      const bad = new OpenAI({
        apiKey: 'sk-wrong-key-123456789',
        baseURL: `${base}/v1`,
        maxRetries: 0,
      });
      const err = (await failure(bad.chat.completions.create(chat))) as OpenAIApiError;
      expect(err).toBeInstanceOf(OpenAI.AuthenticationError);
      expect(err.code).toBe('invalid_api_key');
      expect(err.message).not.toContain('sk-wrong-key-123456789');
      const good = new OpenAI({
        apiKey: 'sk-good-key-000000',
        baseURL: `${base}/v1`,
        maxRetries: 0,
      });
      expect((await good.chat.completions.create(chat)).object).toBe('chat.completion');

      const badAnt = new Anthropic({ apiKey: 'ant-wrong', baseURL: base, maxRetries: 0 });
      const antErr = (await failure(badAnt.messages.create(message))) as AnthropicApiError;
      expect(antErr.error).toMatchObject({ error: { type: 'authentication_error' } });
      const goodAnt = new Anthropic({ apiKey: 'ant-good', baseURL: base, maxRetries: 0 });
      expect((await goodAnt.messages.create(message)).type).toBe('message');
    } finally {
      await strict.close();
    }
  });

  it('answers 401 without a key', async () => {
    const res = await fetch(`${url}/v1/chat/completions`, {
      method: 'POST',
      body: JSON.stringify(chat),
    });
    expect(res.status).toBe(401);
    expect(await res.json()).toMatchObject({
      error: { type: 'invalid_request_error', code: null },
    });
    const ant = await fetch(`${url}/v1/messages`, {
      method: 'POST',
      headers: { 'anthropic-version': '2023-06-01' },
      body: JSON.stringify(message),
    });
    expect(await ant.json()).toMatchObject({
      type: 'error',
      error: { type: 'authentication_error' },
    });
  });

  it('answers 404 in OpenAI shape to an unknown path', async () => {
    const res = await fetch(`${url}/v1/nope`, { headers: { authorization: 'Bearer k' } });
    expect(res.status).toBe(404);
    expect(res.headers.get('x-request-id')).toMatch(/^req_/);
    expect(await res.json()).toEqual({
      error: {
        message: 'Invalid URL (GET /v1/nope)',
        type: 'invalid_request_error',
        param: null,
        code: null,
      },
    });
  });

  it('answers 400 to a body that is not JSON', async () => {
    const res = await fetch(`${url}/v1/chat/completions`, {
      method: 'POST',
      headers: { authorization: 'Bearer k' },
      body: 'nope',
    });
    expect(res.status).toBe(400);
    expect(await res.json()).toMatchObject({ error: { type: 'invalid_request_error' } });
  });

  it('keeps connections alive between requests', async () => {
    const agent = new Agent({ keepAlive: true, maxSockets: 1 });
    const reused: boolean[] = [];
    try {
      for (let i = 0; i < 3; i += 1) {
        await new Promise<void>((resolve, reject) => {
          const req = httpRequest(
            `${url}/v1/models`,
            { agent, headers: { authorization: 'Bearer k' } },
            (res) => {
              reused.push(req.reusedSocket);
              res.resume();
              res.on('end', resolve);
            },
          );
          req.on('error', reject);
          req.end();
        });
      }
    } finally {
      agent.destroy();
    }
    expect(reused).toEqual([false, true, true]);
  });
});
