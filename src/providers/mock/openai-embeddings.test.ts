import OpenAI, { type APIError as OpenAIApiError } from 'openai';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { encodeFloat32Base64, mockEmbedding } from './openai-embeddings.js';
import { createMockProvider, DEFAULT_EMBEDDING_DIMENSIONS, type MockProvider } from './server.js';

let mock: MockProvider;
let client: OpenAI;

beforeEach(async () => {
  mock = createMockProvider();
  const url = await mock.listen();
  client = new OpenAI({ apiKey: 'sk-test-123', baseURL: `${url}/v1`, maxRetries: 0 });
});
afterEach(() => mock.close());

describe('mockEmbedding', () => {
  it('is deterministic, unit length and float32-exact', () => {
    const a = mockEmbedding('hello', 16);
    expect(mockEmbedding('hello', 16)).toEqual(a);
    expect(mockEmbedding('hellp', 16)).not.toEqual(a);
    expect(Math.hypot(...a)).toBeCloseTo(1, 5);
    expect(a.every((v) => Math.fround(v) === v)).toBe(true);
  });

  it('encodes little-endian float32 as base64', () => {
    const buf = Buffer.from(encodeFloat32Base64([1, -2.5]), 'base64');
    expect(buf.readFloatLE(0)).toBe(1);
    expect(buf.readFloatLE(4)).toBe(-2.5);
  });
});

describe('POST /v1/embeddings', () => {
  it('serves the SDK default (base64) path with vectors the SDK decodes', async () => {
    const res = await client.embeddings.create({
      model: 'text-embedding-3-small',
      input: ['a', 'bcdef'],
    });
    expect(mock.received[0]?.body).toMatchObject({ encoding_format: 'base64' });
    expect(res.object).toBe('list');
    expect(res.model).toBe('text-embedding-3-small');
    expect(res.data.map((d) => d.index)).toEqual([0, 1]);
    expect(res.data[0]?.embedding).toEqual(mockEmbedding('a', DEFAULT_EMBEDDING_DIMENSIONS));
    expect(res.data[1]?.embedding).toEqual(mockEmbedding('bcdef', DEFAULT_EMBEDDING_DIMENSIONS));
    expect(res.usage).toEqual({ prompt_tokens: 1 + 2, total_tokens: 3 });
  });

  it('returns float arrays when asked, honouring dimensions', async () => {
    const res = await client.embeddings.create({
      model: 'text-embedding-3-small',
      input: 'hello world',
      encoding_format: 'float',
      dimensions: 32,
    });
    expect(res.data).toHaveLength(1);
    expect(res.data[0]?.object).toBe('embedding');
    expect(res.data[0]?.embedding).toEqual(mockEmbedding('hello world', 32));
  });

  it('refuses a bad input', async () => {
    const err = await client.embeddings
      .create({ model: 'text-embedding-3-small', input: [] })
      .catch((e: unknown) => e);
    expect((err as OpenAIApiError).status).toBe(400);
    expect((err as OpenAIApiError).error).toMatchObject({ param: 'input' });
  });
});
