/**
 * Incremental SSE framing: splits a byte stream into whole events (separated by a blank
 * line) without decoding more than it must. Events are kept as raw bytes so untouched ones
 * are forwarded exactly as received.
 */
export interface SseEvent {
  raw: Buffer;
  /** `event:` field, if any. */
  name: string | undefined;
  /** Joined `data:` lines. */
  data: string;
}

const LF = 0x0a;
const CR = 0x0d;

export class SseSplitter {
  #pending: Buffer = Buffer.alloc(0);

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
      events.push(parseEvent(buf.subarray(start, end)));
      start = from = end;
    }
    this.#pending = start === buf.length ? Buffer.alloc(0) : Buffer.from(buf.subarray(start));
    return events;
  }

  /** Bytes of an unterminated final event. */
  rest(): Buffer {
    const rest = this.#pending;
    this.#pending = Buffer.alloc(0);
    return rest;
  }
}

/** If the line ending at LF index `lf` is followed by an empty line, the index past it; else -1. */
function blankLineEnd(buf: Buffer, lf: number): number {
  if (buf[lf + 1] === LF) return lf + 2;
  if (buf[lf + 1] === CR && buf[lf + 2] === LF) return lf + 3;
  return -1;
}

function parseEvent(raw: Buffer): SseEvent {
  let name: string | undefined;
  const data: string[] = [];
  for (const line of raw.toString('utf8').split(/\r?\n/)) {
    if (line.startsWith('data:')) data.push(line.slice(line[5] === ' ' ? 6 : 5));
    else if (line.startsWith('event:')) name = line.slice(line[6] === ' ' ? 7 : 6).trim();
  }
  return { raw, name, data: data.join('\n') };
}
