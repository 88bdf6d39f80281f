import { rewriteJsonValue } from './output-args.js';
import { frame, type Json, type Rewriter, type StreamEvent } from './output-stream-rewriter.js';

/**
 * Fail closed on what the output guard has no handler for. A provider adds event, delta,
 * block and item types over time (reasoning, citations, tool results); their text must not
 * reach the caller unscreened just because the guard does not know their shape yet. Every
 * string of such a value (and every key) goes through the whole-value scanner, as a tool's
 * input does: a secret split across two unknown events is not caught (no channel to hold it
 * back), a whole one is. Data that is not JSON is scanned as text, and dropped when anything
 * in it would have been rewritten: it cannot be rewritten in a shape the caller could read.
 */

/** An event the guard has no handler for: its strings rewritten, its bytes kept when none changed. */
export function unknownEvent(rw: Rewriter, e: StreamEvent, json: Json): Buffer[] {
  const isChanged = rewriteJsonValue(json, rw.scanValue);
  return rw.renumber(json) || isChanged ? [frame(e.name, json)] : [e.raw];
}

/** An event whose data is not a JSON object: passed only when it is `[DONE]` or holds nothing to rewrite. */
export function opaqueEvent(rw: Rewriter, e: StreamEvent): Buffer[] {
  if (e.isDone) return [e.raw];
  const text = e.raw.toString('utf8');
  return rw.scanValue(text) === text ? [e.raw] : [];
}
