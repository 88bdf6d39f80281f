import { GatewayError } from '../../errors/gateway-error.js';
import type {
  CanonicalFinishReason,
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
  optStr,
  parseArguments,
  setIf,
  str,
  type Mutable,
  type Obj,
} from '../core/translate-read.js';
import { malformed, type JsonObject } from '../core/translator.js';
import { JSON_TOOL_NAME } from './translate.js';

// Anthropic Messages replies ⇄ canonical.

const FINISH_FROM_ANTHROPIC: Record<string, CanonicalFinishReason> = {
  end_turn: 'stop',
  pause_turn: 'stop',
  stop_sequence: 'stop_sequence',
  max_tokens: 'length',
  model_context_window_exceeded: 'length',
  tool_use: 'tool_calls',
  refusal: 'content_filter',
};

const FINISH_TO_ANTHROPIC: Record<CanonicalFinishReason, string> = {
  stop: 'end_turn',
  stop_sequence: 'stop_sequence',
  length: 'max_tokens',
  tool_calls: 'tool_use',
  content_filter: 'refusal',
};

export function finishFromAnthropic(reason: unknown): CanonicalFinishReason {
  return (typeof reason === 'string' ? FINISH_FROM_ANTHROPIC[reason] : undefined) ?? 'stop';
}

export function finishToAnthropic(reason: CanonicalFinishReason): string {
  return FINISH_TO_ANTHROPIC[reason];
}

const count = (v: unknown) => (typeof v === 'number' && Number.isFinite(v) && v >= 0 ? v : 0);

/** Anthropic's `input_tokens` leaves out cache reads and writes; canonical input counts them. */
export function usageFromAnthropicJson(u: Obj): CanonicalUsage {
  const cached = count(u.cache_read_input_tokens);
  const written = count(u.cache_creation_input_tokens);
  const usage: Mutable<CanonicalUsage> = {
    inputTokens: count(u.input_tokens) + cached + written,
    outputTokens: count(u.output_tokens),
  };
  if (cached > 0) usage.cachedInputTokens = cached;
  if (written > 0) usage.cacheWriteInputTokens = written;
  return usage;
}

export function usageToAnthropicJson(u: CanonicalUsage): JsonObject {
  const cached = u.cachedInputTokens ?? 0;
  const written = u.cacheWriteInputTokens ?? 0;
  return {
    input_tokens: Math.max(0, u.inputTokens - cached - written),
    output_tokens: u.outputTokens,
    cache_creation_input_tokens: written,
    cache_read_input_tokens: cached,
  };
}

/** True when `req` asked for JSON and the Anthropic request emulated it with the JSON tool. */
export function isJsonToolMode(req: CanonicalRequest | undefined): boolean {
  const format = req?.responseFormat;
  return format !== undefined && format.type !== 'text';
}

export function anthropicResponseToCanonical(
  json: JsonObject,
  req?: CanonicalRequest,
): CanonicalResponse {
  const isJsonMode = isJsonToolMode(req);
  const content: (CanonicalText | CanonicalToolCall)[] = [];
  arr(json.content, 'content').forEach((b, i) => {
    const block = obj(b, `content[${i}]`);
    if (block.type === 'text')
      content.push({ type: 'text', text: str(block.text, `content[${i}].text`) });
    else if (block.type === 'tool_use') {
      const args = JSON.stringify(obj(block.input, `content[${i}].input`));
      if (isJsonMode && block.name === JSON_TOOL_NAME) content.push({ type: 'text', text: args });
      else {
        content.push({
          type: 'tool_call',
          id: str(block.id, `content[${i}].id`),
          name: str(block.name, `content[${i}].name`),
          arguments: args,
        });
      }
    } else if (block.type !== 'thinking' && block.type !== 'redacted_thinking') {
      throw malformed(`content[${i}].type`);
    }
  });
  let finishReason = finishFromAnthropic(json.stop_reason);
  if (isJsonMode && finishReason === 'tool_calls') finishReason = 'stop';
  const res: Mutable<CanonicalResponse> = {
    id: optStr(json.id, 'id') ?? 'msg_unknown',
    model: optStr(json.model, 'model') ?? 'unknown',
    content,
    finishReason,
    usage: usageFromAnthropicJson(isObj(json.usage) ? json.usage : {}),
  };
  setIf(res, 'stopSequence', optStr(json.stop_sequence, 'stop_sequence'));
  return res;
}

export function anthropicResponseFromCanonical(res: CanonicalResponse): JsonObject {
  return {
    id: res.id,
    type: 'message',
    role: 'assistant',
    model: res.model,
    content: res.content.map((p) =>
      p.type === 'text'
        ? { type: 'text', text: p.text }
        : { type: 'tool_use', id: p.id, name: p.name, input: replyArguments(p.arguments) },
    ),
    stop_reason: finishToAnthropic(res.finishReason),
    stop_sequence: res.stopSequence ?? null,
    usage: usageToAnthropicJson(res.usage),
  };
}

/** Arguments a provider produced: not JSON (a reply cut at the token cap) is its fault. */
export function replyArguments(text: string): JsonObject {
  try {
    return parseArguments(text, 'tool_calls.arguments');
  } catch {
    throw new GatewayError('upstream_bad_response', {
      message: 'The provider returned tool-call arguments that are not a JSON object.',
    });
  }
}
