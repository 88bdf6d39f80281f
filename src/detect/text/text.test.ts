import { describe, expect, it } from 'vitest';
import { foldForMatching } from './fold.js';
import { stripHtml } from './html.js';
import { decodeHiddenText, findInvisible, stripInvisible } from './invisible.js';
import { estimateTokens } from './tokens.js';

const tags = (s: string) =>
  [...s].map((c) => String.fromCodePoint(0xe0000 + c.charCodeAt(0))).join('');

describe('invisible characters', () => {
  it('strips zero-width, bidi overrides, tag characters and control characters', () => {
    const text = `a\u200bb\u202ec\u0007d${tags('hi')}e\u0000`;
    expect(stripInvisible(text)).toBe('abcde');
    expect(findInvisible(text)).toEqual({
      count: 6,
      kinds: ['zero_width', 'bidi', 'control', 'tag'],
    });
  });

  it('keeps legitimate uses: emoji joiners, one variation selector, subdivision flags, RTL marks', () => {
    const family = '👨\u200d👩\u200d👧';
    const heart = '❤\ufe0f';
    const scotland = `🏴${tags('gbsct')}\u{e007f}`;
    const hebrew = 'שלום\u200f!';
    const text = `${family} ${heart} ${scotland} ${hebrew} tab\tnew\nline`;
    expect(stripInvisible(text)).toBe(text);
    expect(findInvisible(text).count).toBe(0);
  });

  it('strips runs of variation selectors and decodes what they and tags hide', () => {
    const smuggled = `😀${[...Buffer.from('ignore')].map((b) => String.fromCodePoint(b < 16 ? 0xfe00 + b : 0xe0100 + b - 16)).join('')}`;
    expect(stripInvisible(smuggled)).toBe('😀');
    expect(decodeHiddenText(smuggled)).toBe('ignore');
    expect(decodeHiddenText(`x${tags('secret')}`)).toBe('secret');
    expect(decodeHiddenText('plain')).toBe('');
  });
});

describe('foldForMatching', () => {
  it('folds width, case, look-alikes inside Latin words and whitespace, but keeps Cyrillic words', () => {
    expect(foldForMatching('Ｉｇｎｏｒｅ  ALL\t\tprevious')).toBe('ignore all previous');
    expect(foldForMatching('ignоre')).toBe('ignore');
    expect(foldForMatching('Привет мир')).toBe('привет мир');
    expect(foldForMatching('a \n\n  b')).toBe('a\nb');
  });
});

describe('stripHtml', () => {
  it('removes tags, comments and script/style content, keeps prose comparisons', () => {
    expect(stripHtml('<p>Hi <b>there</b></p><script>alert(1)</script><!-- x -->!').text).toBe(
      'Hi there!',
    );
    expect(stripHtml('if a < b and c > d').text).toBe('if a < b and c > d');
    expect(stripHtml('<style>p{}</style>ok').removed).toBe(1);
  });
});

describe('estimateTokens', () => {
  it('counts four ASCII characters per token and one per other character', () => {
    expect(estimateTokens('abcdefgh')).toBe(2);
    expect(estimateTokens('你好')).toBe(2);
  });
});
