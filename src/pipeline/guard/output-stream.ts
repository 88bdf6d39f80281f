import { SseSplitter, type SseEvent } from '../../providers/core/sse.js';
import type { Endpoint } from '../../providers/types.js';
import type { TextFilter } from './output-text.js';

/**
 * Rewrites the text deltas of an SSE stream through one `TextFilter` per text channel (a
 * choice, a content part, a content block), leaving every other event byte-for-byte. Held-back
 * text is released in a synthetic delta just before the event that closes its channel.
 * Full-text copies the providers repeat at the end (`response.output_text.done`, the final
 * `response.completed`) go through `fullText`, which gives the same result by construction.
 */

type Json = Record<string, unknown>;

export interface StreamRewriteDeps {
  newFilter: () => TextFilter;
  /** The one-chunk rewrite of a whole text (no audit counting: the deltas were counted). */
  fullText: (text: string) => string;
}

interface Channel {
  filter: TextFilter;
  /** Builds a delta event carrying `text`, shaped like the channel's last delta. */
  synth(text: string): Buffer;
}

const isObject = (v: unknown): v is Json =>
  typeof v === 'object' && v !== null && !Array.isArray(v);

function frame(name: string | undefined, data: Json): Buffer {
  return Buffer.from(
    `${name === undefined ? '' : `event: ${name}\n`}data: ${JSON.stringify(data)}\n\n`,
  );
}

function parse(data: string): Json | undefined {
  if (data === '' || data === '[DONE]') return undefined;
  try {
    const v: unknown = JSON.parse(data);
    return isObject(v) ? v : undefined;
  } catch {
    return undefined;
  }
}

class Rewriter {
  readonly channels = new Map<string, Channel>();
  constructor(readonly deps: StreamRewriteDeps) {}

  channel(key: string, synth: (text: string) => Buffer): Channel {
    let c = this.channels.get(key);
    if (c === undefined) {
      c = { filter: this.deps.newFilter(), synth };
      this.channels.set(key, c);
    } else c.synth = synth;
    return c;
  }

  /** Flushes one channel (or all) into synthetic events. */
  release(key?: string): Buffer[] {
    const out: Buffer[] = [];
    for (const [k, c] of this.channels) {
      if (key !== undefined && k !== key) continue;
      const rest = c.filter.flush();
      if (rest !== '') out.push(c.synth(rest));
      this.channels.delete(k);
    }
    return out;
  }
}

function chat(rw: Rewriter, e: SseEvent, json: Json | undefined): Buffer[] {
  if (e.data === '[DONE]') return [...rw.release(), e.raw];
  if (json === undefined || !Array.isArray(json.choices)) return [e.raw];
  let isChanged = false;
  for (const choice of json.choices as unknown[]) {
    if (!isObject(choice) || !isObject(choice.delta)) continue;
    const key = typeof choice.index === 'number' ? String(choice.index) : '0';
    const delta = choice.delta;
    const template = {
      ...json,
      choices: [{ index: choice.index ?? 0, delta: {}, logprobs: null, finish_reason: null }],
    };
    const synth = (text: string) => {
      const t = structuredClone(template);
      ((t.choices as Json[])[0] as { delta: Json }).delta = { content: text };
      return frame(undefined, t);
    };
    if (typeof delta.content === 'string') {
      delta.content = rw.channel(key, synth).filter.push(delta.content);
      isChanged = true;
    }
    if (
      choice.finish_reason !== null &&
      choice.finish_reason !== undefined &&
      rw.channels.has(key)
    ) {
      const c = rw.channels.get(key) as Channel;
      const rest = c.filter.flush();
      rw.channels.delete(key);
      if (rest !== '') {
        delta.content = (typeof delta.content === 'string' ? delta.content : '') + rest;
        isChanged = true;
      }
    }
  }
  if (!isChanged) return [e.raw];
  return isHeldOnly(json) ? [] : [frame(e.name, json)];
}

/** A chunk whose only content was held back entirely: sending it would be an empty delta. */
function isHeldOnly(json: Json): boolean {
  if (json.usage !== undefined && json.usage !== null) return false;
  return (json.choices as unknown[]).every((c) => {
    if (!isObject(c) || !isObject(c.delta)) return false;
    if (c.finish_reason !== null && c.finish_reason !== undefined) return false;
    const keys = Object.keys(c.delta);
    return keys.length === 1 && keys[0] === 'content' && c.delta.content === '';
  });
}

function rewriteOutputs(output: unknown, fullText: (t: string) => string): void {
  if (!Array.isArray(output)) return;
  for (const item of output) if (isObject(item)) rewriteParts(item.content, fullText);
}

function rewriteParts(content: unknown, fullText: (t: string) => string): void {
  if (!Array.isArray(content)) return;
  for (const part of content) {
    if (isObject(part) && part.type === 'output_text' && typeof part.text === 'string') {
      part.text = fullText(part.text);
    }
  }
}

function responses(rw: Rewriter, e: SseEvent, json: Json | undefined): Buffer[] {
  if (json === undefined) return [e.raw];
  const key = `${String(json.item_id)}:${String(json.content_index)}`;
  const fullText = (text: string) => rw.deps.fullText(text);
  switch (json.type) {
    case 'response.output_text.delta': {
      if (typeof json.delta !== 'string') return [e.raw];
      const template = json;
      const synth = (text: string) => frame(e.name, { ...template, delta: text });
      json.delta = rw.channel(key, synth).filter.push(json.delta);
      return json.delta === '' ? [] : [frame(e.name, json)];
    }
    case 'response.output_text.done':
      if (typeof json.text === 'string') json.text = fullText(json.text);
      return [...rw.release(key), frame(e.name, json)];
    case 'response.content_part.added':
    case 'response.content_part.done':
      rewriteParts([json.part], fullText);
      return [frame(e.name, json)];
    case 'response.output_item.added':
    case 'response.output_item.done':
      if (isObject(json.item)) rewriteParts(json.item.content, fullText);
      return [frame(e.name, json)];
    default:
      if (isObject(json.response)) {
        rewriteOutputs(json.response.output, fullText);
        return [...rw.release(), frame(e.name, json)];
      }
      return [e.raw];
  }
}

function messages(rw: Rewriter, e: SseEvent, json: Json | undefined): Buffer[] {
  if (json === undefined) return [e.raw];
  const key = typeof json.index === 'number' ? String(json.index) : '0';
  const synth = (text: string) =>
    frame('content_block_delta', {
      type: 'content_block_delta',
      index: json.index ?? 0,
      delta: { type: 'text_delta', text },
    });
  switch (json.type) {
    case 'content_block_start': {
      const block = json.content_block;
      if (!isObject(block) || block.type !== 'text' || typeof block.text !== 'string')
        return [e.raw];
      block.text = rw.channel(key, synth).filter.push(block.text);
      return [frame(e.name, json)];
    }
    case 'content_block_delta': {
      const delta = json.delta;
      if (!isObject(delta) || delta.type !== 'text_delta' || typeof delta.text !== 'string')
        return [e.raw];
      delta.text = rw.channel(key, synth).filter.push(delta.text);
      return delta.text === '' ? [] : [frame(e.name, json)];
    }
    case 'content_block_stop':
      return [...rw.release(key), e.raw];
    case 'message_stop':
      return [...rw.release(), e.raw];
    default:
      return [e.raw];
  }
}

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
