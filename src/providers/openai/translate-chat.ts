import type {
  CanonicalImage,
  CanonicalMessage,
  CanonicalPart,
  CanonicalRequest,
  CanonicalText,
  CanonicalTool,
  CanonicalToolChoice,
  CanonicalResponseFormat,
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
  parseDataUrl,
  refuseUnknown,
  setIf,
  str,
  type Mutable,
  type Obj,
} from '../core/translate-read.js';
import { malformed, notTranslatable, type JsonObject } from '../core/translator.js';

/** OpenAI Chat Completions ⇄ canonical: requests and non-streamed replies. */

const KNOWN_FIELDS = new Set([
  'model',
  'messages',
  'tools',
  'tool_choice',
  'parallel_tool_calls',
  'response_format',
  'max_tokens',
  'max_completion_tokens',
  'temperature',
  'top_p',
  'stop',
  'stream',
  'stream_options',
  'user',
  'n',
]);
/** Values that ask for nothing, so there is nothing to drop. */
const HARMLESS = { n: 1, logprobs: false, store: false };

export function chatRequestToCanonical(body: JsonObject): CanonicalRequest {
  refuseUnknown(body, KNOWN_FIELDS, '', HARMLESS);
  const n = optNum(body.n, 'n');
  if (n !== undefined && n !== 1) throw notTranslatable('n');
  const messages = arr(body.messages, 'messages').map((m, i) => readMessage(m, `messages[${i}]`));
  const streamOptions = optObj(body.stream_options, 'stream_options');
  if (streamOptions !== undefined) {
    refuseUnknown(streamOptions, new Set(['include_usage']), 'stream_options.');
  }
  const stop = body.stop;
  const req: Mutable<CanonicalRequest> = {
    model: str(body.model, 'model'),
    messages,
    stream: optBool(body.stream, 'stream') ?? false,
  };
  const tools = optArr(body.tools, 'tools');
  if (tools !== undefined) req.tools = tools.map((t, i) => readTool(t, `tools[${i}]`));
  if (body.tool_choice !== undefined && body.tool_choice !== null) {
    req.toolChoice = readToolChoice(body.tool_choice);
  }
  setIf(req, 'parallelToolCalls', optBool(body.parallel_tool_calls, 'parallel_tool_calls'));
  const format = optObj(body.response_format, 'response_format');
  if (format !== undefined) req.responseFormat = readResponseFormat(format);
  setIf(
    req,
    'maxTokens',
    optNum(body.max_completion_tokens, 'max_completion_tokens') ??
      optNum(body.max_tokens, 'max_tokens'),
  );
  setIf(req, 'temperature', optNum(body.temperature, 'temperature'));
  setIf(req, 'topP', optNum(body.top_p, 'top_p'));
  if (typeof stop === 'string') req.stop = [stop];
  else if (stop !== undefined && stop !== null) {
    req.stop = arr(stop, 'stop').map((s, i) => str(s, `stop[${i}]`));
  }
  setIf(req, 'includeUsage', optBool(streamOptions?.include_usage, 'stream_options.include_usage'));
  setIf(req, 'user', optStr(body.user, 'user'));
  return req;
}

const MESSAGE_FIELDS = new Set(['role', 'content', 'name', 'tool_calls', 'tool_call_id']);

function readMessage(m: unknown, path: string): CanonicalMessage {
  const o = obj(m, path);
  refuseUnknown(o, MESSAGE_FIELDS, `${path}.`, { refusal: null });
  const role = str(o.role, `${path}.role`);
  const name = optStr(o.name, `${path}.name`);
  const withName = (msg: CanonicalMessage): CanonicalMessage =>
    name === undefined ? msg : { ...msg, name };
  switch (role) {
    case 'system':
    case 'developer':
      return withName({ role: 'system', content: readTexts(o.content, `${path}.content`) });
    case 'user':
      return withName({ role: 'user', content: readUserContent(o.content, `${path}.content`) });
    case 'assistant': {
      const content: CanonicalPart[] =
        o.content === undefined || o.content === null
          ? []
          : readTexts(o.content, `${path}.content`);
      const calls = optArr(o.tool_calls, `${path}.tool_calls`) ?? [];
      calls.forEach((c, i) => content.push(readToolCall(c, `${path}.tool_calls[${i}]`)));
      return withName({ role: 'assistant', content });
    }
    case 'tool':
      return {
        role: 'tool',
        content: [
          {
            type: 'tool_result',
            toolCallId: str(o.tool_call_id, `${path}.tool_call_id`),
            content: readTexts(o.content, `${path}.content`),
          },
        ],
      };
    default:
      throw notTranslatable(`${path}.role`);
  }
}

export function readToolCall(c: unknown, path: string): CanonicalPart {
  const o = obj(c, path);
  if (o.type !== undefined && o.type !== 'function') throw notTranslatable(`${path}.type`);
  const fn = obj(o.function, `${path}.function`);
  return {
    type: 'tool_call',
    id: str(o.id, `${path}.id`),
    name: str(fn.name, `${path}.function.name`),
    arguments: str(fn.arguments, `${path}.function.arguments`),
  };
}

/** A string, or an array of `text` parts (system, assistant and tool messages). */
function readTexts(content: unknown, path: string): CanonicalText[] {
  if (typeof content === 'string') return [{ type: 'text', text: content }];
  return arr(content, path).map((p, i) => {
    const part = obj(p, `${path}[${i}]`);
    if (part.type !== 'text') throw notTranslatable(`${path}[${i}].type`);
    return { type: 'text', text: str(part.text, `${path}[${i}].text`) };
  });
}

function readUserContent(content: unknown, path: string): (CanonicalText | CanonicalImage)[] {
  if (typeof content === 'string') return [{ type: 'text', text: content }];
  return arr(content, path).map((p, i) => {
    const at = `${path}[${i}]`;
    const part = obj(p, at);
    if (part.type === 'text') return { type: 'text', text: str(part.text, `${at}.text`) };
    if (part.type !== 'image_url') throw notTranslatable(`${at}.type`);
    const image = obj(part.image_url, `${at}.image_url`);
    const url = str(image.url, `${at}.image_url.url`);
    const inline = parseDataUrl(url);
    const detail = optStr(image.detail, `${at}.image_url.detail`);
    if (detail !== undefined && detail !== 'auto' && detail !== 'low' && detail !== 'high') {
      throw malformed(`${at}.image_url.detail`);
    }
    const out: Mutable<CanonicalImage> = {
      type: 'image',
      source: inline === undefined ? { kind: 'url', url } : { kind: 'base64', ...inline },
    };
    if (detail !== undefined) out.detail = detail;
    return out;
  });
}

function readTool(t: unknown, path: string): CanonicalTool {
  const o = obj(t, path);
  if (o.type !== 'function') throw notTranslatable(`${path}.type`);
  const fn = obj(o.function, `${path}.function`);
  refuseUnknown(fn, new Set(['name', 'description', 'parameters', 'strict']), `${path}.function.`);
  const tool: Mutable<CanonicalTool> = {
    name: str(fn.name, `${path}.function.name`),
    parameters:
      fn.parameters === undefined
        ? { type: 'object', properties: {} }
        : jsonObject(fn.parameters, `${path}.function.parameters`),
  };
  setIf(tool, 'description', optStr(fn.description, `${path}.function.description`));
  setIf(tool, 'strict', optBool(fn.strict, `${path}.function.strict`));
  return tool;
}

function readToolChoice(v: unknown): CanonicalToolChoice {
  if (v === 'auto' || v === 'none' || v === 'required') return { type: v };
  const o = obj(v, 'tool_choice');
  if (o.type !== 'function') throw notTranslatable('tool_choice.type');
  return {
    type: 'tool',
    name: str(obj(o.function, 'tool_choice.function').name, 'tool_choice.function.name'),
  };
}

function readResponseFormat(o: Obj): CanonicalResponseFormat {
  if (o.type === 'text' || o.type === 'json_object') return { type: o.type };
  if (o.type !== 'json_schema') throw notTranslatable('response_format.type');
  const s = obj(o.json_schema, 'response_format.json_schema');
  const out: Mutable<CanonicalResponseFormat & { type: 'json_schema' }> = {
    type: 'json_schema',
    name: str(s.name, 'response_format.json_schema.name'),
    schema:
      s.schema === undefined ? {} : jsonObject(s.schema, 'response_format.json_schema.schema'),
  };
  setIf(out, 'description', optStr(s.description, 'response_format.json_schema.description'));
  setIf(out, 'strict', optBool(s.strict, 'response_format.json_schema.strict'));
  return out;
}

// ---- canonical → OpenAI chat request (the provider side)

export function chatRequestFromCanonical(
  req: CanonicalRequest,
  opts: { upstreamModel: string },
): JsonObject {
  if (req.topK !== undefined) throw notTranslatable('top_k', 'openai_chat');
  const body: JsonObject = { model: opts.upstreamModel, messages: writeMessages(req.messages) };
  if (req.tools !== undefined) body.tools = req.tools.map(writeTool);
  if (req.toolChoice !== undefined) body.tool_choice = writeToolChoice(req.toolChoice);
  if (req.parallelToolCalls !== undefined) body.parallel_tool_calls = req.parallelToolCalls;
  if (req.responseFormat !== undefined)
    body.response_format = writeResponseFormat(req.responseFormat);
  if (req.reasoningEffort !== undefined) {
    // Reasoning models take the cap with reasoning included, as Anthropic's max_tokens is.
    body.reasoning_effort = req.reasoningEffort;
    if (req.maxTokens !== undefined) body.max_completion_tokens = req.maxTokens;
  } else if (req.maxTokens !== undefined) body.max_tokens = req.maxTokens;
  if (req.temperature !== undefined) body.temperature = req.temperature;
  if (req.topP !== undefined) body.top_p = req.topP;
  if (req.stop !== undefined) body.stop = [...req.stop];
  if (req.user !== undefined) body.user = req.user;
  if (req.stream) {
    body.stream = true;
    // Budgets and the audit need usage; the caller-side encoder shows it only if asked.
    body.stream_options = { include_usage: true };
  }
  return body;
}

function writeMessages(messages: readonly CanonicalMessage[]): JsonObject[] {
  const out: JsonObject[] = [];
  messages.forEach((m, i) => {
    const path = `messages[${i}]`;
    if (m.role === 'tool') {
      for (const part of m.content) out.push(writeToolResult(part, path));
      return;
    }
    const msg: JsonObject = { role: m.role };
    if (m.name !== undefined) msg.name = m.name;
    if (m.role === 'assistant') {
      const texts = m.content.filter((p): p is CanonicalText => p.type === 'text');
      const calls = m.content.filter((p) => p.type === 'tool_call');
      if (texts.length + calls.length !== m.content.length) {
        throw notTranslatable(`${path}.content`, 'openai_chat');
      }
      msg.content = texts.length === 0 ? null : texts.map((t) => t.text).join('');
      if (calls.length > 0) {
        msg.tool_calls = calls.map((c) => ({
          id: c.id,
          type: 'function',
          function: { name: c.name, arguments: c.arguments },
        }));
      }
    } else {
      msg.content = writeContent(m.content, path, m.role === 'user');
    }
    out.push(msg);
  });
  return out;
}

function writeToolResult(part: CanonicalPart, path: string): JsonObject {
  if (part.type !== 'tool_result') throw malformed(`${path}.content`);
  if (part.isError === true) throw notTranslatable(`${path}.is_error`, 'openai_chat');
  const content = part.content.map((p) => {
    if (p.type !== 'text') throw notTranslatable(`${path}.content.image`, 'openai_chat');
    return p.text;
  });
  return { role: 'tool', tool_call_id: part.toolCallId, content: content.join('') };
}

/** A lone text part as a string (what SDKs send); anything else as parts. */
function writeContent(parts: readonly CanonicalPart[], path: string, mayHaveImages: boolean) {
  const only = parts[0];
  if (parts.length === 1 && only?.type === 'text') return only.text;
  return parts.map((p) => {
    if (p.type === 'text') return { type: 'text', text: p.text };
    if (p.type === 'image' && mayHaveImages) {
      const url =
        p.source.kind === 'url'
          ? p.source.url
          : `data:${p.source.mediaType};base64,${p.source.data}`;
      const image: JsonObject = { url };
      if (p.detail !== undefined) image.detail = p.detail;
      return { type: 'image_url', image_url: image };
    }
    throw notTranslatable(`${path}.content.${p.type}`, 'openai_chat');
  });
}

function writeTool(t: CanonicalTool): JsonObject {
  const fn: JsonObject = { name: t.name, parameters: t.parameters };
  if (t.description !== undefined) fn.description = t.description;
  if (t.strict !== undefined) fn.strict = t.strict;
  return { type: 'function', function: fn };
}

function writeToolChoice(c: CanonicalToolChoice): unknown {
  return c.type === 'tool' ? { type: 'function', function: { name: c.name } } : c.type;
}

function writeResponseFormat(f: CanonicalResponseFormat): JsonObject {
  if (f.type !== 'json_schema') return { type: f.type };
  const schema: JsonObject = { name: f.name, schema: f.schema };
  if (f.description !== undefined) schema.description = f.description;
  if (f.strict !== undefined) schema.strict = f.strict;
  return { type: 'json_schema', json_schema: schema };
}
