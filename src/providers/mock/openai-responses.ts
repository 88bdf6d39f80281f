import { randomHex } from './ids.js';
import {
  defaultReply,
  invalidRequest,
  isStreamRequested,
  requireModel,
  unixSeconds,
  type MockCall,
  type MockReply,
} from './reply.js';
import { jsonFrame, type SseFrame } from './sse.js';
import {
  estimateCompletionTokens,
  estimatePromptTokens,
  splitReply,
  summarizeMessages,
  type PromptSummary,
} from './tokens.js';

type Json = Record<string, unknown>;

function summarizeInput(input: unknown, instructions: unknown): PromptSummary | undefined {
  if (typeof input === 'string') {
    return summarizeMessages([{ role: 'user', content: input }], instructions);
  }
  if (Array.isArray(input)) return summarizeMessages(input as unknown[], instructions);
  return undefined;
}

/** `POST /v1/responses` (the Responses API). `input` is a string or a list of items. */
export function responses(call: MockCall): MockReply {
  const model = requireModel(call.body);
  if (typeof model !== 'string') return model;
  const instructions = call.body['instructions'];
  const prompt = summarizeInput(call.body['input'], instructions);
  if (prompt === undefined) {
    return invalidRequest("'input' must be a string or an array of input items", 'input');
  }
  const reply = call.replyOverride ?? defaultReply(model, prompt.lastUserText);
  const inputTokens = estimatePromptTokens(prompt.texts, prompt.messageCount);
  const outputTokens = estimateCompletionTokens(reply);
  const usage = {
    input_tokens: inputTokens,
    input_tokens_details: { cached_tokens: 0 },
    output_tokens: outputTokens,
    output_tokens_details: { reasoning_tokens: 0 },
    total_tokens: inputTokens + outputTokens,
  };
  const base = {
    id: `resp_${randomHex(24)}`,
    object: 'response',
    created_at: unixSeconds(),
    error: null,
    incomplete_details: null,
    instructions: typeof instructions === 'string' ? instructions : null,
    max_output_tokens: numberOrNull(call.body['max_output_tokens']),
    model,
    parallel_tool_calls: true,
    previous_response_id: stringOrNull(call.body['previous_response_id']),
    reasoning: { effort: null, summary: null },
    store: call.body['store'] !== false,
    temperature: numberOr(call.body['temperature'], 1),
    text: { format: { type: 'text' } },
    tool_choice: 'auto',
    tools: [],
    top_p: numberOr(call.body['top_p'], 1),
    truncation: 'disabled',
    user: null,
    metadata: {},
  };
  const itemId = `msg_${randomHex(24)}`;
  const part = { type: 'output_text', text: reply, annotations: [] };
  const item = {
    id: itemId,
    type: 'message',
    status: 'completed',
    role: 'assistant',
    content: [part],
  };
  const completed = { ...base, status: 'completed', output: [item], usage };
  if (!isStreamRequested(call.body)) return { kind: 'json', body: completed };
  return { kind: 'stream', frames: responseFrames(base, completed, itemId, reply, call.chunkSize) };
}

function responseFrames(
  base: Json,
  completed: Json,
  itemId: string,
  reply: string,
  chunkSize: number,
): SseFrame[] {
  const frames: SseFrame[] = [];
  const emit = (type: string, fields: Json, isContent = false): void => {
    const data = { type, sequence_number: frames.length, ...fields };
    frames.push(jsonFrame(data, { event: type, isContent }));
  };
  const inProgress = { ...base, status: 'in_progress', output: [], usage: null };
  const at = { item_id: itemId, output_index: 0, content_index: 0 };
  const emptyPart = { type: 'output_text', text: '', annotations: [] };
  const donePart = { type: 'output_text', text: reply, annotations: [] };
  emit('response.created', { response: inProgress });
  emit('response.in_progress', { response: inProgress });
  emit('response.output_item.added', {
    output_index: 0,
    item: { id: itemId, type: 'message', status: 'in_progress', role: 'assistant', content: [] },
  });
  emit('response.content_part.added', { ...at, part: emptyPart });
  for (const delta of splitReply(reply, chunkSize)) {
    emit('response.output_text.delta', { ...at, delta, logprobs: [] }, true);
  }
  emit('response.output_text.done', { ...at, text: reply, logprobs: [] });
  emit('response.content_part.done', { ...at, part: donePart });
  emit('response.output_item.done', {
    output_index: 0,
    item: {
      id: itemId,
      type: 'message',
      status: 'completed',
      role: 'assistant',
      content: [donePart],
    },
  });
  emit('response.completed', { response: completed });
  return frames;
}

function numberOr(value: unknown, fallback: number): number {
  return typeof value === 'number' ? value : fallback;
}

function numberOrNull(value: unknown): number | null {
  return typeof value === 'number' ? value : null;
}

function stringOrNull(value: unknown): string | null {
  return typeof value === 'string' ? value : null;
}
