import { describe, expect, it } from 'vitest';
import { spliceString } from './output-stream-rewriter.js';

const event = (data: unknown) => Buffer.from(`data: ${JSON.stringify(data)}\n\n`);

describe('spliceString', () => {
  it('replaces the one value in place and leaves every other byte as it came', () => {
    const raw = Buffer.from('data: {"id":"x","delta":{"content":"héllo wor"},"n":1}\n\n');
    const out = spliceString(raw, 'content', 'héllo wor', 'héllo "w" ☃');
    expect(out?.toString()).toBe(
      'data: {"id":"x","delta":{"content":"héllo \\"w\\" ☃"},"n":1}\n\n',
    );
  });

  it('returns the event itself when nothing changed', () => {
    const raw = event({ delta: { content: 'same' } });
    expect(spliceString(raw, 'content', 'same', 'same')).toBe(raw);
  });

  it('declines when it cannot be certain which bytes hold the value', () => {
    // The key twice, the value not where the key is, an escape outside the value.
    expect(spliceString(event({ content: 'a', x: { content: 'a' } }), 'content', 'a', 'b')).toBe(
      undefined,
    );
    expect(spliceString(event({ content: 'ab' }), 'content', 'a', 'b')).toBe(undefined);
    expect(spliceString(event({ content: 'a', note: 'q"q' }), 'content', 'a', 'b')).toBe(undefined);
    expect(spliceString(event({ other: 'a' }), 'content', 'a', 'b')).toBe(undefined);
    // Same length, other bytes: ASCII against UTF-8, and two non-ASCII characters.
    expect(spliceString(event({ content: 'é' }), 'content', 'e', 'b')).toBe(undefined);
    expect(spliceString(event({ content: 'xè' }), 'content', 'xé', 'b')).toBe(undefined);
  });

  it('declines a value that would run past the end of the event', () => {
    const raw = Buffer.from('data: {"content":"abc');
    expect(spliceString(raw, 'content', 'abcdefgh', 'x')).toBe(undefined);
  });
});
