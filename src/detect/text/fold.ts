import { stripInvisible } from './invisible.js';

/**
 * Latin look-alikes from Cyrillic and Greek, the ones used to dodge keyword filters
 * ("ignоre" with a Cyrillic o). NFKC already folds full-width and mathematical letters.
 */
const CONFUSABLES: Readonly<Record<string, string>> = {
  а: 'a',
  в: 'b',
  е: 'e',
  ё: 'e',
  к: 'k',
  м: 'm',
  н: 'h',
  о: 'o',
  р: 'p',
  с: 'c',
  т: 't',
  у: 'y',
  х: 'x',
  і: 'i',
  ї: 'i',
  ј: 'j',
  ѕ: 's',
  ԁ: 'd',
  ԛ: 'q',
  ԝ: 'w',
  ɡ: 'g',
  α: 'a',
  β: 'b',
  ε: 'e',
  ι: 'i',
  κ: 'k',
  ν: 'v',
  ο: 'o',
  ρ: 'p',
  τ: 't',
  υ: 'u',
  χ: 'x',
  ı: 'i',
  ȷ: 'j',
};
const CONFUSABLE_RE = /[авеёкмнорстухіїјѕԁԛԝɡαβεικνορτυχıȷ]/g;
const CONFUSABLE_TEST = /[авеёкмнорстухіїјѕԁԛԝɡαβεικνορτυχıȷ]/;
const LETTER_RUN = /\p{L}+/gu;
const ASCII_LETTER = /[a-z]/;
const SPACE_RUN = /[^\S\n]+/g;
const LINE_BREAKS = / ?\n[\s]*/g;

/**
 * A form of `text` for phrase matching only (never sent anywhere): NFKC, lower case,
 * invisible characters removed, look-alike letters folded inside Latin words (Russian or
 * Greek words stay as they are), spaces collapsed and blank lines merged. Offsets do not map
 * back to the input.
 */
export function foldForMatching(text: string): string {
  // ASCII is already in NFKC and has no look-alikes or invisible characters to remove.
  if (!hasNonAscii(text)) return foldSpaces(text.toLowerCase());
  let out = stripInvisible(text).normalize('NFKC').toLowerCase();
  if (hasNonAscii(out)) out = out.replace(LETTER_RUN, foldWord);
  return foldSpaces(out);
}

/**
 * Code units `\s` matches: tab to carriage return, space, and the Unicode spaces (false for
 * NaN, what `charCodeAt` gives past the end). A comparison costs less than a regex call.
 */
export function isSpaceCode(c: number): boolean {
  if (c <= 0x20) return c === 0x20 || (c >= 0x09 && c <= 0x0d);
  if (c < 0xa0) return false;
  return (
    c === 0xa0 ||
    c === 0x1680 ||
    (c >= 0x2000 && c <= 0x200a) ||
    c === 0x2028 ||
    c === 0x2029 ||
    c === 0x202f ||
    c === 0x205f ||
    c === 0x3000 ||
    c === 0xfeff
  );
}

/**
 * Spaces collapsed and blank lines merged. Most text already is (single spaces, single line
 * breaks): one loop finds that and keeps the string, where the two replacements built copies.
 */
function foldSpaces(text: string): string {
  let wasBreak = false;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c === 0x20 || c === 0x0a) {
      if (wasBreak) return replaceSpaces(text);
      wasBreak = true;
    } else if (isSpaceCode(c)) return replaceSpaces(text);
    else wasBreak = false;
  }
  return text;
}

function replaceSpaces(text: string): string {
  return text.replace(SPACE_RUN, ' ').replace(LINE_BREAKS, '\n');
}

/** Folds look-alikes only in a word that also has ASCII letters. */
function foldWord(word: string): string {
  if (!ASCII_LETTER.test(word) || !CONFUSABLE_TEST.test(word)) return word;
  return word.replace(CONFUSABLE_RE, foldLetter);
}

function foldLetter(ch: string): string {
  return CONFUSABLES[ch] ?? ch;
}

function hasNonAscii(text: string): boolean {
  for (let i = 0; i < text.length; i++) if (text.charCodeAt(i) > 0x7f) return true;
  return false;
}
