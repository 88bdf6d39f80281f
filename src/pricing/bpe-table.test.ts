import fc from 'fast-check';
import cl100k from 'gpt-tokenizer/encoding/cl100k_base';
import o200k from 'gpt-tokenizer/encoding/o200k_base';
import {
  CL100K_TOKEN_SPLIT_REGEX,
  O200K_TOKEN_SPLIT_REGEX,
} from 'gpt-tokenizer/encodingParams/constants';
import { describe, expect, it } from 'vitest';
import { countBpe, PIECE_MAX_CHARS } from './bpe-count.js';
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
            // Pre-token by pre-token, as bpe-count.ts asks for them, the same.
            let byPreToken = 0;
            for (const [preToken] of text.matchAll(regex)) {
              byPreToken += table.countPreToken?.(preToken) ?? NaN;
            }
            expect(byPreToken).toBe(exact(text));
          },
        ),
        { numRuns: 300 },
      );
    }, 60_000);
  }

  it('counts pre-tokens whole exactly as splitting each again would, cut ones included', async () => {
    const [name, , regex] = ENCODINGS[0];
    const table = await loadBpeTable(name, regex);
    const resplit = { countTokens: (text: string) => table.countTokens(text) };
    const finish = (counting: Generator<void, number, void>) => {
      for (;;) {
        const step = counting.next();
        if (step.done) return step.value;
      }
    };
    const long = fc
      .tuple(fc.constantFrom('a', 'Ab', '!?', '漢', ' ', "'s"), fc.integer({ min: 1, max: 3 }))
      .map(([unit, times]) => unit.repeat(times * PIECE_MAX_CHARS));
    fc.assert(
      fc.property(
        fc.array(fc.oneof(long, fc.string({ maxLength: 40, unit: 'grapheme' })), { maxLength: 4 }),
        (parts) => {
          const text = parts.join('');
          expect(finish(countBpe(table, regex, text))).toBe(finish(countBpe(resplit, regex, text)));
        },
      ),
      { numRuns: 300 },
    );
  }, 60_000);
});
