import { SURNAME_SHAPE } from './names-cues.js';
import { AMBIGUOUS } from './names-stop.js';
import { GIVEN_NAME_LISTS } from './names-given.js';
import { SURNAME_LISTS } from './names-surnames.js';
import { WORLD_GIVEN, WORLD_SURNAMES } from './names-world.js';

/**
 * Lexicon look-ups for the name detector: given names and surnames from every list, found
 * also in inflected forms (Polish, Czech, Russian and Ukrainian case endings: `Jana`,
 * `Kowalskiego`, `Петрову`) and after one-letter prefixes that Hebrew and Arabic write joined
 * to the next word (`לדוד`, `وأحمد`).
 */

/**
 * Letters that lists often write in ASCII (`yılmaz` → `yilmaz`, `łukasz` → `lukasz`). Accents
 * are kept: without them too many words become names (`Março` → `marco`, `Tháng` → `thang`).
 */
const FOLD: Readonly<Record<string, string>> = { ı: 'i', ł: 'l', ø: 'o', ß: 'ss' };
export function fold(lower: string): string {
  return lower.replace(/[ıłøß]/g, (c) => FOLD[c] ?? c);
}

const toSet = (lists: readonly string[]) => {
  const all = lists.join(' ').split(/\s+/);
  return new Set([...all, ...all.map(fold)]);
};
export const GIVEN = toSet([...GIVEN_NAME_LISTS, ...WORLD_GIVEN]);
export const SURNAMES = toSet([...SURNAME_LISTS, ...WORLD_SURNAMES]);

/** Case endings, longest first; each may have replaced one of `BASE_ENDINGS`. */
const CASE_ENDINGS = [
  'iego',
  'iemu',
  'skim',
  'ego',
  'emu',
  'iej',
  'owi',
  'ovi',
  'iem',
  'ého',
  'ému',
  'ého',
  'ým',
  'em',
  'ie',
  'ej',
  'ou',
  'ą',
  'ę',
  'a',
  'u',
  'e',
  'y',
  'i',
  'ого',
  'ому',
  'ові',
  'ым',
  'им',
  'ом',
  'ем',
  'ой',
  'ою',
  'ей',
  'у',
  'а',
  'ы',
  'и',
  'і',
  'е',
  'ю',
  'я',
];
const BASE_ENDINGS = ['', 'a', 'i', 'y', 'ý', 'e', 'а', 'й', 'ий', 'ый', 'о', 'я'];

function inSet(set: ReadonlySet<string>, lower: string): boolean {
  if (set.has(lower) || set.has(fold(lower))) return true;
  for (const end of CASE_ENDINGS) {
    if (!lower.endsWith(end) || lower.length - end.length < 3) continue;
    const stem = lower.slice(0, lower.length - end.length);
    for (const base of BASE_ENDINGS) {
      const word = stem + base;
      if (set.has(word) && !AMBIGUOUS.has(word)) return true;
    }
  }
  return false;
}

/** Letters Hebrew and Arabic join to the front of a word (and, the, to, in, from, as). */
const JOINED_PREFIX = /^[והבלמשכ]|^[وبلفك]|^ال/u;

/** Length of a joined one-letter prefix before a lexicon name, or -1 when none fits. */
export function joinedPrefix(lower: string, set: ReadonlySet<string>): number {
  if (lower.length < 3 || !JOINED_PREFIX.test(lower)) return -1;
  return set.has(lower.slice(1)) ? 1 : -1;
}

const GIVEN_AS_IS = 1;
const GIVEN_ANY = 2;
const SURNAME = 4;
const SHAPE = 8;
/** Look-up results per word, shared across calls (a pure function of the word); bounded. */
const memo = new Map<string, number>();
const MEMO_LIMIT = 10_000;

function flags(word: string, lower: string): number {
  const key = word;
  const hit = memo.get(key);
  if (hit !== undefined) return hit;
  const folded = fold(lower);
  let f = 0;
  if (GIVEN.has(lower) || GIVEN.has(folded)) f |= GIVEN_AS_IS | GIVEN_ANY;
  else if (inSet(GIVEN, lower)) f |= GIVEN_ANY;
  if (inSet(SURNAMES, lower)) f |= SURNAME;
  if (SURNAME_SHAPE.test(word)) f |= SHAPE;
  if (memo.size >= MEMO_LIMIT) memo.clear();
  memo.set(key, f);
  return f;
}

/** Lexicon evidence for one word as written (`word`) and lower-cased (`lower`). */
export interface Evidence {
  /** A given name as written (`Anna`), not only through a case ending (`Time` is not `Tim`). */
  readonly isGivenAsIs: boolean;
  /** A given name, possibly inflected (`Jana`, `Annę`). */
  readonly isGiven: boolean;
  /** A lexicon surname, possibly inflected (`Kowalskiego`). */
  readonly isSurname: boolean;
  /** A lexicon surname or a word with a surname's shape (`-ová`, `O'…`, `-πουλος`). */
  readonly looksLikeSurname: boolean;
}

export function evidence(word: string, lower: string): Evidence {
  const f = flags(word, lower);
  return {
    isGivenAsIs: (f & GIVEN_AS_IS) !== 0,
    isGiven: (f & GIVEN_ANY) !== 0,
    isSurname: (f & SURNAME) !== 0,
    looksLikeSurname: (f & (SURNAME | SHAPE)) !== 0,
  };
}

export const isGiven = (lower: string) => inSet(GIVEN, lower);
export const isSurname = (lower: string) => inSet(SURNAMES, lower);
