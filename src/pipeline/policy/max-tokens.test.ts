import { describe, expect, it } from 'vitest';
import { checkNumericFields } from '../guard/numeric-fields.js';
import { requestedOutputTokens, withOutputTokens } from './max-tokens.js';

describe('output bounds', () => {
  it('reserves the largest of max_tokens and max_completion_tokens', () => {
    const body = { max_tokens: 100_000, max_completion_tokens: 50 };
    expect(requestedOutputTokens('chat_completions', body)).toBe(100_000);
    expect(requestedOutputTokens('chat_completions', {})).toBeUndefined();
    expect(requestedOutputTokens('embeddings', body)).toBe(0);
  });

  it('clamps every bound to the ceiling and adds one when none was sent', () => {
    expect(
      withOutputTokens('chat_completions', { max_tokens: 100_000, max_completion_tokens: 50 }, 100),
    ).toEqual({ max_tokens: 100, max_completion_tokens: 50 });
    expect(withOutputTokens('chat_completions', {}, 100)).toEqual({ max_completion_tokens: 100 });
    expect(withOutputTokens('responses', { max_output_tokens: 500 }, 100)).toEqual({
      max_output_tokens: 100,
    });
  });

  it.each([-1e12, -1, 0, 1.5, 1e12, '100000', null, {}, [], true])(
    'refuses %j as a token bound',
    (value) => {
      expect(checkNumericFields('chat_completions', { max_tokens: value })?.code).toBe(
        'invalid_numeric_field',
      );
      expect(checkNumericFields('responses', { max_output_tokens: value })?.param).toBe(
        'max_output_tokens',
      );
    },
  );

  it('accepts integers in range and absent fields', () => {
    expect(checkNumericFields('chat_completions', { max_tokens: 1, n: 128 })).toBeUndefined();
    expect(checkNumericFields('messages', { max_tokens: 1_048_576 })).toBeUndefined();
    expect(checkNumericFields('embeddings', { max_tokens: -1 })).toBeUndefined();
  });
});
