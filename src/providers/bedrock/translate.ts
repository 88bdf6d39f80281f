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
  str,
  type Mutable,
} from '../core/translate-read.js';
import { malformed, notTranslatable, type JsonObject } from '../core/translator.js';
import { pushMerged, walkTurns } from '../core/translate-turns.js';

/**
 * Canonical ⇄ Bedrock Converse: `messages` alternating `user` / `assistant` with content
 * blocks (`text`, `image`, `toolUse`, `toolResult`), `system` blocks, `inferenceConfig` and
 * `toolConfig`. Converse has no JSON mode, no "no tool" choice, no top-k, no end-user id and
 * no one-call-per-turn switch: those are refused, never dropped.
 */

const FORMAT = 'bedrock_converse' as const;
const IMAGE_FORMATS: Record<string, string> = {
  'image/png': 'png',
  'image/jpeg': 'jpeg',
  'image/gif': 'gif',
  'image/webp': 'webp',
};

export function bedrockRequestFromCanonical(
  req: CanonicalRequest,
  opts: { defaultMaxTokens?: number },
): JsonObject {
  if (req.user !== undefined) throw notTranslatable('user', FORMAT);
  if (req.topK !== undefined) throw notTranslatable('top_k', FORMAT);
  if (req.reasoningEffort !== undefined) throw notTranslatable('thinking', FORMAT);
  if (req.responseFormat !== undefined && req.responseFormat.type !== 'text') {
    throw notTranslatable('response_format', FORMAT);
  }
  const body: JsonObject = {};
  const { system, messages } = writeMessages(req.messages);
  body.messages = messages;
  if (system.length > 0) body.system = system.map((t) => ({ text: t.text }));
  const inference: JsonObject = {
    maxTokens: req.maxTokens ?? opts.defaultMaxTokens ?? 4096,
  };
  if (req.temperature !== undefined) inference.temperature = req.temperature;
  if (req.topP !== undefined) inference.topP = req.topP;
  if (req.stop !== undefined) inference.stopSequences = [...req.stop];
  body.inferenceConfig = inference;
  writeTools(req, body);
  return body;
}

function writeTools(req: CanonicalRequest, body: JsonObject): void {
  if (req.parallelToolCalls === false) throw notTranslatable('parallel_tool_calls', FORMAT);
  const c = req.toolChoice;
  if (c?.type === 'none') throw notTranslatable('tool_choice', FORMAT);
  if (req.tools === undefined || req.tools.length === 0) return;
  const tools = req.tools.map((t, i) => {
    if (t.strict === true) throw notTranslatable(`tools[${i}].strict`, FORMAT);
    const spec: JsonObject = { name: t.name, inputSchema: { json: t.parameters } };
    if (t.description !== undefined) spec.description = t.description;
    return { toolSpec: spec };
  });
  const config: JsonObject = { tools };
  if (c !== undefined) {
    config.toolChoice =
      c.type === 'required'
        ? { any: {} }
        : c.type === 'tool'
          ? { tool: { name: c.name } }
          : { auto: {} };
  }
  body.toolConfig = config;
}

/** Leading system messages become `system`; tool results join the user turn; turns alternate. */
function writeMessages(messages: readonly CanonicalMessage[]): {
  system: CanonicalText[];
  messages: JsonObject[];
} {
  const turns: { role: string; items: JsonObject[] }[] = [];
  const system = walkTurns(messages, FORMAT, (m, path) => {
    const role = m.role === 'assistant' ? 'assistant' : 'user';
    const blocks = m.content.map((p): JsonObject => {
      switch (p.type) {
        case 'text':
          return { text: p.text };
        case 'image':
          return writeImage(p, path);
        case 'tool_call':
          if (m.role !== 'assistant') throw malformed(`${path}.content`);
          return {
            toolUse: {
              toolUseId: p.id,
              name: p.name,
              input: parseArguments(p.arguments, `${path}.tool_calls`),
            },
          };
        case 'tool_result': {
          if (m.role !== 'tool') throw malformed(`${path}.content`);
          const result: JsonObject = {
            toolUseId: p.toolCallId,
            content: p.content.map((c) =>
              c.type === 'text' ? { text: c.text } : writeImage(c, path),
            ),
          };
          if (p.isError === true) result.status = 'error';
          return { toolResult: result };
        }
      }
    });
    pushMerged(turns, role, blocks);
  });
  return { system, messages: turns.map((t) => ({ role: t.role, content: t.items })) };
}

function writeImage(p: CanonicalImage, path: string): JsonObject {
  if (p.detail !== undefined && p.detail !== 'auto') {
    throw notTranslatable(`${path}.content.image_url.detail`, FORMAT);
  }
  if (p.source.kind === 'url') throw notTranslatable(`${path}.content.image_url.url`, FORMAT);
  const format = IMAGE_FORMATS[p.source.mediaType.toLowerCase()];
  if (format === undefined) throw notTranslatable(`${path}.content.image_url.url`, FORMAT);
  return { image: { format, source: { bytes: p.source.data } } };
}

const FINISH_FROM_BEDROCK: Record<string, CanonicalFinishReason> = {
  end_turn: 'stop',
  tool_use: 'tool_calls',
  max_tokens: 'length',
  model_context_window_exceeded: 'length',
  stop_sequence: 'stop_sequence',
  guardrail_intervened: 'content_filter',
  content_filtered: 'content_filter',
};

export function finishFromBedrock(reason: unknown): CanonicalFinishReason {
  return (typeof reason === 'string' ? FINISH_FROM_BEDROCK[reason] : undefined) ?? 'stop';
}

const count = (v: unknown) => (typeof v === 'number' && Number.isFinite(v) && v >= 0 ? v : 0);

/** Like Anthropic's, Bedrock's `inputTokens` leaves out cache reads and writes. */
export function usageFromBedrock(u: unknown): CanonicalUsage {
  const m = isObj(u) ? u : {};
  const cached = count(m.cacheReadInputTokens);
  const written = count(m.cacheWriteInputTokens);
  const usage: Mutable<CanonicalUsage> = {
    inputTokens: count(m.inputTokens) + cached + written,
    outputTokens: count(m.outputTokens),
  };
  if (cached > 0) usage.cachedInputTokens = cached;
  if (written > 0) usage.cacheWriteInputTokens = written;
  return usage;
}

/** Converse replies carry no id: the gateway makes one. */
export const newMessageId = (): string => `msg_bdrk_${randomBytes(12).toString('hex')}`;

/** The model a reply names: Converse does not say, so the one the caller asked for. */
export function modelOf(req: CanonicalRequest | undefined): string {
  const model = req?.model;
  return model !== undefined && isSafeIdentifier(model) ? model : 'unknown';
}

export function bedrockResponseToCanonical(
  json: JsonObject,
  req?: CanonicalRequest,
): CanonicalResponse {
  const output = obj(json.output, 'output');
  const message = obj(output.message, 'output.message');
  const content: (CanonicalText | CanonicalToolCall)[] = [];
  arr(message.content, 'output.message.content').forEach((raw, i) => {
    const path = `output.message.content[${i}]`;
    const block = obj(raw, path);
    if (typeof block.text === 'string') content.push({ type: 'text', text: block.text });
    else if (isObj(block.toolUse)) {
      const use = block.toolUse;
      content.push({
        type: 'tool_call',
        id: str(use.toolUseId, `${path}.toolUse.toolUseId`),
        name: str(use.name, `${path}.toolUse.name`),
        arguments: JSON.stringify(isObj(use.input) ? use.input : {}),
      });
    }
    // reasoningContent and other blocks are never asked for on a translated request.
  });
  optStr(json.stopReason, 'stopReason');
  return {
    id: newMessageId(),
    model: modelOf(req),
    content,
    finishReason: finishFromBedrock(json.stopReason),
    usage: usageFromBedrock(json.usage),
  };
}
