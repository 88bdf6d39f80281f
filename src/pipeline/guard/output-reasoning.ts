import { rewriteJsonValue } from './output-args.js';
import type { Rewriter } from './output-stream-rewriter.js';
import type { TextFilter } from './output-text.js';

/**
 * Reasoning text (Anthropic thinking, Responses reasoning summaries and text, OpenAI-compatible
 * `reasoning_content`) reaches the caller as much as the answer does, so it goes through the
 * same filter, on a channel of its own. Anthropic signs each thinking block: when the guard
 * changed the text the caller sees, the signature would vouch for text the model never wrote,
 * so it is withheld (the block can then not be sent back; the provider refuses it, which is
 * the safe failure).
 */

/** A filter that also knows whether what it released differs from what it was given. */
class ChangeTracking implements TextFilter {
  #unmatched = '';
  isChanged = false;
  constructor(private readonly inner: TextFilter) {}

  push(text: string): string {
    return this.#see(text, this.inner.push(text));
  }

  flush(): string {
    const out = this.#see('', this.inner.flush());
    if (this.#unmatched !== '') this.isChanged = true;
    return out;
  }

  /** Released text is a prefix of what is still unmatched, unless the filter changed it. */
  #see(text: string, out: string): string {
    if (this.isChanged) return out;
    const given = this.#unmatched + text;
    if (given.startsWith(out)) this.#unmatched = given.slice(out.length);
    else this.isChanged = true;
    return out;
  }
}

/** Pushes thinking text through channel `key`, tracking whether the filter changed it. */
export function pushTracked(
  rw: Rewriter,
  key: string,
  text: string,
  synth: (t: string) => Buffer,
): string {
  const c = rw.channel(key, synth);
  if (!(c.filter instanceof ChangeTracking)) c.filter = new ChangeTracking(c.filter);
  return c.filter.push(text);
}

/**
 * Releases channel `key` before its block's signature: the held text as events, and whether
 * the caller's text differs from the model's (then the signature must not be passed on).
 */
export function releaseBeforeSignature(
  rw: Rewriter,
  key: string,
): { events: Buffer[]; isChanged: boolean } {
  const c = rw.channels.get(key);
  const events = rw.release(key);
  return { events, isChanged: c?.filter instanceof ChangeTracking && c.filter.isChanged };
}

type Json = Record<string, unknown>;

/**
 * A whole Anthropic `thinking` block (a non-streamed reply): its text rewritten, its signature
 * emptied when the text changed. True when the block changed.
 */
export function rewriteThinkingBlock(block: Json, text: (t: string) => string): boolean {
  if (typeof block.thinking !== 'string') return false;
  const next = text(block.thinking);
  if (next === block.thinking) return false;
  block.thinking = next;
  if (typeof block.signature === 'string') block.signature = '';
  return true;
}

/** The reasoning and refusal texts of an OpenAI-compatible chat message or delta. */
export const CHAT_TEXT_KEYS = ['reasoning_content', 'reasoning', 'refusal'] as const;

/**
 * OpenRouter's structured `reasoning_details` (text, summaries, encrypted blobs): every string
 * screened whole. True when one changed.
 */
export function rewriteReasoningDetails(holder: Json, value: (t: string) => string): boolean {
  return (
    holder.reasoning_details !== undefined && rewriteJsonValue(holder.reasoning_details, value)
  );
}

/** The reasoning and refusal of a whole chat message, rewritten in place; true when any changed. */
export function rewriteChatReasoning(
  m: Json,
  text: (t: string) => string,
  value: (t: string) => string,
): boolean {
  let isChanged = rewriteReasoningDetails(m, value);
  for (const key of CHAT_TEXT_KEYS) {
    const v = m[key];
    if (typeof v !== 'string') continue;
    const next = text(v);
    if (next === v) continue;
    m[key] = next;
    isChanged = true;
  }
  return isChanged;
}
