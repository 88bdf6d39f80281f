import type { ParsedEvent } from '../../providers/core/sse.js';
import type { TextFilter } from './output-text.js';

/**
 * The state of one SSE stream rewrite: one `TextFilter` per channel (a choice's text, a content
 * part, a content block, one tool call's arguments), and how to release what a channel holds.
 */

export type Json = Record<string, unknown>;

export interface StreamRewriteDeps {
  /** A filter for assistant text. */
  newFilter: () => TextFilter;
  /** A filter for tool-call arguments (JSON text: restored values escaped, no HTML escaping). */
  newArgsFilter: () => TextFilter;
  /** The one-chunk rewrite of a whole text (no audit counting: the deltas were counted). */
  fullText: (text: string) => string;
  /** The same for whole tool-call arguments (JSON text). */
  fullArgs: (text: string) => string;
  /** The same for one decoded string of a JSON value, without HTML escaping. */
  fullValue: (text: string) => string;
  /**
   * `fullValue`, counted: for strings the stream carries once, outside any channel (the
   * fields of an event, delta or block the guard has no handler for).
   */
  scanValue: (text: string) => string;
}

export type ChannelKind = 'text' | 'args';

/** One SSE event as the endpoint handlers see it. */
export type StreamEvent = ParsedEvent;

interface Channel {
  filter: TextFilter;
  /** Builds a delta event carrying `text`, shaped like the channel's last delta. */
  synth(text: string): Buffer;
}

export const isObject = (v: unknown): v is Json =>
  typeof v === 'object' && v !== null && !Array.isArray(v);

export function frame(name: string | undefined, data: Json): Buffer {
  return Buffer.from(
    `${name === undefined ? '' : `event: ${name}\n`}data: ${JSON.stringify(data)}\n\n`,
  );
}

const BACKSLASH = 0x5c;
const COLON = 0x3a;

/** `"key"` as bytes, per key (the handlers' few constant names): a Buffer needle searches faster. */
const QUOTED_KEYS = new Map<string, Buffer>();

function quotedKey(key: string): Buffer {
  let quoted = QUOTED_KEYS.get(key);
  if (quoted === undefined) {
    quoted = Buffer.from(`"${key}"`);
    QUOTED_KEYS.set(key, quoted);
  }
  return quoted;
}

/**
 * `raw` with the string value `from` of key `key` replaced by `to` in place, leaving the rest
 * of the event byte for byte (no parse-and-serialise per delta); undefined when that cannot
 * be done with certainty. It is certain when `"key"` occurs once in the event, followed at
 * once by `:` and `from` encoded as `JSON.stringify` does, and nothing outside that string is
 * escaped: then that occurrence is the one key of that name the parsed event has (a key
 * written with escapes or whitespace, or a second one, makes this decline; the caller then
 * serialises the event). Runs once per changed delta: the result is written into one buffer.
 */
export function spliceString(
  raw: Buffer,
  key: string,
  from: string,
  to: string,
): Buffer | undefined {
  if (from === to) return raw;
  const quoted = quotedKey(key);
  const at = soleKeyAt(raw, quoted);
  if (at === -1) return undefined;
  const start = at + quoted.length + 1;
  const encoded = JSON.stringify(from);
  const end = start + Buffer.byteLength(encoded);
  if (end > raw.length || !isEncodedAt(raw, start, end, encoded)) return undefined;
  if (firstSlash !== -1 && (firstSlash < start || lastSlash >= end)) return undefined;
  const replacement = JSON.stringify(to);
  const size = Buffer.byteLength(replacement);
  const out = Buffer.allocUnsafe(raw.length - (end - start) + size);
  raw.copy(out, 0, 0, start);
  out.write(replacement, start);
  raw.copy(out, start + size, end);
  return out;
}

/** True when `raw[start, end)` is `text`'s UTF-8; ASCII (most deltas) is compared in place. */
function isEncodedAt(raw: Buffer, start: number, end: number, text: string): boolean {
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c >= 0x80) return raw.compare(Buffer.from(text), 0, undefined, start, end) === 0;
    if (raw[start + i] !== c) return false;
  }
  return true;
}

/** The first and last backslash `soleKeyAt` saw (-1: none), read at once by `spliceString`. */
let firstSlash = -1;
let lastSlash = -1;

/**
 * Where `quoted` (a `"key"`) occurs in `raw` followed by `:`, when it occurs there once and
 * nowhere else; else -1. Notes the backslashes on the way: one walk in plain JS over the event
 * (Buffer#indexOf's native search costs more to set up than a few hundred bytes take to walk).
 */
function soleKeyAt(raw: Buffer, quoted: Buffer): number {
  const first = quoted[0];
  const last = raw.length - quoted.length;
  let at = -1;
  let isRepeated = false;
  firstSlash = lastSlash = -1;
  outer: for (let i = 0; i < raw.length; i++) {
    const c = raw[i];
    if (c === BACKSLASH) {
      if (firstSlash === -1) firstSlash = i;
      lastSlash = i;
      continue;
    }
    if (c !== first || i > last) continue;
    for (let j = 1; j < quoted.length; j++) if (raw[i + j] !== quoted[j]) continue outer;
    if (at !== -1) isRepeated = true;
    at = i;
  }
  if (isRepeated) return -1;
  return at !== -1 && raw[at + quoted.length] === COLON ? at : -1;
}

export function parse(data: string): Json | undefined {
  if (data === '' || data === '[DONE]') return undefined;
  try {
    const v: unknown = JSON.parse(data);
    return isObject(v) ? v : undefined;
  } catch {
    return undefined;
  }
}

/** Strings `Rewriter.scanValue` remembers as clean: at most this many, this long. */
const MAX_CLEAN = 512;
const MAX_CLEAN_CHARS = 128;

export class Rewriter {
  readonly channels = new Map<string, Channel>();
  /** The next `sequence_number` (Responses API), from the first event's own. */
  #seq: number | undefined;
  /** Short strings `deps.scanValue` left unchanged in this stream. */
  readonly #clean = new Set<string>();
  constructor(readonly deps: StreamRewriteDeps) {}

  /**
   * `deps.scanValue`, remembering the short strings it left unchanged: the fields screened
   * whole repeat the same names and values chunk after chunk (Azure's filter verdicts on
   * every chunk, logprobs tokens), and the scan of a string is the same each time. A string
   * that changes is scanned (and counted) again each time.
   */
  readonly scanValue = (text: string): string => {
    if (this.#clean.has(text)) return text;
    const out = this.deps.scanValue(text);
    if (out === text && text.length <= MAX_CLEAN_CHARS && this.#clean.size < MAX_CLEAN)
      this.#clean.add(text);
    return out;
  };

  /**
   * Gives an event that carries a `sequence_number` the next one: events the guard drops or
   * adds leave the numbers the client sees contiguous. True when the number changed.
   */
  renumber(json: Json): boolean {
    const n = json.sequence_number;
    if (typeof n !== 'number') return false;
    this.#seq ??= n;
    json.sequence_number = this.#seq++;
    return json.sequence_number !== n;
  }

  channel(key: string, synth: (text: string) => Buffer, kind: ChannelKind = 'text'): Channel {
    let c = this.channels.get(key);
    if (c === undefined) {
      const filter = kind === 'args' ? this.deps.newArgsFilter() : this.deps.newFilter();
      c = { filter, synth };
      this.channels.set(key, c);
    } else c.synth = synth;
    return c;
  }

  /** Pushes `text` through the channel's filter: what is decided now. */
  push(key: string, text: string, synth: (t: string) => Buffer, kind?: ChannelKind): string {
    return this.channel(key, synth, kind).filter.push(text);
  }

  /** Flushes one channel, or every channel whose key starts with `prefix`, into events. */
  release(key?: string, prefix?: string): Buffer[] {
    const out: Buffer[] = [];
    for (const [k, c] of this.channels) {
      if (key !== undefined && k !== key) continue;
      if (prefix !== undefined && !k.startsWith(prefix)) continue;
      const rest = c.filter.flush();
      if (rest !== '') out.push(c.synth(rest));
      this.channels.delete(k);
    }
    return out;
  }
}
