import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { nestsDeeperThan } from './json-depth.js';

/** Nesting depth of a parsed value, the definition the byte scan must agree with. */
function depthOf(value: unknown): number {
  if (typeof value !== 'object' || value === null) return 0;
  const children = Array.isArray(value) ? value : Object.values(value);
  return 1 + children.reduce<number>((max, child) => Math.max(max, depthOf(child)), 0);
}

// Strings full of brackets, quotes and escapes: the scan must not count what is inside them.
const tricky = fc.string({ unit: fc.constantFrom('[', ']', '{', '}', '"', '\\', 'a', 'é') });
const value = fc.letrec((tie) => ({
  node: fc.oneof(
    { depthSize: 'small', withCrossShrink: true },
    tricky,
    fc.integer(),
    fc.constant(null),
    fc.array(tie('node'), { maxLength: 4 }),
    fc.dictionary(tricky, tie('node'), { maxKeys: 3 }),
  ),
})).node;

describe('nestsDeeperThan', () => {
  it('agrees with the depth of the parsed value for any JSON text', () => {
    fc.assert(
      fc.property(value, fc.integer({ min: 0, max: 12 }), (v, max) => {
        const raw = Buffer.from(JSON.stringify(v));
        expect(nestsDeeperThan(raw, max)).toBe(depthOf(v) > max);
      }),
      { seed: 9, numRuns: 2_000 },
    );
  });

  it('stops at the limit on a body of brackets only', () => {
    expect(nestsDeeperThan(Buffer.from('['.repeat(100_000)), 64)).toBe(true);
    expect(nestsDeeperThan(Buffer.from('['.repeat(64) + ']'.repeat(64)), 64)).toBe(false);
  });
});
