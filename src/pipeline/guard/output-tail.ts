import { PLACEHOLDER_MAX_CHARS } from '../../detect/pii/index.js';
import { isSpaceCode } from '../../detect/text/fold.js';
import { findMarkdownRefs } from '../../detect/text/markdown.js';

/**
 * Where a value the output scanner looks for may still be open at the end of the text seen so
 * far. Text before that point can be released at once; only the open tail waits for more.
 *
 * Every detector but a few finds values inside one word (keys, JWTs, emails, URLs,
 * placeholders), so the last, unfinished word is always open. What spans words is open too:
 * groups of digits (cards, phones, IBANs), an unclosed markdown `[label](url)`, an unclosed
 * `<PLACEHOLDER>`, a PEM block without its END line, and runs of capitalised words when names
 * are redacted. Secrets with a keyword (`password = …`, `Bearer …`) report the value itself,
 * which is the last word; the keyword stays in the scanner's look-behind.
 */

/** A short all-caps group inside an IBAN (`GB82 WEST 1234 …`). */
const CODE_GROUP = /^[A-Z0-9]{1,4}$/;
const CAPITALISED = /^\p{Lu}/u;
const PEM_END = /-----END[ A-Z0-9]{0,24}PRIVATE KEY(?: BLOCK)?-----/;
/** The longest label the markdown scanner accepts. */
const MAX_LABEL_CHARS = 500;

export interface TailOptions {
  /** Runs of capitalised words are held (person names are redacted in output). */
  readonly holdNames: boolean;
}

/** Whether the character before `pos` is whitespace (false at the start). */
const spaceBefore = (window: string, pos: number) => isSpaceCode(window.charCodeAt(pos - 1));

/** Start of the last whitespace-separated word; `window.length` when it ends in whitespace. */
function lastWordStart(window: string): number {
  let i = window.length;
  while (i > 0 && !spaceBefore(window, i)) i--;
  return i;
}

/** The word before `pos`, across at most three whitespace characters; undefined if none. */
function wordBefore(window: string, pos: number): { start: number; text: string } | undefined {
  let end = pos;
  while (end > 0 && spaceBefore(window, end) && pos - end < 3) end--;
  if (end === 0 || spaceBefore(window, end)) return undefined;
  let start = end;
  while (start > 0 && !spaceBefore(window, start)) start--;
  return { start, text: window.slice(start, end) };
}

/** Extends the open start back over words that `joins` says may belong to the same value. */
function extendBack(
  window: string,
  from: number,
  next: string,
  joins: (word: string, next: string) => boolean,
): number {
  let pos = from;
  let following = next;
  for (let guard = 0; guard < 16; guard++) {
    const w = wordBefore(window, pos);
    if (w === undefined || !joins(w.text, following)) break;
    pos = w.start;
    following = w.text;
  }
  return pos;
}

/** Whether `word` holds a digit (`/[0-9]/`, by char codes: run on every word walked back). */
function isNumberish(word: string): boolean {
  for (let i = 0; i < word.length; i++) {
    const c = word.charCodeAt(i);
    if (c >= 0x30 && c <= 0x39) return true;
  }
  return false;
}
const joinsNumber = (word: string, next: string) =>
  (next === '' || /^[0-9+(]/.test(next) || CODE_GROUP.test(next)) &&
  (isNumberish(word) || (CODE_GROUP.test(word) && (next === '' || isNumberish(next))));
const joinsName = (word: string, next: string) =>
  (next === '' || CAPITALISED.test(next)) && CAPITALISED.test(word);

/** A markdown link or image not finished: an open label, or a URL with no `)` yet. */
function openLink(window: string): number {
  let open = window.length;
  // Only a `[label](url` can be open (an `<img>` tag found is closed): most windows have none.
  if (window.includes(']('))
    for (const ref of findMarkdownRefs(window)) if (ref.isOpen) open = Math.min(open, ref.start);
  const close = window.length - 1;
  const lb = window.lastIndexOf('[', window[close] === ']' ? close - 1 : close);
  if (lb === -1) return open;
  const label = window.slice(lb + 1, window[close] === ']' ? close : undefined);
  if (/[[\]\n]/.test(label) || label.length > MAX_LABEL_CHARS) return open;
  return Math.min(open, lb > 0 && window[lb - 1] === '!' ? lb - 1 : lb);
}

/**
 * An unclosed `<PLACEHOLDER>` or `<img …` tag. A `<` further back than the longest placeholder
 * is prose (unless it opens an `<img` tag). A placeholder holds no whitespace, so the last-word
 * rule holds it too; this bound is derived from the placeholder shape so the two never disagree.
 */
function openTag(window: string): number {
  const lt = window.lastIndexOf('<');
  if (lt === -1 || window.indexOf('>', lt) !== -1) return window.length;
  const isImg = /^<img\b/i.test(window.slice(lt, lt + 5)) || window.length - lt < 5;
  return isImg || window.length - lt <= PLACEHOLDER_MAX_CHARS ? lt : window.length;
}

/** A PEM block whose complete END line has not arrived (the key rule needs all of it). */
function openPem(window: string): number {
  const begin = window.lastIndexOf('-----BEGIN');
  if (begin === -1 || PEM_END.test(window.slice(begin + 10))) return window.length;
  return begin;
}

export function createOpenTail(opts: TailOptions): (window: string) => number {
  return function openFrom(window: string): number {
    const word = lastWordStart(window);
    const next = window.slice(word);
    let open = extendBack(window, word, next, joinsNumber);
    if (opts.holdNames) open = Math.min(open, extendBack(window, word, next, joinsName));
    open = Math.min(open, openLink(window), openTag(window), openPem(window));
    // A value may start inside a word (`xsk-proj-…`, `key[`): never cut a word in two.
    while (open > 0 && !spaceBefore(window, open)) open--;
    return open;
  };
}
