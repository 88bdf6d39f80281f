import { describe, expect, it } from 'vitest';
import { messages } from './anthropic.js';
import { chatCompletions } from './openai-chat.js';
import type { MockCall } from './reply.js';

const call = (body: Record<string, unknown>): MockCall => ({
  body,
  pathParam: undefined,
  isStreamPath: false,
  query: new URLSearchParams(),
  replyOverride: undefined,
  chunkSize: 4,
});
const chatTools = [{ type: 'function', function: { name: 'lookup', parameters: {} } }];

describe('mock tool calls', () => {
  it('calls the first tool with the last user text when tools are offered (chat)', () => {
    const reply = chatCompletions(
      call({ model: 'm', tools: chatTools, messages: [{ role: 'user', content: 'owl' }] }),
    );
    expect(reply.kind === 'json' ? reply.body : undefined).toMatchObject({
      choices: [
        {
          finish_reason: 'tool_calls',
          message: {
            content: null,
            tool_calls: [{ function: { name: 'lookup', arguments: '{"input":"owl"}' } }],
          },
        },
      ],
    });
  });

  it('answers with the tool result text once the last turn carries results (chat)', () => {
    const reply = chatCompletions(
      call({
        model: 'm',
        tools: chatTools,
        messages: [
          { role: 'user', content: 'owl' },
          {
            role: 'assistant',
            content: null,
            tool_calls: [
              { id: 'c', type: 'function', function: { name: 'lookup', arguments: '{}' } },
            ],
          },
          { role: 'tool', tool_call_id: 'c', content: 'a night bird' },
        ],
      }),
    );
    expect(reply.kind === 'json' ? reply.body : undefined).toMatchObject({
      choices: [{ finish_reason: 'stop', message: { content: 'Mock reply from m: a night bird' } }],
    });
  });

  it('does not call a tool when tool_choice is none', () => {
    const reply = chatCompletions(
      call({
        model: 'm',
        tools: chatTools,
        tool_choice: 'none',
        messages: [{ role: 'user', content: 'owl' }],
      }),
    );
    expect(reply.kind === 'json' ? reply.body : undefined).toMatchObject({
      choices: [{ finish_reason: 'stop' }],
    });
  });

  it('calls the forced tool and streams its input (anthropic)', () => {
    const reply = messages(
      call({
        model: 'c',
        max_tokens: 10,
        stream: true,
        tools: [
          { name: 'a', input_schema: {} },
          { name: 'b', input_schema: {} },
        ],
        tool_choice: { type: 'tool', name: 'b' },
        messages: [{ role: 'user', content: 'kea' }],
      }),
    );
    const frames =
      reply.kind === 'stream'
        ? reply.frames.map((f) => JSON.parse(f.data) as Record<string, unknown>)
        : [];
    expect(frames[1]).toMatchObject({
      type: 'content_block_start',
      content_block: { type: 'tool_use', name: 'b' },
    });
    const json = frames
      .filter((f) => f.type === 'content_block_delta')
      .map((f) => (f.delta as { partial_json: string }).partial_json)
      .join('');
    expect(JSON.parse(json)).toEqual({ input: 'kea' });
    expect(frames.find((f) => f.type === 'message_delta')).toMatchObject({
      delta: { stop_reason: 'tool_use' },
    });
  });
});
