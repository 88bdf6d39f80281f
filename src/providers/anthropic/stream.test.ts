import { describe, expect, it } from 'vitest';
import { createAnthropicStreamTap } from './stream.js';

const ev = (name: string, data: unknown) => `event: ${name}\ndata: ${JSON.stringify(data)}\n\n`;

describe('Anthropic stream tap', () => {
  const stream =
    ev('message_start', {
      type: 'message_start',
      message: { usage: { input_tokens: 20, cache_read_input_tokens: 4, output_tokens: 1 } },
    }) +
    ev('content_block_delta', {
      type: 'content_block_delta',
      index: 0,
      delta: { type: 'text_delta', text: 'hi' },
    }) +
    ev('message_delta', {
      type: 'message_delta',
      delta: { stop_reason: 'end_turn' },
      usage: { output_tokens: 9 },
    }) +
    ev('message_stop', { type: 'message_stop' });

  it('counts cached input tokens, takes the last output count, and sees message_stop', () => {
    const tap = createAnthropicStreamTap();
    const bytes = Buffer.from(stream);
    const out = Buffer.concat([
      tap.push(bytes.subarray(0, 50)),
      tap.push(bytes.subarray(50)),
      tap.flush(),
    ]);
    expect(out.equals(bytes)).toBe(true);
    expect(tap.usage).toEqual({ promptTokens: 24, completionTokens: 9 });
    expect(tap.isComplete).toBe(true);
  });

  it('is incomplete without message_stop', () => {
    const tap = createAnthropicStreamTap();
    tap.push(Buffer.from(stream.slice(0, stream.indexOf('event: message_stop'))));
    expect(tap.isComplete).toBe(false);
  });
});
