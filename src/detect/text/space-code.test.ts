import { describe, expect, it } from 'vitest';
import { isSpaceCode } from './fold.js';

describe('isSpaceCode', () => {
  it('matches /\\s/ on every UTF-16 unit', () => {
    const differ: number[] = [];
    for (let c = 0; c <= 0xffff; c++)
      if (isSpaceCode(c) !== /\s/.test(String.fromCharCode(c))) differ.push(c);
    expect(differ).toEqual([]);
    // Past the end of a string (charCodeAt gives NaN): no whitespace.
    expect(isSpaceCode(Number.NaN)).toBe(false);
  });
});
