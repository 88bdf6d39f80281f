import fc from 'fast-check';
import cl100k from 'gpt-tokenizer/encoding/cl100k_base';
import o200k from 'gpt-tokenizer/encoding/o200k_base';
import {
  CL100K_TOKEN_SPLIT_REGEX,
  O200K_TOKEN_SPLIT_REGEX,
} from 'gpt-tokenizer/encodingParams/constants';
import { describe, expect, it } from 'vitest';
import { loadBpeTable } from './bpe-table.js';

const ENCODINGS = [
  ['o200k_base', o200k, O200K_TOKEN_SPLIT_REGEX],
  ['cl100k_base', cl100k, CL100K_TOKEN_SPLIT_REGEX],
] as const;

const TEXTS = [
  'hello world',
  'Summarise the plot of Hamlet in two sentences, please.',
  'function f(x) {\n\treturn x * 2; // doubled\n}\n\n  const y = f(21);',
  '漢字中文 ภาษาไทย 😀🎉👨‍👩‍👧 русский текст العربية हिन्दी',
  'Ünïcödé façade naïve résumé Straße',
  '\u0000\u0001\u007f weird \ufffd bytes \u200b\u2028',
  'aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa!!!???...,,,;;;',
  'QUJDRGVmZ2g0NTY3QUJDRGVmZ2g0NTY3 sk-abc123 https://example.com/a?b=c&d=e',
  '   leading and trailing spaces   \r\n\r\n',
  'hi <|endoftext|><|im_start|>',
];

describe('the sliced BPE table counts like gpt-tokenizer', () => {
  for (const [name, reference, regex] of ENCODINGS) {
    it(`${name}: fixed texts and random strings in every script`, async () => {
      const table = await loadBpeTable(name, regex);
      const exact = (text: string) => reference.countTokens(text, { disallowedSpecial: new Set() });
      for (const text of TEXTS)
        expect({ text, n: table.countTokens(text) }).toEqual({ text, n: exact(text) });
      fc.assert(
        fc.property(
          fc.oneof(
            fc.string({ maxLength: 200, unit: 'grapheme' }),
            fc.string({ maxLength: 200, unit: 'binary' }),
          ),
          (text) => {
            expect(table.countTokens(text)).toBe(exact(text));
          },
        ),
        { numRuns: 300 },
      );
    }, 60_000);
  }
});
