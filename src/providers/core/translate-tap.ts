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
  return new TranslatingTap(decoder, encoder);
}

/**
 * Taps and decoders are classes, not object literals with getters: a literal's getters are
 * defined one by one at run time (about 1.5 µs each), paid by every stream.
 */
class TranslatingTap implements StreamTap {
  #usage: Usage | undefined;
  #isComplete = false;
  constructor(
    private readonly decoder: CanonicalStreamDecoder,
    private readonly encoder: CanonicalStreamEncoder,
  ) {}

  push(chunk: Buffer): Buffer {
    if (this.#isComplete) return Buffer.alloc(0);
    let out = '';
    for (const event of this.decoder.push(chunk)) {
      if (event.type === 'usage') this.#usage = usageOf(event.usage);
      out += this.encoder.push(event);
      if (event.type === 'end') {
        this.#isComplete = true;
        break;
      }
    }
    return Buffer.from(out);
  }

  flush(): Buffer {
    return Buffer.alloc(0);
  }

  get usage(): Usage | undefined {
    return this.#usage;
  }

  get isComplete(): boolean {
    return this.#isComplete;
  }

  get failure(): GatewayError | undefined {
    return this.decoder.failure;
  }
}

/**
 * A decoder over an SSE provider stream: every event passes the shared stream check, then
 * `onEvent` (`undefined` for `[DONE]`) adds canonical events and says whether the stream
 * ended. Nothing after the end or a failed check is read.
 */
export function createSseDecoder(
  onEvent: (json: JsonObject | undefined, out: CanonicalStreamEvent[]) => boolean,
): CanonicalStreamDecoder {
  return new SseDecoder(onEvent);
}

class SseDecoder implements CanonicalStreamDecoder {
  readonly #splitter = new SseSplitter();
  readonly #check = createStreamCheck();
  #failure: GatewayError | undefined;
  #isEnded = false;
  constructor(
    private readonly onEvent: (
      json: JsonObject | undefined,
      out: CanonicalStreamEvent[],
    ) => boolean,
  ) {}

  push(chunk: Buffer): CanonicalStreamEvent[] {
    const out: CanonicalStreamEvent[] = [];
    for (const event of this.#splitter.push(chunk)) {
      if (this.#isEnded || this.#failure !== undefined) break;
      const checked = this.#check(event);
      if (!checked.ok) this.#failure = checked.error;
      else if (checked.raw.length > 0) this.#isEnded = this.onEvent(checked.json, out);
    }
    return out;
  }

  get failure(): GatewayError | undefined {
    return this.#failure;
  }
}

/**
 * A decoder made of closures (`push`, and `failure` read on demand), as a class: see
 * `TranslatingTap` for why not a literal with a getter.
 */
export class ClosureDecoder implements CanonicalStreamDecoder {
  constructor(
    readonly push: (chunk: Buffer) => CanonicalStreamEvent[],
    private readonly failureOf: () => GatewayError | undefined,
  ) {}

  get failure(): GatewayError | undefined {
    return this.failureOf();
  }
}
