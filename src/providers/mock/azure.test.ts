import { AzureOpenAI } from 'openai';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createMockProvider, type MockProvider } from './server.js';

const KEY = 'azure-test-key-0123456789abcdef'; // bastion:allow test canary

let mock: MockProvider;
let url: string;
let client: AzureOpenAI;

beforeEach(async () => {
  mock = createMockProvider({ apiKeys: [KEY] });
  url = await mock.listen();
  client = new AzureOpenAI({
    endpoint: url,
    apiKey: KEY,
    apiVersion: '2024-10-21',
    deployment: 'my-gpt4o',
    maxRetries: 0,
  });
});
afterEach(() => mock.close());

describe('Azure OpenAI paths', () => {
  it('answers the official AzureOpenAI client on a deployment, api-key header and api-version', async () => {
    const reply = await client.chat.completions.create({
      model: 'ignored',
      messages: [{ role: 'user', content: 'hi' }],
    });
    expect(reply.choices[0]?.message.content).toBe('Mock reply from ignored: hi');
    const seen = mock.received[0];
    expect(seen?.path).toBe('/openai/deployments/my-gpt4o/chat/completions?api-version=2024-10-21');
    expect(seen?.headers['api-key']).toBe(KEY);
    expect((reply as unknown as Record<string, unknown>).prompt_filter_results).toBeDefined();
  });

  it('streams with a leading prompt-filter chunk of no choices, as Azure does', async () => {
    const stream = await client.chat.completions.create({
      model: 'm',
      messages: [{ role: 'user', content: 'hello' }],
      stream: true,
      stream_options: { include_usage: true },
    });
    const chunks = [];
    for await (const chunk of stream) chunks.push(chunk);
    expect(chunks[0]?.choices).toEqual([]);
    const text = chunks.map((c) => c.choices[0]?.delta.content ?? '').join('');
    expect(text).toBe('Mock reply from m: hello');
    expect(chunks.at(-1)?.usage?.completion_tokens).toBeGreaterThan(0);
  });

  it('refuses a wrong key with Azure error shape, and a missing api-version with 404', async () => {
    const base = `${url}/openai/deployments/d/chat/completions`;
    const body = JSON.stringify({ messages: [{ role: 'user', content: 'x' }] });
    const bad = await fetch(`${base}?api-version=2024-10-21`, {
      method: 'POST',
      headers: { 'api-key': 'wrong', 'content-type': 'application/json' },
      body,
    });
    expect(bad.status).toBe(401);
    expect(await bad.json()).toEqual({
      error: { code: '401', message: expect.stringContaining('Access denied') as unknown },
    });
    expect(bad.headers.get('apim-request-id')).toMatch(/^[0-9a-f-]{36}$/);
    const noVersion = await fetch(base, {
      method: 'POST',
      headers: { 'api-key': KEY, 'content-type': 'application/json' },
      body,
    });
    expect(noVersion.status).toBe(404);
    expect(await noVersion.json()).toEqual({
      error: { code: '404', message: 'Resource not found' },
    });
  });

  it('sends injected faults in Azure shape', async () => {
    mock.enqueueFault({ status: 429, retryAfterSec: 2 });
    const res = await fetch(`${url}/openai/deployments/d/embeddings?api-version=2024-10-21`, {
      method: 'POST',
      headers: { 'api-key': KEY, 'content-type': 'application/json' },
      body: JSON.stringify({ input: 'x' }),
    });
    expect(res.status).toBe(429);
    expect(res.headers.get('retry-after')).toBe('2');
    expect(((await res.json()) as { error: { code: string } }).error.code).toBe('429');
  });
});
