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

interface GeminiPrompt {
  texts: string[];
  turns: number;
  lastUserText: string;
  /** The last turn's function response, if it is one. */
  toolResult: { name: string; response: unknown } | undefined;
}

/** Reads `contents` and `systemInstruction`; a problem is Gemini's 400 message. */
function readPrompt(body: Json): GeminiPrompt | string {
  const contents = body.contents;
  if (!Array.isArray(contents) || contents.length === 0) {
    return '* GenerateContentRequest.contents: contents is not specified';
  }
  const texts: string[] = [];
  let turns = 0;
  const system = body.systemInstruction;
  if (isObject(system) && Array.isArray(system.parts)) {
    turns += 1;
    for (const part of system.parts as unknown[]) {
      if (isObject(part) && typeof part.text === 'string') texts.push(part.text);
    }
  }
  let lastUserText = '';
  let toolResult: GeminiPrompt['toolResult'];
  for (const [i, content] of (contents as unknown[]).entries()) {
    if (!isObject(content) || !Array.isArray(content.parts) || content.parts.length === 0) {
      return `* GenerateContentRequest.contents[${i}].parts: contents.parts must not be empty.`;
    }
    const role = content.role ?? 'user';
    if (role !== 'user' && role !== 'model' && role !== 'function') {
      return `Please use a valid role: user, model.`;
    }
    turns += 1;
    toolResult = undefined;
    const pieces: string[] = [];
    for (const part of content.parts as unknown[]) {
      if (!isObject(part)) continue;
      if (typeof part.text === 'string') pieces.push(part.text);
      const fr = part.functionResponse;
      if (isObject(fr) && typeof fr.name === 'string') {
        toolResult = { name: fr.name, response: fr.response };
      }
    }
    texts.push(...pieces);
    if (role === 'user' && pieces.length > 0) lastUserText = pieces.join('\n');
  }
  return { texts, turns, lastUserText, toolResult };
}

function declaredTools(body: Json): DeclaredTool[] {
  const tools: DeclaredTool[] = [];
  for (const tool of Array.isArray(body.tools) ? (body.tools as unknown[]) : []) {
    if (!isObject(tool) || !Array.isArray(tool.functionDeclarations)) continue;
    for (const fn of tool.functionDeclarations as unknown[]) {
      if (isObject(fn) && typeof fn.name === 'string') {
        tools.push({ name: fn.name });
      }
    }
  }
  const mode = (body.toolConfig as { functionCallingConfig?: { mode?: unknown } } | undefined)
    ?.functionCallingConfig?.mode;
  return mode === 'NONE' ? [] : tools;
}

/**
 * `POST /v1beta/models/{model}:generateContent` and `:streamGenerateContent` (Gemini API,
 * AI Studio). Streams are SSE with `?alt=sse` (CRLF between events, as Google sends them),
 * else one JSON array sent element by element. Every chunk is a whole
 * `GenerateContentResponse`; the last carries `finishReason` and the full `usageMetadata`.
 */
export function generateContent(call: MockCall): MockReply {
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
      : defaultReply(model, resultText(prompt.toolResult.response)));
  const promptTokens = estimatePromptTokens(prompt.texts, prompt.turns);
  const outputTokens =
    toolCall === undefined
      ? estimateCompletionTokens(reply)
      : Math.max(1, estimateTextTokens(JSON.stringify(toolCall)));
  const head = { modelVersion: model, responseId: randomBase62(22) };
  const usage = (candidates: number | undefined): Json => ({
    promptTokenCount: promptTokens,
    ...(candidates === undefined ? {} : { candidatesTokenCount: candidates }),
    totalTokenCount: promptTokens + (candidates ?? 0),
  });
  const candidate = (parts: Json[], finishReason: string | undefined): Json => ({
    content: { parts, role: 'model' },
    ...(finishReason === undefined ? {} : { finishReason }),
    index: 0,
  });
  const lastParts = toolCall === undefined ? undefined : [functionCallPart(toolCall)];
  if (!call.isStreamPath) {
    const parts = lastParts ?? [{ text: reply }];
    return {
      kind: 'json',
      body: { candidates: [candidate(parts, 'STOP')], usageMetadata: usage(outputTokens), ...head },
    };
  }
  const frames: SseFrame[] = [];
  const pieces = lastParts === undefined ? splitReply(reply, call.chunkSize) : [];
  for (const [i, text] of pieces.entries()) {
    const isLast = i === pieces.length - 1;
    frames.push(
      jsonFrame(
        {
          candidates: [candidate([{ text }], isLast ? 'STOP' : undefined)],
          usageMetadata: usage(isLast ? outputTokens : undefined),
          ...head,
        },
        { isContent: true },
      ),
    );
  }
  if (lastParts !== undefined || pieces.length === 0) {
    const parts = lastParts ?? [{ text: '' }];
    frames.push(
      jsonFrame(
        { candidates: [candidate(parts, 'STOP')], usageMetadata: usage(outputTokens), ...head },
        { isContent: true },
      ),
    );
  }
  return {
    kind: 'stream',
    frames,
    framing: call.query.get('alt') === 'sse' ? 'sse-crlf' : 'json-array',
  };
}

function functionCallPart(call: { name: string; args: unknown }): Json {
  return { functionCall: { name: call.name, args: call.args } };
}
