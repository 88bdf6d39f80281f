/**
 * The words of a text for the name scan (`names.ts`): runs of letters (with apostrophes and
 * hyphens) and their case, with an ASCII fast path.
 */

const WORD = /[\p{L}\p{M}][\p{L}\p{M}'’-]{0,40}/gu;
const CASED = /^[\p{Lu}\p{Ll}]/u;
const UPPER_START = /^\p{Lu}/u;
const LOWER_AFTER = /^\p{Lu}[\p{Ll}\p{M}'’-]/u;
const UNCASED_SCRIPT = /^[\p{Script=Arabic}\p{Script=Hebrew}\p{Script=Devanagari}]/u;

interface WordShape {
  readonly isCap: boolean;
  readonly isInitial: boolean;
  readonly isUncased: boolean;
}

/**
 * A word of the text. Its string and lower-cased form are cut on first read: the rules read
 * them for capitalised words and their neighbours only, so most words of a prompt never
 * allocate either.
 */
export class Word implements WordShape {
  readonly start: number;
  readonly end: number;
  readonly isCap: boolean;
  readonly isInitial: boolean;
  readonly isUncased: boolean;
  readonly #text: string;
  /** False when the word has no upper-case letter to fold (ASCII words only). */
  readonly #mayFold: boolean;
  #word: string | undefined;
  #lower: string | undefined;

  constructor(text: string, start: number, end: number, shape: WordShape, mayFold = true) {
    this.#text = text;
    this.start = start;
    this.end = end;
    this.isCap = shape.isCap;
    this.isInitial = shape.isInitial;
    this.isUncased = shape.isUncased;
    this.#mayFold = mayFold;
  }

  get word(): string {
    return (this.#word ??= this.#text.slice(this.start, this.end));
  }

  get lower(): string {
    return (this.#lower ??= this.#mayFold ? this.word.toLowerCase() : this.word);
  }
}

/** Case of a word from its first two characters; ASCII without a regex, the rest with one. */
function shape(w: string): { isUpper: boolean; isCap: boolean; isUncased: boolean } {
  const c0 = w.charCodeAt(0);
  const c1 = w.charCodeAt(1);
  if (c0 < 0x80 && (Number.isNaN(c1) || c1 < 0x80)) {
    const isUpper = c0 >= 0x41 && c0 <= 0x5a;
    const isLowerNext = (c1 >= 0x61 && c1 <= 0x7a) || c1 === 0x27 || c1 === 0x2d;
    return { isUpper, isCap: w.length > 1 ? isUpper && isLowerNext : isUpper, isUncased: false };
  }
  const isUpper = UPPER_START.test(w);
  return {
    isUpper,
    isCap: w.length > 1 ? LOWER_AFTER.test(w) : isUpper,
    isUncased: !CASED.test(w) && UNCASED_SCRIPT.test(w),
  };
}

const isAsciiLetterCode = (c: number) => (c >= 0x61 && c <= 0x7a) || (c >= 0x41 && c <= 0x5a);

/** The longest word `WORD` matches: a letter and up to 40 more characters. */
const MAX_WORD_CHARS = 41;

/**
 * `WORD` and `shape` on text without a character above U+007F, in one loop over char codes:
 * the Unicode-aware pattern and a lower-cased copy of every word cost more than the rest of
 * the name scan on ordinary English prompts.
 */
function tokenizeAscii(text: string): Word[] {
  const words: Word[] = [];
  const n = text.length;
  for (let i = 0; i < n; i++) {
    if (!isAsciiLetterCode(text.charCodeAt(i))) continue;
    const start = i;
    const limit = Math.min(n, start + MAX_WORD_CHARS);
    let hasUpper = false;
    let end = start;
    for (; end < limit; end++) {
      const c = text.charCodeAt(end);
      if (c >= 0x41 && c <= 0x5a) hasUpper = true;
      else if (!isAsciiLetterCode(c) && (end === start || (c !== 0x27 && c !== 0x2d))) break;
    }
    const c0 = text.charCodeAt(start);
    const isUpper = c0 >= 0x41 && c0 <= 0x5a;
    const c1 = end - start > 1 ? text.charCodeAt(start + 1) : NaN;
    const isLowerNext = (c1 >= 0x61 && c1 <= 0x7a) || c1 === 0x27 || c1 === 0x2d;
    const shape = {
      isCap: end - start > 1 ? isUpper && isLowerNext : isUpper,
      isInitial: end - start === 1 && isUpper && text.charCodeAt(end) === 0x2e,
      isUncased: false,
    };
    words.push(new Word(text, start, end, shape, hasUpper));
    i = end - 1;
  }
  return words;
}

function hasNonAscii(text: string): boolean {
  for (let i = 0; i < text.length; i++) if (text.charCodeAt(i) > 0x7f) return true;
  return false;
}

export function tokenize(text: string): Word[] {
  if (!hasNonAscii(text)) return tokenizeAscii(text);
  const words: Word[] = [];
  WORD.lastIndex = 0;
  for (let m = WORD.exec(text); m !== null; m = WORD.exec(text)) {
    const w = m[0];
    const end = m.index + w.length;
    const { isUpper, isCap, isUncased } = shape(w);
    const isInitial = w.length === 1 && isUpper && text[end] === '.';
    words.push(new Word(text, m.index, end, { isCap, isInitial, isUncased }));
  }
  return words;
}
