import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { countKeys, measureJson, nestsDeeperThan } from './json-depth.js';

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

// Colons inside strings and keys must not count as keys.
const colons = fc.string({ unit: fc.constantFrom(':', '"', '\\', '{', 'a') });
const keyed = fc.letrec((tie) => ({
  node: fc.oneof(
    { depthSize: 'small', withCrossShrink: true },
    colons,
    fc.integer(),
    fc.array(tie('node'), { maxLength: 4 }),
    fc.dictionary(colons, tie('node'), { maxKeys: 3 }),
  ),
})).node;

describe('measureJson', () => {
  it('counts the keys of the parsed value, however the text is spaced', () => {
    fc.assert(
      fc.property(keyed, fc.constantFrom(undefined, 2), (v, space) => {
        const raw = Buffer.from(JSON.stringify(v, null, space));
        expect(measureJson(raw, 64)).toBe(countKeys(JSON.parse(raw.toString()) as unknown));
      }),
    );
  });

  it('counts a repeated key twice, which the parsed value holds once', () => {
    fc.assert(
      fc.property(colons, keyed, keyed, (key, first, last) => {
        const k = JSON.stringify(key);
        const raw = Buffer.from(`{${k}: ${JSON.stringify(first)}, ${k}: ${JSON.stringify(last)}}`);
        expect(measureJson(raw, 64)).toBe(2 + countKeys(first) + countKeys(last));
        expect(countKeys(JSON.parse(raw.toString()) as unknown)).toBe(1 + countKeys(last));
      }),
    );
  });

  it('is -1 past the depth bound, as nestsDeeperThan says', () => {
    expect(measureJson(Buffer.from('[[[1]]]'), 2)).toBe(-1);
    expect(measureJson(Buffer.from('{"a":[{"b":1}]}'), 3)).toBe(2);
  });
});
