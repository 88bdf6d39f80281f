import type {
  CanonicalFinishReason,
  CanonicalResponse,
  CanonicalText,
  CanonicalUsage,
} from '../core/canonical.js';
import {
  arr,
  isObj,
  obj,
  optArr,
  optNum,
  optObj,
  optStr,
  setIf,
  type Mutable,
  type Obj,
} from '../core/translate-read.js';
import { type JsonObject } from '../core/translator.js';
import { readToolCall } from './translate-chat.js';

// Chat Completions replies ⇄ canonical.

const FINISH_FROM_OPENAI: Record<string, CanonicalFinishReason> = {
  stop: 'stop',
  length: 'length',
  tool_calls: 'tool_calls',
  function_call: 'tool_calls',
  content_filter: 'content_filter',
};

export function finishFromOpenAi(reason: unknown): CanonicalFinishReason {
  return (typeof reason === 'string' ? FINISH_FROM_OPENAI[reason] : undefined) ?? 'stop';
}

export function finishToOpenAi(reason: CanonicalFinishReason): string {
  return reason === 'stop_sequence' ? 'stop' : reason;
}

export function usageFromOpenAiChat(u: Obj): CanonicalUsage {
  const count = (v: unknown) => (typeof v === 'number' && Number.isFinite(v) && v >= 0 ? v : 0);
  const details = isObj(u.prompt_tokens_details) ? u.prompt_tokens_details : {};
  const usage: Mutable<CanonicalUsage> = {
    inputTokens: count(u.prompt_tokens),
    outputTokens: count(u.completion_tokens),
  };
  if (count(details.cached_tokens) > 0) usage.cachedInputTokens = count(details.cached_tokens);
  return usage;
}

export function usageToOpenAiChat(u: CanonicalUsage): JsonObject {
  return {
    prompt_tokens: u.inputTokens,
    completion_tokens: u.outputTokens,
    total_tokens: u.inputTokens + u.outputTokens,
    prompt_tokens_details: { cached_tokens: u.cachedInputTokens ?? 0 },
  };
}

export function chatResponseToCanonical(json: JsonObject): CanonicalResponse {
  const choices = arr(json.choices, 'choices');
  const choice = obj(choices[0], 'choices[0]');
  const message = obj(choice.message, 'choices[0].message');
  const content: (
    CanonicalText | { type: 'tool_call'; id: string; name: string; arguments: string }
  )[] = [];
  const text = optStr(message.content, 'choices[0].message.content');
  const refusal = optStr(message.refusal, 'choices[0].message.refusal');
  if (text !== undefined && text !== '') content.push({ type: 'text', text });
  if (refusal !== undefined) content.push({ type: 'text', text: refusal });
  (optArr(message.tool_calls, 'choices[0].message.tool_calls') ?? []).forEach((c, i) => {
    const call = readToolCall(c, `choices[0].message.tool_calls[${i}]`);
    if (call.type === 'tool_call') content.push(call);
  });
  const res: Mutable<CanonicalResponse> = {
    id: optStr(json.id, 'id') ?? 'chatcmpl-unknown',
    model: optStr(json.model, 'model') ?? 'unknown',
    content,
    finishReason: refusal !== undefined ? 'content_filter' : finishFromOpenAi(choice.finish_reason),
    usage: usageFromOpenAiChat(optObj(json.usage, 'usage') ?? {}),
  };
  setIf(res, 'createdSec', optNum(json.created, 'created'));
  return res;
}

export function chatResponseFromCanonical(res: CanonicalResponse): JsonObject {
  const texts = res.content.filter((p) => p.type === 'text');
  const calls = res.content.filter((p) => p.type === 'tool_call');
  const message: JsonObject = {
    role: 'assistant',
    content: texts.length === 0 ? null : texts.map((t) => t.text).join(''),
    refusal: null,
  };
  if (calls.length > 0) {
    message.tool_calls = calls.map((c) => ({
      id: c.id,
      type: 'function',
      function: { name: c.name, arguments: c.arguments },
    }));
  }
  return {
    id: res.id,
    object: 'chat.completion',
    created: res.createdSec ?? Math.floor(Date.now() / 1000),
    model: res.model,
    choices: [
      { index: 0, message, logprobs: null, finish_reason: finishToOpenAi(res.finishReason) },
    ],
    usage: usageToOpenAiChat(res.usage),
  };
}
