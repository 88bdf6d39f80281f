import type {
  CanonicalRequest,
  CanonicalResponse,
  CanonicalText,
  CanonicalToolCall,
  CanonicalUsage,
} from '../core/canonical.js';
import {
  arr,
  isObj,
  obj,
  optNum,
  optObj,
  optStr,
  setIf,
  str,
  type Mutable,
  type Obj,
} from '../core/translate-read.js';
import { malformed, type JsonObject } from '../core/translator.js';

// Responses replies ⇄ canonical.

export function usageFromResponses(u: Obj): CanonicalUsage {
  const count = (v: unknown) => (typeof v === 'number' && Number.isFinite(v) && v >= 0 ? v : 0);
  const details = isObj(u.input_tokens_details) ? u.input_tokens_details : {};
  const usage: Mutable<CanonicalUsage> = {
    inputTokens: count(u.input_tokens),
    outputTokens: count(u.output_tokens),
  };
  if (count(details.cached_tokens) > 0) usage.cachedInputTokens = count(details.cached_tokens);
  return usage;
}

export function usageToResponses(u: CanonicalUsage): JsonObject {
  return {
    input_tokens: u.inputTokens,
    input_tokens_details: { cached_tokens: u.cachedInputTokens ?? 0 },
    output_tokens: u.outputTokens,
    output_tokens_details: { reasoning_tokens: 0 },
    total_tokens: u.inputTokens + u.outputTokens,
  };
}

export function responsesResponseToCanonical(json: JsonObject): CanonicalResponse {
  const content: (CanonicalText | CanonicalToolCall)[] = [];
  arr(json.output, 'output').forEach((item, i) => {
    const o = obj(item, `output[${i}]`);
    if (o.type === 'message') {
      arr(o.content, `output[${i}].content`).forEach((p, j) => {
        const part = obj(p, `output[${i}].content[${j}]`);
        const text = part.type === 'refusal' ? part.refusal : part.text;
        content.push({ type: 'text', text: str(text, `output[${i}].content[${j}].text`) });
      });
    } else if (o.type === 'function_call') {
      content.push({
        type: 'tool_call',
        id: str(o.call_id, `output[${i}].call_id`),
        name: str(o.name, `output[${i}].name`),
        arguments: str(o.arguments, `output[${i}].arguments`),
      });
    } else if (o.type !== 'reasoning') throw malformed(`output[${i}].type`);
  });
  const incomplete = isObj(json.incomplete_details) ? json.incomplete_details.reason : undefined;
  const res: Mutable<CanonicalResponse> = {
    id: optStr(json.id, 'id') ?? 'resp_unknown',
    model: optStr(json.model, 'model') ?? 'unknown',
    content,
    finishReason:
      incomplete === 'max_output_tokens'
        ? 'length'
        : incomplete === 'content_filter'
          ? 'content_filter'
          : content.some((p) => p.type === 'tool_call')
            ? 'tool_calls'
            : 'stop',
    usage: usageFromResponses(optObj(json.usage, 'usage') ?? {}),
  };
  setIf(res, 'createdSec', optNum(json.created_at, 'created_at'));
  return res;
}

/** The reply as a Responses object; `req` supplies the settings it echoes. */
export function responsesResponseFromCanonical(
  res: CanonicalResponse,
  req: CanonicalRequest,
): JsonObject {
  const output: JsonObject[] = [];
  let texts: JsonObject[] = [];
  let n = 0;
  const flush = () => {
    if (texts.length === 0) return;
    output.push({
      type: 'message',
      id: `msg_${res.id}_${n++}`,
      status: 'completed',
      role: 'assistant',
      content: texts,
    });
    texts = [];
  };
  for (const p of res.content) {
    if (p.type === 'text') texts.push({ type: 'output_text', text: p.text, annotations: [] });
    else {
      flush();
      output.push({
        type: 'function_call',
        id: `fc_${p.id}`,
        call_id: p.id,
        name: p.name,
        arguments: p.arguments,
        status: 'completed',
      });
    }
  }
  flush();
  return responseObject(res.id, res.model, res.createdSec, req, {
    status:
      res.finishReason === 'length' || res.finishReason === 'content_filter'
        ? 'incomplete'
        : 'completed',
    incompleteReason:
      res.finishReason === 'length'
        ? 'max_output_tokens'
        : res.finishReason === 'content_filter'
          ? 'content_filter'
          : undefined,
    output,
    usage: res.usage,
  });
}

/** The `response` object of a reply or of a stream's lifecycle events. */
export function responseObject(
  id: string,
  model: string,
  createdSec: number | undefined,
  req: CanonicalRequest,
  state: {
    status: 'in_progress' | 'completed' | 'incomplete';
    incompleteReason: string | undefined;
    output: JsonObject[];
    usage: CanonicalUsage | undefined;
  },
): JsonObject {
  const c = req.toolChoice;
  return {
    id: id.startsWith('resp_') ? id : `resp_${id}`,
    object: 'response',
    created_at: createdSec ?? Math.floor(Date.now() / 1000),
    status: state.status,
    error: null,
    incomplete_details:
      state.incompleteReason === undefined ? null : { reason: state.incompleteReason },
    instructions: null,
    max_output_tokens: req.maxTokens ?? null,
    model,
    output: state.output,
    parallel_tool_calls: req.parallelToolCalls ?? true,
    temperature: req.temperature ?? null,
    tool_choice:
      c === undefined ? 'auto' : c.type === 'tool' ? { type: 'function', name: c.name } : c.type,
    tools: (req.tools ?? []).map((t) => ({
      type: 'function',
      name: t.name,
      description: t.description ?? null,
      parameters: t.parameters,
      strict: t.strict ?? null,
    })),
    top_p: req.topP ?? null,
    usage: state.usage === undefined ? null : usageToResponses(state.usage),
  };
}
