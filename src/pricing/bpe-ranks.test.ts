import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { RankTableBuilder } from './bpe-ranks.js';

/** Builds a table from latin1 tokens, ranked by position, and a Map to check it against. */
function tables(tokens: readonly string[]) {
  const builder = new RankTableBuilder(
    tokens.reduce((n, t) => n + t.length, 0),
    tokens.length,
  );
  const map = new Map<string, number>();
  tokens.forEach((t, rank) => {
    builder.addBase64(Buffer.from(t, 'latin1').toString('base64'), rank);
    map.set(t, rank);
  });
  return { table: builder.build(), map };
}

const latin1 = fc.string({
  unit: fc.integer({ min: 0, max: 255 }).map((c) => String.fromCharCode(c)),
  minLength: 1,
  maxLength: 12,
});

describe('the BPE rank table', () => {
  it('finds every token by any range that spells it, and nothing else', () => {
    fc.assert(
      fc.property(
        fc.uniqueArray(latin1, { minLength: 1, maxLength: 300 }),
        fc.array(latin1),
        (tokens, probes) => {
          const { table, map } = tables(tokens);
          expect(table.size).toBe(tokens.length);
          tokens.forEach((t, rank) => {
            expect(table.rankOf(t, 0, t.length)).toBe(rank);
            // Inside a longer string: the range, not the whole text, is looked up.
            expect(table.rankOf(`\u00ff${t}\u0000`, 1, t.length + 1)).toBe(rank);
          });
          for (const p of probes) expect(table.rankOf(p, 0, p.length)).toBe(map.get(p) ?? -1);
        },
      ),
      { numRuns: 200 },
    );
  });

  it('tells apart tokens that are prefixes of each other and the empty range', () => {
    const { table } = tables(['a', 'ab', 'abc', '\u0000', '\u0000\u0000']);
    expect(table.rankOf('abcd', 0, 1)).toBe(0);
    expect(table.rankOf('abcd', 0, 2)).toBe(1);
    expect(table.rankOf('abcd', 0, 3)).toBe(2);
    expect(table.rankOf('abcd', 0, 4)).toBe(-1);
    expect(table.rankOf('abcd', 1, 3)).toBe(-1);
    expect(table.rankOf('\u0000\u0000', 0, 2)).toBe(4);
    expect(table.rankOf('abc', 1, 1)).toBe(-1);
  });
});
