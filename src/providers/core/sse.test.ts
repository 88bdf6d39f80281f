import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { SseSplitter } from './sse.js';

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
});
