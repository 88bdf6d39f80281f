import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { parsedChunk, parsedEvents, SseEvent, SseSplitter, type ParsedEvent } from './sse.js';

function splitAll(bytes: Buffer, cuts: number[]) {
  const splitter = new SseSplitter();
  const points = [...new Set(cuts.map((c) => c % (bytes.length + 1)))].sort((a, b) => a - b);
  const events = [];
  let last = 0;
  for (const p of [...points, bytes.length]) {
    events.push(...splitter.push(bytes.subarray(last, p)));
    last = p;
  }
  return { events, rest: splitter.rest() };
}

describe('SseSplitter', () => {
  it('parses event names and multi-line data, LF and CRLF', () => {
    const text = 'event: message_start\ndata: {"a":1}\n\ndata: x\ndata: y\r\n\r\n';
    const { events, rest } = splitAll(Buffer.from(text), []);
    expect(events.map((e) => [e.name, e.data])).toEqual([
      ['message_start', '{"a":1}'],
      [undefined, 'x\ny'],
    ]);
    expect(rest.length).toBe(0);
  });

  it('keeps an unterminated final event as rest', () => {
    const { events, rest } = splitAll(Buffer.from('data: a\n\ndata: partial'), []);
    expect(events).toHaveLength(1);
    expect(rest.toString()).toBe('data: partial');
  });

  it('any split of the byte stream yields the same events and bytes', () => {
    const event = fc
      .tuple(
        fc.option(fc.constantFrom('message_delta', 'ping')),
        fc.string({ unit: 'grapheme', maxLength: 20 }),
      )
      .map(
        ([name, data]) =>
          `${name === null ? '' : `event: ${name}\n`}data: ${data.replace(/[\r\n]/g, '')}\n\n`,
      );
    fc.assert(
      fc.property(
        fc.array(event, { minLength: 1, maxLength: 8 }),
        fc.array(fc.nat(), { maxLength: 10 }),
        (events, cuts) => {
          const bytes = Buffer.from(events.join(''));
          const whole = splitAll(bytes, []);
          const split = splitAll(bytes, cuts);
          expect(split.events.map((e) => [e.name, e.data])).toEqual(
            whole.events.map((e) => [e.name, e.data]),
          );
          expect(Buffer.concat(split.events.map((e) => e.raw)).equals(bytes)).toBe(true);
        },
      ),
    );
  });

  it('reads the fields of any event as a line split of its decoded text does', () => {
    const reference = (text: string) => {
      let name: string | undefined;
      let hasOther = false;
      const data: string[] = [];
      for (const line of text.split(/\r?\n/)) {
        if (line.startsWith('data:')) data.push(line.slice(line[5] === ' ' ? 6 : 5));
        else if (line.startsWith('event:')) name = line.slice(line[6] === ' ' ? 7 : 6).trim();
        else if (line !== '') hasOther = true;
      }
      return [name, data.join('\n'), hasOther];
    };
    const piece = fc.constantFrom('data:', 'data: ', 'event:', 'event: ', 'id: 1', ': c', ' ');
    const line = fc
      .tuple(
        piece,
        fc.string({ unit: 'grapheme', maxLength: 8 }),
        fc.constantFrom('\n', '\r\n', '\r'),
      )
      .map(([p, v, eol]) => p + v.replace(/[\r\n]/g, '') + eol);
    fc.assert(
      fc.property(fc.array(line, { maxLength: 6 }), (lines) => {
        const text = `${lines.join('')}\n\n`;
        const e = new SseEvent(Buffer.from(text));
        expect([e.name, e.data, e.hasOtherLines]).toEqual(reference(text));
      }),
    );
  });
});

describe('parsedChunk', () => {
  const parsed = (raw: Buffer): ParsedEvent => ({ raw, name: undefined, json: {}, isDone: false });

  it('joins events side by side in one read as a view over them, others as a copy', () => {
    const read = Buffer.from('data: {"a":1}\n\ndata: {"b":2}\n\ndata: {"c":3}\n\n');
    const events = new SseSplitter().push(read).map((e) => parsed(e.raw));
    const all = parsedChunk(events);
    expect(all.equals(read)).toBe(true);
    expect(all.buffer).toBe(read.buffer);
    expect(parsedEvents(all)).toBe(events);
    // The middle event dropped: the other two are not side by side any more.
    const gapped = [events[0], events[2]] as ParsedEvent[];
    const joined = parsedChunk(gapped);
    expect(joined.toString()).toBe('data: {"a":1}\n\ndata: {"c":3}\n\n');
    expect(read.toString()).toContain('data: {"b":2}');
    expect(parsedChunk([parsed(Buffer.from('x')), parsed(Buffer.from('y'))]).toString()).toBe('xy');
    expect(parsedChunk([]).length).toBe(0);
  });
});
