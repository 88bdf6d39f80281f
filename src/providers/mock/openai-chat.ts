import { randomBase62 } from './ids.js';
import {
  defaultReply,
  invalidRequest,
  isStreamRequested,
  requireModel,
  unixSeconds,
  type MockCall,
  type MockReply,
  type MockReplyShape,
} from './reply.js';
import { jsonFrame, type SseFrame } from './sse.js';
import { lastToolResultText, plannedToolCall, type MockToolCall } from './tools.js';
import {
  estimateCompletionTokens,
  estimatePromptTokens,
  splitReply,
  summarizeMessages,
} from './tokens.js';

const FINGERPRINT = 'fp_mock0000';

interface ChatUsage {
  prompt_tokens: number;
  completion_tokens: number;
  total_tokens: number;
  prompt_tokens_details: { cached_tokens: number; audio_tokens: number };
  completion_tokens_details: {
    reasoning_tokens: number;
    audio_tokens: number;
    accepted_prediction_tokens: number;
    rejected_prediction_tokens: number;
  };
}

function chatUsage(promptTokens: number, completionTokens: number): ChatUsage {
  return {
    prompt_tokens: promptTokens,
    completion_tokens: completionTokens,
    total_tokens: promptTokens + completionTokens,
    prompt_tokens_details: { cached_tokens: 0, audio_tokens: 0 },
    completion_tokens_details: {
      reasoning_tokens: 0,
      audio_tokens: 0,
      accepted_prediction_tokens: 0,
      rejected_prediction_tokens: 0,
    },
  };
}

/** `POST /v1/chat/completions`. */
export function chatCompletions(call: MockCall): MockReply {
  const model = requireModel(call.body);
  if (typeof model !== 'string') return model;
  const messages = call.body['messages'];
  if (!Array.isArray(messages) || messages.length === 0) {
    return invalidRequest("'messages' must be a non-empty array", 'messages');
  }
  for (const [i, message] of (messages as unknown[]).entries()) {
    const role = (message as { role?: unknown } | null)?.role;
    if (typeof role !== 'string') {
      return invalidRequest(`'messages[${i}].role' is required`, `messages[${i}].role`);
    }
  }
  const prompt = summarizeMessages(messages as unknown[]);
  const toolCall = plannedToolCall(call.body, 'chat', prompt.lastUserText);
  const echoed = lastToolResultText(call.body, 'chat') ?? prompt.lastUserText;
  const reply = call.replyOverride ?? defaultReply(model, echoed);
  const usage = chatUsage(
    estimatePromptTokens(prompt.texts, prompt.messageCount),
    estimateCompletionTokens(toolCall?.arguments ?? reply),
  );
  const head = {
    id: `chatcmpl-${randomBase62(29)}`,
    created: unixSeconds(),
    model,
  };
  if (!isStreamRequested(call.body)) {
    return {
      kind: 'json',
      body: {
        ...head,
        object: 'chat.completion',
        choices: [
          {
            index: 0,
            message:
              toolCall === undefined
                ? {
                    role: 'assistant',
                    ...answer(reply, call.replyAs),
                    ...(call.reasoning === undefined ? {} : { reasoning_content: call.reasoning }),
                    refusal: null,
                    annotations: [],
                  }
                : {
                    role: 'assistant',
                    content: null,
                    refusal: null,
                    annotations: [],
                    tool_calls: [
                      {
                        id: toolCall.id,
                        type: 'function',
                        function: { name: toolCall.name, arguments: toolCall.arguments },
                      },
                    ],
                  },
            logprobs: null,
            finish_reason: finishReason(toolCall, call.replyAs),
          },
        ],
        usage,
        service_tier: 'default',
        system_fingerprint: FINGERPRINT,
      },
    };
  }
  const options = call.body['stream_options'] as { include_usage?: unknown } | undefined;
  const isUsageIncluded = options?.include_usage === true;
  return {
    kind: 'stream',
    frames: chatFrames(head, reply, call, isUsageIncluded, usage, toolCall),
  };
}

function chatFrames(
  head: { id: string; created: number; model: string },
  reply: string,
  { chunkSize, reasoning, replyAs }: MockCall,
  isUsageIncluded: boolean,
  usage: ChatUsage,
  toolCall: MockToolCall | undefined,
): SseFrame[] {
  const chunk = (delta: object, finishReason: string | null): unknown => ({
    ...head,
    object: 'chat.completion.chunk',
    service_tier: 'default',
    system_fingerprint: FINGERPRINT,
    choices: [{ index: 0, delta, logprobs: null, finish_reason: finishReason }],
    ...(isUsageIncluded ? { usage: null } : {}),
  });
  const frames = [jsonFrame(chunk({ role: 'assistant', content: '', refusal: null }, null))];
  // DeepSeek-style reasoning, before the answer.
  for (const piece of splitReply(reasoning ?? '', chunkSize)) {
    frames.push(jsonFrame(chunk({ reasoning_content: piece }, null)));
  }
  if (toolCall === undefined) {
    for (const delta of answerDeltas(reply, chunkSize, replyAs)) {
      frames.push(jsonFrame(chunk(delta, null), { isContent: true }));
    }
  } else {
    const { id, name } = toolCall;
    const opening = { index: 0, id, type: 'function', function: { name, arguments: '' } };
    frames.push(jsonFrame(chunk({ tool_calls: [opening] }, null)));
    for (const piece of splitReply(toolCall.arguments, chunkSize)) {
      const delta = { tool_calls: [{ index: 0, function: { arguments: piece } }] };
      frames.push(jsonFrame(chunk(delta, null), { isContent: true }));
    }
  }
  frames.push(jsonFrame(chunk({}, finishReason(toolCall, replyAs))));
  if (isUsageIncluded) {
    const usageChunk = {
      ...head,
      object: 'chat.completion.chunk',
      service_tier: 'default',
      system_fingerprint: FINGERPRINT,
      choices: [],
      usage,
    };
    frames.push(jsonFrame(usageChunk));
  }
  frames.push({ data: '[DONE]', isContent: false });
  return frames;
}

/** A WAV header of no samples: the mock's audio, base64 as OpenAI sends it. */
const SILENCE = 'UklGRiQAAABXQVZFZm10IBAAAAABAAEAQB8AAIA+AAACABAAZGF0YQAAAAA=';
const AUDIO_ID = 'audio_mock0000';
/** An hour from now, as OpenAI's audio replies expire. */
const expiresAt = () => unixSeconds() + 3600;

/** Where a whole reply's text goes: `content`, or a legacy function call, or an audio reply. */
function answer(reply: string, shape: MockReplyShape | undefined): Record<string, unknown> {
  if (shape === 'function_call')
    return {
      content: null,
      function_call: { name: 'reply', arguments: JSON.stringify({ text: reply }) },
    };
  if (shape === 'audio')
    return {
      content: null,
      audio: { id: AUDIO_ID, data: SILENCE, expires_at: expiresAt(), transcript: reply },
    };
  return { content: reply };
}

/** The deltas that stream a reply, `chunkSize` characters each, in `shape`. */
function answerDeltas(
  reply: string,
  chunkSize: number,
  shape: MockReplyShape | undefined,
): object[] {
  if (shape === 'function_call') {
    const pieces = splitReply(JSON.stringify({ text: reply }), chunkSize);
    return [
      { content: null, function_call: { name: 'reply', arguments: '' } },
      ...pieces.map((piece) => ({ function_call: { arguments: piece } })),
    ];
  }
  if (shape === 'audio') {
    const pieces = splitReply(reply, chunkSize);
    return [
      ...pieces.map((transcript, i) =>
        i === 0 ? { audio: { id: AUDIO_ID, transcript } } : { audio: { transcript } },
      ),
      { audio: { data: SILENCE } },
      { audio: { expires_at: expiresAt() } },
    ];
  }
  return splitReply(reply, chunkSize).map((content) => ({ content }));
}

function finishReason(toolCall: MockToolCall | undefined, shape: MockReplyShape | undefined) {
  if (toolCall !== undefined) return 'tool_calls';
  return shape === 'function_call' ? 'function_call' : 'stop';
}
