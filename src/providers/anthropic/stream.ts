import { createCheckedTap, type TapReader } from '../core/stream-check.js';
import type { JsonObject, StreamTap, Usage } from '../types.js';

function num(value: unknown): number {
  return typeof value === 'number' && Number.isFinite(value) && value >= 0 ? value : 0;
}

/** Input tokens include cache reads and writes: all of them are billed. */
export function usageFromAnthropic(usage: unknown, previous: Usage | undefined): Usage | undefined {
  if (typeof usage !== 'object' || usage === null) return previous;
  const u = usage as Record<string, unknown>;
  const hasInput = 'input_tokens' in u;
  const promptTokens = hasInput
    ? num(u.input_tokens) + num(u.cache_creation_input_tokens) + num(u.cache_read_input_tokens)
    : (previous?.promptTokens ?? 0);
  const completionTokens =
    'output_tokens' in u ? num(u.output_tokens) : (previous?.completionTokens ?? 0);
  return { promptTokens, completionTokens };
}

/**
 * `message_start` carries input tokens, each `message_delta` the cumulative output tokens,
 * `message_stop` ends the stream. Every event passes the shared stream check first; nothing
 * after `message_stop` or a failed check is forwarded.
 */
export function createAnthropicStreamTap(): StreamTap {
  return createCheckedTap(new AnthropicReader());
}

/** A class with plain fields: a reader literal with getters cost about 1.5 µs a getter per stream. */
class AnthropicReader implements TapReader {
  usage: Usage | undefined;
  isComplete = false;

  onEvent(json: JsonObject | undefined): boolean {
    if (json !== undefined) this.#observe(json);
    return true;
  }

  #observe(json: JsonObject): void {
    if (json.type === 'message_stop') this.isComplete = true;
    else if (json.type === 'message_start') {
      const message = json.message as { usage?: unknown } | undefined;
      this.usage = usageFromAnthropic(message?.usage, this.usage);
    } else if (json.type === 'message_delta')
      this.usage = usageFromAnthropic(json.usage, this.usage);
  }
}
