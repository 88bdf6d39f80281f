import { describe, expect, it } from 'vitest';
import type { GatewayError } from '../../errors/gateway-error.js';
import type { CanonicalRequest } from '../core/canonical.js';
import { geminiTranslator } from '../gemini/translator.js';
import { openAiChatTranslator } from '../openai/translator.js';
import { JSON_TOOL_NAME } from './translate.js';
import { anthropicTranslator } from './translator.js';

const chatBody = (extra: Record<string, unknown>) => ({
  model: 'claude',
  messages: [{ role: 'user', content: 'hi' }],
  ...extra,
});

/** The typed error a translation throws (the upstream stage turns it into the reply). */
function refusal(fn: () => unknown): { code: string; param: string | undefined } {
  try {
    fn();
  } catch (err) {
    const e = err as GatewayError;
    return { code: e.code, param: e.param };
  }
  throw new Error('expected a refusal');
}

function toAnthropic(body: Record<string, unknown>) {
  const req = openAiChatTranslator.requestToCanonical(body);
  return anthropicTranslator.requestFromCanonical(req, { upstreamModel: 'claude-x' });
}

describe('Chat Completions -> Anthropic Messages', () => {
  it.each([
    ['logprobs', { logprobs: true }],
    ['n', { n: 3 }],
    ['seed', { seed: 7 }],
    [
      'messages[0].content[0].type',
      { messages: [{ role: 'user', content: [{ type: 'input_audio' }] }] },
    ],
    ['messages[0].name', { messages: [{ role: 'user', content: 'x', name: 'ann' }] }],
  ])('refuses %s by name instead of dropping it', (param, extra) => {
    expect(refusal(() => toAnthropic(chatBody(extra)))).toEqual({
      code: 'field_not_translatable',
      param,
    });
  });

  it('treats the values that ask for nothing as absent', () => {
    expect(() =>
      toAnthropic(chatBody({ n: 1, logprobs: false, store: false, user: null })),
    ).not.toThrow();
  });

  it('refuses a system message after the conversation started', () => {
    const body = chatBody({
      messages: [
        { role: 'user', content: 'a' },
        { role: 'system', content: 'b' },
      ],
    });
    expect(refusal(() => toAnthropic(body)).param).toBe('messages[1].role');
  });

  it('bounds and scrubs a caller-chosen field name before echoing it', () => {
    const long = `x${'y'.repeat(500)}`;
    const { param } = refusal(() => toAnthropic(chatBody({ [long]: 1 })));
    expect(param?.length).toBeLessThanOrEqual(97);
  });

  it('asks for JSON with a forced tool and reads its input back as the reply text', () => {
    const body = chatBody({
      response_format: {
        type: 'json_schema',
        json_schema: {
          name: 'city',
          schema: { type: 'object', properties: { name: { type: 'string' } } },
        },
      },
    });
    const req = openAiChatTranslator.requestToCanonical(body);
    const wire = anthropicTranslator.requestFromCanonical(req, { upstreamModel: 'c' });
    expect(wire.tool_choice).toEqual({ type: 'tool', name: JSON_TOOL_NAME });
    expect((wire.tools as { input_schema: unknown }[])[0]?.input_schema).toEqual({
      type: 'object',
      properties: { name: { type: 'string' } },
    });
    const reply = anthropicTranslator.responseToCanonical(
      {
        id: 'msg_1',
        model: 'c',
        content: [{ type: 'tool_use', id: 't', name: JSON_TOOL_NAME, input: { name: 'Oslo' } }],
        stop_reason: 'tool_use',
        usage: { input_tokens: 3, output_tokens: 4 },
      },
      req,
    );
    const chat = openAiChatTranslator.responseFromCanonical(reply, req);
    expect(chat.choices).toEqual([
      expect.objectContaining({
        finish_reason: 'stop',
        message: expect.objectContaining({ content: '{"name":"Oslo"}' }) as unknown,
      }),
    ]);
  });

  it('refuses JSON mode together with the caller’s own tools', () => {
    const body = chatBody({
      response_format: { type: 'json_object' },
      tools: [{ type: 'function', function: { name: 'f', parameters: { type: 'object' } } }],
    });
    expect(refusal(() => toAnthropic(body)).param).toBe('response_format');
  });

  it('streams the JSON tool as text', () => {
    const req: CanonicalRequest = {
      model: 'c',
      messages: [],
      stream: true,
      responseFormat: { type: 'json_object' },
    };
    const decoder = anthropicTranslator.createStreamDecoder(req);
    const sse = (type: string, fields: object) =>
      `event: ${type}\ndata: ${JSON.stringify({ type, ...fields })}\n\n`;
    const events = decoder.push(
      Buffer.from(
        sse('message_start', { message: { id: 'm', model: 'c', usage: { input_tokens: 2 } } }) +
          sse('content_block_start', {
            index: 0,
            content_block: { type: 'tool_use', id: 't', name: JSON_TOOL_NAME, input: {} },
          }) +
          sse('content_block_delta', {
            index: 0,
            delta: { type: 'input_json_delta', partial_json: '{"a":1}' },
          }) +
          sse('content_block_stop', { index: 0 }) +
          sse('message_delta', {
            delta: { stop_reason: 'tool_use' },
            usage: { output_tokens: 5 },
          }) +
          sse('message_stop', {}),
      ),
    );
    expect(events.filter((e) => e.type !== 'start')).toEqual([
      { type: 'text_start', index: 0 },
      { type: 'text_delta', index: 0, text: '{"a":1}' },
      { type: 'part_stop', index: 0 },
      { type: 'finish', reason: 'stop' },
      { type: 'usage', usage: { inputTokens: 2, outputTokens: 5 } },
      { type: 'end' },
    ]);
  });

  it('counts cache reads and writes into the input, as budgets price them', () => {
    const reply = anthropicTranslator.responseToCanonical({
      id: 'm',
      model: 'c',
      content: [{ type: 'text', text: 'x' }],
      stop_reason: 'end_turn',
      usage: {
        input_tokens: 10,
        cache_read_input_tokens: 100,
        cache_creation_input_tokens: 5,
        output_tokens: 2,
      },
    });
    expect(reply.usage).toEqual({
      inputTokens: 115,
      outputTokens: 2,
      cachedInputTokens: 100,
      cacheWriteInputTokens: 5,
    });
    const chat = openAiChatTranslator.responseFromCanonical(reply, {
      model: 'c',
      messages: [],
      stream: false,
    });
    expect(chat.usage).toEqual({
      prompt_tokens: 115,
      completion_tokens: 2,
      total_tokens: 117,
      prompt_tokens_details: { cached_tokens: 100 },
    });
  });
});

describe('Anthropic Messages -> Chat Completions', () => {
  const toChat = (body: Record<string, unknown>) =>
    openAiChatTranslator.requestFromCanonical(anthropicTranslator.requestToCanonical(body), {
      upstreamModel: 'gpt',
    });
  const base = { model: 'gpt', max_tokens: 10, messages: [{ role: 'user', content: 'hi' }] };

  it.each([
    ['thinking.type', { thinking: { type: 'adaptive' } }],
    ['tools[0].type', { tools: [{ type: 'web_search_20250305', name: 'web_search' }] }],
    ['top_k', { top_k: 5 }],
  ])('refuses %s by name', (param, extra) => {
    expect(refusal(() => toChat({ ...base, ...extra }))).toEqual({
      code: 'field_not_translatable',
      param,
    });
  });

  it('drops cache_control (a caching hint) wherever Anthropic allows it', () => {
    const cc = { type: 'ephemeral' };
    const body = toChat({
      ...base,
      system: [{ type: 'text', text: 'be brief', cache_control: cc }],
      tools: [{ name: 'f', input_schema: { type: 'object' }, cache_control: cc }],
      messages: [
        { role: 'user', content: [{ type: 'text', text: 'hi', cache_control: cc }] },
        {
          role: 'assistant',
          content: [{ type: 'tool_use', id: 't1', name: 'f', input: {}, cache_control: cc }],
        },
        {
          role: 'user',
          content: [
            { type: 'tool_result', tool_use_id: 't1', content: 'ok', cache_control: cc },
            { type: 'text', text: 'go on', cache_control: cc },
          ],
        },
      ],
    });
    expect(JSON.stringify(body)).not.toContain('cache_control');
    expect(body.messages).toHaveLength(5); // system, user, assistant, tool, user
    const malformed = { ...base, system: [{ type: 'text', text: 's', cache_control: 'yes' }] };
    expect(refusal(() => toChat(malformed))).toEqual({
      code: 'invalid_request',
      param: 'system[0].cache_control',
    });
  });

  it.each([
    [1024, 'low'],
    [4095, 'low'],
    [4096, 'medium'],
    [16_383, 'medium'],
    [16_384, 'high'],
    [64_000, 'high'],
  ])('maps thinking.budget_tokens %d to reasoning_effort %s', (budget, effort) => {
    const body = toChat({
      ...base,
      max_tokens: 70_000,
      thinking: { type: 'enabled', budget_tokens: budget },
    });
    expect(body.reasoning_effort).toBe(effort);
    // The cap includes the reasoning, as Anthropic's max_tokens includes the thinking.
    expect(body.max_completion_tokens).toBe(70_000);
    expect(body.max_tokens).toBeUndefined();
  });

  it('thinking disabled asks for nothing; a budget that cannot map is refused by name', () => {
    const off = toChat({ ...base, thinking: { type: 'disabled' } });
    expect(off.reasoning_effort).toBeUndefined();
    expect(off.max_tokens).toBe(10);
    for (const thinking of [
      { type: 'enabled', budget_tokens: 1023 },
      { type: 'enabled', budget_tokens: 2048.5 },
      { type: 'enabled' },
    ]) {
      expect(refusal(() => toChat({ ...base, thinking }))).toEqual({
        code: 'invalid_request',
        param: 'thinking.budget_tokens',
      });
    }
    const canonical = anthropicTranslator.requestToCanonical({
      ...base,
      thinking: { type: 'enabled', budget_tokens: 2048 },
    });
    const toGemini = () => geminiTranslator.requestFromCanonical(canonical, { upstreamModel: 'g' });
    expect(refusal(toGemini)).toEqual({ code: 'field_not_translatable', param: 'thinking' });
  });

  it('an OpenAI reply cut inside tool arguments is the provider’s fault, not the caller’s', () => {
    const res = openAiChatTranslator.responseToCanonical({
      id: 'c',
      model: 'gpt',
      choices: [
        {
          index: 0,
          finish_reason: 'length',
          message: {
            role: 'assistant',
            content: null,
            tool_calls: [
              { id: 'x', type: 'function', function: { name: 'f', arguments: '{"a":' } },
            ],
          },
        },
      ],
    });
    expect(
      refusal(() =>
        anthropicTranslator.responseFromCanonical(res, {
          model: 'gpt',
          messages: [],
          stream: false,
        }),
      ).code,
    ).toBe('upstream_bad_response');
  });
});
