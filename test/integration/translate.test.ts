import Anthropic from '@anthropic-ai/sdk';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { costMicroUsd, DEFAULT_PRICES, type ModelPrice } from '../../src/pricing/prices.js';
import type { AuditRecord } from '../../src/store/types.js';
import {
  CANARY_ANTHROPIC_KEY,
  CANARY_OPENAI_KEY,
  post,
  startTestGateway,
  type TestGateway,
} from '../helpers/gateway.js';

type Json = Record<string, unknown>;

/** Data payloads of an SSE body, parsed (`[DONE]` skipped). */
function events(sse: string): Json[] {
  return sse
    .split('\n')
    .filter((l) => l.startsWith('data: ') && l !== 'data: [DONE]')
    .map((l) => JSON.parse(l.slice(6)) as Json);
}

const tools = [
  {
    type: 'function',
    function: {
      name: 'lookup',
      description: 'Look a word up',
      parameters: { type: 'object', properties: { input: { type: 'string' } } },
    },
  },
];

describe('one API across providers: translation', () => {
  let gw: TestGateway;
  let auth: Record<string, string>;
  let mockUrl = '';

  beforeAll(async () => {
    gw = await startTestGateway({
      configure: (url) => {
        mockUrl = url;
        return {};
      },
      config: {
        guard: { output: { holdBackChars: 128 } },
        models: {
          'gpt-4o-mini': { provider: 'openai' },
          'gpt-4o': { provider: 'openai', fallbacks: ['claude-haiku-4-5'] },
          'text-embedding-3-small': { provider: 'openai' },
          'claude-haiku-4-5': { provider: 'anthropic' },
        },
      },
    });
    auth = { authorization: `Bearer ${(await gw.createKey()).secret}` };
  });
  beforeEach(() => gw.mock.reset());
  afterAll(() => gw.close());

  async function lastRow(): Promise<AuditRecord> {
    await gw.flushAudit();
    return (await gw.app.store.queryAudit({ limit: 1 }))[0] as AuditRecord;
  }

  /** What the mock reports for the body it last received, asked again directly. */
  async function mockUsage(): Promise<Json> {
    const last = gw.mock.received.at(-1);
    const isAnthropic = last?.path === '/v1/messages';
    const res = await post(
      `${mockUrl}${last?.path ?? ''}`,
      { ...(last?.body as Json), stream: false },
      isAnthropic
        ? { 'x-api-key': CANARY_ANTHROPIC_KEY, 'anthropic-version': '2023-06-01' }
        : { authorization: `Bearer ${CANARY_OPENAI_KEY}` },
    );
    return (await res.json()) as Json;
  }

  it('Chat Completions reaches a Claude model: Anthropic on the wire, OpenAI to the caller, usage as the mock reported', async () => {
    const res = await post(
      `${gw.url}/v1/chat/completions`,
      {
        model: 'claude-haiku-4-5',
        messages: [
          { role: 'system', content: 'Be brief.' },
          { role: 'user', content: 'hello there' },
        ],
        max_tokens: 50,
        temperature: 0.2,
        stop: ['END'],
      },
      auth,
    );
    expect(res.status).toBe(200);
    const json = (await res.json()) as Json;
    expect(json.object).toBe('chat.completion');
    const choice = (json.choices as Json[])[0] as Json;
    expect(choice.message).toMatchObject({
      role: 'assistant',
      content: 'Mock reply from claude-haiku-4-5: hello there',
    });
    expect(choice.finish_reason).toBe('stop');
    const sent = gw.mock.received.at(-1);
    expect(sent?.path).toBe('/v1/messages');
    expect(sent?.body).toEqual({
      model: 'claude-haiku-4-5',
      max_tokens: 50,
      system: 'Be brief.',
      messages: [{ role: 'user', content: 'hello there' }],
      temperature: 0.2,
      stop_sequences: ['END'],
    });
    const reported = (await mockUsage()).usage as Json;
    expect(json.usage).toMatchObject({
      prompt_tokens: reported.input_tokens,
      completion_tokens: reported.output_tokens,
    });
    const row = await lastRow();
    expect([row.provider, row.promptTokens, row.completionTokens]).toEqual([
      'anthropic',
      reported.input_tokens,
      reported.output_tokens,
    ]);
    expect(row.decisions).toContainEqual({
      stage: 'upstream',
      action: 'served',
      type: 'openai_chat>anthropic_messages',
      detail: 'anthropic/claude-haiku-4-5',
    });
  });

  it('streams a Claude model as Chat Completions chunks, with usage when asked', async () => {
    gw.mock.enqueueFault({ chunkSize: 3 });
    const res = await post(
      `${gw.url}/v1/chat/completions`,
      {
        model: 'claude-haiku-4-5',
        stream: true,
        stream_options: { include_usage: true },
        messages: [{ role: 'user', content: 'stream me' }],
      },
      auth,
    );
    expect(res.status).toBe(200);
    const raw = await res.text();
    expect(raw.trimEnd().endsWith('data: [DONE]')).toBe(true);
    const chunks = events(raw);
    const text = chunks
      .map(
        (c) => ((c.choices as Json[])[0]?.delta as { content?: string } | undefined)?.content ?? '',
      )
      .join('');
    expect(text).toBe('Mock reply from claude-haiku-4-5: stream me');
    const finish = chunks.map((c) => (c.choices as Json[])[0]?.finish_reason).filter(Boolean);
    expect(finish).toEqual(['stop']);
    const usage = chunks.at(-1)?.usage as Json;
    const reported = (await mockUsage()).usage as Json;
    expect(usage).toMatchObject({
      prompt_tokens: reported.input_tokens,
      completion_tokens: reported.output_tokens,
    });
    const row = await lastRow();
    expect([row.promptTokens, row.completionTokens]).toEqual([
      reported.input_tokens,
      reported.output_tokens,
    ]);
  });

  it('runs a tool round trip from Chat Completions through a Claude model', async () => {
    const first = await post(
      `${gw.url}/v1/chat/completions`,
      { model: 'claude-haiku-4-5', messages: [{ role: 'user', content: 'ostrich' }], tools },
      auth,
    );
    const firstJson = (await first.json()) as Json;
    const choice = (firstJson.choices as Json[])[0] as Json;
    expect(choice.finish_reason).toBe('tool_calls');
    const calls = (choice.message as Json).tool_calls as Json[];
    expect(calls).toHaveLength(1);
    expect(calls[0]).toMatchObject({
      type: 'function',
      function: { name: 'lookup', arguments: '{"input":"ostrich"}' },
    });
    expect((gw.mock.received.at(-1)?.body as Json).tools).toEqual([
      {
        name: 'lookup',
        description: 'Look a word up',
        input_schema: { type: 'object', properties: { input: { type: 'string' } } },
      },
    ]);
    const second = await post(
      `${gw.url}/v1/chat/completions`,
      {
        model: 'claude-haiku-4-5',
        tools,
        messages: [
          { role: 'user', content: 'ostrich' },
          choice.message,
          { role: 'tool', tool_call_id: (calls[0] as Json).id, content: 'a large bird' },
        ],
      },
      auth,
    );
    const secondJson = (await second.json()) as Json;
    expect(((secondJson.choices as Json[])[0]?.message as Json).content).toBe(
      'Mock reply from claude-haiku-4-5: a large bird',
    );
    const sentMessages = (gw.mock.received.at(-1)?.body as Json).messages as Json[];
    expect(sentMessages[2]).toEqual({
      role: 'user',
      content: [
        { type: 'tool_result', tool_use_id: (calls[0] as Json).id, content: 'a large bird' },
      ],
    });
  });

  it('Anthropic Messages reaches an OpenAI model, streamed, with tool use', async () => {
    gw.mock.enqueueFault({ chunkSize: 4 });
    const res = await post(
      `${gw.url}/v1/messages`,
      {
        model: 'gpt-4o-mini',
        max_tokens: 64,
        stream: true,
        system: 'You look things up.',
        tools: [{ name: 'lookup', input_schema: { type: 'object' } }],
        messages: [{ role: 'user', content: 'emu' }],
      },
      { 'x-api-key': auth.authorization?.slice(7) ?? '', 'anthropic-version': '2023-06-01' },
    );
    expect(res.status).toBe(200);
    const all = events(await res.text());
    expect(all.map((e) => e.type)).toEqual([
      'message_start',
      'content_block_start',
      ...all.filter((e) => e.type === 'content_block_delta').map(() => 'content_block_delta'),
      'content_block_stop',
      'message_delta',
      'message_stop',
    ]);
    expect(all[1]).toMatchObject({ content_block: { type: 'tool_use', name: 'lookup' } });
    const json = all
      .filter((e) => e.type === 'content_block_delta')
      .map((e) => (e.delta as Json).partial_json)
      .join('');
    expect(JSON.parse(json)).toEqual({ input: 'emu' });
    const delta = all.find((e) => e.type === 'message_delta') as Json;
    expect((delta.delta as Json).stop_reason).toBe('tool_use');
    const sent = gw.mock.received.at(-1);
    expect(sent?.path).toBe('/v1/chat/completions');
    expect((sent?.body as Json).messages).toEqual([
      { role: 'system', content: 'You look things up.' },
      { role: 'user', content: 'emu' },
    ]);
    const reported = (await mockUsage()).usage as Json;
    expect(delta.usage).toMatchObject({
      input_tokens: reported.prompt_tokens,
      output_tokens: reported.completion_tokens,
    });
    const row = await lastRow();
    expect([row.provider, row.promptTokens, row.completionTokens]).toEqual([
      'openai',
      reported.prompt_tokens,
      reported.completion_tokens,
    ]);
  });

  it('Anthropic SDK prompt caching and extended thinking reach an OpenAI model: cache hints dropped, thinking as reasoning_effort', async () => {
    const client = new Anthropic({
      baseURL: gw.url,
      apiKey: auth.authorization?.slice(7) ?? '',
      maxRetries: 0,
    });
    const cache = { type: 'ephemeral' as const };
    const message = await client.messages.create({
      model: 'gpt-4o-mini',
      max_tokens: 20_000,
      thinking: { type: 'enabled', budget_tokens: 8_000 },
      system: [{ type: 'text', text: 'A long, cached preamble.', cache_control: cache }],
      tools: [{ name: 'lookup', input_schema: { type: 'object' }, cache_control: cache }],
      tool_choice: { type: 'none' },
      messages: [{ role: 'user', content: [{ type: 'text', text: 'kiwi', cache_control: cache }] }],
    });
    expect(message.content[0]).toMatchObject({
      type: 'text',
      text: 'Mock reply from gpt-4o-mini: kiwi',
    });
    const sent = gw.mock.received.at(-1)?.body as Json;
    expect(JSON.stringify(sent)).not.toContain('cache_control');
    expect(sent).toMatchObject({ reasoning_effort: 'medium', max_completion_tokens: 20_000 });
    expect(sent.max_tokens).toBeUndefined();
    // A thinking type with no OpenAI counterpart is refused by name; nothing is sent.
    gw.mock.reset();
    const refused = await client.messages
      .create({
        model: 'gpt-4o-mini',
        max_tokens: 2_000,
        thinking: { type: 'enabled', budget_tokens: 100 },
        messages: [{ role: 'user', content: 'kiwi' }],
      })
      .catch((e: unknown) => e);
    expect(refused).toBeInstanceOf(Anthropic.BadRequestError);
    expect(String((refused as Error).message)).toContain('thinking.budget_tokens');
    expect(gw.mock.received).toHaveLength(0);
  });

  it('the Responses API reaches a Claude model, plain and streamed', async () => {
    const plain = await post(
      `${gw.url}/v1/responses`,
      { model: 'claude-haiku-4-5', instructions: 'Be brief.', input: 'kiwi' },
      auth,
    );
    const json = (await plain.json()) as Json;
    expect(json).toMatchObject({ object: 'response', status: 'completed' });
    const output = (json.output as Json[])[0] as Json;
    expect((output.content as Json[])[0]).toMatchObject({
      type: 'output_text',
      text: 'Mock reply from claude-haiku-4-5: kiwi',
    });
    expect((gw.mock.received.at(-1)?.body as Json).system).toBe('Be brief.');
    const streamed = await post(
      `${gw.url}/v1/responses`,
      { model: 'claude-haiku-4-5', input: 'kiwi', stream: true },
      auth,
    );
    const all = events(await streamed.text());
    const text = all
      .filter((e) => e.type === 'response.output_text.delta')
      .map((e) => e.delta)
      .join('');
    expect(text).toBe('Mock reply from claude-haiku-4-5: kiwi');
    expect(all.at(-1)?.type).toBe('response.completed');
  });

  it('refuses a field the provider cannot express, naming it, and sends nothing upstream', async () => {
    const res = await post(
      `${gw.url}/v1/chat/completions`,
      {
        model: 'claude-haiku-4-5',
        messages: [{ role: 'user', content: 'hi' }],
        logprobs: true,
      },
      auth,
    );
    expect(res.status).toBe(400);
    const body = (await res.json()) as { error: Json };
    expect(body.error).toMatchObject({ code: 'field_not_translatable', param: 'logprobs' });
    expect(body.error.message).toContain('OpenAI Chat Completions');
    expect(body.error.message).toContain('Anthropic Messages');
    expect(gw.mock.received).toHaveLength(0);
    const multi = await post(
      `${gw.url}/v1/chat/completions`,
      { model: 'claude-haiku-4-5', messages: [{ role: 'user', content: 'hi' }], n: 2 },
      auth,
    );
    expect(((await multi.json()) as { error: Json }).error.param).toBe('n');
  });

  it('embeddings are never translated', async () => {
    const res = await post(
      `${gw.url}/v1/embeddings`,
      { model: 'claude-haiku-4-5', input: 'x' },
      auth,
    );
    expect(res.status).toBe(400);
    expect(((await res.json()) as { error: Json }).error.code).toBe('endpoint_not_supported');
  });

  it('pseudonymises PII before a translated request leaves and restores it in the answer, streamed or not', async () => {
    const prompt = 'mail anna@example.com please';
    const body = { model: 'claude-haiku-4-5', messages: [{ role: 'user', content: prompt }] };
    const plain = (await (await post(`${gw.url}/v1/chat/completions`, body, auth)).json()) as Json;
    expect(JSON.stringify(gw.mock.received.at(-1)?.body)).toContain('mail <EMAIL_1> please');
    expect(JSON.stringify(gw.mock.received.at(-1)?.body)).not.toContain('anna@example.com');
    const text = ((plain.choices as Json[])[0]?.message as Json).content;
    expect(text).toBe(`Mock reply from claude-haiku-4-5: ${prompt}`);
    gw.mock.enqueueFault({ chunkSize: 2 });
    const raw = await (
      await post(`${gw.url}/v1/chat/completions`, { ...body, stream: true }, auth)
    ).text();
    const streamed = events(raw)
      .map(
        (c) => ((c.choices as Json[])[0]?.delta as { content?: string } | undefined)?.content ?? '',
      )
      .join('');
    expect(streamed).toBe(text);
    expect(raw).not.toContain('<EMAIL_1>');
  });

  it('filters a secret split across chunks of a translated stream', async () => {
    const key = `sk-proj-${'Ab3dEf6hIj9lMn2pQr5tUv8xYz1bCd4f'}T3BlbkFJ${'Gh7jKl0nOp3rSt6vWx9zAb2dEf5hIj8l'}`; // bastion:allow test canary
    gw.mock.enqueueFault({ reply: `use ${key} now`, chunkSize: 3 });
    const res = await post(
      `${gw.url}/v1/messages`,
      {
        model: 'gpt-4o-mini',
        max_tokens: 64,
        stream: true,
        messages: [{ role: 'user', content: 'hi' }],
      },
      { 'x-api-key': auth.authorization?.slice(7) ?? '', 'anthropic-version': '2023-06-01' },
    );
    const raw = await res.text();
    const text = events(raw)
      .filter((e) => e.type === 'content_block_delta')
      .map((e) => (e.delta as Json).text)
      .join('');
    expect(text).toBe('use [REDACTED:openai-project-key] now');
    expect(raw).not.toContain(key.slice(20, 40));
  });

  it('falls back across providers: OpenAI answers 503, Anthropic serves, the caller sees OpenAI, the audit names both attempts and prices the model used', async () => {
    gw.mock.enqueueFault({ status: 503 });
    const res = await post(
      `${gw.url}/v1/chat/completions`,
      { model: 'gpt-4o', messages: [{ role: 'user', content: 'are you there' }] },
      auth,
    );
    expect(res.status).toBe(200);
    const json = (await res.json()) as Json;
    expect(json.object).toBe('chat.completion');
    expect(((json.choices as Json[])[0]?.message as Json).content).toBe(
      'Mock reply from claude-haiku-4-5: are you there',
    );
    expect(gw.mock.received.map((r) => r.path)).toEqual(['/v1/chat/completions', '/v1/messages']);
    const row = await lastRow();
    expect(row.provider).toBe('anthropic');
    expect(row.model).toBe('gpt-4o');
    expect(row.decisions).toEqual([
      expect.objectContaining({
        action: 'retry',
        type: 'upstream_overloaded',
        detail: 'openai-primary',
      }),
      expect.objectContaining({ action: 'fallback', detail: 'claude-haiku-4-5' }),
      {
        stage: 'upstream',
        action: 'served',
        type: 'openai_chat>anthropic_messages',
        detail: 'anthropic/claude-haiku-4-5',
      },
    ]);
    const usage = json.usage as { prompt_tokens: number; completion_tokens: number };
    const price = DEFAULT_PRICES['claude-haiku-4-5'] as ModelPrice;
    expect(row.costMicroUsd).toBe(
      costMicroUsd(price, usage.prompt_tokens, usage.completion_tokens),
    );
  });

  it('a cross-provider fallback never widens scopes: a key limited to the OpenAI model retries OpenAI only', async () => {
    const limited = await gw.createKey({ scopes: { models: ['gpt-4o'] } });
    gw.mock.enqueueFault({ status: 503 });
    const res = await post(
      `${gw.url}/v1/chat/completions`,
      { model: 'gpt-4o', messages: [{ role: 'user', content: 'x' }] },
      { authorization: `Bearer ${limited.secret}` },
    );
    expect(res.status).toBe(200);
    expect(gw.mock.received.map((r) => r.path)).toEqual([
      '/v1/chat/completions',
      '/v1/chat/completions',
    ]);
    const row = await lastRow();
    expect(row.provider).toBe('openai');
    expect(row.decisions.map((d) => d.action)).toEqual(['retry']);
  });

  it('never shows a provider key in a translated exchange', async () => {
    await post(
      `${gw.url}/v1/chat/completions`,
      { model: 'claude-haiku-4-5', messages: [{ role: 'user', content: 'x' }], logprobs: true },
      auth,
    );
    await gw.flushAudit();
    const logs = gw.logs.join('');
    expect(logs).not.toContain(CANARY_OPENAI_KEY);
    expect(logs).not.toContain(CANARY_ANTHROPIC_KEY);
  });
});
