import { GatewayError } from '../../errors/gateway-error.js';
import type { JsonObject, StreamTap, Usage } from '../types.js';
import { IdentifierCheck, parseObject, reportedError } from './reply-check.js';
import { parsedChunk, SseSplitter, type ParsedEvent, type SseEvent } from './sse.js';

/** What to do with one upstream event. */
export type CheckedEvent =
  | { readonly ok: true; readonly raw: Buffer; readonly json: JsonObject | undefined }
  | { readonly ok: false; readonly error: GatewayError };

const EVENT_NAME = /^[a-z][a-z0-9_.]{0,63}$/;
const NOTHING = Buffer.alloc(0);

function frame(name: string | undefined, data: string): Buffer {
  return Buffer.from(`${name === undefined ? '' : `event: ${name}\n`}data: ${data}\n\n`);
}

/**
 * Checks every event of one upstream stream before it is forwarded: each carries a JSON
 * object (or OpenAI's `[DONE]`) under a plain event name, with safe identifiers; anything
 * else ends the stream with a typed error instead of reaching the caller. Comment and
 * unknown lines are dropped (the event is re-framed without them); an event with no data is
 * dropped. Untouched events are forwarded byte for byte.
 */
export function createStreamCheck(): (event: SseEvent) => CheckedEvent {
  const ids = new IdentifierCheck();
  return function checkEvent(event: SseEvent): CheckedEvent {
    const { name, data } = event;
    if (name !== undefined && !EVENT_NAME.test(name)) return bad();
    if (data === '')
      return name === undefined ? { ok: true, raw: NOTHING, json: undefined } : bad();
    if (data === '[DONE]') {
      const raw = event.hasOtherLines || name !== undefined ? frame(undefined, data) : event.raw;
      return { ok: true, raw, json: undefined };
    }
    const json = parseObject(data);
    if (json === undefined) return bad();
    const reported =
      name === 'error' ? (reportedError(json) ?? upstreamError()) : reportedError(json);
    if (reported !== undefined) return { ok: false, error: reported };
    if (!ids.fix(json) && !event.hasOtherLines) return { ok: true, raw: event.raw, json };
    return { ok: true, raw: frame(name, JSON.stringify(json)), json };
  };
}

function bad(): CheckedEvent {
  return {
    ok: false,
    error: new GatewayError('upstream_bad_response', {
      message: 'The provider sent a stream event the gateway could not read.',
    }),
  };
}

function upstreamError(): GatewayError {
  return new GatewayError('upstream_error', {
    message: 'The provider reported an error during the reply.',
  });
}

/** A provider's reading of its checked events: usage and the end marker. */
export interface TapReader {
  /** One checked event (`undefined` is `[DONE]`); false drops it. */
  onEvent(json: JsonObject | undefined): boolean;
  readonly usage: Usage | undefined;
  readonly isComplete: boolean;
}

/**
 * The stream tap of an SSE provider: every event passes the stream check, then `reader`;
 * the events kept go on parsed (`parsedChunk`), so the output guard does not parse them
 * again. Nothing after the end marker or a failed check is forwarded.
 */
export function createCheckedTap(reader: TapReader): StreamTap {
  return new CheckedTap(reader);
}

/**
 * A class, not an object literal with getters: a literal's getters are defined one by one at
 * run time, about 1.5 µs each, paid by every stream (three here).
 */
class CheckedTap implements StreamTap {
  readonly #splitter = new SseSplitter();
  readonly #check = createStreamCheck();
  readonly #reader: TapReader;
  #failure: GatewayError | undefined;
  constructor(reader: TapReader) {
    this.#reader = reader;
  }

  push(chunk: Buffer): Buffer {
    const out: ParsedEvent[] = [];
    for (const event of this.#splitter.push(chunk)) {
      if (this.#reader.isComplete || this.#failure !== undefined) break;
      const checked = this.#check(event);
      if (!checked.ok) this.#failure = checked.error;
      else if (checked.raw.length > 0 && this.#reader.onEvent(checked.json))
        out.push({
          raw: checked.raw,
          name: event.name,
          json: checked.json,
          isDone: checked.json === undefined,
        });
    }
    return parsedChunk(out);
  }

  flush(): Buffer {
    return this.#splitter.rest();
  }

  get usage(): Usage | undefined {
    return this.#reader.usage;
  }

  get isComplete(): boolean {
    return this.#reader.isComplete;
  }

  get failure(): GatewayError | undefined {
    return this.#failure;
  }
}
