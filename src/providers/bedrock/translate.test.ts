import { describe, expect, it } from 'vitest';
import { GatewayError } from '../../errors/gateway-error.js';
import type { CanonicalRequest, CanonicalStreamEvent } from '../core/canonical.js';
import { encodeEventStreamMessage } from './event-stream.js';
import { createBedrockStreamDecoder } from './stream.js';
import { bedrockRequestFromCanonical, bedrockResponseToCanonical } from './translate.js';

const base: CanonicalRequest = {
  model: 'claude-bedrock',
  messages: [{ role: 'user', content: [{ type: 'text', text: 'hi' }] }],
  stream: false,
};

const event = (type: string, body: unknown): Buffer =>
  encodeEventStreamMessage(
    { ':event-type': type, ':content-type': 'application/json', ':message-type': 'event' },
    Buffer.from(JSON.stringify(body)),
  );

function refusal(req: CanonicalRequest): string | undefined {
  try {
    bedrockRequestFromCanonical(req, {});
    return undefined;
  } catch (err) {
    return err instanceof GatewayError ? `${err.code} ${err.param ?? ''}` : 'other';
  }
}

describe('canonical → Bedrock Converse', () => {
  it('writes system, inference config, tools and tool choice', () => {
    const body = bedrockRequestFromCanonical(
      {
        ...base,
        messages: [{ role: 'system', content: [{ type: 'text', text: 'sys' }] }, ...base.messages],
        tools: [{ name: 'f', description: 'd', parameters: { type: 'object' } }],
        toolChoice: { type: 'required' },
        temperature: 0.5,
        stop: ['X'],
      },
      { defaultMaxTokens: 123 },
    );
    expect(body).toEqual({
      system: [{ text: 'sys' }],
      messages: [{ role: 'user', content: [{ text: 'hi' }] }],
      inferenceConfig: { maxTokens: 123, temperature: 0.5, stopSequences: ['X'] },
      toolConfig: {
        tools: [
          { toolSpec: { name: 'f', description: 'd', inputSchema: { json: { type: 'object' } } } },
        ],
        toolChoice: { any: {} },
      },
    });
  });

  it('refuses JSON mode, tool_choice none and top_k, naming the field', () => {
    expect(refusal({ ...base, responseFormat: { type: 'json_object' } })).toBe(
      'field_not_translatable response_format',
    );
    expect(refusal({ ...base, toolChoice: { type: 'none' } })).toBe(
      'field_not_translatable tool_choice',
    );
    expect(refusal({ ...base, topK: 3 })).toBe('field_not_translatable top_k');
  });

  it('reads a reply: tool use, stop reason, usage with cache tokens', () => {
    const res = bedrockResponseToCanonical(
      {
        output: {
          message: {
            role: 'assistant',
            content: [{ text: 'a' }, { toolUse: { toolUseId: 't1', name: 'f', input: { x: 1 } } }],
          },
        },
        stopReason: 'tool_use',
        usage: { inputTokens: 5, outputTokens: 2, cacheReadInputTokens: 3 },
      },
      base,
    );
    expect(res.content).toEqual([
      { type: 'text', text: 'a' },
      { type: 'tool_call', id: 't1', name: 'f', arguments: '{"x":1}' },
    ]);
    expect(res.finishReason).toBe('tool_calls');
    expect(res.usage).toEqual({ inputTokens: 8, outputTokens: 2, cachedInputTokens: 3 });
    expect(res.model).toBe('claude-bedrock');
  });
});

describe('Bedrock stream decoder', () => {
  const stream = Buffer.concat([
    event('messageStart', { role: 'assistant' }),
    event('contentBlockDelta', { contentBlockIndex: 0, delta: { text: 'Hi' } }),
    event('contentBlockStop', { contentBlockIndex: 0 }),
    event('contentBlockStart', {
      contentBlockIndex: 1,
      start: { toolUse: { toolUseId: 't1', name: 'f' } },
    }),
    event('contentBlockDelta', { contentBlockIndex: 1, delta: { toolUse: { input: '{"a":' } } }),
    event('contentBlockDelta', { contentBlockIndex: 1, delta: { toolUse: { input: '1}' } } }),
    event('contentBlockStop', { contentBlockIndex: 1 }),
    event('messageStop', { stopReason: 'tool_use' }),
    event('metadata', { usage: { inputTokens: 4, outputTokens: 6 } }),
  ]);

  it('gives the same events at any chunk split', () => {
    const decode = (size: number) => {
      const d = createBedrockStreamDecoder(base);
      const out: CanonicalStreamEvent[] = [];
      for (let i = 0; i < stream.length; i += size)
        out.push(...d.push(stream.subarray(i, i + size)));
      return out.map((e) => (e.type === 'start' ? { ...e, id: '' } : e));
    };
    const whole = decode(stream.length);
    expect(whole).toEqual([
      { type: 'start', id: '', model: 'claude-bedrock' },
      { type: 'text_start', index: 0 },
      { type: 'text_delta', index: 0, text: 'Hi' },
      { type: 'part_stop', index: 0 },
      { type: 'tool_call_start', index: 1, id: 't1', name: 'f' },
      { type: 'tool_call_delta', index: 1, argumentsDelta: '{"a":' },
      { type: 'tool_call_delta', index: 1, argumentsDelta: '1}' },
      { type: 'part_stop', index: 1 },
      { type: 'finish', reason: 'tool_calls' },
      { type: 'usage', usage: { inputTokens: 4, outputTokens: 6 } },
      { type: 'end' },
    ]);
    for (const size of [1, 7, 50]) expect(decode(size)).toEqual(whole);
  });

  it('fails on a corrupted byte (CRC) and on an exception, never passing their text', () => {
    const corrupt = Buffer.from(stream);
    corrupt[40] = (corrupt[40] as number) ^ 0xff;
    const d = createBedrockStreamDecoder(base);
    d.push(corrupt);
    expect(d.failure?.code).toBe('upstream_bad_response');
    const e = createBedrockStreamDecoder(base);
    e.push(
      encodeEventStreamMessage(
        { ':exception-type': 'throttlingException', ':message-type': 'exception' },
        Buffer.from('{"message":"slow down"}'),
      ),
    );
    expect(e.failure?.code).toBe('upstream_rate_limited');
    expect(e.failure?.message).not.toContain('slow down');
  });
});
