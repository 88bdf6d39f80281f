import { rot13 } from './decode.js';
import type { InjectionRule } from './rules.js';

/**
 * The injection rules' keyword pre-filter: whole ASCII words (with simple plural variants),
 * their ROT13 forms, and other literals. One char-code loop over the folded text hashes each
 * word as it goes and looks the hash up, so a word that is no keyword (nearly all of them)
 * costs no substring, no match object and no string hashing; a hash hit is confirmed on the
 * text. Words are runs of `[a-z0-9']`, as the pattern `/[a-z0-9']+/g` finds them.
 */
export interface KeywordIndex {
  /**
   * Sets `triggered[r]` for every rule whose keyword occurs in `folded` (the array is cleared
   * first). Returns true when a ROT13 form of a keyword occurs (the ROT13 pass is worth it).
   */
  mark(folded: string, triggered: Uint8Array): boolean;
}

interface Entry {
  readonly word: string;
  /** Rules of the word; undefined for a ROT13 form (which only turns the ROT13 pass on). */
  readonly rules: number[] | undefined;
}

const ASCII_WORD = /^[a-z0-9']+$/;
/** ROT13 forms shorter than this are too common to mean anything. */
const MIN_ROT13_CHARS = 5;

const isWordCode = (c: number) =>
  (c >= 0x61 && c <= 0x7a) || (c >= 0x30 && c <= 0x39) || c === 0x27;

/** FNV-1a step; the final value is cut to 30 bits so map keys stay small integers. */
const step = (h: number, c: number) => Math.imul(h ^ c, 0x01000193);
const SEED = 0x811c9dc5;
const key = (h: number) => h & 0x3fffffff;

function hashOf(word: string): number {
  let h = SEED;
  for (let i = 0; i < word.length; i++) h = step(h, word.charCodeAt(i));
  return key(h);
}

function hasNonAscii(text: string): boolean {
  for (let i = 0; i < text.length; i++) if (text.charCodeAt(i) > 0x7f) return true;
  return false;
}

function byHash(words: Map<string, number[] | undefined>): Map<number, Entry[]> {
  const out = new Map<number, Entry[]>();
  for (const [word, rules] of words) {
    const h = hashOf(word);
    out.set(h, [...(out.get(h) ?? []), { word, rules }]);
  }
  return out;
}

function isSameWord(text: string, start: number, end: number, word: string): boolean {
  return end - start === word.length && text.startsWith(word, start);
}

export function createKeywordIndex(rules: readonly InjectionRule[]): KeywordIndex {
  const words = new Map<string, number[] | undefined>();
  const rot13Words = new Set<string>();
  const literals = new Map<string, number[]>();
  const addWord = (word: string, r: number) => {
    for (const w of [word, `${word}s`, word.endsWith('s') ? word.slice(0, -1) : word]) {
      const list = words.get(w) ?? [];
      if (!list.includes(r)) list.push(r);
      words.set(w, list);
    }
    if (word.length >= MIN_ROT13_CHARS) rot13Words.add(rot13(word));
  };
  rules.forEach((rule, r) => {
    for (const k of rule.keywords) {
      const parts = k.split(/[\s-]+/).filter(Boolean);
      if (parts.every((p) => ASCII_WORD.test(p))) {
        addWord(
          parts.reduce((a, b) => (b.length > a.length ? b : a)),
          r,
        );
      } else {
        const list = literals.get(k) ?? [];
        list.push(r);
        literals.set(k, list);
      }
    }
  });
  // A keyword wins over a ROT13 form that is spelt the same (as `words.get` was asked first).
  for (const w of rot13Words) if (!words.has(w)) words.set(w, undefined);
  const table = byHash(words);
  const literalList = [...literals].map(([k, list]) => ({ k, list, isNonAscii: hasNonAscii(k) }));

  /** The rules of the word at [start, end), or undefined (no keyword); `null` for a ROT13 form. */
  function lookup(
    text: string,
    start: number,
    end: number,
    h: number,
  ): number[] | null | undefined {
    const entries = table.get(key(h));
    if (entries === undefined) return undefined;
    for (const e of entries) {
      if (!isSameWord(text, start, end, e.word)) continue;
      if (e.rules !== undefined) return e.rules;
      return end - start >= MIN_ROT13_CHARS ? null : undefined;
    }
    return undefined;
  }

  return {
    mark(folded, triggered) {
      triggered.fill(0);
      let isRot13 = false;
      let isAscii = true;
      const n = folded.length;
      for (let i = 0; i < n; i++) {
        if (!isWordCode(folded.charCodeAt(i))) {
          if (folded.charCodeAt(i) > 0x7f) isAscii = false;
          continue;
        }
        const start = i;
        let h = SEED;
        for (; i < n; i++) {
          const c = folded.charCodeAt(i);
          if (!isWordCode(c)) break;
          h = step(h, c);
        }
        const found = lookup(folded, start, i, h);
        if (found === null) isRot13 = true;
        else if (found !== undefined) for (const r of found) triggered[r] = 1;
        i--; // the character that ended the word is looked at next
      }
      for (const { k, list, isNonAscii } of literalList) {
        if (isNonAscii && isAscii) continue;
        if (folded.includes(k)) for (const r of list) triggered[r] = 1;
      }
      return isRot13;
    },
  };
}
