/**
 * Incremental SSE framing: splits a byte stream into whole events (separated by a blank
 * line) without decoding more than it must. Events are kept as raw bytes so untouched ones
 * are forwarded exactly as received.
 */
const LF = 0x0a;
const CR = 0x0d;
const SPACE = 0x20;
const DATA = Buffer.from('data:');
const EVENT = Buffer.from('event:');
/** Shared by every splitter with nothing pending: an empty Buffer costs an object each time. */
const EMPTY = Buffer.alloc(0);

/** One event; `name` and `data` are decoded only when asked for, so most events cost a slice. */
export class SseEvent {
  #name: string | undefined;
  #data: string | undefined;
  #hasOtherLines = false;
  constructor(readonly raw: Buffer) {}

  /** `event:` field, if any. */
  get name(): string | undefined {
    if (this.#data === undefined) this.#parse();
    return this.#name;
  }

  /** Joined `data:` lines. */
  get data(): string {
    if (this.#data === undefined) this.#parse();
    return this.#data as string;
  }

  /** Lines other than `data:` and `event:` (comments, `id:`, junk): forwarding it would pass them on. */
  get hasOtherLines(): boolean {
    if (this.#data === undefined) this.#parse();
    return this.#hasOtherLines;
  }

  /** Cheap byte search before any decoding. */
  has(text: string): boolean {
    return this.raw.includes(text);
  }

  /** Line by line on the bytes: only the field values are decoded (a line ends at LF, less a CR). */
  #parse(): void {
    const raw = this.raw;
    let data: string | undefined;
    for (let from = 0; from < raw.length;) {
      let lf = raw.indexOf(LF, from);
      if (lf === -1) lf = raw.length;
      const end = lf > from && raw[lf - 1] === CR ? lf - 1 : lf;
      if (startsWith(raw, from, end, DATA)) {
        const value = fieldValue(raw, from + DATA.length, end);
        data = data === undefined ? value : `${data}\n${value}`;
      } else if (startsWith(raw, from, end, EVENT))
        this.#name = fieldValue(raw, from + EVENT.length, end).trim();
      else if (end > from) this.#hasOtherLines = true;
      from = lf + 1;
    }
    this.#data = data ?? '';
  }
}

/** Compared in plain JS: Buffer#compare costs more to call than five bytes take to walk. */
function startsWith(raw: Buffer, from: number, end: number, prefix: Buffer): boolean {
  if (end - from < prefix.length) return false;
  for (let i = 0; i < prefix.length; i++) if (raw[from + i] !== prefix[i]) return false;
  return true;
}

/** A field's value: after its name and colon, less one leading space. */
function fieldValue(raw: Buffer, from: number, end: number): string {
  return raw.toString('utf8', raw[from] === SPACE && from < end ? from + 1 : from, end);
}

export class SseSplitter {
  #pending: Buffer = EMPTY;

  /** Returns the complete events in `chunk` (plus earlier leftovers). */
  push(chunk: Buffer): SseEvent[] {
    const buf = this.#pending.length === 0 ? chunk : Buffer.concat([this.#pending, chunk]);
    const events: SseEvent[] = [];
    let start = 0;
    let from = 0;
    for (;;) {
      const lf = buf.indexOf(LF, from);
      if (lf === -1) break;
      const end = blankLineEnd(buf, lf);
      if (end === -1) {
        from = lf + 1;
        continue;
      }
      events.push(new SseEvent(buf.subarray(start, end)));
      start = from = end;
    }
    this.#pending = start === buf.length ? EMPTY : Buffer.from(buf.subarray(start));
    return events;
  }

  /** True when no partial event is waiting for more bytes. */
  get isEmpty(): boolean {
    return this.#pending.length === 0;
  }

  /** Bytes of an unterminated final event. */
  rest(): Buffer {
    const rest = this.#pending;
    this.#pending = EMPTY;
    return rest;
  }
}

/** If the line ending at LF index `lf` is followed by an empty line, the index past it; else -1. */
function blankLineEnd(buf: Buffer, lf: number): number {
  if (buf[lf + 1] === LF) return lf + 2;
  if (buf[lf + 1] === CR && buf[lf + 2] === LF) return lf + 3;
  return -1;
}

/** One event a stream tap passed on: its bytes, name and data already parsed. */
export interface ParsedEvent {
  readonly raw: Buffer;
  readonly name: string | undefined;
  /** The data as a JSON object; `undefined` when it is none. */
  readonly json: Record<string, unknown> | undefined;
  /** OpenAI's `[DONE]` (the only data not JSON that a tap passes on). */
  readonly isDone: boolean;
}

/** Where a tap's chunk carries its events (a property, not a WeakMap: no ephemeron per chunk). */
const PARSED = Symbol('bastion.sse.parsed');
type ParsedBuffer = Buffer & { [PARSED]?: readonly ParsedEvent[] };

/**
 * The chunk a tap passes on, remembered as exactly `events` (in order, nothing else), so the
 * output guard reads them instead of splitting and parsing the same bytes again.
 */
export function parsedChunk(events: readonly ParsedEvent[]): Buffer {
  const chunk: ParsedBuffer = events.length === 1 ? (events[0] as ParsedEvent).raw : joined(events);
  if (chunk.length > 0) chunk[PARSED] = events;
  return chunk;
}

/**
 * The events' bytes in one buffer. Events a splitter cut from one read lie side by side in the
 * same memory: then the buffer is a view over them, as one event's is today, and nothing is
 * copied (a socket read of several events, the common case); else they are copied together.
 */
function joined(events: readonly ParsedEvent[]): Buffer {
  const first = events[0]?.raw;
  if (first === undefined) return EMPTY;
  let end = first.byteOffset + first.length;
  for (let i = 1; i < events.length; i++) {
    const raw = (events[i] as ParsedEvent).raw;
    if (raw.buffer !== first.buffer || raw.byteOffset !== end)
      return Buffer.concat(events.map((e) => e.raw));
    end += raw.length;
  }
  return Buffer.from(first.buffer, first.byteOffset, end - first.byteOffset);
}

/** The events `chunk` was made of, when a tap made it with `parsedChunk`. */
export function parsedEvents(chunk: Buffer): readonly ParsedEvent[] | undefined {
  return (chunk as ParsedBuffer)[PARSED];
}
