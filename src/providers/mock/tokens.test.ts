import { describe, expect, it } from 'vitest';
import {
  contentTexts,
  estimateCompletionTokens,
  estimatePromptTokens,
  splitReply,
  summarizeMessages,
} from './tokens.js';

describe('token estimates', () => {
  it('sums ceil(chars / 4) per text piece plus 3 per message', () => {
    expect(estimatePromptTokens([], 0)).toBe(0);
    expect(estimatePromptTokens(['abcd', 'abcde'], 2)).toBe(1 + 2 + 6);
    expect(estimatePromptTokens([''], 1)).toBe(3);
  });

  it('counts at least one completion token', () => {
    expect(estimateCompletionTokens('')).toBe(1);
    expect(estimateCompletionTokens('abcdefghi')).toBe(3);
  });
});

describe('summarizeMessages', () => {
  it('counts an out-of-band system prompt as a message and echoes the last user text', () => {
    const summary = summarizeMessages(
      [
        { role: 'user', content: 'one' },
        { role: 'assistant', content: null },
        {
          role: 'user',
          content: [
            { type: 'image_url', image_url: { url: 'x' } },
            { type: 'text', text: 'two' },
          ],
        },
      ],
      [{ type: 'text', text: 'sys' }],
    );
    expect(summary).toEqual({ texts: ['sys', 'one', 'two'], messageCount: 4, lastUserText: 'two' });
  });

  it('ignores non-text blocks', () => {
    expect(
      contentTexts([{ type: 'tool_use', text: 'no' }, { type: 'input_text', text: 'yes' }, 7]),
    ).toEqual(['yes']);
    expect(contentTexts(undefined)).toEqual([]);
  });
});

describe('splitReply', () => {
  it('splits on code points', () => {
    expect(splitReply('ab😀cd', 3)).toEqual(['ab😀', 'cd']);
    expect(splitReply('', 8)).toEqual([]);
  });
});
