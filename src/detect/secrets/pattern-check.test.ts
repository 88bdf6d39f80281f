import { describe, expect, it } from 'vitest';
import { checkLinearPattern, MAX_MATCH_LENGTH, UnsafePatternError } from './pattern-check.js';
import { defaultSecretRules } from './rules.js';

describe('checkLinearPattern', () => {
  it('accepts bounded patterns and measures the longest match', () => {
    expect(checkLinearPattern(/ab{2,5}c/).maxMatchLength).toBe(7);
    expect(checkLinearPattern(/(?:x|yy){3}/).maxMatchLength).toBe(6);
    expect(checkLinearPattern(/(?<![a-z])k\b[^\s]{1,4}/).maxMatchLength).toBe(5);
    expect(checkLinearPattern(/(?:[0-9]{2,3}-){1,3}/).maxMatchLength).toBe(12);
  });

  it.each([
    [/a+/, 'unbounded'],
    [/a*/, 'unbounded'],
    [/a{2,}/, 'unbounded'],
    [/(a)\1/, 'backreference'],
    [/(?<q>a)\k<q>/, 'backreference'],
    [/(?:a{1,3}){5}/, 'nested repetition'],
    [/a{20000}/, 'exceeds'],
    [/[a-z]{9000}[0-9]{12000}/, 'span'],
  ])('rejects %s', (pattern, why) => {
    expect(() => checkLinearPattern(pattern)).toThrow(UnsafePatternError);
    expect(() => checkLinearPattern(pattern)).toThrow(why);
  });

  it('passes every built-in rule and companion pattern', () => {
    for (const rule of defaultSecretRules) {
      expect(checkLinearPattern(rule.pattern).maxMatchLength).toBeLessThanOrEqual(MAX_MATCH_LENGTH);
      if (rule.companion !== undefined) checkLinearPattern(rule.companion.pattern);
    }
  });
});
