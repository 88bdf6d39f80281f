import { randomBytes } from 'node:crypto';
import type {
  CanonicalFinishReason,
  CanonicalImage,
  CanonicalMessage,
  CanonicalRequest,
  CanonicalResponse,
  CanonicalText,
  CanonicalToolCall,
  CanonicalUsage,
} from '../core/canonical.js';
import { isSafeIdentifier } from '../core/reply-check.js';
import {
  arr,
  isObj,
  obj,
  optStr,
  parseArguments,
  type Mutable,
  type Obj,
} from '../core/translate-read.js';
import { malformed, notTranslatable, type JsonObject } from '../core/translator.js';
import { pushMerged, walkTurns } from '../core/translate-turns.js';

/**
 * Canonical ⇄ Gemini `generateContent` (AI Studio and Vertex AI): `contents` of `user` and
 * `model` turns made of parts (`text`, `inlineData`, `functionCall`, `functionResponse`), one
 * `systemInstruction`, `tools[].functionDeclarations`, `toolConfig`, and the sampling options
 * in `generationConfig`. What Gemini cannot carry (a message `name`, image URLs, `user`,
 * `strict` tools, one tool call per turn) is refused, never dropped.
 */

const FORMAT = 'gemini' as const;

export function geminiRequestFromCanonical(req: CanonicalRequest): JsonObject {
  const body: JsonObject = {};
  const { system, contents } = writeContents(req.messages);
  if (system.length > 0) body.systemInstruction = { parts: system.map((t) => ({ text: t.text })) };
  body.contents = contents;
  writeTools(req, body);
  const config: JsonObject = {};
  if (req.maxTokens !== undefined) config.maxOutputTokens = req.maxTokens;
  if (req.temperature !== undefined) config.temperature = req.temperature;
  if (req.topP !== undefined) config.topP = req.topP;
  if (req.topK !== undefined) config.topK = req.topK;
  if (req.stop !== undefined) config.stopSequences = [...req.stop];
  const format = req.responseFormat;
  if (format !== undefined && format.type !== 'text') {
    config.responseMimeType = 'application/json';
    if (format.type === 'json_schema') config.responseJsonSchema = format.schema;
  }
  if (Object.keys(config).length > 0) body.generationConfig = config;
  if (req.user !== undefined) throw notTranslatable('user', FORMAT);
  if (req.reasoningEffort !== undefined) throw notTranslatable('thinking', FORMAT);
  return body;
}

function writeTools(req: CanonicalRequest, body: JsonObject): void {
  if (req.parallelToolCalls === false) throw notTranslatable('parallel_tool_calls', FORMAT);
  if (req.tools !== undefined && req.tools.length > 0) {
    const functionDeclarations = req.tools.map((t, i) => {
      if (t.strict === true) throw notTranslatable(`tools[${i}].strict`, FORMAT);
      const fn: JsonObject = { name: t.name, parametersJsonSchema: t.parameters };
      if (t.description !== undefined) fn.description = t.description;
      return fn;
    });
    body.tools = [{ functionDeclarations }];
  }
  const c = req.toolChoice;
  if (c === undefined) return;
  const config: JsonObject =
    c.type === 'auto'
      ? { mode: 'AUTO' }
      : c.type === 'none'
        ? { mode: 'NONE' }
        : c.type === 'required'
          ? { mode: 'ANY' }
          : { mode: 'ANY', allowedFunctionNames: [c.name] };
  body.toolConfig = { functionCallingConfig: config };
}

/**
 * Leading system messages become `systemInstruction`; assistant turns are `model` turns; tool
 * results are `functionResponse` parts of a user turn, named after the call they answer.
 * Consecutive turns of one role are merged.
 */
function writeContents(messages: readonly CanonicalMessage[]): {
  system: CanonicalText[];
  contents: JsonObject[];
} {
  const turns: { role: string; items: JsonObject[] }[] = [];
  const callNames = new Map<string, string>();
  const system = walkTurns(messages, FORMAT, (m, path) => {
    const role = m.role === 'assistant' ? 'model' : 'user';
    const parts = m.content.map((p): JsonObject => {
      switch (p.type) {
        case 'text':
          return { text: p.text };
        case 'image':
          return writeImage(p, path);
        case 'tool_call':
          if (m.role !== 'assistant') throw malformed(`${path}.content`);
          callNames.set(p.id, p.name);
          return {
            functionCall: { name: p.name, args: parseArguments(p.arguments, `${path}.tool_calls`) },
          };
        case 'tool_result': {
          if (m.role !== 'tool') throw malformed(`${path}.content`);
          const name = callNames.get(p.toolCallId);
          if (name === undefined) throw malformed(`${path}.tool_call_id`);
          return { functionResponse: { name, response: resultObject(p.content, p.isError, path) } };
        }
      }
    });
    pushMerged(turns, role, parts);
  });
  return { system, contents: turns.map((t) => ({ role: t.role, parts: t.items })) };
}

/**
 * Gemini wants a tool's result as an object: a JSON object answer as itself, other text as
 * `{"output": text}`, an error as `{"error": text}` (the keys its documentation names).
 */
function resultObject(
  content: readonly (CanonicalText | CanonicalImage)[],
  isError: boolean | undefined,
  path: string,
): JsonObject {
  const texts = content.map((c) => {
    if (c.type !== 'text') throw notTranslatable(`${path}.content.image_url`, FORMAT);
    return c.text;
  });
  const text = texts.join('\n');
  if (isError === true) return { error: text };
  try {
    const parsed: unknown = JSON.parse(text);
    if (isObj(parsed)) return parsed;
  } catch {
    // Not JSON: sent as text.
  }
  return { output: text };
}

function writeImage(p: CanonicalImage, path: string): JsonObject {
  if (p.detail !== undefined && p.detail !== 'auto') {
    throw notTranslatable(`${path}.content.image_url.detail`, FORMAT);
  }
  // Gemini fetches no web URLs: inline bytes only.
  if (p.source.kind === 'url') throw notTranslatable(`${path}.content.image_url.url`, FORMAT);
  return { inlineData: { mimeType: p.source.mediaType, data: p.source.data } };
}

const FINISH_FROM_GEMINI: Record<string, CanonicalFinishReason> = {
  STOP: 'stop',
  MAX_TOKENS: 'length',
  SAFETY: 'content_filter',
  RECITATION: 'content_filter',
  BLOCKLIST: 'content_filter',
  PROHIBITED_CONTENT: 'content_filter',
  SPII: 'content_filter',
  IMAGE_SAFETY: 'content_filter',
};

/** A turn that ends in function calls is `tool_calls` (Gemini says STOP for it). */
export function finishFromGemini(reason: unknown, hasToolCalls: boolean): CanonicalFinishReason {
  const mapped = (typeof reason === 'string' ? FINISH_FROM_GEMINI[reason] : undefined) ?? 'stop';
  return mapped === 'stop' && hasToolCalls ? 'tool_calls' : mapped;
}

const count = (v: unknown) => (typeof v === 'number' && Number.isFinite(v) && v >= 0 ? v : 0);

/** Thinking tokens are billed as output; cached content is part of the prompt count. */
export function usageFromGemini(u: unknown): CanonicalUsage {
  const m = isObj(u) ? u : {};
  const usage: Mutable<CanonicalUsage> = {
    inputTokens: count(m.promptTokenCount),
    outputTokens: count(m.candidatesTokenCount) + count(m.thoughtsTokenCount),
  };
  const cached = count(m.cachedContentTokenCount);
  if (cached > 0) usage.cachedInputTokens = cached;
  return usage;
}

/** An identifier Gemini sent, if it is safe to show; else one of ours. */
export function safeId(value: unknown, fallback: () => string): string {
  return typeof value === 'string' && isSafeIdentifier(value) ? value : fallback();
}

export const newCallId = (): string => `call_${randomBytes(12).toString('hex')}`;
export const newResponseId = (): string => `gemini-${randomBytes(12).toString('hex')}`;

/** The parts of a reply's first candidate, as canonical text and tool calls (thoughts skipped). */
export function readParts(candidate: Obj, path: string): (CanonicalText | CanonicalToolCall)[] {
  const content = isObj(candidate.content) ? candidate.content : {};
  const out: (CanonicalText | CanonicalToolCall)[] = [];
  const parts = content.parts === undefined ? [] : arr(content.parts, `${path}.content.parts`);
  parts.forEach((raw, i) => {
    const part = obj(raw, `${path}.content.parts[${i}]`);
    if (part.thought === true) return;
    if (typeof part.text === 'string') out.push({ type: 'text', text: part.text });
    else if (isObj(part.functionCall)) {
      const call = part.functionCall;
      const name = optStr(call.name, `${path}.content.parts[${i}].functionCall.name`) ?? '';
      const args = isObj(call.args) ? call.args : {};
      out.push({
        type: 'tool_call',
        id: safeId(call.id, newCallId),
        name,
        arguments: JSON.stringify(args),
      });
    }
  });
  return out;
}

export function geminiResponseToCanonical(
  json: JsonObject,
  req?: CanonicalRequest,
): CanonicalResponse {
  const candidates = json.candidates === undefined ? [] : arr(json.candidates, 'candidates');
  const first = candidates[0];
  const candidate = first === undefined ? undefined : obj(first, 'candidates[0]');
  const content = candidate === undefined ? [] : readParts(candidate, 'candidates[0]');
  const hasToolCalls = content.some((p) => p.type === 'tool_call');
  // No candidate: the prompt itself was blocked (promptFeedback.blockReason).
  const finishReason =
    candidate === undefined
      ? 'content_filter'
      : finishFromGemini(candidate.finishReason, hasToolCalls);
  return {
    id: safeId(json.responseId, newResponseId),
    model: safeId(json.modelVersion, () => req?.model ?? 'unknown'),
    content,
    finishReason,
    usage: usageFromGemini(json.usageMetadata),
  };
}
