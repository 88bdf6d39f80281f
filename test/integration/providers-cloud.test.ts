import Anthropic from '@anthropic-ai/sdk';
import OpenAI from 'openai';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { costMicroUsd, DEFAULT_PRICES, type ModelPrice } from '../../src/pricing/prices.js';
import type { AuditRecord } from '../../src/store/types.js';
import {
  CANARY_AWS_ACCESS_KEY_ID,
  CANARY_AWS_SECRET_KEY,
  CANARY_AZURE_KEY,
  CANARY_GEMINI_KEY,
  MOCK_AWS_REGION,
  post,
  startTestGateway,
  type TestGateway,
} from '../helpers/gateway.js';

type Json = Record<string, unknown>;

const BEDROCK_MODEL = 'anthropic.claude-3-haiku-20240307-v1:0';

const tools: OpenAI.ChatCompletionTool[] = [
  {
    type: 'function',
    function: {
      name: 'lookup',
      description: 'Look a word up',
      parameters: { type: 'object', properties: { input: { type: 'string' } } },
    },
  },
];

/**
 * Azure OpenAI, Gemini and Bedrock through a real gateway against the mock speaking their
 * wire formats: paths, auth (Azure api-key, Gemini x-goog-api-key, Bedrock SigV4 that the
 * mock verifies), streams (Gemini SSE, Bedrock's binary event stream), tools, usage, errors,
 * and no provider key anywhere a caller or operator can see.
 */
describe('cloud providers through the gateway', () => {
  let gw: TestGateway;
  let key: string;
  let openai: OpenAI;
  /** Every body the gateway sent back, for the canary check at the end. */
  const seen: string[] = [];

  beforeAll(async () => {
    gw = await startTestGateway({
      configure: (url) => ({
        providers: {
          azure: {
            kind: 'azure-openai',
            baseUrl: url,
            apiKey: 'env:TEST_AZURE_KEY',
            azure: { apiVersion: '2024-10-21' },
          },
          gemini: { kind: 'gemini', baseUrl: url, apiKey: 'env:TEST_GEMINI_KEY' },
          // The form Google documents (`…/v1beta`), with a trailing slash.
          'gemini-versioned': {
            kind: 'gemini',
            baseUrl: `${url}/v1beta/`,
            apiKey: 'env:TEST_GEMINI_KEY',
          },
          bedrock: {
            kind: 'bedrock',
            baseUrl: url,
            apiKey: 'env:TEST_AWS_KEY',
            aws: { region: MOCK_AWS_REGION },
          },
          // Signs with a secret the mock does not know.
          'bedrock-bad': {
            kind: 'bedrock',
            baseUrl: url,
            apiKey: 'env:TEST_AWS_WRONG_KEY',
            aws: { region: MOCK_AWS_REGION },
          },
        },
        models: {
          'azure-gpt': { provider: 'azure', upstreamModel: 'prod-gpt4o' },
          'gemini-2.5-flash': { provider: 'gemini' },
          'gemini-via-v1beta': { provider: 'gemini-versioned', upstreamModel: 'gemini-2.5-flash' },
          'claude-bedrock': { provider: 'bedrock', upstreamModel: BEDROCK_MODEL },
          'claude-bedrock-bad': { provider: 'bedrock-bad', upstreamModel: BEDROCK_MODEL },
        },
      }),
      env: { TEST_AWS_WRONG_KEY: `${CANARY_AWS_ACCESS_KEY_ID}:not-the-secret-0123456789` },
    });
    key = (await gw.createKey()).secret;
    openai = new OpenAI({ baseURL: `${gw.url}/v1`, apiKey: key, maxRetries: 0 });
  });
  beforeEach(() => gw.mock.reset());
  afterAll(() => gw.close());

  async function lastRow(): Promise<AuditRecord> {
    await gw.flushAudit();
    return (await gw.app.store.queryAudit({ limit: 1 }))[0] as AuditRecord;
  }

  function record<T>(value: T): T {
    seen.push(JSON.stringify(value));
    return value;
  }

  describe('Azure OpenAI', () => {
    it('sends to the deployment with api-version and the api-key header; usage reaches the audit', async () => {
      const reply = record(
        await openai.chat.completions.create({
          model: 'azure-gpt',
          messages: [{ role: 'user', content: 'hello azure' }],
        }),
      );
      expect(reply.choices[0]?.message.content).toBe('Mock reply from prod-gpt4o: hello azure');
      const sent = gw.mock.received[0];
      expect(sent?.path).toBe(
        '/openai/deployments/prod-gpt4o/chat/completions?api-version=2024-10-21',
      );
      expect(sent?.headers['api-key']).toBe(CANARY_AZURE_KEY);
      expect(sent?.headers.authorization).toBeUndefined();
      const row = await lastRow();
      expect(row.provider).toBe('azure');
      expect(row.promptTokens).toBe(reply.usage?.prompt_tokens);
      expect(row.completionTokens).toBe(reply.usage?.completion_tokens);
    });

    it('streams (Azure opens with a prompt-filter chunk) and records the usage it added', async () => {
      const stream = await openai.chat.completions.create({
        model: 'azure-gpt',
        messages: [{ role: 'user', content: 'stream please' }],
        stream: true,
      });
      let text = '';
      for await (const chunk of stream) {
        record(chunk);
        text += chunk.choices[0]?.delta.content ?? '';
        expect(chunk.usage ?? undefined).toBeUndefined();
      }
      expect(text).toBe('Mock reply from prod-gpt4o: stream please');
      const row = await lastRow();
      expect(row.completionTokens).toBeGreaterThan(0);
      expect((gw.mock.received[0]?.body as Json).stream_options).toEqual({ include_usage: true });
    });

    it('serves the Anthropic SDK, translated to Chat Completions', async () => {
      const anthropic = new Anthropic({ baseURL: gw.url, apiKey: key, maxRetries: 0 });
      const message = record(
        await anthropic.messages.create({
          model: 'azure-gpt',
          max_tokens: 100,
          messages: [{ role: 'user', content: 'from anthropic' }],
        }),
      );
      expect(message.content[0]).toEqual({
        type: 'text',
        text: 'Mock reply from prod-gpt4o: from anthropic',
      });
      expect(gw.mock.received[0]?.path).toMatch(/^\/openai\/deployments\/prod-gpt4o\//);
    });

    it("maps Azure's 429 to ours, and never shows a key Azure echoes", async () => {
      gw.mock.enqueueFault({ status: 429 }, { status: 429 }, { status: 429 });
      const limited = await post(
        `${gw.url}/v1/chat/completions`,
        { model: 'azure-gpt', messages: [{ role: 'user', content: 'x' }] },
        { authorization: `Bearer ${key}` },
      );
      const body = record((await limited.json()) as { error: { code: string } });
      expect(limited.status).toBe(429);
      expect(body.error.code).toBe('upstream_rate_limited');
      gw.mock.reset();
      gw.mock.enqueueFault({ status: 400, echoKey: true });
      const echoed = await post(
        `${gw.url}/v1/chat/completions`,
        { model: 'azure-gpt', messages: [{ role: 'user', content: 'x' }] },
        { authorization: `Bearer ${key}` },
      );
      const text = record(await echoed.text());
      expect(echoed.status).toBe(400);
      expect(text).not.toContain(CANARY_AZURE_KEY);
    });
  });

  describe('Gemini', () => {
    it('the OpenAI SDK calls a Gemini model: generateContent with x-goog-api-key, usage in the audit', async () => {
      const reply = record(
        await openai.chat.completions.create({
          model: 'gemini-2.5-flash',
          messages: [
            { role: 'system', content: 'Be brief.' },
            { role: 'user', content: 'hello gemini' },
          ],
          max_tokens: 50,
          temperature: 0.2,
        }),
      );
      expect(reply.object).toBe('chat.completion');
      expect(reply.choices[0]?.message.content).toBe(
        'Mock reply from gemini-2.5-flash: hello gemini',
      );
      expect(reply.choices[0]?.finish_reason).toBe('stop');
      const sent = gw.mock.received[0];
      expect(sent?.path).toBe('/v1beta/models/gemini-2.5-flash:generateContent');
      expect(sent?.headers['x-goog-api-key']).toBe(CANARY_GEMINI_KEY);
      expect(sent?.body).toEqual({
        systemInstruction: { parts: [{ text: 'Be brief.' }] },
        contents: [{ role: 'user', parts: [{ text: 'hello gemini' }] }],
        generationConfig: { maxOutputTokens: 50, temperature: 0.2 },
      });
      const row = await lastRow();
      expect(row.provider).toBe('gemini');
      expect(row.promptTokens).toBe(reply.usage?.prompt_tokens);
      expect(row.completionTokens).toBe(reply.usage?.completion_tokens);
      expect(row.promptTokens).toBeGreaterThan(0);
    });

    it.each([false, true])(
      'a baseUrl ending in /v1beta sends to /v1beta/models/…, not /v1beta/v1beta (stream: %s)',
      async (stream) => {
        const messages = [{ role: 'user' as const, content: 'versioned base' }];
        let text = '';
        if (stream) {
          const s = await openai.chat.completions.create({
            model: 'gemini-via-v1beta',
            messages,
            stream: true,
          });
          for await (const chunk of s) text += record(chunk).choices[0]?.delta.content ?? '';
        } else {
          const reply = await openai.chat.completions.create({
            model: 'gemini-via-v1beta',
            messages,
          });
          text = record(reply).choices[0]?.message.content ?? '';
        }
        expect(text).toBe('Mock reply from gemini-2.5-flash: versioned base');
        expect(gw.mock.received[0]?.path).toBe(
          stream
            ? '/v1beta/models/gemini-2.5-flash:streamGenerateContent?alt=sse'
            : '/v1beta/models/gemini-2.5-flash:generateContent',
        );
      },
    );

    it('the OpenAI SDK streams from Gemini (SSE with CRLF), usage included when asked', async () => {
      const stream = await openai.chat.completions.create({
        model: 'gemini-2.5-flash',
        messages: [{ role: 'user', content: 'stream gemini' }],
        stream: true,
        stream_options: { include_usage: true },
      });
      let text = '';
      let usage: OpenAI.CompletionUsage | undefined;
      let finish: string | null | undefined;
      for await (const chunk of stream) {
        record(chunk);
        text += chunk.choices[0]?.delta.content ?? '';
        finish = chunk.choices[0]?.finish_reason ?? finish;
        usage = chunk.usage ?? usage;
      }
      expect(text).toBe('Mock reply from gemini-2.5-flash: stream gemini');
      expect(finish).toBe('stop');
      expect(gw.mock.received[0]?.path).toBe(
        '/v1beta/models/gemini-2.5-flash:streamGenerateContent?alt=sse',
      );
      const row = await lastRow();
      expect(row.completionTokens).toBe(usage?.completion_tokens);
      expect(row.status).toBe(200);
    });

    it('a tool-call round trip with the OpenAI SDK, plain and streamed', async () => {
      const ask: OpenAI.ChatCompletionMessageParam = { role: 'user', content: 'define gateway' };
      const first = record(
        await openai.chat.completions.create({
          model: 'gemini-2.5-flash',
          messages: [ask],
          tools,
        }),
      );
      const call = first.choices[0]?.message.tool_calls?.[0];
      expect(first.choices[0]?.finish_reason).toBe('tool_calls');
      expect(call?.type === 'function' ? call.function : undefined).toEqual({
        name: 'lookup',
        arguments: JSON.stringify({ input: 'define gateway' }),
      });
      const sentTools = (gw.mock.received[0]?.body as Json).tools;
      expect(sentTools).toEqual([
        {
          functionDeclarations: [
            {
              name: 'lookup',
              description: 'Look a word up',
              parametersJsonSchema: { type: 'object', properties: { input: { type: 'string' } } },
            },
          ],
        },
      ]);
      const stream = await openai.chat.completions.create({
        model: 'gemini-2.5-flash',
        messages: [
          ask,
          first.choices[0]?.message as OpenAI.ChatCompletionMessageParam,
          { role: 'tool', tool_call_id: call?.id ?? '', content: '{"meaning":"a gate"}' },
        ],
        tools,
        stream: true,
      });
      let text = '';
      for await (const chunk of stream) text += record(chunk).choices[0]?.delta.content ?? '';
      expect(text).toBe('Mock reply from gemini-2.5-flash: {"meaning":"a gate"}');
      const contents = (gw.mock.received[1]?.body as { contents: Json[] }).contents;
      expect(contents.slice(1)).toEqual([
        {
          role: 'model',
          parts: [{ functionCall: { name: 'lookup', args: { input: 'define gateway' } } }],
        },
        {
          role: 'user',
          parts: [{ functionResponse: { name: 'lookup', response: { meaning: 'a gate' } } }],
        },
      ]);
    });

    it('streams a tool call to the OpenAI SDK', async () => {
      const stream = await openai.chat.completions.create({
        model: 'gemini-2.5-flash',
        messages: [{ role: 'user', content: 'streamed tool' }],
        tools,
        stream: true,
      });
      let args = '';
      let name: string | undefined;
      let finish: string | null | undefined;
      for await (const chunk of stream) {
        const delta = record(chunk).choices[0]?.delta.tool_calls?.[0];
        name = delta?.function?.name ?? name;
        args += delta?.function?.arguments ?? '';
        finish = chunk.choices[0]?.finish_reason ?? finish;
      }
      expect(name).toBe('lookup');
      expect(JSON.parse(args)).toEqual({ input: 'streamed tool' });
      expect(finish).toBe('tool_calls');
    });

    it('refuses what Gemini cannot carry, naming the field, before any upstream call', async () => {
      const res = await post(
        `${gw.url}/v1/chat/completions`,
        {
          model: 'gemini-2.5-flash',
          messages: [{ role: 'user', content: 'x', name: 'alice' }],
        },
        { authorization: `Bearer ${key}` },
      );
      const body = record((await res.json()) as { error: { code: string; param: string } });
      expect(res.status).toBe(400);
      expect(body.error.code).toBe('field_not_translatable');
      expect(body.error.param).toBe('messages[0].name');
      expect(gw.mock.received).toHaveLength(0);
    });

    it("maps Google's errors: 503 UNAVAILABLE is overloaded, an echoed key never shows", async () => {
      gw.mock.enqueueFault({ status: 503 }, { status: 503 }, { status: 503 });
      const busy = await post(
        `${gw.url}/v1/chat/completions`,
        { model: 'gemini-2.5-flash', messages: [{ role: 'user', content: 'x' }] },
        { authorization: `Bearer ${key}` },
      );
      expect(busy.status).toBe(503);
      expect(((await busy.json()) as { error: { code: string } }).error.code).toBe(
        'upstream_overloaded',
      );
      gw.mock.reset();
      gw.mock.enqueueFault({ status: 400, echoKey: true });
      const echoed = await post(
        `${gw.url}/v1/chat/completions`,
        { model: 'gemini-2.5-flash', messages: [{ role: 'user', content: 'x' }] },
        { authorization: `Bearer ${key}` },
      );
      expect(record(await echoed.text())).not.toContain(CANARY_GEMINI_KEY);
    });
  });

  describe('Bedrock', () => {
    it('the OpenAI SDK calls a Bedrock model: Converse, SigV4 the mock verified, usage in the audit', async () => {
      const reply = record(
        await openai.chat.completions.create({
          model: 'claude-bedrock',
          messages: [
            { role: 'system', content: 'Be brief.' },
            { role: 'user', content: 'hello bedrock' },
          ],
          max_tokens: 64,
        }),
      );
      expect(reply.choices[0]?.message.content).toBe(
        `Mock reply from ${BEDROCK_MODEL}: hello bedrock`,
      );
      const sent = gw.mock.received[0];
      expect(sent?.path).toBe(`/model/${encodeURIComponent(BEDROCK_MODEL)}/converse`);
      expect(sent?.headers.authorization).toMatch(
        new RegExp(
          `^AWS4-HMAC-SHA256 Credential=${CANARY_AWS_ACCESS_KEY_ID}/\\d{8}/${MOCK_AWS_REGION}/bedrock/aws4_request, SignedHeaders=content-type;host;x-amz-date, Signature=[0-9a-f]{64}$`,
        ),
      );
      expect(sent?.body).toEqual({
        system: [{ text: 'Be brief.' }],
        messages: [{ role: 'user', content: [{ text: 'hello bedrock' }] }],
        inferenceConfig: { maxTokens: 64 },
      });
      const row = await lastRow();
      expect(row.provider).toBe('bedrock');
      expect(row.promptTokens).toBe(reply.usage?.prompt_tokens);
      expect(row.completionTokens).toBe(reply.usage?.completion_tokens);
      // Priced at the Bedrock model's family (claude-3-haiku) from the price table.
      const price = DEFAULT_PRICES['claude-3-haiku'] as ModelPrice;
      expect(row.costMicroUsd).toBe(
        costMicroUsd(price, row.promptTokens ?? 0, row.completionTokens ?? 0),
      );
      expect(row.costMicroUsd).toBeGreaterThan(0);
    });

    it('a request signed with the wrong secret is refused by the mock (403) and reaches the caller as an auth failure', async () => {
      const res = await post(
        `${gw.url}/v1/chat/completions`,
        { model: 'claude-bedrock-bad', messages: [{ role: 'user', content: 'x' }] },
        { authorization: `Bearer ${key}` },
      );
      const body = record((await res.json()) as { error: { code: string } });
      expect(body.error.code).toBe('upstream_auth_failed');
      expect(gw.mock.received.length).toBeGreaterThan(0);
      const logs = gw.logs.join('');
      expect(logs).toContain('"upstreamStatus":403');
    });

    it('streams the binary event stream to the OpenAI SDK as chunks, usage included', async () => {
      const stream = await openai.chat.completions.create({
        model: 'claude-bedrock',
        messages: [{ role: 'user', content: 'stream bedrock' }],
        stream: true,
        stream_options: { include_usage: true },
      });
      let text = '';
      let usage: OpenAI.CompletionUsage | undefined;
      for await (const chunk of stream) {
        record(chunk);
        text += chunk.choices[0]?.delta.content ?? '';
        usage = chunk.usage ?? usage;
      }
      expect(text).toBe(`Mock reply from ${BEDROCK_MODEL}: stream bedrock`);
      expect(gw.mock.received[0]?.path).toBe(
        `/model/${encodeURIComponent(BEDROCK_MODEL)}/converse-stream`,
      );
      const row = await lastRow();
      expect(row.completionTokens).toBe(usage?.completion_tokens);
      expect(row.completionTokens).toBeGreaterThan(0);
    });

    it('a tool-call round trip, streamed, through the Anthropic SDK', async () => {
      const anthropic = new Anthropic({ baseURL: gw.url, apiKey: key, maxRetries: 0 });
      const anthropicTools: Anthropic.Tool[] = [
        {
          name: 'lookup',
          description: 'Look a word up',
          input_schema: { type: 'object', properties: { input: { type: 'string' } } },
        },
      ];
      const first = await anthropic.messages
        .stream({
          model: 'claude-bedrock',
          max_tokens: 100,
          messages: [{ role: 'user', content: 'use the tool' }],
          tools: anthropicTools,
        })
        .finalMessage();
      record(first);
      expect(first.stop_reason).toBe('tool_use');
      const use = first.content.find((b) => b.type === 'tool_use');
      expect(use?.type === 'tool_use' ? use.input : undefined).toEqual({ input: 'use the tool' });
      const second = await anthropic.messages.create({
        model: 'claude-bedrock',
        max_tokens: 100,
        tools: anthropicTools,
        messages: [
          { role: 'user', content: 'use the tool' },
          { role: 'assistant', content: first.content },
          {
            role: 'user',
            content: [{ type: 'tool_result', tool_use_id: use?.id ?? '', content: 'found it' }],
          },
        ],
      });
      record(second);
      expect(second.content[0]).toEqual({
        type: 'text',
        text: `Mock reply from ${BEDROCK_MODEL}: found it`,
      });
    });

    it('ends the stream with an error event when Bedrock sends an exception mid-stream', async () => {
      gw.mock.enqueueFault({ hostile: 'stream_error' });
      const res = await post(
        `${gw.url}/v1/chat/completions`,
        { model: 'claude-bedrock', messages: [{ role: 'user', content: 'x' }], stream: true },
        { authorization: `Bearer ${key}` },
      );
      const text = record(await res.text());
      expect(text).toContain('upstream_error');
      expect(text).not.toContain('[DONE]');
      expect(text).not.toContain(CANARY_AWS_ACCESS_KEY_ID);
      expect((await lastRow()).status).not.toBe(200);
    });
  });

  it('no provider key (Azure api-key, Gemini key, AWS secret) in any response, log line or audit row', async () => {
    await gw.flushAudit();
    const rows = JSON.stringify(await gw.app.store.queryAudit({ limit: 1000 }));
    const logs = gw.logs.join('');
    const responses = seen.join('\n');
    expect(rows.length).toBeGreaterThan(100);
    for (const secret of [CANARY_AZURE_KEY, CANARY_GEMINI_KEY, CANARY_AWS_SECRET_KEY]) {
      expect(responses).not.toContain(secret);
      expect(logs).not.toContain(secret);
      expect(rows).not.toContain(secret);
    }
  });
});
