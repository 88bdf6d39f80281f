import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { shannonEntropy } from './entropy.js';

function naiveEntropy(text: string): number {
  const counts = new Map<string, number>();
  for (const ch of text) counts.set(ch, (counts.get(ch) ?? 0) + 1);
  let bits = 0;
  for (const n of counts.values()) bits -= (n / text.length) * Math.log2(n / text.length);
  return bits;
}

describe('shannonEntropy', () => {
  it('is 0 for empty and single-symbol text', () => {
    expect(shannonEntropy('')).toBe(0);
    expect(shannonEntropy('aaaaaaaa')).toBe(0);
  });

  it('is log2 of the alphabet size for uniform text', () => {
    expect(shannonEntropy('ab')).toBeCloseTo(1);
    expect(shannonEntropy('0123456789abcdef')).toBeCloseTo(4);
  });

  it('measures a slice without copying it', () => {
    expect(shannonEntropy('xxab', 2, 4)).toBeCloseTo(1);
  });

  it('matches a straightforward implementation on ASCII text, call after call', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'binary-ascii', maxLength: 200 }), (text) => {
        expect(shannonEntropy(text)).toBeCloseTo(naiveEntropy(text), 9);
      }),
    );
  });
});
