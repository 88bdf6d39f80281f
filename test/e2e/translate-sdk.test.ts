import Anthropic from '@anthropic-ai/sdk';
import OpenAI from 'openai';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createMockProvider, type MockProvider } from '../../src/providers/mock/server.js';
import { createSqliteStore } from '../../src/store/sqlite/sqlite-store.js';
import type { AuditRecord } from '../../src/store/types.js';
import { runCliProcess, spawnServe, type ServeProcess } from '../helpers/spawn.js';

const PROVIDER_KEY = 'sk-canary-e2e-translate-key-9c8b7a6d5e4f'; // bastion:allow test canary

const lookup: OpenAI.ChatCompletionTool = {
  type: 'function',
  function: {
    name: 'lookup',
    description: 'Look a word up',
    parameters: { type: 'object', properties: { input: { type: 'string' } } },
  },
};

/**
 * One API across providers, as a user meets it: the official OpenAI SDK calls a Claude model
 * and the official Anthropic SDK an OpenAI model through a spawned `bastion serve`, plain,
 * streamed and with a tool round trip; the audit has the usage the mock provider reported.
 */
describe('official SDKs across providers (translated)', () => {
  let mock: MockProvider;
  let mockUrl: string;
  let serve: ServeProcess;
  let virtualKey: string;
  let dir: string;
  /** Usage the mock reported for each successful call, in call order. */
  const reported: { prompt: number; completion: number }[] = [];

  beforeAll(async () => {
    mock = createMockProvider({ apiKeys: [PROVIDER_KEY] });
    mockUrl = await mock.listen(0, '127.0.0.1');
    dir = mkdtempSync(join(tmpdir(), 'bastion-e2e-x-'));
    writeFileSync(
      join(dir, 'bastion.yaml'),
      `server:\n  port: 0\ncontrolPlane:\n  port: 0\n` +
        `stores:\n  kind: sqlite\n  sqlite:\n    path: ${join(dir, 'bastion.db')}\n` +
        `providers:\n  openai:\n    kind: openai\n    baseUrl: ${mockUrl}\n    apiKey: env:E2E_KEY\n` +
        `  anthropic:\n    kind: anthropic\n    baseUrl: ${mockUrl}\n    apiKey: env:E2E_KEY\n` +
        `models:\n  gpt-4o-mini:\n    provider: openai\n  claude-haiku-4-5:\n    provider: anthropic\n`,
    );
    const env = {
      PATH: process.env.PATH,
      BASTION_CONFIG: join(dir, 'bastion.yaml'),
      E2E_KEY: PROVIDER_KEY,
    };
    const created = await runCliProcess(
      ['keys', 'create', '--name', 'x', '--env', 'dev', '--json'],
      env,
    );
    expect(created.code).toBe(0);
    virtualKey = (JSON.parse(created.stdout) as { key: string }).key;
    serve = await spawnServe([], env);
  });

  afterAll(async () => {
    if (serve.child.exitCode === null) await serve.stop();
    await mock.close();
  });

  const openai = () =>
    new OpenAI({ baseURL: `${serve.url}/v1`, apiKey: virtualKey, maxRetries: 0 });
  const anthropic = () => new Anthropic({ baseURL: serve.url, apiKey: virtualKey, maxRetries: 0 });

  /** Asks the mock again, directly and unstreamed, for the body it last received: its usage. */
  async function recordMockUsage(): Promise<void> {
    const last = mock.received.at(-1);
    const isAnthropic = last?.path === '/v1/messages';
    const res = await fetch(`${mockUrl}${last?.path ?? ''}`, {
      method: 'POST',
      headers: isAnthropic
        ? {
            'content-type': 'application/json',
            'x-api-key': PROVIDER_KEY,
            'anthropic-version': '2023-06-01',
          }
        : { 'content-type': 'application/json', authorization: `Bearer ${PROVIDER_KEY}` },
      body: JSON.stringify({ ...(last?.body as object), stream: false }),
    });
    mock.received.pop();
    const usage = ((await res.json()) as { usage: Record<string, number> }).usage;
    reported.push(
      isAnthropic
        ? { prompt: usage.input_tokens ?? -1, completion: usage.output_tokens ?? -1 }
        : { prompt: usage.prompt_tokens ?? -1, completion: usage.completion_tokens ?? -1 },
    );
  }

  it('the OpenAI SDK calls a Claude model, plain and streamed', async () => {
    const plain = await openai().chat.completions.create({
      model: 'claude-haiku-4-5',
      messages: [{ role: 'user', content: 'hello claude' }],
    });
    expect(mock.received.at(-1)?.path).toBe('/v1/messages');
    expect(plain.choices[0]?.message.content).toBe(
      'Mock reply from claude-haiku-4-5: hello claude',
    );
    await recordMockUsage();
    expect(plain.usage).toMatchObject({
      prompt_tokens: reported.at(-1)?.prompt,
      completion_tokens: reported.at(-1)?.completion,
    });

    const stream = await openai().chat.completions.create({
      model: 'claude-haiku-4-5',
      messages: [{ role: 'user', content: 'stream claude' }],
      stream: true,
      stream_options: { include_usage: true },
    });
    let text = '';
    let usage: OpenAI.CompletionUsage | undefined;
    for await (const chunk of stream) {
      text += chunk.choices[0]?.delta.content ?? '';
      usage = chunk.usage ?? usage;
    }
    expect(text).toBe('Mock reply from claude-haiku-4-5: stream claude');
    await recordMockUsage();
    expect(usage?.completion_tokens).toBe(reported.at(-1)?.completion);
  });

  it('the OpenAI SDK runs a tool round trip with a Claude model, plain and streamed', async () => {
    const messages: OpenAI.ChatCompletionMessageParam[] = [{ role: 'user', content: 'heron' }];
    const first = await openai().chat.completions.create({
      model: 'claude-haiku-4-5',
      messages,
      tools: [lookup],
    });
    await recordMockUsage();
    const call = first.choices[0]?.message.tool_calls?.[0];
    expect(first.choices[0]?.finish_reason).toBe('tool_calls');
    expect(call?.type === 'function' ? call.function : undefined).toEqual({
      name: 'lookup',
      arguments: '{"input":"heron"}',
    });
    messages.push(first.choices[0]!.message, {
      role: 'tool',
      tool_call_id: call?.id ?? '',
      content: 'a wading bird',
    });
    const second = await openai().chat.completions.create({
      model: 'claude-haiku-4-5',
      messages,
      tools: [lookup],
    });
    await recordMockUsage();
    expect(second.choices[0]?.message.content).toBe(
      'Mock reply from claude-haiku-4-5: a wading bird',
    );

    const streamed = openai().chat.completions.stream({
      model: 'claude-haiku-4-5',
      messages: [{ role: 'user', content: 'ibis' }],
      tools: [lookup],
    });
    const final = await streamed.finalChatCompletion();
    await recordMockUsage();
    const streamedCall = final.choices[0]?.message.tool_calls?.[0];
    expect(streamedCall?.type === 'function' ? streamedCall.function : undefined).toEqual({
      name: 'lookup',
      arguments: '{"input":"ibis"}',
    });
  });

  it('the Anthropic SDK calls an OpenAI model, plain and streamed, with tool use', async () => {
    const plain = await anthropic().messages.create({
      model: 'gpt-4o-mini',
      max_tokens: 100,
      messages: [{ role: 'user', content: 'hello gpt' }],
    });
    expect(mock.received.at(-1)?.path).toBe('/v1/chat/completions');
    await recordMockUsage();
    expect(plain.content).toEqual([
      { type: 'text', text: 'Mock reply from gpt-4o-mini: hello gpt' },
    ]);
    expect(plain.usage).toMatchObject({
      input_tokens: reported.at(-1)?.prompt,
      output_tokens: reported.at(-1)?.completion,
    });

    const tools: Anthropic.Tool[] = [{ name: 'lookup', input_schema: { type: 'object' } }];
    const stream = anthropic().messages.stream({
      model: 'gpt-4o-mini',
      max_tokens: 100,
      tools,
      messages: [{ role: 'user', content: 'crane' }],
    });
    const message = await stream.finalMessage();
    await recordMockUsage();
    expect(message.stop_reason).toBe('tool_use');
    const use = message.content.find((b) => b.type === 'tool_use');
    expect(use).toMatchObject({ name: 'lookup', input: { input: 'crane' } });
    expect(message.usage).toMatchObject({
      input_tokens: reported.at(-1)?.prompt,
      output_tokens: reported.at(-1)?.completion,
    });

    const answer = await anthropic().messages.create({
      model: 'gpt-4o-mini',
      max_tokens: 100,
      tools,
      messages: [
        { role: 'user', content: 'crane' },
        { role: 'assistant', content: message.content },
        {
          role: 'user',
          content: [
            {
              type: 'tool_result',
              tool_use_id: use?.type === 'tool_use' ? use.id : '',
              content: 'a tall bird',
            },
          ],
        },
      ],
    });
    await recordMockUsage();
    expect(answer.content).toEqual([
      { type: 'text', text: 'Mock reply from gpt-4o-mini: a tall bird' },
    ]);
  });

  it('audits every translated call with the provider that served it and the usage the mock reported', async () => {
    expect(await serve.stop()).toBe(0);
    const store = createSqliteStore({ path: join(dir, 'bastion.db') });
    const rows: AuditRecord[] = (await store.queryAudit({ limit: 100 })).reverse();
    await store.close();
    expect(rows.map((r) => r.provider)).toEqual([
      'anthropic',
      'anthropic',
      'anthropic',
      'anthropic',
      'anthropic',
      'openai',
      'openai',
      'openai',
    ]);
    expect(rows.map((r) => ({ prompt: r.promptTokens, completion: r.completionTokens }))).toEqual(
      reported,
    );
  });
});
