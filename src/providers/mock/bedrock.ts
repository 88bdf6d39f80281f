import { randomBase62 } from './ids.js';
import { defaultReply, invalidRequest, type MockCall, type MockReply } from './reply.js';
import { jsonFrame, type SseFrame } from './sse.js';
import {
  estimateCompletionTokens,
  estimatePromptTokens,
  estimateTextTokens,
  splitReply,
} from './tokens.js';
import { chooseToolCall, resultText, type DeclaredTool } from './tools.js';

type Json = Record<string, unknown>;

const isObject = (v: unknown): v is Json =>
  typeof v === 'object' && v !== null && !Array.isArray(v);

interface ConversePrompt {
  texts: string[];
  turns: number;
  lastUserText: string;
  toolResult: { name: string; result: unknown } | undefined;
}

/** Reads `messages` and `system`; a problem is Bedrock's ValidationException message. */
function readPrompt(body: Json): ConversePrompt | string {
  const messages = body.messages;
  if (!Array.isArray(messages) || messages.length === 0) {
    return 'The model returned the following errors: messages: at least one message is required';
  }
  const texts: string[] = [];
  let turns = 0;
  if (Array.isArray(body.system) && body.system.length > 0) {
    turns += 1;
    for (const block of body.system as unknown[]) {
      if (isObject(block) && typeof block.text === 'string') texts.push(block.text);
    }
  }
  const toolNames = new Map<string, string>();
  let lastUserText = '';
  let toolResult: ConversePrompt['toolResult'];
  for (const [i, message] of (messages as unknown[]).entries()) {
    if (!isObject(message) || !Array.isArray(message.content)) {
      return `1 validation error detected: Value at 'messages.${i + 1}.member.content' failed to satisfy constraint: Member must not be null`;
    }
    const role = message.role;
    if (role !== 'user' && role !== 'assistant') {
      return `1 validation error detected: Value at 'messages.${i + 1}.member.role' failed to satisfy constraint: Member must satisfy enum value set: [user, assistant]`;
    }
    if (i === 0 && role !== 'user') return 'A conversation must start with a user message.';
    turns += 1;
    toolResult = undefined;
    const pieces: string[] = [];
    for (const block of message.content as unknown[]) {
      if (!isObject(block)) continue;
      if (typeof block.text === 'string') pieces.push(block.text);
      const use = block.toolUse;
      if (isObject(use) && typeof use.toolUseId === 'string' && typeof use.name === 'string') {
        toolNames.set(use.toolUseId, use.name);
      }
      const result = block.toolResult;
      if (isObject(result) && typeof result.toolUseId === 'string') {
        toolResult = {
          name: toolNames.get(result.toolUseId) ?? result.toolUseId,
          result: result.content,
        };
      }
    }
    texts.push(...pieces);
    if (role === 'user' && pieces.length > 0) lastUserText = pieces.join('\n');
  }
  return { texts, turns, lastUserText, toolResult };
}

function declaredTools(body: Json): DeclaredTool[] {
  const config = body.toolConfig;
  if (!isObject(config) || !Array.isArray(config.tools)) return [];
  const tools: DeclaredTool[] = [];
  for (const tool of config.tools as unknown[]) {
    const spec = isObject(tool) ? tool.toolSpec : undefined;
    if (isObject(spec) && typeof spec.name === 'string') {
      tools.push({ name: spec.name });
    }
  }
  return tools;
}

/** Bedrock pads each stream event with `p`, so event sizes do not reveal the text's. */
function padded(fields: Json): Json {
  return { ...fields, p: 'abcdefgh' };
}

/**
 * `POST /model/{modelId}/converse` and `/converse-stream` (Bedrock Runtime Converse API).
 * Streams use the binary AWS event stream: `messageStart`, `contentBlockStart` (tool use),
 * `contentBlockDelta`…, `contentBlockStop`, `messageStop`, then `metadata` with the usage.
 */
export function converse(call: MockCall): MockReply {
  const model = call.pathParam ?? '';
  const prompt = readPrompt(call.body);
  if (typeof prompt === 'string') return invalidRequest(prompt);
  const tools = prompt.toolResult === undefined ? declaredTools(call.body) : [];
  const toolCall =
    call.replyOverride === undefined ? chooseToolCall(tools, prompt.lastUserText) : undefined;
  const reply =
    call.replyOverride ??
    (prompt.toolResult === undefined
      ? defaultReply(model, prompt.lastUserText)
      : defaultReply(model, resultText(prompt.toolResult.result)));
  const inputTokens = estimatePromptTokens(prompt.texts, prompt.turns);
  const outputTokens =
    toolCall === undefined
      ? estimateCompletionTokens(reply)
      : Math.max(1, estimateTextTokens(JSON.stringify(toolCall)));
  const usage = { inputTokens, outputTokens, totalTokens: inputTokens + outputTokens };
  const toolUseId = `tooluse_${randomBase62(22)}`;
  const stopReason = toolCall === undefined ? 'end_turn' : 'tool_use';
  if (!call.isStreamPath) {
    const content =
      toolCall === undefined
        ? [{ text: reply }]
        : [{ toolUse: { toolUseId, name: toolCall.name, input: toolCall.args } }];
    return {
      kind: 'json',
      body: {
        output: { message: { role: 'assistant', content } },
        stopReason,
        usage,
        metrics: { latencyMs: 42 },
      },
    };
  }
  const frames: SseFrame[] = [];
  const emit = (event: string, fields: Json, isContent = false): void => {
    frames.push(jsonFrame(padded(fields), { event, isContent }));
  };
  emit('messageStart', { role: 'assistant' });
  if (toolCall === undefined) {
    for (const text of splitReply(reply, call.chunkSize)) {
      emit('contentBlockDelta', { contentBlockIndex: 0, delta: { text } }, true);
    }
  } else {
    emit('contentBlockStart', {
      contentBlockIndex: 0,
      start: { toolUse: { toolUseId, name: toolCall.name } },
    });
    const input = JSON.stringify(toolCall.args);
    for (const piece of splitReply(input, call.chunkSize)) {
      emit(
        'contentBlockDelta',
        { contentBlockIndex: 0, delta: { toolUse: { input: piece } } },
        true,
      );
    }
  }
  emit('contentBlockStop', { contentBlockIndex: 0 });
  emit('messageStop', { stopReason });
  emit('metadata', { usage, metrics: { latencyMs: 42 } });
  return { kind: 'stream', frames, framing: 'aws-event-stream' };
}
