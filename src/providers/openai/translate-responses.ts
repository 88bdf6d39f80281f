import type {
  CanonicalImage,
  CanonicalMessage,
  CanonicalPart,
  CanonicalRequest,
  CanonicalResponseFormat,
  CanonicalText,
  CanonicalTool,
  CanonicalToolCall,
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
  parseDataUrl,
  refuseUnknown,
  setIf,
  str,
  type Mutable,
  type Obj,
} from '../core/translate-read.js';
import { malformed, notTranslatable, type JsonObject } from '../core/translator.js';

/** OpenAI Responses ⇄ canonical: requests and non-streamed replies. */

const KNOWN_FIELDS = new Set([
  'model',
  'input',
  'instructions',
  'tools',
  'tool_choice',
  'parallel_tool_calls',
  'text',
  'max_output_tokens',
  'temperature',
  'top_p',
  'stream',
  'user',
]);
/** `store: true` (the default) keeps the reply for `previous_response_id`: no other provider can. */
const HARMLESS = { store: false, truncation: 'disabled' };

export function responsesRequestToCanonical(body: JsonObject): CanonicalRequest {
  refuseUnknown(body, KNOWN_FIELDS, '', HARMLESS);
  const messages: CanonicalMessage[] = [];
  const instructions = optStr(body.instructions, 'instructions');
  if (instructions !== undefined)
    messages.push({ role: 'system', content: [{ type: 'text', text: instructions }] });
  const input = body.input;
  if (typeof input === 'string')
    messages.push({ role: 'user', content: [{ type: 'text', text: input }] });
  else arr(input, 'input').forEach((item, i) => readItem(item, `input[${i}]`, messages));
  const req: Mutable<CanonicalRequest> = {
    model: str(body.model, 'model'),
    messages,
    stream: optBool(body.stream, 'stream') ?? false,
    includeUsage: true,
  };
  const tools = optArr(body.tools, 'tools');
  if (tools !== undefined) req.tools = tools.map((t, i) => readTool(t, `tools[${i}]`));
  if (body.tool_choice !== undefined && body.tool_choice !== null)
    req.toolChoice = readToolChoice(body.tool_choice);
  setIf(req, 'parallelToolCalls', optBool(body.parallel_tool_calls, 'parallel_tool_calls'));
  const text = optObj(body.text, 'text');
  if (text !== undefined) {
    refuseUnknown(text, new Set(['format']), 'text.');
    const format = optObj(text.format, 'text.format');
    if (format !== undefined) req.responseFormat = readFormat(format);
  }
  setIf(req, 'maxTokens', optNum(body.max_output_tokens, 'max_output_tokens'));
  setIf(req, 'temperature', optNum(body.temperature, 'temperature'));
  setIf(req, 'topP', optNum(body.top_p, 'top_p'));
  setIf(req, 'user', optStr(body.user, 'user'));
  return req;
}

const ROLES: Record<string, CanonicalMessage['role']> = {
  system: 'system',
  developer: 'system',
  user: 'user',
  assistant: 'assistant',
};

/** One input item; function calls join the assistant turn before them. */
function readItem(item: unknown, path: string, out: CanonicalMessage[]): void {
  const o = obj(item, path);
  const type = o.type ?? 'message';
  if (type === 'message') {
    refuseUnknown(o, new Set(['type', 'role', 'content', 'id', 'status']), `${path}.`);
    const role = ROLES[str(o.role, `${path}.role`)];
    if (role === undefined) throw malformed(`${path}.role`);
    out.push({ role, content: readContent(o.content, `${path}.content`, role) });
  } else if (type === 'function_call') {
    refuseUnknown(o, new Set(['type', 'call_id', 'name', 'arguments', 'id', 'status']), `${path}.`);
    const call: CanonicalToolCall = {
      type: 'tool_call',
      id: str(o.call_id, `${path}.call_id`),
      name: str(o.name, `${path}.name`),
      arguments: str(o.arguments, `${path}.arguments`),
    };
    const last = out[out.length - 1];
    if (last?.role === 'assistant' && last.content.every((p) => p.type !== 'image')) {
      out[out.length - 1] = { ...last, content: [...last.content, call] };
    } else out.push({ role: 'assistant', content: [call] });
  } else if (type === 'function_call_output') {
    refuseUnknown(o, new Set(['type', 'call_id', 'output', 'id', 'status']), `${path}.`);
    const output = o.output;
    const content: (CanonicalText | CanonicalImage)[] =
      typeof output === 'string'
        ? [{ type: 'text', text: output }]
        : readContent(output, `${path}.output`, 'user').filter(
            (p): p is CanonicalText | CanonicalImage => p.type === 'text' || p.type === 'image',
          );
    out.push({
      role: 'tool',
      content: [{ type: 'tool_result', toolCallId: str(o.call_id, `${path}.call_id`), content }],
    });
  } else throw notTranslatable(`${path}.type`);
}

function readContent(content: unknown, path: string, role: string): CanonicalPart[] {
  if (typeof content === 'string') return [{ type: 'text', text: content }];
  return arr(content, path).map((p, i) => {
    const at = `${path}[${i}]`;
    const part = obj(p, at);
    if (part.type === 'input_text' || part.type === 'output_text') {
      refuseUnknown(part, new Set(['type', 'text', 'annotations', 'logprobs']), `${at}.`, {});
      return { type: 'text', text: str(part.text, `${at}.text`) };
    }
    if (part.type === 'input_image' && role === 'user') {
      refuseUnknown(part, new Set(['type', 'image_url', 'detail']), `${at}.`);
      const url = str(part.image_url, `${at}.image_url`);
      const inline = parseDataUrl(url);
      const image: Mutable<CanonicalImage> = {
        type: 'image',
        source: inline === undefined ? { kind: 'url', url } : { kind: 'base64', ...inline },
      };
      const detail = optStr(part.detail, `${at}.detail`);
      if (detail === 'auto' || detail === 'low' || detail === 'high') image.detail = detail;
      else if (detail !== undefined) throw malformed(`${at}.detail`);
      return image;
    }
    throw notTranslatable(`${at}.type`);
  });
}

function readTool(t: unknown, path: string): CanonicalTool {
  const o = obj(t, path);
  if (o.type !== 'function') throw notTranslatable(`${path}.type`);
  refuseUnknown(o, new Set(['type', 'name', 'description', 'parameters', 'strict']), `${path}.`);
  const tool: Mutable<CanonicalTool> = {
    name: str(o.name, `${path}.name`),
    parameters:
      o.parameters === undefined
        ? { type: 'object', properties: {} }
        : jsonObject(o.parameters, `${path}.parameters`),
  };
  setIf(tool, 'description', optStr(o.description, `${path}.description`));
  setIf(tool, 'strict', optBool(o.strict, `${path}.strict`));
  return tool;
}

function readToolChoice(v: unknown): CanonicalToolChoice {
  if (v === 'auto' || v === 'none' || v === 'required') return { type: v };
  const o = obj(v, 'tool_choice');
  if (o.type !== 'function') throw notTranslatable('tool_choice.type');
  return { type: 'tool', name: str(o.name, 'tool_choice.name') };
}

function readFormat(o: Obj): CanonicalResponseFormat {
  if (o.type === 'text' || o.type === 'json_object') return { type: o.type };
  if (o.type !== 'json_schema') throw notTranslatable('text.format.type');
  const format: Mutable<CanonicalResponseFormat & { type: 'json_schema' }> = {
    type: 'json_schema',
    name: str(o.name, 'text.format.name'),
    schema: jsonObject(o.schema, 'text.format.schema'),
  };
  setIf(format, 'description', optStr(o.description, 'text.format.description'));
  setIf(format, 'strict', optBool(o.strict, 'text.format.strict'));
  return format;
}

// ---- canonical → Responses request (used by the round-trip properties; no provider kind is reached through it yet)

export function responsesRequestFromCanonical(
  req: CanonicalRequest,
  opts: { upstreamModel: string },
): JsonObject {
  if (req.topK !== undefined) throw notTranslatable('top_k', 'openai_responses');
  if (req.stop !== undefined) throw notTranslatable('stop', 'openai_responses');
  const body: JsonObject = { model: opts.upstreamModel };
  let messages = req.messages;
  const first = messages[0];
  if (first?.role === 'system' && first.content.length === 1 && first.content[0]?.type === 'text') {
    body.instructions = first.content[0].text;
    messages = messages.slice(1);
  }
  body.input = messages.flatMap((m, i) => writeItems(m, `messages[${i}]`));
  if (req.tools !== undefined) {
    body.tools = req.tools.map((t) => {
      const tool: JsonObject = { type: 'function', name: t.name, parameters: t.parameters };
      if (t.description !== undefined) tool.description = t.description;
      if (t.strict !== undefined) tool.strict = t.strict;
      return tool;
    });
  }
  const c = req.toolChoice;
  if (c !== undefined)
    body.tool_choice = c.type === 'tool' ? { type: 'function', name: c.name } : c.type;
  if (req.parallelToolCalls !== undefined) body.parallel_tool_calls = req.parallelToolCalls;
  const f = req.responseFormat;
  if (f !== undefined) {
    const format: JsonObject = { type: f.type };
    if (f.type === 'json_schema') {
      format.name = f.name;
      format.schema = f.schema;
      if (f.description !== undefined) format.description = f.description;
      if (f.strict !== undefined) format.strict = f.strict;
    }
    body.text = { format };
  }
  if (req.maxTokens !== undefined) body.max_output_tokens = req.maxTokens;
  if (req.reasoningEffort !== undefined) body.reasoning = { effort: req.reasoningEffort };
  if (req.temperature !== undefined) body.temperature = req.temperature;
  if (req.topP !== undefined) body.top_p = req.topP;
  if (req.user !== undefined) body.user = req.user;
  if (req.stream) body.stream = true;
  return body;
}

function writeItems(m: CanonicalMessage, path: string): JsonObject[] {
  if (m.name !== undefined) throw notTranslatable(`${path}.name`, 'openai_responses');
  const items: JsonObject[] = [];
  const parts: JsonObject[] = [];
  const flush = () => {
    if (parts.length === 0) return;
    const only = parts[0];
    const content = parts.length === 1 && only?.type === 'input_text' ? only.text : [...parts];
    items.push({ role: m.role === 'tool' ? 'user' : m.role, content });
    parts.length = 0;
  };
  for (const p of m.content) {
    if (p.type === 'text')
      parts.push({ type: m.role === 'assistant' ? 'output_text' : 'input_text', text: p.text });
    else if (p.type === 'image') {
      const url =
        p.source.kind === 'url'
          ? p.source.url
          : `data:${p.source.mediaType};base64,${p.source.data}`;
      const image: JsonObject = { type: 'input_image', image_url: url };
      if (p.detail !== undefined) image.detail = p.detail;
      parts.push(image);
    } else if (p.type === 'tool_call') {
      flush();
      items.push({ type: 'function_call', call_id: p.id, name: p.name, arguments: p.arguments });
    } else {
      flush();
      if (p.isError === true) throw notTranslatable(`${path}.is_error`, 'openai_responses');
      const texts = p.content.map((c) => {
        if (c.type !== 'text') throw notTranslatable(`${path}.content.image`, 'openai_responses');
        return c.text;
      });
      items.push({ type: 'function_call_output', call_id: p.toolCallId, output: texts.join('') });
    }
  }
  flush();
  return items;
}
