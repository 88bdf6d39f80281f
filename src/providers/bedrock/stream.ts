import { GatewayError } from '../../errors/gateway-error.js';
import type { CanonicalRequest, CanonicalStreamEvent } from '../core/canonical.js';
import { isSafeIdentifier } from '../core/reply-check.js';
import { isObj, type Obj } from '../core/translate-read.js';
import { ClosureDecoder } from '../core/translate-tap.js';
import type { CanonicalStreamDecoder } from '../core/translator.js';
import { EventStreamDecoder, type EventStreamMessage } from './event-stream.js';
import { finishFromBedrock, modelOf, newMessageId, usageFromBedrock } from './translate.js';

/**
 * Bedrock ConverseStream (binary AWS event stream) → canonical: `messageStart`,
 * `contentBlockStart` (tool use), `contentBlockDelta` (text or tool input JSON),
 * `contentBlockStop`, `messageStop` (the finish), then `metadata` (the usage), which ends
 * the stream. An exception message, a bad checksum or an event that is not a JSON object
 * ends it with a typed error; the provider's text never reaches the caller.
 */
export function createBedrockStreamDecoder(req?: CanonicalRequest): CanonicalStreamDecoder {
  // Long by design: one switch over Converse's event types, sharing the stream's state.
  const frames = new EventStreamDecoder();
  let failure: GatewayError | undefined;
  let isEnded = false;
  /** Blocks we passed on, by Bedrock's index, and whether they are text. */
  const open = new Map<number, boolean>();

  function onEvent(type: string, json: Obj, out: CanonicalStreamEvent[]): void {
    const index = typeof json.contentBlockIndex === 'number' ? json.contentBlockIndex : 0;
    switch (type) {
      case 'messageStart':
        out.push({ type: 'start', id: newMessageId(), model: modelOf(req) });
        return;
      case 'contentBlockStart': {
        const start = isObj(json.start) ? json.start : {};
        const use = isObj(start.toolUse) ? start.toolUse : undefined;
        if (use === undefined) return;
        open.set(index, false);
        const id =
          typeof use.toolUseId === 'string' && isSafeIdentifier(use.toolUseId)
            ? use.toolUseId
            : `tooluse_${index}`;
        out.push({
          type: 'tool_call_start',
          index,
          id,
          name: typeof use.name === 'string' ? use.name : '',
        });
        return;
      }
      case 'contentBlockDelta': {
        const delta = isObj(json.delta) ? json.delta : {};
        if (typeof delta.text === 'string') {
          if (!open.has(index)) {
            open.set(index, true);
            out.push({ type: 'text_start', index });
          }
          if (delta.text !== '') out.push({ type: 'text_delta', index, text: delta.text });
        } else if (isObj(delta.toolUse) && typeof delta.toolUse.input === 'string') {
          if (open.get(index) === false && delta.toolUse.input !== '') {
            out.push({ type: 'tool_call_delta', index, argumentsDelta: delta.toolUse.input });
          }
        }
        return;
      }
      case 'contentBlockStop':
        if (open.delete(index)) out.push({ type: 'part_stop', index });
        return;
      case 'messageStop':
        for (const i of open.keys()) out.push({ type: 'part_stop', index: i });
        open.clear();
        out.push({ type: 'finish', reason: finishFromBedrock(json.stopReason) });
        return;
      case 'metadata':
        out.push({ type: 'usage', usage: usageFromBedrock(json.usage) });
        out.push({ type: 'end' });
        isEnded = true;
        return;
      default:
        return;
    }
  }

  function read(message: EventStreamMessage, out: CanonicalStreamEvent[]): void {
    const kind = message.headers[':message-type'];
    if (kind === 'exception' || kind === 'error') {
      failure = exceptionError(
        message.headers[':exception-type'] ?? message.headers[':error-code'],
      );
      return;
    }
    let json: unknown;
    try {
      json = JSON.parse(message.payload.toString('utf8'));
    } catch {
      json = undefined;
    }
    const type = message.headers[':event-type'];
    if (!isObj(json) || typeof type !== 'string') {
      failure = badEvent();
      return;
    }
    onEvent(type, json, out);
  }

  function push(chunk: Buffer): CanonicalStreamEvent[] {
    const out: CanonicalStreamEvent[] = [];
    if (isEnded || failure !== undefined) return out;
    let messages: EventStreamMessage[];
    try {
      messages = frames.push(chunk);
    } catch (err) {
      failure = badEvent(err);
      return out;
    }
    for (const message of messages) {
      if (isEnded || failure !== undefined) break;
      read(message, out);
    }
    return out;
  }

  return new ClosureDecoder(push, () => failure);
}

function badEvent(cause?: unknown): GatewayError {
  return new GatewayError('upstream_bad_response', {
    message: 'The provider sent a stream event the gateway could not read.',
    ...(cause === undefined ? {} : { cause }),
  });
}

/** A mid-stream exception, by its type only (its message is the provider's text). */
function exceptionError(type: unknown): GatewayError {
  if (type === 'throttlingException') return new GatewayError('upstream_rate_limited');
  if (type === 'serviceUnavailableException') return new GatewayError('upstream_overloaded');
  return new GatewayError('upstream_error', {
    message: 'The provider reported an error during the reply.',
  });
}
