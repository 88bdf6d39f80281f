import { parsedEvents, SseSplitter } from '../../providers/core/sse.js';
import type { Endpoint } from '../../providers/types.js';
import { chat } from './output-stream-chat.js';
import { messages, responses } from './output-stream-events.js';
import {
  parse,
  Rewriter,
  type Json,
  type StreamEvent,
  type StreamRewriteDeps,
} from './output-stream-rewriter.js';

/**
 * Rewrites the text deltas and tool-call argument deltas of an SSE stream through one
 * `TextFilter` per channel (a choice, a content part, a content block, a tool call), leaving
 * every other event byte-for-byte. Held-back text is released in a synthetic delta just before
 * the event that closes its channel.
 */

export type { StreamRewriteDeps } from './output-stream-rewriter.js';

type Handler = (rw: Rewriter, e: StreamEvent, json: Json | undefined) => Buffer[];

const HANDLERS: Partial<Record<Endpoint, Handler>> = {
  chat_completions: chat,
  responses,
  messages,
};

function split(splitter: SseSplitter, chunk: Buffer): StreamEvent[] {
  return splitter.push(chunk).map((e) => {
    const data = e.data;
    return { raw: e.raw, name: e.name, json: parse(data), isDone: data === '[DONE]' };
  });
}

/**
 * `chunks` with the text of every delta rewritten; ends when upstream ends, then calls
 * `onEnd` (also when the caller stops reading early).
 */
export async function* rewriteSseStream(
  endpoint: Endpoint,
  chunks: AsyncIterable<Buffer>,
  deps: StreamRewriteDeps,
  onEnd?: () => void,
): AsyncGenerator<Buffer> {
  try {
    const handler = HANDLERS[endpoint];
    if (handler === undefined) {
      yield* chunks;
      return;
    }
    const splitter = new SseSplitter();
    const rw = new Rewriter(deps);
    for await (const chunk of chunks) {
      // A chunk a stream tap made is read as the events it already parsed; others are split.
      const events = (splitter.isEmpty ? parsedEvents(chunk) : undefined) ?? split(splitter, chunk);
      const out: Buffer[] = [];
      for (const e of events) for (const b of handler(rw, e, e.json)) out.push(b);
      if (out.length > 0) yield out.length === 1 ? (out[0] as Buffer) : Buffer.concat(out);
    }
    const tail = [...rw.release(), splitter.rest()].filter((b) => b.length > 0);
    if (tail.length > 0) yield Buffer.concat(tail);
  } finally {
    onEnd?.();
  }
}
