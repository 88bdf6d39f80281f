import fc from 'fast-check';
import cl100k from 'gpt-tokenizer/encoding/cl100k_base';
import o200k from 'gpt-tokenizer/encoding/o200k_base';
import {
  CL100K_TOKEN_SPLIT_REGEX,
  O200K_TOKEN_SPLIT_REGEX,
} from 'gpt-tokenizer/encodingParams/constants';
import { describe, expect, it } from 'vitest';
import { countBpe, PIECE_MAX_CHARS, SEGMENT_MAX_CHARS } from './bpe-count.js';

const ENCODINGS = [
  ['o200k_base', o200k, O200K_TOKEN_SPLIT_REGEX],
  ['cl100k_base', cl100k, CL100K_TOKEN_SPLIT_REGEX],
] as const;

/** Scripts written without spaces, where one pre-token runs long and gets cut. */
const SCRIPTS = {
  cjk: '的一是不了人我在有他这为之大来以个中上们到说国和地也子时道出而要于就下得可你年生自会那后能对着事',
  thai: 'กขคงจฉชซญดตถทธนบปผพฟภมยรลวศสหอฮะาำิีึืุูเแโใไ่้๊๋็์',
  emoji: '😀🎉👍🔥❤️🚀🙏😂👨‍👩‍👧',
  punctuation: '!?.,;:-_=+*&^%$#@~`|\\/<>[]{}()"\'',
  latin: 'abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ',
  base64: 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/=',
  cyrillic: 'абвгдежзийклмнопрстуфхцчшщъыьэюя',
  arabic: 'ابتثجحخدذرزسشصضطظعغفقكلمنهوي',
  devanagari: 'कखगघङचछजझञटठडढणतथदधनपफबभमयरलवशषसहािीुूेैोौं्',
};

function finish(counting: Generator<void, number, void>): number {
  for (;;) {
    const step = counting.next();
    if (step.done) return step.value;
  }
}

const exact = (encoder: typeof o200k, text: string) =>
  encoder.countTokens(text, { disallowedSpecial: new Set() });

describe('bounded BPE counting never counts below the whole-text count', () => {
  for (const [name, encoder, regex] of ENCODINGS) {
    it(`${name}: unspaced runs in every script, cut into pieces`, () => {
      const runs = Object.values(SCRIPTS).map((alphabet) =>
        fc
          .array(fc.constantFrom(...Array.from(alphabet)), {
            minLength: PIECE_MAX_CHARS + 1,
            maxLength: 600,
          })
          .map((chars) => chars.join('')),
      );
      fc.assert(
        fc.property(fc.oneof(...runs), (text) => {
          const whole = exact(encoder, text);
          const ours = finish(countBpe(encoder, regex, text));
          // Never under; over by the cut tokens and what cuts cost, a few percent at most.
          expect(ours).toBeGreaterThanOrEqual(whole);
          expect(ours).toBeLessThanOrEqual(Math.ceil(whole * 1.35) + 2);
        }),
        { numRuns: 150, seed: 9 },
      );
    });

    it(`${name}: prose longer than a segment, cut between segments`, () => {
      const words = fc.constantFrom('the', 'quick', ' ', '\n', 'fox', '. ', '漢字', 'ไทย', '42');
      fc.assert(
        fc.property(fc.array(words, { minLength: 5_000, maxLength: 6_000 }), (parts) => {
          const text = parts.join('');
          expect(text.length).toBeGreaterThan(SEGMENT_MAX_CHARS);
          expect(finish(countBpe(encoder, regex, text))).toBeGreaterThanOrEqual(
            exact(encoder, text),
          );
        }),
        { numRuns: 20, seed: 9 },
      );
    });
  }

  it('counts a special-token spelling as text, as the API does', () => {
    const text = 'a <|endoftext|> b <|im_start|>';
    expect(finish(countBpe(o200k, O200K_TOKEN_SPLIT_REGEX, text))).toBe(exact(o200k, text));
  });
});
