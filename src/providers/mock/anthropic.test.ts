import Anthropic, { type APIError as AnthropicApiError } from '@anthropic-ai/sdk';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import {
  createMockProvider,
  estimateCompletionTokens,
  estimatePromptTokens,
  type MockProvider,
} from './server.js';

let mock: MockProvider;
let url: string;
let client: Anthropic;

beforeEach(async () => {
  mock = createMockProvider();
  url = await mock.listen();
  client = new Anthropic({ apiKey: 'sk-ant-test-123', baseURL: url, maxRetries: 0 });
});
afterEach(() => mock.close());

const params = {
  model: 'claude-haiku-4-5',
  max_tokens: 100,
  system: [{ type: 'text' as const, text: 'You are terse.' }],
  messages: [
    { role: 'user' as const, content: 'What is 2+2?' },
    { role: 'assistant' as const, content: [{ type: 'text' as const, text: '4' }] },
    { role: 'user' as const, content: [{ type: 'text' as const, text: 'And 3+3?' }] },
  ],
};
const reply = 'Mock reply from claude-haiku-4-5: And 3+3?';
const inputTokens = estimatePromptTokens(['You are terse.', 'What is 2+2?', '4', 'And 3+3?'], 4);

describe('POST /v1/messages', () => {
  it('answers with a message and usage', async () => {
    const message = await client.messages.create(params);
    expect(message).toMatchObject({
      type: 'message',
      role: 'assistant',
      model: 'claude-haiku-4-5',
      content: [{ type: 'text', text: reply }],
      stop_reason: 'end_turn',
      stop_sequence: null,
      usage: { input_tokens: inputTokens, output_tokens: estimateCompletionTokens(reply) },
    });
    expect(message.id).toMatch(/^msg_01/);
    const received = mock.received[0];
    expect(received?.headers['x-api-key']).toBe('sk-ant-test-123');
    expect(received?.headers['anthropic-version']).toBeDefined();
  });

  it('streams the documented events; finalMessage has usage', async () => {
    const stream = client.messages.stream({ ...params, system: 'You are terse.' });
    const events: string[] = [];
    stream.on('streamEvent', (event) => events.push(event.type));
    const final = await stream.finalMessage();
    expect(final.content).toEqual([{ type: 'text', text: reply }]);
    expect(final.usage).toMatchObject({
      input_tokens: inputTokens,
      output_tokens: estimateCompletionTokens(reply),
    });
    expect(final.stop_reason).toBe('end_turn');
    // The SDK swallows `ping`; routes.test.ts checks it on the wire.
    expect(events.slice(0, 2)).toEqual(['message_start', 'content_block_start']);
    expect(events.slice(-3)).toEqual(['content_block_stop', 'message_delta', 'message_stop']);
    expect(events.filter((e) => e === 'content_block_delta')).toHaveLength(
      Math.ceil(reply.length / 8),
    );
  });

  it('requires anthropic-version', async () => {
    const res = await fetch(`${url}/v1/messages`, {
      method: 'POST',
      headers: { 'x-api-key': 'k', 'content-type': 'application/json' },
      body: JSON.stringify(params),
    });
    expect(res.status).toBe(400);
    expect(res.headers.get('request-id')).toMatch(/^req_/);
    expect(await res.json()).toEqual({
      type: 'error',
      error: { type: 'invalid_request_error', message: expect.any(String) as string },
    });
  });

  it('refuses a request without max_tokens or with a system role message', async () => {
    const noMax = await client.messages
      .create({
        ...params,
        max_tokens: undefined,
      } as unknown as Anthropic.MessageCreateParamsNonStreaming)
      .catch((e: unknown) => e);
    expect(noMax).toBeInstanceOf(Anthropic.BadRequestError);
    const badRole = await client.messages
      .create({
        ...params,
        messages: [{ role: 'system', content: 'x' }],
      } as unknown as Anthropic.MessageCreateParamsNonStreaming)
      .catch((e: unknown) => e);
    expect((badRole as AnthropicApiError).status).toBe(400);
    expect((badRole as AnthropicApiError).error).toMatchObject({
      type: 'error',
      error: { type: 'invalid_request_error' },
    });
  });

  it('answers bad JSON with a 400 in Anthropic shape', async () => {
    const res = await fetch(`${url}/v1/messages`, {
      method: 'POST',
      headers: {
        'x-api-key': 'k',
        'anthropic-version': '2023-06-01',
        'content-type': 'application/json',
      },
      body: '{not json',
    });
    expect(res.status).toBe(400);
    expect(await res.json()).toMatchObject({
      type: 'error',
      error: { type: 'invalid_request_error' },
    });
    expect(mock.received[0]?.body).toBe('{not json');
  });
});
