import { randomBase62 } from './ids.js';
import {
  defaultReply,
  invalidRequest,
  isStreamRequested,
  requireModel,
  type MockCall,
  type MockReply,
} from './reply.js';
import { jsonFrame, type SseFrame } from './sse.js';
import { lastToolResultText, plannedToolCall } from './tools.js';
import {
  estimateCompletionTokens,
  estimatePromptTokens,
  splitReply,
  summarizeMessages,
} from './tokens.js';

const ROLES = new Set(['user', 'assistant']);

/** Stands for the provider's signature over a thinking block (opaque to callers). */
export const MOCK_THINKING_SIGNATURE = 'EqQBCkgIARABGAIiQMockSignatureOverTheThinkingBlock==';

function validate(body: Record<string, unknown>): MockReply | undefined {
  const maxTokens = body['max_tokens'];
  if (!Number.isSafeInteger(maxTokens) || (maxTokens as number) < 1) {
    return invalidRequest('max_tokens: Field required (a positive integer)', 'max_tokens');
  }
  const messages = body['messages'];
  if (!Array.isArray(messages) || messages.length === 0) {
    return invalidRequest('messages: at least one message is required', 'messages');
  }
  for (const [i, message] of (messages as unknown[]).entries()) {
    const role = (message as { role?: unknown } | null)?.role;
    if (typeof role !== 'string' || !ROLES.has(role)) {
      return invalidRequest(`messages.${i}.role: Input should be 'user' or 'assistant'`);
    }
  }
  const system = body['system'];
  if (system !== undefined && typeof system !== 'string' && !Array.isArray(system)) {
    return invalidRequest('system: Input should be a valid string or list of text blocks');
  }
  return undefined;
}

/** `POST /v1/messages` (Anthropic). `system` and message content may be strings or blocks. */
export function messages(call: MockCall): MockReply {
  const model = requireModel(call.body);
  if (typeof model !== 'string') return model;
  const problem = validate(call.body);
  if (problem !== undefined) return problem;
  const prompt = summarizeMessages(call.body['messages'] as unknown[], call.body['system']);
  const toolCall = plannedToolCall(call.body, 'anthropic', prompt.lastUserText);
  const echoed = lastToolResultText(call.body, 'anthropic') ?? prompt.lastUserText;
  const reply = call.replyOverride ?? defaultReply(model, echoed);
  const inputTokens = estimatePromptTokens(prompt.texts, prompt.messageCount);
  const outputTokens = estimateCompletionTokens(toolCall?.arguments ?? reply);
  const stopReason = toolCall === undefined ? 'end_turn' : 'tool_use';
  const head = { id: `msg_01${randomBase62(22)}`, type: 'message', role: 'assistant', model };
  const usage = (output: number): Record<string, unknown> => ({
    input_tokens: inputTokens,
    cache_creation_input_tokens: 0,
    cache_read_input_tokens: 0,
    output_tokens: output,
    service_tier: 'standard',
  });
  const thinking = call.reasoning;
  if (!isStreamRequested(call.body)) {
    const answer =
      toolCall === undefined
        ? [{ type: 'text', text: reply }]
        : [
            {
              type: 'tool_use',
              id: toolCall.id,
              name: toolCall.name,
              input: JSON.parse(toolCall.arguments) as unknown,
            },
          ];
    const body = {
      ...head,
      content:
        thinking === undefined
          ? answer
          : [{ type: 'thinking', thinking, signature: MOCK_THINKING_SIGNATURE }, ...answer],
      stop_reason: stopReason,
      stop_sequence: null,
      usage: usage(outputTokens),
    };
    return { kind: 'json', body };
  }
  const frames: SseFrame[] = [];
  const emit = (type: string, fields: Record<string, unknown> = {}, isContent = false): void => {
    frames.push(jsonFrame({ type, ...fields }, { event: type, isContent }));
  };
  emit('message_start', {
    message: { ...head, content: [], stop_reason: null, stop_sequence: null, usage: usage(1) },
  });
  const index = thinking === undefined ? 0 : 1;
  if (thinking !== undefined) {
    const block = { type: 'thinking', thinking: '', signature: '' };
    emit('content_block_start', { index: 0, content_block: block });
    for (const piece of splitReply(thinking, call.chunkSize)) {
      emit('content_block_delta', { index: 0, delta: { type: 'thinking_delta', thinking: piece } });
    }
    const signature = { type: 'signature_delta', signature: MOCK_THINKING_SIGNATURE };
    emit('content_block_delta', { index: 0, delta: signature });
    emit('content_block_stop', { index: 0 });
  }
  if (toolCall === undefined) {
    emit('content_block_start', { index, content_block: { type: 'text', text: '' } });
    emit('ping');
    for (const text of splitReply(reply, call.chunkSize)) {
      emit('content_block_delta', { index, delta: { type: 'text_delta', text } }, true);
    }
  } else {
    const block = { type: 'tool_use', id: toolCall.id, name: toolCall.name, input: {} };
    emit('content_block_start', { index, content_block: block });
    for (const partial_json of splitReply(toolCall.arguments, call.chunkSize)) {
      emit(
        'content_block_delta',
        { index, delta: { type: 'input_json_delta', partial_json } },
        true,
      );
    }
  }
  emit('content_block_stop', { index });
  emit('message_delta', {
    delta: { stop_reason: stopReason, stop_sequence: null },
    usage: { output_tokens: outputTokens },
  });
  emit('message_stop');
  return { kind: 'stream', frames };
}
