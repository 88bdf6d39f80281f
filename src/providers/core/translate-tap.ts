import type { GatewayError } from '../../errors/gateway-error.js';
import type { JsonObject, StreamTap, Usage } from '../types.js';
import type { CanonicalStreamEvent, CanonicalUsage } from './canonical.js';
import { SseSplitter } from './sse.js';
import { createStreamCheck } from './stream-check.js';
import type { CanonicalStreamDecoder, CanonicalStreamEncoder } from './translator.js';

/** Budgets and the audit count every prompt token, cached ones included. */
export function usageOf(u: CanonicalUsage): Usage {
  return { promptTokens: u.inputTokens, completionTokens: u.outputTokens };
}

/**
 * A stream tap that translates: the provider's bytes go through its decoder to canonical
 * events, and through the caller's encoder to the caller's events. Usage comes from the
 * canonical usage events, the end from the canonical `end`; nothing after either the end or
 * a decoder failure is forwarded.
 */
export function createTranslatingTap(
  decoder: CanonicalStreamDecoder,
  encoder: CanonicalStreamEncoder,
): StreamTap {
  let usage: Usage | undefined;
  let isComplete = false;
  return {
    push(chunk: Buffer): Buffer {
      if (isComplete) return Buffer.alloc(0);
      let out = '';
      for (const event of decoder.push(chunk)) {
        if (event.type === 'usage') usage = usageOf(event.usage);
        out += encoder.push(event);
        if (event.type === 'end') {
          isComplete = true;
          break;
        }
      }
      return Buffer.from(out);
    },
    flush(): Buffer {
      return Buffer.alloc(0);
    },
    get usage() {
      return usage;
    },
    get isComplete() {
      return isComplete;
    },
    get failure(): GatewayError | undefined {
      return decoder.failure;
    },
  };
}

/**
 * A decoder over an SSE provider stream: every event passes the shared stream check, then
 * `onEvent` (`undefined` for `[DONE]`) adds canonical events and says whether the stream
 * ended. Nothing after the end or a failed check is read.
 */
export function createSseDecoder(
  onEvent: (json: JsonObject | undefined, out: CanonicalStreamEvent[]) => boolean,
): CanonicalStreamDecoder {
  const splitter = new SseSplitter();
  const check = createStreamCheck();
  let failure: GatewayError | undefined;
  let isEnded = false;
  return {
    push(chunk: Buffer): CanonicalStreamEvent[] {
      const out: CanonicalStreamEvent[] = [];
      for (const event of splitter.push(chunk)) {
        if (isEnded || failure !== undefined) break;
        const checked = check(event);
        if (!checked.ok) failure = checked.error;
        else if (checked.raw.length > 0) isEnded = onEvent(checked.json, out);
      }
      return out;
    },
    get failure() {
      return failure;
    },
  };
}
