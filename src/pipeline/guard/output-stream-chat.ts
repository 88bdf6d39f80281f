import { rewriteJsonValue, rewriteToolCallFields, rewriteUnknownFields } from './output-args.js';
import { isAudioField, isChatField, isFunctionCallField } from './output-chat-fields.js';
import { CHAT_TEXT_KEYS, rewriteReasoningDetails } from './output-reasoning.js';
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
 * Chat Completions chunks: each choice's `delta.content` is one text channel, each of its
 * `delta.tool_calls[i].function.arguments` and its legacy `delta.function_call.arguments` one
 * arguments channel, and its reasoning, refusal and `delta.audio.transcript` one text channel
 * each. What a channel holds is released when its choice finishes (text into the finishing
 * delta, the others in synthetic chunks just before it) or at `[DONE]`. Every other field of
 * a delta or choice is screened whole (fail closed on what the guard has no handler for).
 */

type Choice = Json & { delta: Json };

/** A chunk like `json` (without usage) with one choice carrying `delta`. */
function withDelta(json: Json, index: unknown, delta: Json): Buffer {
  const rest: Json = { ...json };
  delete rest.usage;
  rest.choices = [{ index: index ?? 0, delta, logprobs: null, finish_reason: null }];
  return frame(undefined, rest);
}

/** Rewrites the arguments of each tool call in `delta`; true when any was there. */
function toolCalls(rw: Rewriter, key: string, delta: Json, json: Json, at: unknown): boolean {
  if (!Array.isArray(delta.tool_calls)) return false;
  // Everything of the calls but their arguments (ids and names: the identifier check).
  let isSeen = rewriteToolCallFields(delta.tool_calls as unknown[], rw.scanValue);
  for (const call of delta.tool_calls as unknown[]) {
    if (!isObject(call) || !isObject(call.function)) continue;
    const fn = call.function;
    if (typeof fn.arguments !== 'string') continue;
    const index = typeof call.index === 'number' ? call.index : 0;
    const synth = (text: string) =>
      withDelta(json, at, { tool_calls: [{ index, function: { arguments: text } }] });
    fn.arguments = rw.push(`${key}:tool:${index}`, fn.arguments, synth, 'args');
    isSeen = true;
  }
  return isSeen;
}

/** Events to send for one choice, before its chunk; true when the chunk changed. */
function choiceEvents(rw: Rewriter, choice: Choice, json: Json, before: Buffer[]): boolean {
  const key = typeof choice.index === 'number' ? String(choice.index) : '0';
  const delta = choice.delta;
  // Synthetic chunks are built only when a held-back text is released (rarely per chunk).
  const at = choice.index;
  let isChanged = toolCalls(rw, key, delta, json, at);
  if (typeof delta.content === 'string') {
    const synth = (text: string) => withDelta(json, at, { content: text });
    delta.content = rw.push(key, delta.content, synth);
    isChanged = true;
  }
  if (otherTexts(rw, key, delta, json, at)) isChanged = true;
  if (hasRareField(delta) && rareFields(rw, key, delta, json, at)) isChanged = true;
  if (choice.finish_reason === null || choice.finish_reason === undefined) return isChanged;
  before.push(...rw.release(undefined, `${key}:tool:`), ...rw.release(undefined, `${key}:text:`));
  const c = rw.channels.get(key);
  if (c === undefined) return isChanged;
  const rest = c.filter.flush();
  rw.channels.delete(key);
  if (rest === '') return isChanged;
  delta.content = (typeof delta.content === 'string' ? delta.content : '') + rest;
  return true;
}

/**
 * Reasoning (`reasoning_content`, `reasoning`) and refusal text, each a text channel of its
 * own; true when the delta had any.
 */
function otherTexts(rw: Rewriter, key: string, delta: Json, json: Json, at: unknown): boolean {
  let isSeen = rewriteReasoningDetails(delta, rw.scanValue);
  for (const field of CHAT_TEXT_KEYS) {
    const text = delta[field];
    if (typeof text !== 'string') continue;
    const synth = (t: string) => withDelta(json, at, { [field]: t });
    delta[field] = rw.push(`${key}:text:${field}`, text, synth);
    isSeen = true;
  }
  return isSeen;
}

/** Whether `delta` has a field beyond the common `role` and text `content`. */
function hasRareField(delta: Json): boolean {
  for (const field in delta)
    if (field !== 'role' && (field !== 'content' || typeof delta.content !== 'string')) return true;
  return false;
}

/**
 * The legacy `function_call.arguments` (an arguments channel) and `audio.transcript` (a text
 * channel) of a delta, and every field nothing else screens, whole; true when the delta had
 * a channel's text or a field changed.
 */
function rareFields(rw: Rewriter, key: string, delta: Json, json: Json, at: unknown): boolean {
  const scan = rw.scanValue;
  let isChanged = false;
  const fn = delta.function_call;
  if (isObject(fn)) {
    if (typeof fn.arguments === 'string') {
      const synth = (t: string) => withDelta(json, at, { function_call: { arguments: t } });
      fn.arguments = rw.push(`${key}:tool:function_call`, fn.arguments, synth, 'args');
      isChanged = true;
    }
    if (rewriteUnknownFields(fn, isFunctionCallField, scan)) isChanged = true;
  }
  const audio = delta.audio;
  if (isObject(audio)) {
    if (typeof audio.transcript === 'string') {
      const synth = (t: string) => withDelta(json, at, { audio: { transcript: t } });
      audio.transcript = rw.push(`${key}:text:audio`, audio.transcript, synth);
      isChanged = true;
    }
    if (rewriteUnknownFields(audio, isAudioField, scan)) isChanged = true;
  }
  return rewriteUnknownFields(delta, (k) => isChatField(delta, k), scan) || isChanged;
}

/** Whether `choice` has a field beyond `index`, `delta`, `finish_reason` and a null `logprobs`. */
function hasRareChoiceField(choice: Json): boolean {
  for (const field in choice)
    if (
      field !== 'index' &&
      field !== 'delta' &&
      field !== 'finish_reason' &&
      (field !== 'logprobs' || choice.logprobs !== null)
    )
      return true;
  return false;
}

/**
 * A choice's own fields but its delta, screened whole: `logprobs` (each token on its own: a
 * secret spread over several tokens is not caught there) and whatever a provider adds.
 */
const rareChoiceFields = (rw: Rewriter, choice: Json) =>
  rewriteUnknownFields(
    choice,
    (k) => k === 'index' || k === 'delta' || k === 'finish_reason',
    rw.scanValue,
  );

export function chat(rw: Rewriter, e: StreamEvent, json: Json | undefined): Buffer[] {
  if (e.isDone) return [...rw.release(), e.raw];
  if (json === undefined) return opaqueEvent(rw, e);
  if (!Array.isArray(json.choices)) return unknownEvent(rw, e, json);
  let original = soleContent(json.choices as unknown[]);
  let isChanged = false;
  const before: Buffer[] = [];
  for (const choice of json.choices as unknown[]) {
    // A choice without a delta is not a chunk the guard knows: every string of it is screened.
    if (!isObject(choice) || !isObject(choice.delta)) {
      if (rewriteJsonValue(choice, rw.scanValue)) isChanged = true;
      continue;
    }
    // A change outside the content: the chunk is serialised, not spliced.
    if (hasRareChoiceField(choice) && rareChoiceFields(rw, choice)) {
      isChanged = true;
      original = undefined;
    }
    if (choiceEvents(rw, choice as Choice, json, before)) isChanged = true;
  }
  if (!isChanged) return [...before, e.raw];
  if (isHeldOnly(json)) return before;
  const content = original === undefined ? undefined : soleContent(json.choices as unknown[]);
  const spliced =
    original === undefined || content === undefined
      ? undefined
      : spliceString(e.raw, 'content', original, content);
  return [...before, spliced ?? frame(e.name, json)];
}

/** The text of a chunk's only choice, when its delta carries text and nothing but a role. */
function soleContent(choices: unknown[]): string | undefined {
  const choice = choices.length === 1 ? choices[0] : undefined;
  if (!isObject(choice) || !isObject(choice.delta)) return undefined;
  const { delta } = choice;
  return typeof delta.content === 'string' && !hasRareField(delta) ? delta.content : undefined;
}

/** A tool-call delta that carries nothing but (now empty) arguments. */
function isEmptyCall(call: unknown): boolean {
  if (!isObject(call) || !isObject(call.function)) return false;
  const keys = Object.keys(call).filter((k) => k !== 'index');
  const fnKeys = Object.keys(call.function);
  return (
    keys.length === 1 &&
    fnKeys.length === 1 &&
    fnKeys[0] === 'arguments' &&
    call.function.arguments === ''
  );
}

/** A `function_call` or `audio` delta that carries nothing but its (now empty) text. */
function isEmptyPart(part: unknown, field: string): boolean {
  if (!isObject(part)) return false;
  const keys = Object.keys(part);
  return keys.length === 1 && keys[0] === field && part[field] === '';
}

/** A chunk whose only content was held back entirely: sending it would be an empty delta. */
function isHeldOnly(json: Json): boolean {
  if (json.usage !== undefined && json.usage !== null) return false;
  return (json.choices as unknown[]).every((c) => {
    if (!isObject(c) || !isObject(c.delta)) return false;
    if (c.finish_reason !== null && c.finish_reason !== undefined) return false;
    const delta = c.delta;
    const keys = Object.keys(delta);
    if (keys.length === 0) return false;
    return keys.every((k) => {
      if (k === 'content' || (CHAT_TEXT_KEYS as readonly string[]).includes(k))
        return delta[k] === '';
      if (k === 'function_call') return isEmptyPart(delta.function_call, 'arguments');
      if (k === 'audio') return isEmptyPart(delta.audio, 'transcript');
      return (
        k === 'tool_calls' && Array.isArray(delta.tool_calls) && delta.tool_calls.every(isEmptyCall)
      );
    });
  });
}
