import { SseSplitter, type SseEvent } from '../core/sse.js';
import type { StreamTap, Usage } from '../types.js';

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
 * `message_stop` ends the stream. Other events pass untouched and unparsed.
 */
export function createAnthropicStreamTap(): StreamTap {
  const splitter = new SseSplitter();
  let usage: Usage | undefined;
  let isComplete = false;

  function observe(name: string | undefined, data: string): void {
    if (name === 'message_stop') {
      isComplete = true;
      return;
    }
    if (name !== 'message_start' && name !== 'message_delta') return;
    let parsed: unknown;
    try {
      parsed = JSON.parse(data);
    } catch {
      return;
    }
    const event = parsed as { message?: { usage?: unknown }; usage?: unknown };
    usage = usageFromAnthropic(
      name === 'message_start' ? event.message?.usage : event.usage,
      usage,
    );
  }

  return {
    push(chunk: Buffer): Buffer {
      const events = splitter.push(chunk);
      for (const event of events) {
        // Only these three events matter; the byte search skips decoding all the deltas.
        if (event.has('message_st') || event.has('message_delta')) observe(event.name, event.data);
      }
      if (events.length === 0) return Buffer.alloc(0);
      return events.length === 1
        ? (events[0] as SseEvent).raw
        : Buffer.concat(events.map((e) => e.raw));
    },
    flush(): Buffer {
      return splitter.rest();
    },
    get usage() {
      return usage;
    },
    get isComplete() {
      return isComplete;
    },
  };
}
