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

describe('POST /v1/responses', () => {
  it('answers a string input with a completed response', async () => {
    const response = await client.responses.create({
      model: 'gpt-4o-mini',
      input: 'Tell me a joke',
    });
    const reply = 'Mock reply from gpt-4o-mini: Tell me a joke';
    expect(response.object).toBe('response');
    expect(response.status).toBe('completed');
    expect(response.output_text).toBe(reply);
    expect(response.output[0]).toMatchObject({
      type: 'message',
      role: 'assistant',
      content: [{ type: 'output_text', text: reply, annotations: [] }],
    });
    const input = estimatePromptTokens(['Tell me a joke'], 1);
    const output = estimateCompletionTokens(reply);
    expect(response.usage).toMatchObject({
      input_tokens: input,
      output_tokens: output,
      total_tokens: input + output,
    });
  });

  it('answers an array of messages with instructions', async () => {
    const response = await client.responses.create({
      model: 'gpt-4o',
      instructions: 'Be terse.',
      input: [
        { role: 'user', content: 'first' },
        { role: 'assistant', content: 'ok' },
        { role: 'user', content: [{ type: 'input_text', text: 'second' }] },
      ],
    });
    expect(response.output_text).toBe('Mock reply from gpt-4o: second');
    expect(response.instructions).toBe('Be terse.');
    expect(response.usage?.input_tokens).toBe(
      estimatePromptTokens(['Be terse.', 'first', 'ok', 'second'], 4),
    );
  });

  it('streams the documented event sequence', async () => {
    const stream = await client.responses.create({
      model: 'gpt-4o-mini',
      input: 'Hi',
      stream: true,
    });
    const types: string[] = [];
    let text = '';
    let completed: OpenAI.Responses.Response | undefined;
    for await (const event of stream) {
      types.push(event.type);
      if (event.type === 'response.output_text.delta') text += event.delta;
      if (event.type === 'response.completed') completed = event.response;
    }
    expect(text).toBe('Mock reply from gpt-4o-mini: Hi');
    expect(types.slice(0, 4)).toEqual([
      'response.created',
      'response.in_progress',
      'response.output_item.added',
      'response.content_part.added',
    ]);
    expect(types.slice(-4)).toEqual([
      'response.output_text.done',
      'response.content_part.done',
      'response.output_item.done',
      'response.completed',
    ]);
    expect(completed?.usage?.output_tokens).toBe(estimateCompletionTokens(text));
  });

  it('works with the SDK stream helper', async () => {
    const stream = client.responses.stream({ model: 'gpt-4o-mini', input: 'Hi' });
    const final = await stream.finalResponse();
    expect(final.output_text).toBe('Mock reply from gpt-4o-mini: Hi');
    expect(final.usage?.input_tokens).toBe(estimatePromptTokens(['Hi'], 1));
  });

  it('refuses a request without input', async () => {
    const err = await client.responses
      .create({ model: 'gpt-4o-mini' } as OpenAI.Responses.ResponseCreateParamsNonStreaming)
      .catch((e: unknown) => e);
    expect((err as OpenAIApiError).status).toBe(400);
    expect((err as OpenAIApiError).error).toMatchObject({ param: 'input' });
  });
});
