import { rewriteJsonValue } from './output-args.js';
import {
  frame,
  isObject,
  spliceString,
  type Json,
  type Rewriter,
  type StreamEvent,
} from './output-stream-rewriter.js';

/**
 * Responses API and Anthropic Messages events. Text deltas and tool-call argument deltas go
 * through their channel's filter; the full copies the Responses API repeats (`*.done`,
 * `output_item.done`, the final `response.*`) go through the one-chunk rewrite, which gives
 * the same result by construction.
 */

interface Full {
  text: (t: string) => string;
  args: (t: string) => string;
}

/** Rewrites `holder[key]` when it is a string; true when it changed. */
function apply(holder: Json, key: string, fn: (t: string) => string): boolean {
  const value = holder[key];
  if (typeof value !== 'string') return false;
  const next = fn(value);
  holder[key] = next;
  return next !== value;
}

function rewriteParts(content: unknown, full: Full): boolean {
  if (!Array.isArray(content)) return false;
  let isChanged = false;
  for (const part of content)
    if (isObject(part) && part.type === 'output_text' && apply(part, 'text', full.text))
      isChanged = true;
  return isChanged;
}

/** One output item of a Responses reply (message text parts, function-call arguments). */
export function rewriteItem(item: unknown, full: Full): boolean {
  if (!isObject(item)) return false;
  if (item.type === 'function_call') return apply(item, 'arguments', full.args);
  return rewriteParts(item.content, full);
}

function rewriteOutputs(output: unknown, full: Full): void {
  if (Array.isArray(output)) for (const item of output) rewriteItem(item, full);
}

/** A frame numbered in order (Responses events carry `sequence_number`). */
function emit(rw: Rewriter, name: string | undefined, json: Json): Buffer {
  rw.renumber(json);
  return frame(name, json);
}

/** An event passed on: its bytes as they came unless its number had to change. */
function pass(rw: Rewriter, e: StreamEvent, json: Json): Buffer[] {
  return rw.renumber(json) ? [frame(e.name, json)] : [e.raw];
}

function delta(rw: Rewriter, e: StreamEvent, json: Json, key: string, kind: 'text' | 'args') {
  if (typeof json.delta !== 'string') return pass(rw, e, json);
  const template = json;
  const synth = (text: string) => emit(rw, e.name, { ...template, delta: text });
  const from = json.delta;
  const to = rw.push(key, from, synth, kind);
  json.delta = to;
  if (to === '') return [];
  if (rw.renumber(json)) return [frame(e.name, json)];
  return [spliceString(e.raw, 'delta', from, to) ?? frame(e.name, json)];
}

export function responses(rw: Rewriter, e: StreamEvent, json: Json | undefined): Buffer[] {
  if (json === undefined) return [e.raw];
  const key = `${String(json.item_id)}:${String(json.content_index)}`;
  const argsKey = `${String(json.item_id)}:args`;
  const full: Full = { text: rw.deps.fullText, args: rw.deps.fullArgs };
  switch (json.type) {
    case 'response.output_text.delta':
      return delta(rw, e, json, key, 'text');
    case 'response.output_text.done':
      if (typeof json.text === 'string') json.text = full.text(json.text);
      return [...rw.release(key), emit(rw, e.name, json)];
    case 'response.function_call_arguments.delta':
      return delta(rw, e, json, argsKey, 'args');
    case 'response.function_call_arguments.done':
      if (typeof json.arguments === 'string') json.arguments = full.args(json.arguments);
      return [...rw.release(argsKey), emit(rw, e.name, json)];
    case 'response.content_part.added':
    case 'response.content_part.done':
      rewriteParts([json.part], full);
      return [emit(rw, e.name, json)];
    case 'response.output_item.added':
    case 'response.output_item.done':
      rewriteItem(json.item, full);
      return [emit(rw, e.name, json)];
    default:
      if (isObject(json.response)) {
        rewriteOutputs(json.response.output, full);
        return [...rw.release(), emit(rw, e.name, json)];
      }
      return pass(rw, e, json);
  }
}

function blockDelta(rw: Rewriter, e: StreamEvent, json: Json, key: string): Buffer[] {
  const d = json.delta;
  if (!isObject(d)) return [e.raw];
  const index = json.index ?? 0;
  if (d.type === 'text_delta' && typeof d.text === 'string') {
    const synth = (text: string) =>
      frame('content_block_delta', {
        type: 'content_block_delta',
        index,
        delta: { type: 'text_delta', text },
      });
    const from = d.text;
    const to = rw.push(key, from, synth);
    d.text = to;
    if (to === '') return [];
    return [spliceString(e.raw, 'text', from, to) ?? frame(e.name, json)];
  }
  if (d.type === 'input_json_delta' && typeof d.partial_json === 'string') {
    const synth = (partial_json: string) =>
      frame('content_block_delta', {
        type: 'content_block_delta',
        index,
        delta: { type: 'input_json_delta', partial_json },
      });
    const from = d.partial_json;
    const to = rw.push(key, from, synth, 'args');
    d.partial_json = to;
    if (to === '') return [];
    return [spliceString(e.raw, 'partial_json', from, to) ?? frame(e.name, json)];
  }
  return [e.raw];
}

export function messages(rw: Rewriter, e: StreamEvent, json: Json | undefined): Buffer[] {
  if (json === undefined) return [e.raw];
  const key = typeof json.index === 'number' ? String(json.index) : '0';
  switch (json.type) {
    case 'content_block_start': {
      const block = json.content_block;
      if (isObject(block) && block.type === 'tool_use')
        return rewriteJsonValue(block.input, rw.deps.fullValue) ? [frame(e.name, json)] : [e.raw];
      if (!isObject(block) || block.type !== 'text' || typeof block.text !== 'string')
        return [e.raw];
      const index = json.index ?? 0;
      block.text = rw.push(key, block.text, (text) =>
        frame('content_block_delta', {
          type: 'content_block_delta',
          index,
          delta: { type: 'text_delta', text },
        }),
      );
      return [frame(e.name, json)];
    }
    case 'content_block_delta':
      return blockDelta(rw, e, json, key);
    case 'content_block_stop':
      return [...rw.release(key), e.raw];
    case 'message_stop':
      return [...rw.release(), e.raw];
    default:
      return [e.raw];
  }
}
