import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createMockProvider, type MockProvider } from './server.js';

/** The documented wire payloads the mock must reproduce, shape for shape. */
const fixtureDir = new URL('../../../test/fixtures/providers/', import.meta.url);

function fixture(name: string): unknown {
  return JSON.parse(readFileSync(new URL(name, fixtureDir), 'utf8'));
}

/** Keys and value types, recursively; arrays by their first element. Values are ignored. */
function shapeOf(value: unknown): unknown {
  if (value === null) return 'null';
  if (Array.isArray(value)) return value.length === 0 ? ['empty'] : [shapeOf(value[0])];
  if (typeof value === 'object') {
    const entries = Object.entries(value as Record<string, unknown>);
    return Object.fromEntries(
      entries.sort(([a], [b]) => a.localeCompare(b)).map(([k, v]) => [k, shapeOf(v)]),
    );
  }
  return typeof value;
}

function shapeSet(items: readonly unknown[]): string[] {
  return [...new Set(items.map((i) => JSON.stringify(shapeOf(i))))].sort();
}

/** Merges runs of the same event name, so the number of deltas does not matter. */
function collapse(names: readonly (string | undefined)[]): (string | undefined)[] {
  return names.filter((n, i) => i === 0 || n !== names[i - 1]);
}

interface RawEvent {
  event: string | undefined;
  data: string;
}

function parseSse(text: string): RawEvent[] {
  return text
    .split('\n\n')
    .filter((block) => block.length > 0)
    .map((block) => {
      let event: string | undefined;
      let data = '';
      for (const line of block.split('\n')) {
        if (line.startsWith('event: ')) event = line.slice(7);
        if (line.startsWith('data: ')) data += line.slice(6);
      }
      return { event, data };
    });
}

let mock: MockProvider;
let url: string;

beforeAll(async () => {
  mock = createMockProvider();
  url = await mock.listen();
});
afterAll(() => mock.close());

const openaiHeaders = { authorization: 'Bearer sk-test', 'content-type': 'application/json' };
const anthropicHeaders = {
  'x-api-key': 'sk-ant-test',
  'anthropic-version': '2023-06-01',
  'content-type': 'application/json',
};

function post(path: string, body: unknown, headers: Record<string, string>): Promise<Response> {
  return fetch(`${url}${path}`, { method: 'POST', headers, body: JSON.stringify(body) });
}

const chat = { model: 'gpt-4o-mini', messages: [{ role: 'user', content: 'Hello' }] };
const message = {
  model: 'claude-sonnet-4-5',
  max_tokens: 64,
  messages: [{ role: 'user', content: 'Hi' }],
};

describe('replies have the shape of the documented fixtures', () => {
  it('chat completion', async () => {
    const res = await post('/v1/chat/completions', chat, openaiHeaders);
    expect(res.headers.get('content-type')).toBe('application/json');
    expect(res.headers.get('x-request-id')).toMatch(/^req_[0-9a-f]{32}$/);
    expect(shapeOf(await res.json())).toEqual(shapeOf(fixture('openai/chat-completion.json')));
  });

  it('chat completion stream with usage', async () => {
    const body = { ...chat, stream: true, stream_options: { include_usage: true } };
    const res = await post('/v1/chat/completions', body, openaiHeaders);
    expect(res.headers.get('content-type')).toBe('text/event-stream; charset=utf-8');
    const events = parseSse(await res.text());
    expect(events.every((e) => e.event === undefined)).toBe(true);
    expect(events.at(-1)?.data).toBe('[DONE]');
    const chunks = events.slice(0, -1).map((e) => JSON.parse(e.data) as unknown);
    expect(shapeSet(chunks)).toEqual(
      shapeSet(fixture('openai/chat-completion-stream.json') as unknown[]),
    );
  });

  it('embeddings (float)', async () => {
    const body = { model: 'text-embedding-3-small', input: 'hello', encoding_format: 'float' };
    const res = await post('/v1/embeddings', body, openaiHeaders);
    expect(shapeOf(await res.json())).toEqual(shapeOf(fixture('openai/embeddings.json')));
  });

  it('models list', async () => {
    const res = await fetch(`${url}/v1/models`, { headers: openaiHeaders });
    expect(shapeOf(await res.json())).toEqual(shapeOf(fixture('openai/models.json')));
  });

  it('responses', async () => {
    const res = await post(
      '/v1/responses',
      { model: 'gpt-4o-mini', input: 'Hello' },
      openaiHeaders,
    );
    expect(shapeOf(await res.json())).toEqual(shapeOf(fixture('openai/response.json')));
  });

  it('responses stream', async () => {
    const res = await post(
      '/v1/responses',
      { model: 'gpt-4o-mini', input: 'Hello', stream: true },
      openaiHeaders,
    );
    const events = parseSse(await res.text());
    const expected = fixture('openai/response-stream.json') as { event: string; data: unknown }[];
    const datas = events.map(
      (e) => JSON.parse(e.data) as { type: string; sequence_number: number },
    );
    expect(events.map((e) => e.event)).toEqual(datas.map((d) => d.type));
    expect(datas.map((d) => d.sequence_number)).toEqual(datas.map((_, i) => i));
    expect(collapse(events.map((e) => e.event))).toEqual(collapse(expected.map((e) => e.event)));
    expect(shapeSet(datas)).toEqual(shapeSet(expected.map((e) => e.data)));
  });

  it('anthropic message', async () => {
    const res = await post('/v1/messages', message, anthropicHeaders);
    expect(res.headers.get('request-id')).toMatch(/^req_011/);
    expect(shapeOf(await res.json())).toEqual(shapeOf(fixture('anthropic/message.json')));
  });

  it('anthropic message stream, ping included', async () => {
    const res = await post('/v1/messages', { ...message, stream: true }, anthropicHeaders);
    const events = parseSse(await res.text());
    const expected = fixture('anthropic/message-stream.json') as { event: string; data: unknown }[];
    expect(collapse(events.map((e) => e.event))).toEqual(collapse(expected.map((e) => e.event)));
    const datas = events.map((e) => JSON.parse(e.data) as { type: string });
    expect(events.map((e) => e.event)).toEqual(datas.map((d) => d.type));
    expect(shapeSet(datas)).toEqual(shapeSet(expected.map((e) => e.data)));
  });
});
