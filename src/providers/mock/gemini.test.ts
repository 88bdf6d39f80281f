import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createMockProvider, estimatePromptTokens, type MockProvider } from './server.js';

const KEY = 'AIzaSyTestKeyForTheMockProvider0123456'; // bastion:allow test canary

let mock: MockProvider;
let url: string;

beforeEach(async () => {
  mock = createMockProvider({ apiKeys: [KEY] });
  url = await mock.listen();
});
afterEach(() => mock.close());

interface GeminiChunk {
  candidates: {
    content: { parts: { text?: string; functionCall?: { name: string; args: unknown } }[] };
    finishReason?: string;
  }[];
  usageMetadata: { candidatesTokenCount?: number };
}

const textOf = (c: GeminiChunk | undefined): string =>
  c?.candidates[0]?.content.parts[0]?.text ?? '';

const request = {
  systemInstruction: { parts: [{ text: 'Be brief.' }] },
  contents: [{ role: 'user', parts: [{ text: 'Hello there' }] }],
};

function post(
  path: string,
  body: unknown,
  headers: Record<string, string> = { 'x-goog-api-key': KEY },
) {
  return fetch(`${url}${path}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...headers },
    body: JSON.stringify(body),
  });
}

describe('Gemini generateContent', () => {
  it('answers with candidates and usageMetadata', async () => {
    const res = await post('/v1beta/models/gemini-2.5-flash:generateContent', request);
    expect(res.status).toBe(200);
    const body = (await res.json()) as Record<string, unknown>;
    const prompt = estimatePromptTokens(['Be brief.', 'Hello there'], 2);
    expect(body).toMatchObject({
      candidates: [
        {
          content: {
            role: 'model',
            parts: [{ text: 'Mock reply from gemini-2.5-flash: Hello there' }],
          },
          finishReason: 'STOP',
        },
      ],
      usageMetadata: { promptTokenCount: prompt },
      modelVersion: 'gemini-2.5-flash',
    });
  });

  it('takes the key as ?key= too', async () => {
    const res = await post(`/v1beta/models/g:generateContent?key=${KEY}`, request, {});
    expect(res.status).toBe(200);
  });

  it('streams SSE with CRLF framing under ?alt=sse, usage on the last chunk', async () => {
    const res = await post('/v1beta/models/g:streamGenerateContent?alt=sse', request);
    expect(res.headers.get('content-type')).toMatch(/^text\/event-stream/);
    const text = await res.text();
    const events = text.split('\r\n\r\n').filter((e) => e !== '');
    const chunks = events.map((e) => JSON.parse(e.replace(/^data: /, '')) as GeminiChunk);
    expect(chunks.map((c) => textOf(c)).join('')).toBe('Mock reply from g: Hello there');
    expect(chunks.at(-1)?.candidates[0]?.finishReason).toBe('STOP');
    expect(chunks.at(-1)?.usageMetadata.candidatesTokenCount).toBeGreaterThan(0);
    expect(chunks[0]?.candidates[0]?.finishReason).toBeUndefined();
  });

  it('streams one JSON array without ?alt=sse', async () => {
    const res = await post('/v1beta/models/g:streamGenerateContent', request);
    expect(res.headers.get('content-type')).toMatch(/^application\/json/);
    const array = JSON.parse(await res.text()) as GeminiChunk[];
    expect(array.length).toBeGreaterThan(1);
    expect(array.map((c) => textOf(c)).join('')).toBe('Mock reply from g: Hello there');
  });

  it('calls the first declared tool, then answers from its result', async () => {
    const tools = [
      {
        functionDeclarations: [
          {
            name: 'get_weather',
            parameters: {
              type: 'object',
              properties: { city: { type: 'string' } },
              required: ['city'],
            },
          },
        ],
      },
    ];
    const first = (await (
      await post('/v1beta/models/g:generateContent', { ...request, tools })
    ).json()) as GeminiChunk;
    const call = first.candidates[0]?.content.parts[0]?.functionCall;
    expect(call).toEqual({ name: 'get_weather', args: { input: 'Hello there' } });
    const second = (await (
      await post('/v1beta/models/g:generateContent', {
        tools,
        contents: [
          ...request.contents,
          { role: 'model', parts: [{ functionCall: call }] },
          {
            role: 'user',
            parts: [{ functionResponse: { name: 'get_weather', response: { temp: 21 } } }],
          },
        ],
      })
    ).json()) as GeminiChunk;
    expect(textOf(second)).toBe('Mock reply from g: {"temp":21}');
  });

  it('refuses a missing key (403) and a wrong one (400 API_KEY_INVALID) in Google error shape', async () => {
    const missing = await post('/v1beta/models/g:generateContent', request, {});
    expect(missing.status).toBe(403);
    expect(await missing.json()).toMatchObject({
      error: { code: 403, status: 'PERMISSION_DENIED' },
    });
    const wrong = await post('/v1beta/models/g:generateContent', request, {
      'x-goog-api-key': 'nope',
    });
    expect(wrong.status).toBe(400);
    expect(await wrong.json()).toMatchObject({
      error: { code: 400, status: 'INVALID_ARGUMENT', details: [{ reason: 'API_KEY_INVALID' }] },
    });
  });

  it('refuses a request without contents, and sends faults in Google shape', async () => {
    const empty = await post('/v1beta/models/g:generateContent', { contents: [] });
    expect(empty.status).toBe(400);
    mock.enqueueFault({ status: 503 });
    const busy = await post('/v1beta/models/g:generateContent', request);
    expect(busy.status).toBe(503);
    expect(await busy.json()).toMatchObject({ error: { code: 503, status: 'UNAVAILABLE' } });
  });
});
