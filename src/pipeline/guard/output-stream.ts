import { SseSplitter, type SseEvent } from '../../providers/core/sse.js';
import type { Endpoint } from '../../providers/types.js';
import { chat } from './output-stream-chat.js';
import { messages, responses } from './output-stream-events.js';
import { parse, Rewriter, type Json, type StreamRewriteDeps } from './output-stream-rewriter.js';

/**
 * Rewrites the text deltas and tool-call argument deltas of an SSE stream through one
 * `TextFilter` per channel (a choice, a content part, a content block, a tool call), leaving
 * every other event byte-for-byte. Held-back text is released in a synthetic delta just before
 * the event that closes its channel.
 */

export type { StreamRewriteDeps } from './output-stream-rewriter.js';

const HANDLERS: Partial<
  Record<Endpoint, (rw: Rewriter, e: SseEvent, json: Json | undefined) => Buffer[]>
> = {
  chat_completions: chat,
  responses,
  messages,
};

/** `chunks` with the text of every delta rewritten; ends when upstream ends. */
export async function* rewriteSseStream(
  endpoint: Endpoint,
  chunks: AsyncIterable<Buffer>,
  deps: StreamRewriteDeps,
): AsyncGenerator<Buffer> {
  const handler = HANDLERS[endpoint];
  if (handler === undefined) {
    yield* chunks;
    return;
  }
  const splitter = new SseSplitter();
  const rw = new Rewriter(deps);
  for await (const chunk of chunks) {
    const out: Buffer[] = [];
    for (const e of splitter.push(chunk)) out.push(...handler(rw, e, parse(e.data)));
    if (out.length > 0) yield out.length === 1 ? (out[0] as Buffer) : Buffer.concat(out);
  }
  const tail = [...rw.release(), splitter.rest()].filter((b) => b.length > 0);
  if (tail.length > 0) yield Buffer.concat(tail);
}
