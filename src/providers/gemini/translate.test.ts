import { describe, expect, it } from 'vitest';
import { GatewayError } from '../../errors/gateway-error.js';
import type { CanonicalRequest, CanonicalStreamEvent } from '../core/canonical.js';
import { createGeminiStreamDecoder } from './stream.js';
import { geminiRequestFromCanonical, geminiResponseToCanonical } from './translate.js';

const base: CanonicalRequest = {
  model: 'gemini-2.5-flash',
  messages: [{ role: 'user', content: [{ type: 'text', text: 'hi' }] }],
  stream: false,
};

function refusal(req: CanonicalRequest): string | undefined {
  try {
    geminiRequestFromCanonical(req);
    return undefined;
  } catch (err) {
    return err instanceof GatewayError ? `${err.code} ${err.param ?? ''}` : 'other';
  }
}

describe('canonical → Gemini', () => {
  it('maps tool choice, JSON mode and sampling', () => {
    const body = geminiRequestFromCanonical({
      ...base,
      toolChoice: { type: 'tool', name: 'f' },
      tools: [{ name: 'f', parameters: { type: 'object' } }],
      responseFormat: { type: 'json_schema', name: 's', schema: { type: 'object' } },
      topK: 5,
      stop: ['END'],
    });
    expect(body.toolConfig).toEqual({
      functionCallingConfig: { mode: 'ANY', allowedFunctionNames: ['f'] },
    });
    expect(body.generationConfig).toEqual({
      topK: 5,
      stopSequences: ['END'],
      responseMimeType: 'application/json',
      responseJsonSchema: { type: 'object' },
    });
  });

  it('refuses what it cannot carry, naming the field', () => {
    expect(refusal({ ...base, user: 'u1' })).toBe('field_not_translatable user');
    expect(refusal({ ...base, parallelToolCalls: false })).toBe(
      'field_not_translatable parallel_tool_calls',
    );
    const withUrl: CanonicalRequest = {
      ...base,
      messages: [
        {
          role: 'user',
          content: [{ type: 'image', source: { kind: 'url', url: 'https://x.test/a.png' } }],
        },
      ],
    };
    expect(refusal(withUrl)).toBe('field_not_translatable messages[0].content.image_url.url');
    const lateSystem: CanonicalRequest = {
      ...base,
      messages: [...base.messages, { role: 'system', content: [{ type: 'text', text: 's' }] }],
    };
    expect(refusal(lateSystem)).toBe('field_not_translatable messages[1].role');
  });

  it('names a function response after the call it answers; an error as {error}', () => {
    const body = geminiRequestFromCanonical({
      ...base,
      messages: [
        ...base.messages,
        {
          role: 'assistant',
          content: [{ type: 'tool_call', id: 'c1', name: 'lookup', arguments: '{"q":1}' }],
        },
        {
          role: 'tool',
          content: [
            {
              type: 'tool_result',
              toolCallId: 'c1',
              content: [{ type: 'text', text: 'boom' }],
              isError: true,
            },
          ],
        },
      ],
    });
    expect((body.contents as unknown[]).slice(1)).toEqual([
      { role: 'model', parts: [{ functionCall: { name: 'lookup', args: { q: 1 } } }] },
      {
        role: 'user',
        parts: [{ functionResponse: { name: 'lookup', response: { error: 'boom' } } }],
      },
    ]);
  });
});

describe('Gemini → canonical', () => {
  it('reads finish reasons, thinking tokens as output, cached tokens, and unsafe ids', () => {
    const res = geminiResponseToCanonical({
      candidates: [
        {
          content: { parts: [{ text: 'thinking', thought: true }, { text: 'ok' }] },
          finishReason: 'MAX_TOKENS',
        },
      ],
      usageMetadata: {
        promptTokenCount: 10,
        candidatesTokenCount: 3,
        thoughtsTokenCount: 4,
        cachedContentTokenCount: 2,
      },
      responseId: 'sk-live-not an id',
      modelVersion: 'gemini-2.5-flash',
    });
    expect(res.content).toEqual([{ type: 'text', text: 'ok' }]);
    expect(res.finishReason).toBe('length');
    expect(res.usage).toEqual({ inputTokens: 10, outputTokens: 7, cachedInputTokens: 2 });
    expect(res.id).toMatch(/^gemini-[0-9a-f]{24}$/);
    expect(res.model).toBe('gemini-2.5-flash');
    const blocked = geminiResponseToCanonical({ promptFeedback: { blockReason: 'SAFETY' } });
    expect(blocked.finishReason).toBe('content_filter');
    const safety = geminiResponseToCanonical({
      candidates: [{ content: { parts: [] }, finishReason: 'SAFETY' }],
    });
    expect(safety.finishReason).toBe('content_filter');
  });

  it('decodes a stream the same at any chunk split, and fails a bad part as upstream_bad_response', () => {
    const chunks = [
      { candidates: [{ content: { parts: [{ text: 'Hel' }] } }], responseId: 'r1' },
      { candidates: [{ content: { parts: [{ text: 'lo' }] } }] },
      {
        candidates: [
          {
            content: { parts: [{ functionCall: { name: 'f', args: { a: 1 } } }] },
            finishReason: 'STOP',
          },
        ],
        usageMetadata: { promptTokenCount: 5, candidatesTokenCount: 2 },
      },
    ];
    const bytes = Buffer.from(chunks.map((c) => `data: ${JSON.stringify(c)}\r\n\r\n`).join(''));
    const decode = (size: number): CanonicalStreamEvent[] => {
      const d = createGeminiStreamDecoder();
      const out: CanonicalStreamEvent[] = [];
      for (let i = 0; i < bytes.length; i += size) out.push(...d.push(bytes.subarray(i, i + size)));
      return out;
    };
    const whole = decode(bytes.length);
    expect(whole.map((e) => e.type)).toEqual([
      'start',
      'text_start',
      'text_delta',
      'text_delta',
      'part_stop',
      'tool_call_start',
      'tool_call_delta',
      'part_stop',
      'finish',
      'usage',
      'end',
    ]);
    expect(whole.find((e) => e.type === 'finish')).toEqual({
      type: 'finish',
      reason: 'tool_calls',
    });
    for (const size of [1, 5, 17]) {
      const split = decode(size).map((e) => (e.type === 'tool_call_start' ? { ...e, id: '' } : e));
      const ref = whole.map((e) => (e.type === 'tool_call_start' ? { ...e, id: '' } : e));
      expect(split).toEqual(ref);
    }
    const d = createGeminiStreamDecoder();
    d.push(Buffer.from('data: {"candidates":[{"content":{"parts":["not a part"]}}]}\r\n\r\n'));
    expect(d.failure?.code).toBe('upstream_bad_response');
  });

  it('never passes a thought part on (a key the model repeats in its thoughts stays upstream)', () => {
    const canary = 'AKIAZX7QRT4WMNB2KP5V'; // bastion:allow test canary
    const d = createGeminiStreamDecoder();
    const chunk = {
      candidates: [
        {
          content: {
            role: 'model',
            parts: [{ text: `key ${canary}`, thought: true }, { text: 'ok' }],
          },
          finishReason: 'STOP',
        },
      ],
    };
    const events = d.push(Buffer.from(`data: ${JSON.stringify(chunk)}\r\n\r\n`));
    expect(JSON.stringify(events)).not.toContain(canary);
    expect(events.filter((e) => e.type === 'text_delta')).toEqual([
      { type: 'text_delta', index: 0, text: 'ok' },
    ]);
  });
});
