import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { compileGlobs, globMatch } from './glob.js';

function viaRegex(pattern: string, name: string): boolean {
  const source = pattern
    .replace(/[.+^${}()|[\]\\]/g, '\\$&')
    .replace(/\*/g, '.*')
    .replace(/\?/g, '.');
  return new RegExp(`^${source}$`, 's').test(name);
}

describe('model globs', () => {
  it('matches exact names, * and ?', () => {
    const m = compileGlobs(['gpt-4o*', 'claude-?-haiku', 'o3']);
    expect(m('gpt-4o')).toBe(true);
    expect(m('gpt-4o-mini-2024-07-18')).toBe(true);
    expect(m('gpt-4.1')).toBe(false);
    expect(m('claude-3-haiku')).toBe(true);
    expect(m('claude-35-haiku')).toBe(false);
    expect(m('o3')).toBe(true);
    expect(m('o3-mini')).toBe(false);
    expect(compileGlobs(['*'])('anything')).toBe(true);
    expect(compileGlobs([])('gpt-4o')).toBe(false);
  });

  it('agrees with the equivalent anchored regex', () => {
    const chars = fc.constantFrom('a', 'b', '-', '.', '*', '?');
    fc.assert(
      fc.property(
        fc.string({ unit: chars, maxLength: 8 }),
        fc.string({ unit: fc.constantFrom('a', 'b', '-', '.'), maxLength: 10 }),
        (p, n) => {
          expect(globMatch(p, n)).toBe(viaRegex(p, n));
        },
      ),
      { numRuns: 2_000 },
    );
  });

  it('stays fast on patterns that make backtracking regexes explode', () => {
    const started = performance.now();
    expect(globMatch(`${'*a'.repeat(20)}b`, 'a'.repeat(5_000))).toBe(false);
    expect(performance.now() - started).toBeLessThan(500);
  });
});
