import type {
  CanonicalImage,
  CanonicalMessage,
  CanonicalPart,
  CanonicalRequest,
  CanonicalText,
  CanonicalTool,
  CanonicalToolChoice,
} from '../core/canonical.js';
import {
  arr,
  jsonObject,
  obj,
  optArr,
  optBool,
  optNum,
  optObj,
  optStr,
  parseArguments,
  refuseUnknown,
  setIf,
  str,
  type Mutable,
  type Obj,
} from '../core/translate-read.js';
import { malformed, notTranslatable, type JsonObject } from '../core/translator.js';
import { walkTurns } from '../core/translate-turns.js';

/** Anthropic Messages ⇄ canonical: requests and non-streamed replies. */

const KNOWN_FIELDS = new Set([
  'model',
  'messages',
  'system',
  'max_tokens',
  'tools',
  'tool_choice',
  'temperature',
  'top_p',
  'top_k',
  'stop_sequences',
  'stream',
  'metadata',
  'thinking',
]);

/** Output bound sent when the caller set none: Anthropic requires one. */
export const DEFAULT_MAX_TOKENS = 4096;

/**
 * JSON mode has no Anthropic field: it is asked as a forced call of this one tool, whose
 * input comes back as the reply text.
 */
export const JSON_TOOL_NAME = 'json_response';

export function anthropicRequestToCanonical(body: JsonObject): CanonicalRequest {
  refuseUnknown(body, KNOWN_FIELDS, '');
  const messages: CanonicalMessage[] = [];
  const system = body.system;
  if (system !== undefined && system !== null) {
    messages.push({ role: 'system', content: readTexts(system, 'system') });
  }
  arr(body.messages, 'messages').forEach((m, i) =>
    messages.push(...readMessage(m, `messages[${i}]`)),
  );
  const req: Mutable<CanonicalRequest> = {
    model: str(body.model, 'model'),
    messages,
    stream: optBool(body.stream, 'stream') ?? false,
    // Anthropic streams always carry usage.
    includeUsage: true,
  };
  const tools = optArr(body.tools, 'tools');
  if (tools !== undefined) req.tools = tools.map((t, i) => readTool(t, `tools[${i}]`));
  const choice = optObj(body.tool_choice, 'tool_choice');
  if (choice !== undefined) readToolChoice(choice, req);
  setIf(req, 'maxTokens', optNum(body.max_tokens, 'max_tokens'));
  setIf(req, 'temperature', optNum(body.temperature, 'temperature'));
  setIf(req, 'topP', optNum(body.top_p, 'top_p'));
  setIf(req, 'topK', optNum(body.top_k, 'top_k'));
  const stops = optArr(body.stop_sequences, 'stop_sequences');
  if (stops !== undefined) req.stop = stops.map((s, i) => str(s, `stop_sequences[${i}]`));
  const metadata = optObj(body.metadata, 'metadata');
  if (metadata !== undefined) {
    refuseUnknown(metadata, new Set(['user_id']), 'metadata.');
    setIf(req, 'user', optStr(metadata.user_id, 'metadata.user_id'));
  }
  setIf(req, 'reasoningEffort', readThinking(body.thinking));
  return req;
}

/** Anthropic's smallest thinking budget; the bounds of the effort levels it maps to. */
const MIN_THINKING_BUDGET = 1024;
const LOW_BELOW = 4096;
const MEDIUM_BELOW = 16_384;

/**
 * `thinking` as an effort level: `disabled` asks for none; `enabled` maps its
 * `budget_tokens` (an integer from 1,024, as Anthropic requires) to low (< 4,096), medium
 * (< 16,384) or high. Any other type has no counterpart and is refused.
 */
function readThinking(value: unknown): CanonicalRequest['reasoningEffort'] {
  const thinking = optObj(value, 'thinking');
  if (thinking === undefined) return undefined;
  refuseUnknown(thinking, new Set(['type', 'budget_tokens']), 'thinking.');
  const type = str(thinking.type, 'thinking.type');
  if (type === 'disabled') return undefined;
  if (type !== 'enabled') throw notTranslatable('thinking.type');
  const budget = optNum(thinking.budget_tokens, 'thinking.budget_tokens');
  if (budget === undefined || !Number.isInteger(budget) || budget < MIN_THINKING_BUDGET)
    throw malformed('thinking.budget_tokens');
  return budget < LOW_BELOW ? 'low' : budget < MEDIUM_BELOW ? 'medium' : 'high';
}

/**
 * `cache_control` is a caching hint for Anthropic's own prompt cache. Other providers cache
 * on their own (OpenAI) or not at all: translated, it is checked for shape and dropped.
 */
const CACHE_CONTROL = 'cache_control';

function dropCacheControl(block: Obj, path: string): void {
  optObj(block[CACHE_CONTROL], `${path}.${CACHE_CONTROL}`);
}

const TEXT_BLOCK_FIELDS = new Set(['type', 'text', CACHE_CONTROL]);

function readTexts(content: unknown, path: string): CanonicalText[] {
  if (typeof content === 'string') return [{ type: 'text', text: content }];
  return arr(content, path).map((b, i) => {
    const block = obj(b, `${path}[${i}]`);
    if (block.type !== 'text') throw notTranslatable(`${path}[${i}].type`);
    refuseUnknown(block, TEXT_BLOCK_FIELDS, `${path}[${i}].`);
    dropCacheControl(block, `${path}[${i}]`);
    return { type: 'text', text: str(block.text, `${path}[${i}].text`) };
  });
}

/** One Anthropic turn; a user turn's tool results become `tool` messages ahead of its text. */
function readMessage(m: unknown, path: string): CanonicalMessage[] {
  const o = obj(m, path);
  refuseUnknown(o, new Set(['role', 'content']), `${path}.`);
  const role = str(o.role, `${path}.role`);
  if (role !== 'user' && role !== 'assistant') throw malformed(`${path}.role`);
  if (typeof o.content === 'string')
    return [{ role, content: [{ type: 'text', text: o.content }] }];
  const out: CanonicalMessage[] = [];
  const rest: CanonicalPart[] = [];
  arr(o.content, `${path}.content`).forEach((b, i) => {
    const at = `${path}.content[${i}]`;
    const block = obj(b, at);
    if (role === 'user' && block.type === 'tool_result') {
      out.push({ role: 'tool', content: [readToolResult(block, at)] });
    } else if (role === 'assistant' && block.type === 'tool_use') {
      refuseUnknown(block, new Set(['type', 'id', 'name', 'input', CACHE_CONTROL]), `${at}.`);
      dropCacheControl(block, at);
      rest.push({
        type: 'tool_call',
        id: str(block.id, `${at}.id`),
        name: str(block.name, `${at}.name`),
        arguments: JSON.stringify(jsonObject(block.input, `${at}.input`)),
      });
    } else if (block.type === 'image' && role === 'user') rest.push(readImage(block, at));
    else if (block.type === 'text') {
      refuseUnknown(block, TEXT_BLOCK_FIELDS, `${at}.`);
      dropCacheControl(block, at);
      rest.push({ type: 'text', text: str(block.text, `${at}.text`) });
    } else throw notTranslatable(`${at}.type`);
  });
  if (rest.length > 0 || out.length === 0) out.push({ role, content: rest });
  return out;
}

function readImage(block: Obj, path: string): CanonicalImage {
  refuseUnknown(block, new Set(['type', 'source', CACHE_CONTROL]), `${path}.`);
  dropCacheControl(block, path);
  const source = obj(block.source, `${path}.source`);
  if (source.type === 'url') {
    return { type: 'image', source: { kind: 'url', url: str(source.url, `${path}.source.url`) } };
  }
  if (source.type !== 'base64') throw notTranslatable(`${path}.source.type`);
  return {
    type: 'image',
    source: {
      kind: 'base64',
      mediaType: str(source.media_type, `${path}.source.media_type`),
      data: str(source.data, `${path}.source.data`),
    },
  };
}

function readToolResult(block: Obj, path: string): CanonicalPart {
  refuseUnknown(
    block,
    new Set(['type', 'tool_use_id', 'content', 'is_error', CACHE_CONTROL]),
    `${path}.`,
  );
  dropCacheControl(block, path);
  const content: (CanonicalText | CanonicalImage)[] = [];
  const raw = block.content;
  if (typeof raw === 'string') content.push({ type: 'text', text: raw });
  else if (raw !== undefined && raw !== null) {
    arr(raw, `${path}.content`).forEach((b, i) => {
      const at = `${path}.content[${i}]`;
      const inner = obj(b, at);
      if (inner.type === 'image') content.push(readImage(inner, at));
      else content.push(...readTexts([inner], `${path}.content`));
    });
  }
  const result: Mutable<CanonicalPart & { type: 'tool_result' }> = {
    type: 'tool_result',
    toolCallId: str(block.tool_use_id, `${path}.tool_use_id`),
    content,
  };
  const isError = optBool(block.is_error, `${path}.is_error`);
  if (isError === true) result.isError = true;
  return result;
}

function readTool(t: unknown, path: string): CanonicalTool {
  const o = obj(t, path);
  if (o.type !== undefined && o.type !== null && o.type !== 'custom') {
    throw notTranslatable(`${path}.type`);
  }
  refuseUnknown(
    o,
    new Set(['type', 'name', 'description', 'input_schema', CACHE_CONTROL]),
    `${path}.`,
  );
  dropCacheControl(o, path);
  const tool: Mutable<CanonicalTool> = {
    name: str(o.name, `${path}.name`),
    parameters: jsonObject(o.input_schema, `${path}.input_schema`),
  };
  setIf(tool, 'description', optStr(o.description, `${path}.description`));
  return tool;
}

function readToolChoice(o: Obj, req: Mutable<CanonicalRequest>): void {
  refuseUnknown(o, new Set(['type', 'name', 'disable_parallel_tool_use']), 'tool_choice.');
  const type = str(o.type, 'tool_choice.type');
  let choice: CanonicalToolChoice;
  if (type === 'auto' || type === 'none') choice = { type };
  else if (type === 'any') choice = { type: 'required' };
  else if (type === 'tool') choice = { type: 'tool', name: str(o.name, 'tool_choice.name') };
  else throw notTranslatable('tool_choice.type');
  req.toolChoice = choice;
  const noParallel = optBool(o.disable_parallel_tool_use, 'tool_choice.disable_parallel_tool_use');
  if (noParallel !== undefined) req.parallelToolCalls = !noParallel;
}

// ---- canonical → Anthropic request (the provider side)

export function anthropicRequestFromCanonical(
  req: CanonicalRequest,
  opts: { upstreamModel: string; defaultMaxTokens?: number },
): JsonObject {
  // Only an Anthropic caller asks for reasoning, and it reaches Anthropic untranslated.
  if (req.reasoningEffort !== undefined)
    throw notTranslatable('reasoning_effort', 'anthropic_messages');
  const body: JsonObject = {
    model: opts.upstreamModel,
    max_tokens: req.maxTokens ?? opts.defaultMaxTokens ?? DEFAULT_MAX_TOKENS,
  };
  const { system, messages } = writeMessages(req.messages);
  if (system !== undefined) body.system = system;
  body.messages = messages;
  writeTools(req, body);
  if (req.temperature !== undefined) body.temperature = req.temperature;
  if (req.topP !== undefined) body.top_p = req.topP;
  if (req.topK !== undefined) body.top_k = req.topK;
  if (req.stop !== undefined) body.stop_sequences = [...req.stop];
  if (req.user !== undefined) body.metadata = { user_id: req.user };
  if (req.stream) body.stream = true;
  return body;
}

function writeTools(req: CanonicalRequest, body: JsonObject): void {
  const format = req.responseFormat;
  if (format !== undefined && format.type !== 'text') {
    // JSON mode is a forced call of one tool: it cannot share the turn with the caller's.
    if (req.tools !== undefined && req.tools.length > 0) {
      throw notTranslatable('response_format', 'anthropic_messages');
    }
    const schema = format.type === 'json_schema' ? format.schema : { type: 'object' };
    const tool: JsonObject = { name: JSON_TOOL_NAME, input_schema: schema };
    const description = format.type === 'json_schema' ? format.description : undefined;
    tool.description = description ?? 'Give the answer as this JSON object.';
    body.tools = [tool];
    body.tool_choice = { type: 'tool', name: JSON_TOOL_NAME };
    return;
  }
  if (req.tools !== undefined) {
    body.tools = req.tools.map((t, i) => {
      if (t.strict === true) throw notTranslatable(`tools[${i}].strict`, 'anthropic_messages');
      const tool: JsonObject = { name: t.name, input_schema: t.parameters };
      if (t.description !== undefined) tool.description = t.description;
      return tool;
    });
  }
  let choice: JsonObject | undefined;
  const c = req.toolChoice;
  if (c !== undefined) {
    choice =
      c.type === 'required'
        ? { type: 'any' }
        : c.type === 'tool'
          ? { type: 'tool', name: c.name }
          : { type: c.type };
  }
  // Without tools there is nothing to call in parallel (and no tool_choice to carry it).
  if (req.parallelToolCalls === false && req.tools !== undefined && req.tools.length > 0) {
    choice ??= { type: 'auto' };
    if (choice.type !== 'none') choice.disable_parallel_tool_use = true;
  }
  if (choice !== undefined) body.tool_choice = choice;
}

/** Leading system messages become `system`; tool results join the user turn after them. */
function writeMessages(messages: readonly CanonicalMessage[]): {
  system: unknown;
  messages: JsonObject[];
} {
  const out: { role: 'user' | 'assistant'; content: JsonObject[]; isResults: boolean }[] = [];
  const systemTexts = walkTurns(messages, 'anthropic_messages', (m, path) => {
    const role = m.role === 'assistant' ? 'assistant' : 'user';
    const blocks = m.content.map((p) => writeBlock(p, path, m.role));
    const last = out[out.length - 1];
    const isResults = m.role === 'tool';
    // Anthropic wants every result of a tool turn in one user turn; other turns stay apart
    // (it accepts consecutive user turns), so reading back gives the same messages.
    if (isResults && last?.isResults === true) last.content.push(...blocks);
    else out.push({ role, content: blocks, isResults });
  });
  const system =
    systemTexts.length === 0
      ? undefined
      : systemTexts.length === 1
        ? systemTexts[0]?.text
        : systemTexts.map((t) => ({ type: 'text', text: t.text }));
  return {
    system,
    messages: out.map((m) => {
      const only = m.content[0];
      const isPlain = m.content.length === 1 && only?.type === 'text';
      return { role: m.role, content: isPlain ? only.text : m.content };
    }),
  };
}

function writeBlock(p: CanonicalPart, path: string, role: string): JsonObject {
  switch (p.type) {
    case 'text':
      return { type: 'text', text: p.text };
    case 'image':
      return writeImage(p, path);
    case 'tool_call':
      if (role !== 'assistant') throw malformed(`${path}.content`);
      return {
        type: 'tool_use',
        id: p.id,
        name: p.name,
        input: parseArguments(p.arguments, `${path}.tool_calls.arguments`),
      };
    case 'tool_result': {
      if (role !== 'tool') throw malformed(`${path}.content`);
      const block: JsonObject = { type: 'tool_result', tool_use_id: p.toolCallId };
      const only = p.content[0];
      block.content =
        p.content.length === 1 && only?.type === 'text'
          ? only.text
          : p.content.map((c) =>
              c.type === 'text' ? { type: 'text', text: c.text } : writeImage(c, path),
            );
      if (p.isError === true) block.is_error = true;
      return block;
    }
  }
}

function writeImage(p: CanonicalImage, path: string): JsonObject {
  if (p.detail !== undefined && p.detail !== 'auto') {
    throw notTranslatable(`${path}.content.image_url.detail`, 'anthropic_messages');
  }
  const source =
    p.source.kind === 'url'
      ? { type: 'url', url: p.source.url }
      : { type: 'base64', media_type: p.source.mediaType, data: p.source.data };
  return { type: 'image', source };
}
