import Anthropic from '@anthropic-ai/sdk';
import OpenAI, { type APIError as OpenAIApiError } from 'openai';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createMockProvider, MOCK_MODELS, type MockProvider } from './server.js';

let mock: MockProvider;
let url: string;

beforeEach(async () => {
  mock = createMockProvider();
  url = await mock.listen();
});
afterEach(() => mock.close());

const ids = MOCK_MODELS.map((m) => m.id);

describe('GET /v1/models', () => {
  it('lists the mock models in OpenAI shape', async () => {
    const client = new OpenAI({ apiKey: 'sk-test', baseURL: `${url}/v1`, maxRetries: 0 });
    const listed: OpenAI.Model[] = [];
    for await (const model of client.models.list()) listed.push(model);
    expect(listed.map((m) => m.id)).toEqual(ids);
    expect(ids).toEqual([
      'gpt-4o-mini',
      'gpt-4o',
      'text-embedding-3-small',
      'claude-haiku-4-5',
      'claude-sonnet-4-5',
    ]);
    expect(listed[0]).toEqual({
      id: 'gpt-4o-mini',
      object: 'model',
      created: expect.any(Number) as number,
      owned_by: 'openai',
    });
  });

  it('retrieves one model, and 404s an unknown one', async () => {
    const client = new OpenAI({ apiKey: 'sk-test', baseURL: `${url}/v1`, maxRetries: 0 });
    expect((await client.models.retrieve('gpt-4o')).id).toBe('gpt-4o');
    const err = await client.models.retrieve('nope').catch((e: unknown) => e);
    expect(err).toBeInstanceOf(OpenAI.NotFoundError);
    expect((err as OpenAIApiError).code).toBe('model_not_found');
  });

  it('answers the Anthropic SDK in Anthropic shape', async () => {
    const client = new Anthropic({ apiKey: 'sk-ant-test', baseURL: url, maxRetries: 0 });
    const listed: Anthropic.ModelInfo[] = [];
    for await (const model of client.models.list()) listed.push(model);
    expect(listed.map((m) => m.id)).toEqual(ids);
    expect(listed[3]).toMatchObject({
      type: 'model',
      id: 'claude-haiku-4-5',
      display_name: 'Claude Haiku 4.5',
    });
  });
});
