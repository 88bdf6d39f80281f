/**
 * Features of the learned injection scorer: hashed word unigrams and bigrams plus character
 * 4-grams of the folded, de-obfuscated text. One pass per kind, no regex backtracking
 * beyond a token, so the cost is linear in the text. Shared by the scorer at run time and by
 * the training script (scripts/train-injection.js), which must see exactly the same features.
 */

export const FEATURE_BITS = 18;
export const FEATURE_DIM = 1 << FEATURE_BITS;
const MASK = FEATURE_DIM - 1;

/** Letters that leetspeak writes as digits or symbols. */
const LEET: Readonly<Record<string, string>> = {
  '0': 'o',
  '1': 'i',
  '3': 'e',
  '4': 'a',
  '5': 's',
  '7': 't',
  '@': 'a',
  $: 's',
};
/** A letter next to a leet digit or symbol: only then is the token pass worth running. */
const LEET_HINT = /[a-z][013457@$]|[013457@$][a-z]/;
const LEET_CHARS = /[013457@$]/g;

const isLower = (c: number) => c >= 0x61 && c <= 0x7a;
const isSep = (c: number) => c === 0x20 || c === 0x2e || c === 0x2d || c === 0x5f;
/** Letters, digits and anything outside ASCII count as word characters. */
const isWordChar = (c: number) => isLower(c) || (c >= 0x30 && c <= 0x39) || c > 0x7f;

/** Joins runs of four or more single letters with one separator: "i g n o r e", "i.g.n.o.r.e". */
function collapseSpaced(s: string): string {
  // Pieces joined once at the end: a string built with += is a rope, and reading it char by
  // char (the 4-gram loop) walks the rope every time.
  const out: string[] = [];
  let last = 0;
  const at = (i: number) => (i >= 0 && i < s.length ? s.charCodeAt(i) : 0);
  const isSingle = (i: number) => isLower(at(i)) && !isWordChar(at(i + 1));
  for (let i = 0; i < s.length; i++) {
    // A run needs a separator after its letter: one test rejects nearly every character.
    if (!isSep(at(i + 1))) continue;
    if (!isSingle(i) || isWordChar(at(i - 1)) || !isSep(at(i + 1)) || !isSingle(i + 2)) continue;
    let j = i;
    let letters = s[i] as string;
    while (isSep(at(j + 1)) && isSingle(j + 2)) {
      letters += s[j + 2] as string;
      j += 2;
    }
    if (letters.length >= 4) {
      out.push(s.slice(last, i), letters);
      last = j + 1;
    }
    i = j;
  }
  if (last === 0) return s;
  out.push(s.slice(last));
  return out.join('');
}

/** Reads a leet digit or symbol as its letter when a letter stands right before or after it. */
function unleet(s: string): string {
  return s.replace(LEET_CHARS, (c, at: number) =>
    isLower(s.charCodeAt(at - 1)) || isLower(s.charCodeAt(at + 1)) ? (LEET[c] ?? c) : c,
  );
}

/** Undoes letter spacing and leetspeak (1gn0r3) before the features are taken. */
export function deobfuscate(folded: string): string {
  const out = collapseSpaced(folded);
  return LEET_HINT.test(out) ? unleet(out) : out;
}

const WORD = /[\p{L}\p{N}']+/gu;

function isAscii(text: string): boolean {
  for (let i = 0; i < text.length; i++) if (text.charCodeAt(i) > 0x7f) return false;
  return true;
}
const SEED_WORD = 0x811c9dc5;
const SEED_BIGRAM = 0x9e3779b9;
const SEED_CHAR = 0x85ebca6b;
const P = 0x01000193;

function hashString(s: string, seed: number): number {
  let h = seed;
  for (let i = 0; i < s.length; i++) h = Math.imul(h ^ s.charCodeAt(i), 0x01000193);
  return h >>> 0;
}

function finish(h: number): number {
  h ^= h >>> 16;
  h = Math.imul(h, 0x7feb352d);
  h ^= h >>> 15;
  return h & MASK;
}

const isAsciiWordCode = (c: number) =>
  (c >= 0x61 && c <= 0x7a) || (c >= 0x30 && c <= 0x39) || c === 0x27;

/**
 * The word features of ASCII text: the words `/[a-z0-9']+/g` finds, hashed as they are read,
 * without a match object or a substring per word (the same features as `hashString`).
 */
function forEachAsciiWord(text: string, emit: (feature: number, at: number) => void): void {
  let prev = 0;
  const n = text.length;
  for (let i = 0; i < n; i++) {
    if (!isAsciiWordCode(text.charCodeAt(i))) continue;
    const start = i;
    let h = SEED_WORD;
    for (; i < n; i++) {
      const c = text.charCodeAt(i);
      if (!isAsciiWordCode(c)) break;
      h = Math.imul(h ^ c, P);
    }
    h >>>= 0;
    emit(finish(h), start);
    if (prev !== 0) emit(finish(Math.imul(prev ^ SEED_BIGRAM, P) ^ h), start);
    prev = h | 1;
  }
}

/**
 * Calls `emit(feature, offset)` for every feature occurrence of `text` (already folded and
 * de-obfuscated), with the offset where it starts, so callers can score windows.
 */
export function forEachFeature(text: string, emit: (feature: number, at: number) => void): void {
  if (isAscii(text)) forEachAsciiWord(text, emit);
  else {
    let prev = 0;
    WORD.lastIndex = 0;
    for (let m = WORD.exec(text); m !== null; m = WORD.exec(text)) {
      const h = hashString(m[0], SEED_WORD);
      emit(finish(h), m.index);
      if (prev !== 0) emit(finish(Math.imul(prev ^ SEED_BIGRAM, P) ^ h), m.index);
      prev = h | 1;
    }
  }
  // Character 4-grams: a rolling window of the last four code units, hashed once each.
  let c0 = 0;
  let c1 = 0;
  let c2 = 0;
  for (let i = 0; i < text.length; i++) {
    const c3 = text.charCodeAt(i);
    if (i >= 3)
      emit(finish(Math.imul(Math.imul(Math.imul(c0 ^ SEED_CHAR, P) ^ c1, P) ^ c2, P) ^ c3), i - 3);
    c0 = c1;
    c1 = c2;
    c2 = c3;
  }
}

/** Rule categories and signals the model takes as extra (dense) features, in order. */
export const RULE_FEATURES = [
  'instruction_override',
  'role_hijack',
  'system_prompt_extraction',
  'fake_delimiter',
  'encoded_payload',
  'invisible_smuggling',
  'markdown_exfiltration',
] as const;
