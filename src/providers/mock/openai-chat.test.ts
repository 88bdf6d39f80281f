import OpenAI, { type APIError as OpenAIApiError } from 'openai';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import {
  createMockProvider,
  estimateCompletionTokens,
  estimatePromptTokens,
  type MockProvider,
} from './server.js';

let mock: MockProvider;
let client: OpenAI;

beforeEach(async () => {
  mock = createMockProvider();
  const url = await mock.listen();
  client = new OpenAI({ apiKey: 'sk-test-123', baseURL: `${url}/v1`, maxRetries: 0 });
});
afterEach(() => mock.close());

const messages: OpenAI.ChatCompletionMessageParam[] = [
  { role: 'system', content: 'Be brief.' },
  { role: 'user', content: 'Hello there' },
];
const expectedReply = 'Mock reply from gpt-4o-mini: Hello there';
const promptTokens = estimatePromptTokens(['Be brief.', 'Hello there'], 2);
const completionTokens = estimateCompletionTokens(expectedReply);

describe('POST /v1/chat/completions', () => {
  it('answers with a chat.completion that echoes the last user message', async () => {
    const completion = await client.chat.completions.create({ model: 'gpt-4o-mini', messages });
    expect(completion.object).toBe('chat.completion');
    expect(completion.id).toMatch(/^chatcmpl-/);
    expect(completion.model).toBe('gpt-4o-mini');
    expect(completion.choices[0]?.message).toMatchObject({
      role: 'assistant',
      content: expectedReply,
      refusal: null,
    });
    expect(completion.choices[0]?.finish_reason).toBe('stop');
    expect(completion.usage).toMatchObject({
      prompt_tokens: promptTokens,
      completion_tokens: completionTokens,
      total_tokens: promptTokens + completionTokens,
    });
    expect(mock.received).toHaveLength(1);
    expect(mock.received[0]).toMatchObject({
      method: 'POST',
      path: '/v1/chat/completions',
      body: { model: 'gpt-4o-mini', messages },
    });
    expect(mock.received[0]?.headers['authorization']).toBe('Bearer sk-test-123');
  });

  it('counts text blocks of array content', async () => {
    const completion = await client.chat.completions.create({
      model: 'gpt-4o',
      messages: [
        {
          role: 'user',
          content: [
            { type: 'text', text: 'abcde' },
            { type: 'text', text: 'fg' },
          ],
        },
      ],
    });
    expect(completion.choices[0]?.message.content).toBe('Mock reply from gpt-4o: abcde\nfg');
    expect(completion.usage?.prompt_tokens).toBe(estimatePromptTokens(['abcde', 'fg'], 1));
  });

  it('streams chunks with usage last when include_usage is set', async () => {
    const stream = await client.chat.completions.create({
      model: 'gpt-4o-mini',
      messages,
      stream: true,
      stream_options: { include_usage: true },
    });
    const chunks: OpenAI.ChatCompletionChunk[] = [];
    for await (const chunk of stream) chunks.push(chunk);
    const text = chunks.map((c) => c.choices[0]?.delta.content ?? '').join('');
    expect(text).toBe(expectedReply);
    expect(chunks[0]?.choices[0]?.delta).toMatchObject({ role: 'assistant', content: '' });
    const contentChunks = chunks.filter((c) => (c.choices[0]?.delta.content ?? '') !== '');
    expect(contentChunks).toHaveLength(Math.ceil(expectedReply.length / 8));
    const last = chunks.at(-1);
    expect(last?.choices).toEqual([]);
    expect(last?.usage).toMatchObject({
      prompt_tokens: promptTokens,
      completion_tokens: completionTokens,
    });
    expect(chunks.at(-2)?.choices[0]?.finish_reason).toBe('stop');
    expect(chunks.slice(0, -1).every((c) => c.usage === null)).toBe(true);
  });

  it('streams without usage fields unless asked', async () => {
    const stream = await client.chat.completions.create({
      model: 'gpt-4o-mini',
      messages,
      stream: true,
    });
    const chunks: OpenAI.ChatCompletionChunk[] = [];
    for await (const chunk of stream) chunks.push(chunk);
    expect(chunks.every((c) => !('usage' in c))).toBe(true);
    expect(chunks.at(-1)?.choices[0]?.finish_reason).toBe('stop');
  });

  it('honours reply and chunkSize from a fault', async () => {
    mock.enqueueFault({ reply: 'abcdefg', chunkSize: 3 });
    const stream = await client.chat.completions.create({
      model: 'gpt-4o-mini',
      messages,
      stream: true,
    });
    const pieces: string[] = [];
    for await (const chunk of stream) {
      const content = chunk.choices[0]?.delta.content;
      if (content) pieces.push(content);
    }
    expect(pieces).toEqual(['abc', 'def', 'g']);
  });

  it('carries the reply as a legacy function_call when a fault asks, streamed and whole', async () => {
    mock.enqueueFault({ replyAs: 'function_call', reply: 'abcdefg', chunkSize: 5 });
    const stream = await client.chat.completions.create({
      model: 'gpt-4o-mini',
      messages,
      stream: true,
    });
    const pieces: string[] = [];
    let finish: string | null | undefined;
    for await (const chunk of stream) {
      expect(chunk.choices[0]?.delta.content ?? '').toBe('');
      const args = chunk.choices[0]?.delta.function_call?.arguments;
      if (args) pieces.push(args);
      finish = chunk.choices[0]?.finish_reason ?? finish;
    }
    expect(pieces).toEqual(['{"tex', 't":"a', 'bcdef', 'g"}']);
    expect(finish).toBe('function_call');
    mock.enqueueFault({ replyAs: 'function_call', reply: 'abcdefg' });
    const whole = await client.chat.completions.create({ model: 'gpt-4o-mini', messages });
    expect(whole.choices[0]?.message).toMatchObject({
      content: null,
      function_call: { name: 'reply', arguments: '{"text":"abcdefg"}' },
    });
    expect(whole.choices[0]?.finish_reason).toBe('function_call');
  });

  it('carries the reply as an audio transcript when a fault asks, streamed and whole', async () => {
    mock.enqueueFault({ replyAs: 'audio', reply: 'abcdefg', chunkSize: 3 });
    const stream = await client.chat.completions.create({
      model: 'gpt-4o-mini',
      messages,
      stream: true,
    });
    const pieces: string[] = [];
    let data = '';
    for await (const chunk of stream) {
      const audio = (chunk.choices[0]?.delta as { audio?: { transcript?: string; data?: string } })
        ?.audio;
      if (audio?.transcript) pieces.push(audio.transcript);
      data += audio?.data ?? '';
    }
    expect(pieces).toEqual(['abc', 'def', 'g']);
    expect(Buffer.from(data, 'base64').subarray(0, 4).toString()).toBe('RIFF');
    mock.enqueueFault({ replyAs: 'audio', reply: 'abcdefg' });
    const whole = await client.chat.completions.create({ model: 'gpt-4o-mini', messages });
    expect(whole.choices[0]?.message).toMatchObject({
      content: null,
      audio: { transcript: 'abcdefg' },
    });
  });

  it('refuses a request without messages with a 400 in OpenAI shape', async () => {
    const err = await client.chat.completions
      .create({ model: 'gpt-4o-mini', messages: [] })
      .catch((e: unknown) => e);
    expect(err).toBeInstanceOf(OpenAI.BadRequestError);
    expect((err as OpenAIApiError).error).toMatchObject({
      type: 'invalid_request_error',
      param: 'messages',
    });
  });

  it('refuses a request without a model', async () => {
    const err = await client.chat.completions
      .create({ messages } as unknown as OpenAI.ChatCompletionCreateParamsNonStreaming)
      .catch((e: unknown) => e);
    expect((err as OpenAIApiError).status).toBe(400);
    expect((err as OpenAIApiError).error).toMatchObject({ param: 'model' });
  });
});
