import type {
  CanonicalFinishReason,
  CanonicalRequest,
  CanonicalStreamEvent,
  CanonicalUsage,
} from '../core/canonical.js';
import { createSseDecoder } from '../core/translate-tap.js';
import { isObj, type Obj } from '../core/translate-read.js';
import type { CanonicalStreamDecoder, CanonicalStreamEncoder } from '../core/translator.js';
import {
  finishFromAnthropic,
  finishToAnthropic,
  isJsonToolMode,
  usageFromAnthropicJson,
  usageToAnthropicJson,
} from './translate-reply.js';
import { JSON_TOOL_NAME } from './translate.js';

/**
 * Anthropic stream events → canonical. Content blocks map one to one (thinking blocks, which
 * the gateway never asks for on a translated request, are skipped). In JSON mode the forced
 * tool's input streams as text.
 */
export function createAnthropicStreamDecoder(req?: CanonicalRequest): CanonicalStreamDecoder {
  const isJsonMode = isJsonToolMode(req);
  let isEnded = false;
  let usage: Obj = {};
  /** Blocks we pass on, by Anthropic index, with whether their JSON is text. */
  const blocks = new Map<number, { isText: boolean }>();

  function onEvent(json: Obj, out: CanonicalStreamEvent[]): void {
    const index = typeof json.index === 'number' ? json.index : 0;
    switch (json.type) {
      case 'message_start': {
        const message = isObj(json.message) ? json.message : {};
        out.push({
          type: 'start',
          id: typeof message.id === 'string' ? message.id : 'msg_unknown',
          model: typeof message.model === 'string' ? message.model : 'unknown',
        });
        if (isObj(message.usage)) usage = { ...message.usage };
        return;
      }
      case 'content_block_start': {
        const block = isObj(json.content_block) ? json.content_block : {};
        if (block.type === 'text' || (isJsonMode && block.name === JSON_TOOL_NAME)) {
          blocks.set(index, { isText: true });
          out.push({ type: 'text_start', index });
        } else if (block.type === 'tool_use') {
          blocks.set(index, { isText: false });
          const id = typeof block.id === 'string' ? block.id : `toolu_${index}`;
          const name = typeof block.name === 'string' ? block.name : '';
          out.push({ type: 'tool_call_start', index, id, name });
        }
        return;
      }
      case 'content_block_delta': {
        const block = blocks.get(index);
        const delta = isObj(json.delta) ? json.delta : {};
        if (block === undefined) return;
        const text = delta.type === 'text_delta' ? delta.text : delta.partial_json;
        if (typeof text !== 'string' || text === '') return;
        out.push(
          block.isText
            ? { type: 'text_delta', index, text }
            : { type: 'tool_call_delta', index, argumentsDelta: text },
        );
        return;
      }
      case 'content_block_stop':
        if (blocks.has(index)) out.push({ type: 'part_stop', index });
        return;
      case 'message_delta': {
        const delta = isObj(json.delta) ? json.delta : {};
        if (isObj(json.usage)) usage = { ...usage, ...json.usage };
        if (delta.stop_reason !== undefined && delta.stop_reason !== null) {
          let reason: CanonicalFinishReason = finishFromAnthropic(delta.stop_reason);
          if (isJsonMode && reason === 'tool_calls') reason = 'stop';
          const stop = delta.stop_sequence;
          out.push(
            typeof stop === 'string'
              ? { type: 'finish', reason, stopSequence: stop }
              : { type: 'finish', reason },
          );
        }
        out.push({ type: 'usage', usage: usageFromAnthropicJson(usage) });
        return;
      }
      case 'message_stop':
        isEnded = true;
        out.push({ type: 'end' });
        return;
      default:
        return; // ping
    }
  }

  return createSseDecoder((json, out) => {
    if (json !== undefined) onEvent(json, out);
    return isEnded;
  });
}

/**
 * Canonical events → Anthropic's stream. Block indexes are renumbered from 0. An OpenAI
 * provider reports usage only at the end, so `message_start` carries zero input tokens and
 * the final `message_delta` the whole usage (the SDKs take input tokens from it too).
 */
export function createAnthropicStreamEncoder(req: CanonicalRequest): CanonicalStreamEncoder {
  let isStarted = false;
  let finish: { reason: CanonicalFinishReason; stopSequence?: string } | undefined;
  let usage: CanonicalUsage | undefined;
  const indexes = new Map<number, number>();

  const frame = (type: string, fields: Obj) =>
    `event: ${type}\ndata: ${JSON.stringify({ type, ...fields })}\n\n`;

  function start(id: string, model: string): string {
    if (isStarted) return '';
    isStarted = true;
    const message = {
      id,
      type: 'message',
      role: 'assistant',
      model,
      content: [],
      stop_reason: null,
      stop_sequence: null,
      usage: usageToAnthropicJson(usage ?? { inputTokens: 0, outputTokens: 0 }),
    };
    return frame('message_start', { message });
  }

  function open(canonicalIndex: number): number {
    const index = indexes.size;
    indexes.set(canonicalIndex, index);
    return index;
  }

  return {
    push(event: CanonicalStreamEvent): string {
      const opening = event.type === 'start' ? '' : start('msg_unknown', req.model);
      switch (event.type) {
        case 'start':
          return start(event.id, event.model);
        case 'text_start':
          return (
            opening +
            frame('content_block_start', {
              index: open(event.index),
              content_block: { type: 'text', text: '' },
            })
          );
        case 'tool_call_start':
          return (
            opening +
            frame('content_block_start', {
              index: open(event.index),
              content_block: { type: 'tool_use', id: event.id, name: event.name, input: {} },
            })
          );
        case 'text_delta':
          return (
            opening +
            frame('content_block_delta', {
              index: indexes.get(event.index) ?? 0,
              delta: { type: 'text_delta', text: event.text },
            })
          );
        case 'tool_call_delta':
          return (
            opening +
            frame('content_block_delta', {
              index: indexes.get(event.index) ?? 0,
              delta: { type: 'input_json_delta', partial_json: event.argumentsDelta },
            })
          );
        case 'part_stop': {
          const index = indexes.get(event.index);
          return index === undefined ? opening : opening + frame('content_block_stop', { index });
        }
        case 'finish':
          finish =
            event.stopSequence === undefined
              ? { reason: event.reason }
              : { reason: event.reason, stopSequence: event.stopSequence };
          return opening;
        case 'usage':
          usage = event.usage;
          return opening;
        case 'end': {
          const delta = {
            stop_reason: finishToAnthropic(finish?.reason ?? 'stop'),
            stop_sequence: finish?.stopSequence ?? null,
          };
          const final = usageToAnthropicJson(usage ?? { inputTokens: 0, outputTokens: 0 });
          return (
            opening + frame('message_delta', { delta, usage: final }) + frame('message_stop', {})
          );
        }
      }
    },
  };
}
