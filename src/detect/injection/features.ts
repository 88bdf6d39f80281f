/**
 * Features of the learned injection scorer: hashed word unigrams and bigrams plus character
 * 3- and 5-grams of the folded, de-obfuscated text. One pass per kind, no regex backtracking
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
const LEET_TOKEN = /[\p{L}\d@$]*\p{L}[\p{L}\d@$]*/gu;
const LEET_CHAR = /[013457@$]/g;
const LEET_TEST = /[013457@$]/;
/** Three or more single letters joined by one separator: "i g n o r e", "i.g.n.o.r.e". */
const SPACED = /(?<![\p{L}\p{N}])\p{L}(?:[ ._-]\p{L}(?![\p{L}\p{N}])){3,}/gu;
const SPACED_SEP = /[ ._-]/g;

/** Undoes letter spacing and leetspeak inside words (only words that mix letters and digits). */
export function deobfuscate(folded: string): string {
  let out = folded.replace(SPACED, (run) => run.replace(SPACED_SEP, ''));
  if (LEET_TEST.test(out))
    out = out.replace(LEET_TOKEN, (t) =>
      LEET_TEST.test(t) ? t.replace(LEET_CHAR, (c) => LEET[c] ?? c) : t,
    );
  return out;
}

const WORD = /[\p{L}\p{N}']+/gu;
const SEED_WORD = 0x811c9dc5;
const SEED_BIGRAM = 0x9e3779b9;
const SEED_CHAR3 = 0x85ebca6b;
const SEED_CHAR5 = 0xc2b2ae35;

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

/**
 * Calls `emit(feature, offset)` for every feature occurrence of `text` (already folded and
 * de-obfuscated), with the offset where it starts, so callers can score windows.
 */
export function forEachFeature(text: string, emit: (feature: number, at: number) => void): void {
  let prev = 0;
  WORD.lastIndex = 0;
  for (let m = WORD.exec(text); m !== null; m = WORD.exec(text)) {
    const h = hashString(m[0], SEED_WORD);
    emit(finish(h), m.index);
    if (prev !== 0) emit(finish(Math.imul(prev ^ SEED_BIGRAM, 0x01000193) ^ h), m.index);
    prev = h | 1;
  }
  const n = text.length;
  for (let i = 0; i + 3 <= n; i++) {
    let h = SEED_CHAR3;
    h = Math.imul(h ^ text.charCodeAt(i), 0x01000193);
    h = Math.imul(h ^ text.charCodeAt(i + 1), 0x01000193);
    h = Math.imul(h ^ text.charCodeAt(i + 2), 0x01000193);
    emit(finish(h), i);
    if (i + 5 <= n) {
      let g = SEED_CHAR5;
      for (let k = 0; k < 5; k++) g = Math.imul(g ^ text.charCodeAt(i + k), 0x01000193);
      emit(finish(g), i);
    }
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
