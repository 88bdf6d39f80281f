import { rewriteJsonValue, rewriteUnknownFields } from './output-args.js';
import { pushTracked, releaseBeforeSignature } from './output-reasoning.js';
import {
  frame,
  isObject,
  spliceString,
  type Json,
  type Rewriter,
  type StreamEvent,
} from './output-stream-rewriter.js';
import { opaqueEvent, unknownEvent } from './output-stream-unknown.js';

/**
 * Responses API and Anthropic Messages events. Text deltas and tool-call argument deltas go
 * through their channel's filter; the full copies the Responses API repeats (`*.done`,
 * `output_item.done`, the final `response.*`) go through the one-chunk rewrite, which gives
 * the same result by construction.
 */

interface Full {
  text: (t: string) => string;
  args: (t: string) => string;
  /** One string of a value the guard has no handler for (no HTML escaping). */
  value: (t: string) => string;
}

/** Rewrites `holder[key]` when it is a string; true when it changed. */
function apply(holder: Json, key: string, fn: (t: string) => string): boolean {
  const value = holder[key];
  if (typeof value !== 'string') return false;
  const next = fn(value);
  holder[key] = next;
  return next !== value;
}

/**
 * One content or summary part: its text, and every other string of it whole (`annotations`,
 * `logprobs`, what a provider adds); every string of a part type the guard does not know.
 */
function rewritePart(part: Json, full: Full): boolean {
  switch (part.type) {
    case 'output_text':
    case 'summary_text':
    case 'reasoning_text':
      return partFields(part, 'text', full);
    case 'refusal':
      return partFields(part, 'refusal', full);
    default:
      return rewriteJsonValue(part, full.value);
  }
}

function partFields(part: Json, field: string, full: Full): boolean {
  const isChanged = apply(part, field, full.text);
  return rewriteUnknownFields(part, (k) => k === 'type' || k === field, full.value) || isChanged;
}

function rewriteParts(content: unknown, full: Full): boolean {
  if (!Array.isArray(content)) return false;
  let isChanged = false;
  for (const part of content) if (isObject(part) && rewritePart(part, full)) isChanged = true;
  return isChanged;
}

/**
 * One output item of a Responses reply: message text parts, function-call arguments,
 * reasoning summaries and text (its `encrypted_content` is the provider's, opaque to the
 * caller), and every string of an item type the guard has no handler for.
 */
export function rewriteItem(item: unknown, full: Full): boolean {
  if (!isObject(item)) return false;
  switch (item.type) {
    case 'function_call':
      return apply(item, 'arguments', full.args);
    case 'message':
      return rewriteParts(item.content, full);
    case 'reasoning': {
      const isSummaryChanged = rewriteParts(item.summary, full);
      return rewriteParts(item.content, full) || isSummaryChanged;
    }
    default:
      return rewriteJsonValue(item, full.value);
  }
}

function rewriteOutputs(output: unknown, full: Full): void {
  if (Array.isArray(output)) for (const item of output) rewriteItem(item, full);
}

/** A frame numbered in order (Responses events carry `sequence_number`). */
function emit(rw: Rewriter, name: string | undefined, json: Json): Buffer {
  rw.renumber(json);
  return frame(name, json);
}

function delta(rw: Rewriter, e: StreamEvent, json: Json, key: string, kind: 'text' | 'args') {
  if (typeof json.delta !== 'string') return unknownEvent(rw, e, json);
  const template = json;
  const synth = (text: string) => emit(rw, e.name, { ...template, delta: text });
  const from = json.delta;
  const to = rw.push(key, from, synth, kind);
  json.delta = to;
  if (to === '') return [];
  if (rw.renumber(json)) return [frame(e.name, json)];
  return [spliceString(e.raw, 'delta', from, to) ?? frame(e.name, json)];
}

/** Reasoning summary and reasoning text channels of a Responses item. */
function reasoningKey(json: Json): string {
  const summary = json.summary_index;
  return typeof summary === 'number'
    ? `${String(json.item_id)}:s:${summary}`
    : `${String(json.item_id)}:r:${String(json.content_index)}`;
}

/** A `*.done` event repeating a channel's whole `field`: the one-chunk rewrite, after its held text. */
function done(rw: Rewriter, e: StreamEvent, json: Json, key: string, field: string, full: Full) {
  if (typeof json[field] === 'string') json[field] = full.text(json[field]);
  return [...rw.release(key), emit(rw, e.name, json)];
}

export function responses(rw: Rewriter, e: StreamEvent, json: Json | undefined): Buffer[] {
  if (json === undefined) return opaqueEvent(rw, e);
  const key = `${String(json.item_id)}:${String(json.content_index)}`;
  const argsKey = `${String(json.item_id)}:args`;
  const full: Full = { text: rw.deps.fullText, args: rw.deps.fullArgs, value: rw.deps.fullValue };
  switch (json.type) {
    case 'response.output_text.delta':
    case 'response.refusal.delta':
      return delta(rw, e, json, key, 'text');
    case 'response.output_text.done':
      return done(rw, e, json, key, 'text', full);
    case 'response.refusal.done':
      return done(rw, e, json, key, 'refusal', full);
    case 'response.reasoning_summary_text.delta':
    case 'response.reasoning_text.delta':
      return delta(rw, e, json, reasoningKey(json), 'text');
    case 'response.reasoning_summary_text.done':
    case 'response.reasoning_text.done':
      return done(rw, e, json, reasoningKey(json), 'text', full);
    case 'response.reasoning_summary_part.added':
    case 'response.reasoning_summary_part.done':
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
      return unknownEvent(rw, e, json);
  }
}

function blockDelta(rw: Rewriter, e: StreamEvent, json: Json, key: string): Buffer[] {
  const d = json.delta;
  if (!isObject(d)) return unknownEvent(rw, e, json);
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
  return otherDelta(rw, e, json, d, key);
}

/** A thinking delta goes through its block's channel; a signature follows what that did. */
function otherDelta(rw: Rewriter, e: StreamEvent, json: Json, d: Json, key: string): Buffer[] {
  const index = json.index ?? 0;
  if (d.type === 'thinking_delta' && typeof d.thinking === 'string') {
    const from = d.thinking;
    const to = pushTracked(rw, key, from, (thinking) =>
      frame('content_block_delta', {
        type: 'content_block_delta',
        index,
        delta: { type: 'thinking_delta', thinking },
      }),
    );
    d.thinking = to;
    if (to === '') return [];
    return [spliceString(e.raw, 'thinking', from, to) ?? frame(e.name, json)];
  }
  if (d.type === 'signature_delta' && typeof d.signature === 'string') {
    const { events, isChanged } = releaseBeforeSignature(rw, key);
    return isChanged ? events : [...events, e.raw];
  }
  return unknownEvent(rw, e, json);
}

/** The first event of a block other than text or a tool call. */
function otherBlockStart(rw: Rewriter, e: StreamEvent, json: Json, block: Json, key: string) {
  if (block.type === 'redacted_thinking') return [e.raw];
  if (block.type !== 'thinking' || typeof block.thinking !== 'string')
    return unknownEvent(rw, e, json);
  if (block.thinking === '') return [e.raw];
  const index = json.index ?? 0;
  block.thinking = pushTracked(rw, key, block.thinking, (thinking) =>
    frame('content_block_delta', {
      type: 'content_block_delta',
      index,
      delta: { type: 'thinking_delta', thinking },
    }),
  );
  return [frame(e.name, json)];
}

export function messages(rw: Rewriter, e: StreamEvent, json: Json | undefined): Buffer[] {
  if (json === undefined) return opaqueEvent(rw, e);
  const key = typeof json.index === 'number' ? String(json.index) : '0';
  switch (json.type) {
    case 'content_block_start': {
      const block = json.content_block;
      if (isObject(block) && block.type === 'tool_use')
        return rewriteJsonValue(block.input, rw.deps.fullValue) ? [frame(e.name, json)] : [e.raw];
      if (!isObject(block)) return unknownEvent(rw, e, json);
      if (block.type !== 'text' || typeof block.text !== 'string')
        return otherBlockStart(rw, e, json, block, key);
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
    case 'ping':
      return [e.raw];
    case 'message_delta':
      return messageDelta(rw, e, json);
    case 'message_start':
      return messageStart(rw, e, json);
    default:
      return unknownEvent(rw, e, json);
  }
}

/** `message_start` carries an empty message; any content it does carry is screened whole. */
function messageStart(rw: Rewriter, e: StreamEvent, json: Json): Buffer[] {
  const message = json.message;
  if (!isObject(message) || !Array.isArray(message.content) || message.content.length === 0)
    return [e.raw];
  return unknownEvent(rw, e, json);
}

/** `stop_sequence` is one of the caller's own stop strings. */
const isStopField = (k: string) => k === 'stop_reason' || k === 'stop_sequence';

/**
 * `message_delta` carries the stop reason and usage counts; a field a provider adds (to the
 * event or its delta) is screened whole. Byte for byte when nothing changed.
 */
function messageDelta(rw: Rewriter, e: StreamEvent, json: Json): Buffer[] {
  const scan = rw.scanValue;
  const { delta } = json;
  const isKnown = (k: string) =>
    k === 'type' || k === 'usage' || (k === 'delta' && isObject(delta));
  let isChanged = rewriteUnknownFields(json, isKnown, scan);
  if (isObject(delta) && rewriteUnknownFields(delta, isStopField, scan)) isChanged = true;
  return isChanged ? [frame(e.name, json)] : [e.raw];
}
