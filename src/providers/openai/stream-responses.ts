import type {
  CanonicalFinishReason,
  CanonicalRequest,
  CanonicalStreamEvent,
  CanonicalUsage,
} from '../core/canonical.js';
import { createSseDecoder } from '../core/translate-tap.js';
import { isObj, type Obj } from '../core/translate-read.js';
import type {
  CanonicalStreamDecoder,
  CanonicalStreamEncoder,
  JsonObject,
} from '../core/translator.js';
import { responseObject, usageFromResponses } from './reply-responses.js';

interface OpenItem {
  readonly outputIndex: number;
  readonly item: JsonObject;
  text: string;
}

/**
 * Canonical events → Responses stream events: the `response.created` / `in_progress`
 * lifecycle, one output item per text part (a message with one `output_text`) or tool call
 * (a `function_call`), their deltas and `*.done` events, then `response.completed` (or
 * `response.incomplete`) carrying the usage. Every event has its `sequence_number`.
 */
export function createResponsesStreamEncoder(req: CanonicalRequest): CanonicalStreamEncoder {
  // Long by design: one state machine over the Responses event lifecycle; its helpers share the open items and the sequence number.
  let seq = 0;
  let head: { id: string; model: string; createdSec: number } | undefined;
  let finish: CanonicalFinishReason = 'stop';
  let usage: CanonicalUsage | undefined;
  const open = new Map<number, OpenItem>();
  const done: JsonObject[] = [];

  const frame = (type: string, fields: Obj) =>
    `event: ${type}\ndata: ${JSON.stringify({ type, sequence_number: seq++, ...fields })}\n\n`;

  function response(status: 'in_progress' | 'completed' | 'incomplete'): JsonObject {
    const h = head ?? { id: 'resp_unknown', model: req.model, createdSec: undefined };
    const reason =
      status !== 'incomplete'
        ? undefined
        : finish === 'length'
          ? 'max_output_tokens'
          : 'content_filter';
    return responseObject(h.id, h.model, h.createdSec, req, {
      status,
      incompleteReason: reason,
      output: status === 'in_progress' ? [] : done,
      usage: status === 'in_progress' ? undefined : usage,
    });
  }

  function start(id: string, model: string): string {
    if (head !== undefined) return '';
    head = {
      id: id.startsWith('resp_') ? id : `resp_${id}`,
      model,
      createdSec: Math.floor(Date.now() / 1000),
    };
    return (
      frame('response.created', { response: response('in_progress') }) +
      frame('response.in_progress', { response: response('in_progress') })
    );
  }

  function add(index: number, item: JsonObject): string {
    const outputIndex = open.size + done.length;
    open.set(index, { outputIndex, item, text: '' });
    return frame('response.output_item.added', { output_index: outputIndex, item });
  }

  function stop(index: number): string {
    const entry = open.get(index);
    if (entry === undefined) return '';
    open.delete(index);
    const { outputIndex, item, text } = entry;
    let out = '';
    let final: JsonObject;
    if (item.type === 'message') {
      const part = { type: 'output_text', text, annotations: [] };
      out += frame('response.output_text.done', {
        item_id: item.id,
        output_index: outputIndex,
        content_index: 0,
        text,
        logprobs: [],
      });
      out += frame('response.content_part.done', {
        item_id: item.id,
        output_index: outputIndex,
        content_index: 0,
        part,
      });
      final = { ...item, status: 'completed', content: [part] };
    } else {
      out += frame('response.function_call_arguments.done', {
        item_id: item.id,
        output_index: outputIndex,
        arguments: text,
      });
      final = { ...item, status: 'completed', arguments: text };
    }
    done.push(final);
    return out + frame('response.output_item.done', { output_index: outputIndex, item: final });
  }

  return {
    push(event: CanonicalStreamEvent): string {
      const opening = event.type === 'start' ? '' : start('resp_unknown', req.model);
      switch (event.type) {
        case 'start':
          return start(event.id, event.model);
        case 'text_start': {
          const id = `msg_${head?.id ?? 'x'}_${event.index}`;
          const item = {
            id,
            type: 'message',
            status: 'in_progress',
            role: 'assistant',
            content: [],
          };
          const added = add(event.index, item);
          const outputIndex = open.get(event.index)?.outputIndex ?? 0;
          const part = { type: 'output_text', text: '', annotations: [] };
          return (
            opening +
            added +
            frame('response.content_part.added', {
              item_id: id,
              output_index: outputIndex,
              content_index: 0,
              part,
            })
          );
        }
        case 'tool_call_start': {
          const item = {
            id: `fc_${event.id}`,
            type: 'function_call',
            status: 'in_progress',
            call_id: event.id,
            name: event.name,
            arguments: '',
          };
          return opening + add(event.index, item);
        }
        case 'text_delta':
        case 'tool_call_delta': {
          const entry = open.get(event.index);
          if (entry === undefined) return opening;
          const delta = event.type === 'text_delta' ? event.text : event.argumentsDelta;
          entry.text += delta;
          const common = { item_id: entry.item.id, output_index: entry.outputIndex };
          return (
            opening +
            (event.type === 'text_delta'
              ? frame('response.output_text.delta', {
                  ...common,
                  content_index: 0,
                  delta,
                  logprobs: [],
                })
              : frame('response.function_call_arguments.delta', { ...common, delta }))
          );
        }
        case 'part_stop':
          return opening + stop(event.index);
        case 'finish':
          finish = event.reason;
          return opening;
        case 'usage':
          usage = event.usage;
          return opening;
        case 'end': {
          let out = opening;
          for (const index of [...open.keys()]) out += stop(index);
          const status =
            finish === 'length' || finish === 'content_filter' ? 'incomplete' : 'completed';
          return out + frame(`response.${status}`, { response: response(status) });
        }
      }
    },
  };
}

/** Responses stream events → canonical (used by the round-trip properties). */
export function createResponsesStreamDecoder(): CanonicalStreamDecoder {
  let isEnded = false;
  let hasToolCall = false;

  function onEvent(json: Obj, out: CanonicalStreamEvent[]): void {
    const index = typeof json.output_index === 'number' ? json.output_index : 0;
    const item = isObj(json.item) ? json.item : {};
    switch (json.type) {
      case 'response.created': {
        const r = isObj(json.response) ? json.response : {};
        out.push({
          type: 'start',
          id: typeof r.id === 'string' ? r.id : 'resp_unknown',
          model: typeof r.model === 'string' ? r.model : 'unknown',
        });
        return;
      }
      case 'response.output_item.added':
        if (item.type === 'message') out.push({ type: 'text_start', index });
        else if (item.type === 'function_call') {
          hasToolCall = true;
          out.push({
            type: 'tool_call_start',
            index,
            id: String(item.call_id),
            name: String(item.name),
          });
        }
        return;
      case 'response.output_text.delta':
        if (typeof json.delta === 'string')
          out.push({ type: 'text_delta', index, text: json.delta });
        return;
      case 'response.function_call_arguments.delta':
        if (typeof json.delta === 'string')
          out.push({ type: 'tool_call_delta', index, argumentsDelta: json.delta });
        return;
      case 'response.output_item.done':
        if (item.type === 'message' || item.type === 'function_call')
          out.push({ type: 'part_stop', index });
        return;
      case 'response.completed':
      case 'response.incomplete': {
        const r = isObj(json.response) ? json.response : {};
        const reason = isObj(r.incomplete_details) ? r.incomplete_details.reason : undefined;
        out.push({
          type: 'finish',
          reason:
            reason === 'max_output_tokens'
              ? 'length'
              : reason === 'content_filter'
                ? 'content_filter'
                : hasToolCall
                  ? 'tool_calls'
                  : 'stop',
        });
        if (isObj(r.usage)) out.push({ type: 'usage', usage: usageFromResponses(r.usage) });
        out.push({ type: 'end' });
        isEnded = true;
        return;
      }
      default:
        return;
    }
  }

  return createSseDecoder((json, out) => {
    if (json !== undefined) onEvent(json, out);
    return isEnded;
  });
}
