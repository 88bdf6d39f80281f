import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { createKeywordAutomaton } from './keyword-automaton.js';

function found(keywords: string[], text: string): number[] {
  const ids: number[] = [];
  createKeywordAutomaton(keywords).scan(text, (id) => {
    ids.push(id);
    return false;
  });
  return ids.sort((a, b) => a - b);
}

describe('createKeywordAutomaton', () => {
  it('finds keywords case-insensitively, each once', () => {
    expect(found(['ghp_', 'akia', 'key'], 'x = AKIA...; KEY KEY key')).toEqual([1, 2]);
  });

  it('finds keywords that are suffixes of other keywords and overlapping ones', () => {
    expect(found(['sk-ant-', 'ant-', 'nt-a'], 'xsk-ant-api')).toEqual([0, 1, 2]);
    expect(found(['abcd', 'bc'], 'zabce')).toEqual([1]);
  });

  it('treats non-ASCII characters as breaks', () => {
    expect(found(['token'], 'to\u00e9ken tok€en')).toEqual([]);
    expect(found(['token'], '€token€')).toEqual([0]);
  });

  it('stops when the callback says so', () => {
    const automaton = createKeywordAutomaton(['a', 'b']);
    let calls = 0;
    const examined = automaton.scan('xxaxxbxx', () => ++calls === 1);
    expect(calls).toBe(1);
    expect(examined).toBe(3);
  });

  it('rejects non-ASCII keywords', () => {
    expect(() => createKeywordAutomaton(['clé'])).toThrow('not ASCII');
  });

  it('agrees with lower-cased includes() on any text', () => {
    const alphabet = fc.constantFrom(...'abAB-_kK€ eyEY');
    const keyword = fc.string({ unit: fc.constantFrom(...'ab-_key'), minLength: 1, maxLength: 4 });
    fc.assert(
      fc.property(
        fc.uniqueArray(keyword, { minLength: 1, maxLength: 6 }),
        fc.string({ unit: alphabet, maxLength: 60 }),
        (keywords, text) => {
          const lower = text.toLowerCase();
          const expected = keywords.flatMap((k, i) => (lower.includes(k) ? [i] : []));
          expect(found(keywords, text)).toEqual(expected);
        },
      ),
    );
  });
});
