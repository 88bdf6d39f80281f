import Anthropic from '@anthropic-ai/sdk';
import OpenAI from 'openai';
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

/** Reads a chat stream until it ends or fails; returns the text and how it finished. */
async function drainChat(stream: AsyncIterable<OpenAI.ChatCompletionChunk>) {
  let text = '';
  let finishReason: string | undefined;
  let error: unknown;
  try {
    for await (const chunk of stream) {
      text += chunk.choices[0]?.delta.content ?? '';
      finishReason = chunk.choices[0]?.finish_reason ?? finishReason;
    }
  } catch (err) {
    error = err;
  }
  return { text, finishReason, error };
}

describe('connection faults', () => {
  it('reset gives the SDK a connection error', async () => {
    mock.enqueueFault({ reset: true });
    expect(await failure(openai.chat.completions.create(chat))).toBeInstanceOf(
      OpenAI.APIConnectionError,
    );
    expect((await openai.chat.completions.create(chat)).choices[0]?.message.content).toBe(reply);
  });

  it('delayMs holds the headers back long enough for a client timeout', async () => {
    mock.enqueueFault({ delayMs: 10_000 });
    const client = new OpenAI({ apiKey: 'k', baseURL: `${url}/v1`, maxRetries: 0, timeout: 100 });
    expect(await failure(client.chat.completions.create(chat))).toBeInstanceOf(
      OpenAI.APIConnectionTimeoutError,
    );
  });

  it('delayMs then answers normally', async () => {
    mock.enqueueFault({ delayMs: 60 });
    const started = performance.now();
    const completion = await openai.chat.completions.create(chat);
    expect(performance.now() - started).toBeGreaterThanOrEqual(55);
    expect(completion.choices[0]?.message.content).toBe(reply);
  });

  it('malformedJson sends a 200 JSON body that does not parse', async () => {
    mock.enqueueFault({ malformedJson: true });
    const res = await fetch(`${url}/v1/chat/completions`, {
      method: 'POST',
      headers: { authorization: 'Bearer k', 'content-type': 'application/json' },
      body: JSON.stringify(chat),
    });
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe('application/json');
    const text = await res.text();
    expect(() => JSON.parse(text) as unknown).toThrow(SyntaxError);
    mock.enqueueFault({ malformedJson: true });
    await expect(openai.chat.completions.create(chat)).rejects.toThrow();
  });

  it('malformedJson in a stream makes the SDK throw', async () => {
    mock.enqueueFault({ malformedJson: true });
    const result = await drainChat(await openai.chat.completions.create({ ...chat, stream: true }));
    expect(result.error).toBeDefined();
    mock.enqueueFault({ malformedJson: true });
    await expect(anthropic.messages.stream(message).finalMessage()).rejects.toThrow();
  });

  it('truncateAfterChunks cuts the stream before any final event', async () => {
    mock.enqueueFault({ truncateAfterChunks: 2 });
    const stream = await openai.chat.completions.create({
      ...chat,
      stream: true,
      stream_options: { include_usage: true },
    });
    const result = await drainChat(stream);
    expect(result.text).toBe(reply.slice(0, 16));
    expect(result.finishReason).toBeUndefined();
    expect(result.error).toBeDefined();
  });

  it('truncateAfterChunks on an Anthropic stream never sends message_stop', async () => {
    mock.enqueueFault({ truncateAfterChunks: 1 });
    const stream = anthropic.messages.stream(message);
    const types: string[] = [];
    stream.on('streamEvent', (event) => types.push(event.type));
    await expect(stream.finalMessage()).rejects.toThrow();
    expect(types).toEqual(['message_start', 'content_block_start', 'content_block_delta']);
  });

  it('close() resolves while a stalled stream is open', async () => {
    mock.enqueueFault({ stallAfterChunks: 1 });
    const stream = await openai.chat.completions.create({ ...chat, stream: true });
    const iterator = stream[Symbol.asyncIterator]();
    let text = '';
    while (text === '') {
      const next = await iterator.next();
      if (next.done === true) throw new Error('stream ended early');
      text += next.value.choices[0]?.delta.content ?? '';
    }
    expect(text).toBe(reply.slice(0, 8));
    await mock.close();
    await expect(iterator.next()).rejects.toThrow();
  });

  it('streams a long reply completely', async () => {
    const long = 'x'.repeat(1_000_000);
    mock.enqueueFault({ reply: long, chunkSize: 4096 });
    const result = await drainChat(await openai.chat.completions.create({ ...chat, stream: true }));
    expect(result.error).toBeUndefined();
    expect(result.text).toBe(long);
    expect(result.finishReason).toBe('stop');
  });
});
