import { scanCjkNames } from './names-cjk.js';
import {
  COMMON,
  FAMOUS,
  PLACE_PREFIX,
  GREETINGS,
  PREPOSITIONS,
  SIGNOFFS,
  TITLES,
  VERBS,
} from './names-cues.js';
import { scanNameFields } from './names-fields.js';
import { GIVEN, evidence, type Evidence, joinedPrefix, SURNAMES } from './names-lexicon.js';
import { AMBIGUOUS, STOP } from './names-stop.js';
import { FAMILY_FIRST } from './names-world.js';
import type { PiiFinding } from './types.js';
import { tokenize, type Word } from './names-words.js';

/**
 * Person names, from cues that carry across languages plus lexicons (no NLP model):
 * - fields: JSON keys, `Key: value` lines, CSV headers and email headers that name a person
 *   (`names-fields.ts`), for any script;
 * - East-Asian family + given names at word boundaries (`names-cjk.ts`);
 * - in prose with capital letters: a run of capitalised words (with particles such as `de`,
 *   `van`, `bin` and initials such as `P.`) read as a name after a title, greeting, sign-off,
 *   introduction or a verb of calling, writing or paying, or when a word in it is a lexicon
 *   given name or surname (inflected forms included) or has a surname's shape (`-ová`, `O'…`);
 * - in Arabic, Persian, Hebrew and Devanagari text: lexicon names and words after a title.
 * Common words of product names and headings, months, places and famous historical people
 * are left alone.
 */

const NISBA = /[يی]$/u;
/** `bin`, `bint`, `ibn`, `abu`, `al`: a name goes on after them (`أحمد بن سعيد`). */
const UNCASED_PARTICLES = new Set(['بن', 'بنت', 'ابن', 'أبو', 'ابو', 'آل', 'بن']);
const PARTICLES = new Set(
  'van von de der den da di del della la le du dos das do ten ter bin ibn al el ben bat zu y'.split(
    ' ',
  ),
);
const INTRO =
  /(?:my name is|mein name ist|ich heiße|ich heisse|je m'appelle|je m’appelle|me llamo|mi nombre es|mi chiamo|meu nome é|mijn naam is|nazywam się|меня зовут|benim adım|jag heter|jmenuji se|мене звати|jina langu ni) $/;

/** Last words of the introductions in `INTRO`: the regex runs only after one of them. */
const INTRO_TAIL = new Set(
  'is ist heiße heisse appelle m’appelle llamo es chiamo é se się зовут adım heter звати ni'.split(
    ' ',
  ),
);

const ev = (w: Word): Evidence => evidence(w.word, w.lower);

type Cue = 'strong' | 'verb' | 'prep' | undefined;

function cueBefore(text: string, words: Word[], i: number): Cue {
  const w = words[i] as Word;
  const prev = words[i - 1];
  if (prev === undefined) return undefined;
  const gap = text.slice(prev.end, w.start);
  if (SIGNOFFS.has(prev.lower) && /^[,!.]?[ \t]*\r?\n[ \t]*$/.test(gap)) return 'strong';
  if (gap.length > 2 || gap.includes('\n')) return undefined;
  if (TITLES.has(prev.lower) && (gap === ' ' || gap === '. ')) return 'strong';
  if (GREETINGS.has(prev.lower) && (gap === ' ' || gap === ', ')) return 'strong';
  if (gap !== ' ') return undefined;
  if (
    INTRO_TAIL.has(prev.lower) &&
    INTRO.test(text.slice(Math.max(0, w.start - 24), w.start).toLowerCase())
  )
    return 'strong';
  if (VERBS.has(prev.lower)) return 'verb';
  if (!PREPOSITIONS.has(prev.lower)) return undefined;
  const before = words[i - 2];
  const isVerbPrep =
    before !== undefined && VERBS.has(before.lower) && text.slice(before.end, prev.start) === ' ';
  return isVerbPrep ? 'verb' : 'prep';
}

/** Whether word `j` continues the run: one space or hyphen after word `j-1`, or `P. `. */
function continues(text: string, words: Word[], j: number): boolean {
  const a = words[j - 1] as Word;
  const gap = text.slice(a.end, (words[j] as Word).start);
  return gap === ' ' || gap === '-' || (a.isInitial && (gap === '. ' || gap === '.'));
}

/** A capitalised cue word starts no name: `Laut Tobias …`, `Hi Anna`, `Przelew do …`. */
const CUE_WORDS = new Set([...TITLES, ...GREETINGS, ...SIGNOFFS, ...VERBS, ...PREPOSITIONS]);

const isPlainCap = (w: Word) =>
  w.isInitial || (w.isCap && !STOP.has(w.lower) && !COMMON.has(w.lower));

/** Last index of the capitalised run from `i` (up to four name words, particles between). */
function runEnd(text: string, words: Word[], i: number): number {
  let last = i;
  let count = 1;
  for (let j = i + 1; j < words.length && count < 4; j++) {
    if (!continues(text, words, j)) break;
    const w = words[j] as Word;
    if (PARTICLES.has(w.lower) && !w.isCap) {
      let k = j + 1;
      while (k < j + 3 && PARTICLES.has(words[k]?.lower ?? '') && continues(text, words, k)) k++;
      const next = words[k];
      if (next !== undefined && isPlainCap(next) && continues(text, words, k)) continue;
      break;
    }
    // A short given name that is also a function word (Vietnamese `An`) inside a name.
    const isNameWord =
      isPlainCap(w) || (w.isCap && GIVEN.has(w.lower) && ev(words[j - 1] as Word).isGiven);
    if (!isNameWord) break;
    last = j;
    count++;
  }
  return last;
}

function accepts(text: string, words: Word[], i: number, last: number, cue: Cue): boolean {
  const run = words.slice(i, last + 1).filter((w) => !PARTICLES.has(w.lower) || w.isCap);
  if (run.some((w) => FAMOUS.has(w.lower))) return false;
  // `Dear Hiring Manager`: a role word right after the run says it is not a name.
  const after = words[last + 1];
  const isRole =
    after !== undefined &&
    after.isCap &&
    (STOP.has(after.lower) || COMMON.has(after.lower)) &&
    text.slice((words[last] as Word).end, after.start) === ' ';
  if (cue === 'strong') return !isRole;
  const f = words[i] as Word;
  const many = run.length >= 2;
  const given = (w: Word) => !w.isInitial && ev(w).isGiven && !AMBIGUOUS.has(w.lower);
  const surname = (w: Word) => !w.isInitial && ev(w).looksLikeSurname;
  const rest = run.slice(1);
  const hasParticle = last - i + 1 > run.length;
  const prev = words[i - 1];
  const isMid = prev !== undefined && text.slice(prev.end, f.start) === ' ';
  if (f.isInitial) return many && (hasParticle || isMid || surname(run[run.length - 1] as Word));
  if (given(f) && (ev(f).isGivenAsIs || many || cue !== undefined)) return true;
  if (AMBIGUOUS.has(f.lower)) return many && (surname(run[1] as Word) || cue !== undefined);
  if (FAMILY_FIRST.has(f.lower) && many) return true;
  if (surname(f)) return (many && (rest.some(given) || rest.some(surname))) || cue !== undefined;
  if (cue === 'verb') return many || hasParticle;
  // Mid-sentence, two capitalised words ending in a surname: `wysłałem Ewie Dąbrowskiej`.
  const end = run[run.length - 1] as Word;
  if (many && (ev(end).isSurname || (isMid && surname(end)))) return true;
  if (cue === 'prep') return many && rest.some((w) => given(w) || surname(w));
  return false;
}

function scanCased(text: string, words: Word[], i: number, out: PiiFinding[]): number {
  const w = words[i] as Word;
  if (!isPlainCap(w) || (CUE_WORDS.has(w.lower) && !w.isInitial)) return i;
  const before = words[i - 1];
  if (before !== undefined && PLACE_PREFIX.has(before.lower) && continues(text, words, i)) return i;
  const last = runEnd(text, words, i);
  // `Theo Bùi Đức Huy`: a family-first surname starts the name, not the word before it.
  const next = words[i + 1] as Word;
  if (last > i && !w.isInitial && FAMILY_FIRST.has(next.lower) && !FAMILY_FIRST.has(w.lower))
    return i;
  const cue = cueBefore(text, words, i);
  // An unknown word before a longer run (`Dün Zeynep Şahin`): let the run start after it.
  const isUnknown = AMBIGUOUS.has(w.lower) || (!ev(w).isGiven && !ev(w).looksLikeSurname);
  if (isUnknown && !w.isInitial && cue === undefined && last - i >= 2) return i;
  if (!accepts(text, words, i, last, cue)) return i;
  out.push({ type: 'name', start: w.start, end: (words[last] as Word).end });
  return last;
}

/** Arabic, Persian, Hebrew, Devanagari: lexicon names (after a joined prefix) or a title. */
function scanUncased(text: string, words: Word[], i: number, out: PiiFinding[]): number {
  const w = words[i] as Word;
  const known = (x: Word) => GIVEN.has(x.lower) || SURNAMES.has(x.lower);
  const prev = words[i - 1];
  const mayCue = prev !== undefined && (TITLES.has(prev.lower) || SIGNOFFS.has(prev.lower));
  let skip = 0;
  if (!known(w)) {
    skip = Math.max(joinedPrefix(w.lower, GIVEN), joinedPrefix(w.lower, SURNAMES));
    if (skip === -1 && !mayCue) return i;
  }
  const cue = cueBefore(text, words, i);
  if (skip === -1 && cue !== 'strong') return i;
  skip = Math.max(skip, 0);
  let last = i;
  for (let j = i + 1; j < words.length && j - i < 4; j++) {
    const x = words[j] as Word;
    if (!x.isUncased || text.slice((words[j - 1] as Word).end, x.start) !== ' ') break;
    const isLink = UNCASED_PARTICLES.has(x.lower) && words[j + 1] !== undefined;
    const isFamily = known(x) || (j === i + 1 && NISBA.test(x.lower) && x.lower.length >= 4);
    if (isLink) continue;
    if (!isFamily) break;
    last = j;
  }
  const isSingleSurname = last === i && !GIVEN.has(w.lower.slice(skip)) && cue === undefined;
  if (isSingleSurname) return i;
  out.push({ type: 'name', start: w.start + skip, end: (words[last] as Word).end });
  return last;
}

function scanProse(text: string, out: PiiFinding[]): void {
  const words = tokenize(text);
  for (let i = 0; i < words.length; i++) {
    const w = words[i] as Word;
    i = w.isUncased ? scanUncased(text, words, i, out) : scanCased(text, words, i, out);
  }
}

/** Findings sorted by start; a finding overlapping an earlier-kept one is dropped. */
function merge(found: PiiFinding[], keys: PiiFinding[], out: PiiFinding[]): void {
  found.sort((a, b) => a.start - b.start || b.end - a.end);
  let end = -1;
  let k = 0;
  for (const f of found) {
    if (f.start < end) continue;
    while (k < keys.length && (keys[k] as PiiFinding).end <= f.start) k++;
    if (k < keys.length && (keys[k] as PiiFinding).start < f.end) continue;
    out.push(f);
    end = f.end;
  }
}

export function scanNames(text: string, out: PiiFinding[]): void {
  const found: PiiFinding[] = [];
  const keys: PiiFinding[] = [];
  scanNameFields(text, found, keys);
  scanCjkNames(text, found);
  scanProse(text, found);
  merge(found, keys, out);
}
