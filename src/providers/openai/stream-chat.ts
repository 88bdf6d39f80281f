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
  finishFromOpenAi,
  finishToOpenAi,
  usageFromOpenAiChat,
  usageToOpenAiChat,
} from './reply-chat.js';

/**
 * Chat chunks → canonical events. Text has no explicit start or stop in OpenAI's stream, so
 * the decoder opens a part at the first delta and closes open parts at `finish_reason`;
 * each tool call (by its `index`) becomes its own part.
 */
export function createChatStreamDecoder(): CanonicalStreamDecoder {
  let isStarted = false;
  let nextIndex = 0;
  let textIndex: number | undefined;
  const toolIndex = new Map<number, number>();
  const open = new Set<number>();

  function closeAll(out: CanonicalStreamEvent[]): void {
    for (const index of open) out.push({ type: 'part_stop', index });
    open.clear();
    textIndex = undefined;
  }

  function onChunk(json: Obj, out: CanonicalStreamEvent[]): void {
    if (!isStarted) {
      isStarted = true;
      const id = typeof json.id === 'string' ? json.id : 'chatcmpl-unknown';
      const model = typeof json.model === 'string' ? json.model : 'unknown';
      out.push({ type: 'start', id, model });
    }
    const choice: unknown = Array.isArray(json.choices)
      ? (json.choices as unknown[])[0]
      : undefined;
    if (isObj(choice)) onChoice(choice, out);
    if (isObj(json.usage)) out.push({ type: 'usage', usage: usageFromOpenAiChat(json.usage) });
  }

  function onChoice(choice: Obj, out: CanonicalStreamEvent[]): void {
    const delta = isObj(choice.delta) ? choice.delta : {};
    const text = typeof delta.content === 'string' ? delta.content : delta.refusal;
    if (typeof text === 'string' && text !== '') {
      if (textIndex === undefined) {
        textIndex = nextIndex++;
        open.add(textIndex);
        out.push({ type: 'text_start', index: textIndex });
      }
      out.push({ type: 'text_delta', index: textIndex, text });
    }
    if (Array.isArray(delta.tool_calls)) {
      for (const call of delta.tool_calls) if (isObj(call)) onToolCall(call, out);
    }
    if (typeof choice.finish_reason === 'string') {
      closeAll(out);
      const reason: CanonicalFinishReason =
        typeof delta.refusal === 'string'
          ? 'content_filter'
          : finishFromOpenAi(choice.finish_reason);
      out.push({ type: 'finish', reason });
    }
  }

  function onToolCall(call: Obj, out: CanonicalStreamEvent[]): void {
    const key = typeof call.index === 'number' ? call.index : 0;
    const fn = isObj(call.function) ? call.function : {};
    let index = toolIndex.get(key);
    if (index === undefined) {
      // A new call closes the text before it, so parts stay in order.
      if (textIndex !== undefined) {
        out.push({ type: 'part_stop', index: textIndex });
        open.delete(textIndex);
        textIndex = undefined;
      }
      index = nextIndex++;
      toolIndex.set(key, index);
      open.add(index);
      out.push({
        type: 'tool_call_start',
        index,
        id: typeof call.id === 'string' ? call.id : `call_${index}`,
        name: typeof fn.name === 'string' ? fn.name : '',
      });
    }
    if (typeof fn.arguments === 'string' && fn.arguments !== '') {
      out.push({ type: 'tool_call_delta', index, argumentsDelta: fn.arguments });
    }
  }

  return createSseDecoder((json, out) => {
    if (json !== undefined) {
      onChunk(json, out);
      return false;
    }
    closeAll(out); // [DONE]
    out.push({ type: 'end' });
    return true;
  });
}

/**
 * Canonical events → chat chunks, as OpenAI streams them: a role chunk first, content and
 * tool-call deltas, a `finish_reason` chunk, the usage chunk when the caller asked for it,
 * then `[DONE]`.
 */
export function createChatStreamEncoder(req: CanonicalRequest): CanonicalStreamEncoder {
  let head: { id: string; object: string; created: number; model: string } | undefined;
  let usage: CanonicalUsage | undefined;
  const toolIndex = new Map<number, number>();

  function chunk(delta: Obj, finishReason: string | null): string {
    const body = {
      ...head,
      choices: [{ index: 0, delta, logprobs: null, finish_reason: finishReason }],
    };
    return `data: ${JSON.stringify(body)}\n\n`;
  }

  function ensureHead(id: string, model: string): string {
    if (head !== undefined) return '';
    head = { id, object: 'chat.completion.chunk', created: Math.floor(Date.now() / 1000), model };
    return chunk({ role: 'assistant', content: '' }, null);
  }

  return {
    push(event: CanonicalStreamEvent): string {
      const opening = event.type === 'start' ? '' : ensureHead('chatcmpl-unknown', req.model);
      switch (event.type) {
        case 'start':
          return ensureHead(event.id, event.model);
        case 'text_delta':
          return opening + chunk({ content: event.text }, null);
        case 'tool_call_start': {
          const index = toolIndex.size;
          toolIndex.set(event.index, index);
          const call = {
            index,
            id: event.id,
            type: 'function',
            function: { name: event.name, arguments: '' },
          };
          return opening + chunk({ tool_calls: [call] }, null);
        }
        case 'tool_call_delta': {
          const index = toolIndex.get(event.index) ?? 0;
          return (
            opening +
            chunk({ tool_calls: [{ index, function: { arguments: event.argumentsDelta } }] }, null)
          );
        }
        case 'finish':
          return opening + chunk({}, finishToOpenAi(event.reason));
        case 'usage':
          usage = event.usage;
          return opening;
        case 'end': {
          let tail = opening;
          if (req.includeUsage === true && usage !== undefined) {
            tail += `data: ${JSON.stringify({ ...head, choices: [], usage: usageToOpenAiChat(usage) })}\n\n`;
          }
          return `${tail}data: [DONE]\n\n`;
        }
        case 'text_start':
        case 'part_stop':
          return opening;
      }
    },
  };
}
