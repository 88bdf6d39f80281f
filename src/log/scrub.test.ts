import { describe, expect, it } from 'vitest';
import { createScrubber } from './scrub.js';

describe('scrubber.findKnown', () => {
  const value = 'sk-known-0123456789abcdef'; // bastion:allow test canary

  it('finds every whole occurrence and a prefix of at least 8 characters at the end', () => {
    const scrubber = createScrubber();
    scrubber.addKnownSecret(value);
    scrubber.addKnownSecret(value);
    const text = `a ${value} b ${value} c ${value.slice(0, 12)}`;
    expect(scrubber.findKnown(text)).toEqual([
      { start: 2, end: 2 + value.length },
      { start: 5 + value.length, end: 5 + 2 * value.length },
      { start: text.length - 12, end: text.length },
    ]);
  });

  it('reports no prefix shorter than 8 characters, nor one that differs from the value', () => {
    const scrubber = createScrubber();
    scrubber.addKnownSecret(value);
    expect(scrubber.findKnown(`x ${value.slice(0, 7)}`)).toEqual([]);
    expect(scrubber.findKnown(`x ${value.slice(0, 11)}X`)).toEqual([]);
    expect(scrubber.findKnown(`x ${value}X`)).toEqual([{ start: 2, end: 2 + value.length }]);
  });
});
