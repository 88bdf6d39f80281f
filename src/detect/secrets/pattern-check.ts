/**
 * A structural guard for rule patterns, run when a detector is built. It accepts only the
 * shapes for which a backtracking engine does bounded work at each start position:
 * every quantifier has an upper bound, no backreferences, and a repeated group may itself
 * contain a repetition only a few times over. Bounded work per start means the global scan
 * is linear in the input, whatever the input is.
 */

/** Longest repetition a rule may use; keeps the per-start work bound small. */
const MAX_REPEAT = 16_384;
/** A group that contains a repetition may be repeated at most this often. */
const MAX_NESTED_REPEAT = 4;
/** Longest text one match may cover; the scanner's chunk overlap is sized from it. */
export const MAX_MATCH_LENGTH = 20_000;

export class UnsafePatternError extends Error {
  override readonly name = 'UnsafePatternError';
}

interface Node {
  /** Upper bound of characters this piece can consume. */
  maxLength: number;
  /** True when the piece contains a quantifier that repeats more than once. */
  hasRepeat: boolean;
}

interface Cursor {
  readonly src: string;
  pos: number;
}

function fail(c: Cursor, why: string): never {
  throw new UnsafePatternError(`/${c.src}/ at ${c.pos}: ${why}`);
}

function parseClass(c: Cursor): void {
  c.pos++; // '['
  if (c.src[c.pos] === '^') c.pos++;
  if (c.src[c.pos] === ']') c.pos++;
  while (c.pos < c.src.length && c.src[c.pos] !== ']') {
    c.pos += c.src[c.pos] === '\\' ? 2 : 1;
  }
  if (c.src[c.pos] !== ']') fail(c, 'unterminated class');
  c.pos++;
}

/** Returns the width of an escape: 0 for assertions, 1 for characters and classes. */
function parseEscape(c: Cursor): number {
  const next = c.src[c.pos + 1] ?? '';
  if (/[1-9]/.test(next) || next === 'k') fail(c, 'backreferences are not allowed');
  c.pos += 2;
  if (next === 'b' || next === 'B') return 0;
  if (next === 'u' && c.src[c.pos] === '{') c.pos = c.src.indexOf('}', c.pos) + 1;
  else if (next === 'u') c.pos += 4;
  else if (next === 'x') c.pos += 2;
  else if (next === 'c') c.pos += 1;
  else if ((next === 'p' || next === 'P') && c.src[c.pos] === '{') {
    c.pos = c.src.indexOf('}', c.pos) + 1;
  }
  return 1;
}

function parseGroup(c: Cursor): Node {
  c.pos++; // '('
  let isLookaround = false;
  if (c.src[c.pos] === '?') {
    const head = c.src.slice(c.pos, c.pos + 3);
    if (head.startsWith('?:')) c.pos += 2;
    else if (/^\?(?:[=!]|<[=!])/.test(head)) {
      isLookaround = true;
      c.pos += head[1] === '<' ? 3 : 2;
    } else if (head.startsWith('?<')) c.pos = c.src.indexOf('>', c.pos) + 1;
    else fail(c, 'unknown group');
  }
  const inner = parseAlternation(c);
  if (c.src[c.pos] !== ')') fail(c, 'unterminated group');
  c.pos++;
  return isLookaround ? { maxLength: 0, hasRepeat: inner.hasRepeat } : inner;
}

function parseAtom(c: Cursor): Node {
  const ch = c.src[c.pos];
  if (ch === '(') return parseGroup(c);
  if (ch === '[') {
    parseClass(c);
    return { maxLength: 1, hasRepeat: false };
  }
  if (ch === '\\') return { maxLength: parseEscape(c), hasRepeat: false };
  c.pos++;
  if (ch === '^' || ch === '$') return { maxLength: 0, hasRepeat: false };
  return { maxLength: 1, hasRepeat: false };
}

/** Reads a quantifier if one follows; returns its upper bound, or undefined when none. */
function parseQuantifier(c: Cursor): number | undefined {
  const ch = c.src[c.pos];
  if (ch === '*' || ch === '+') fail(c, `unbounded quantifier '${ch}'`);
  let max: number | undefined;
  if (ch === '?') {
    c.pos++;
    max = 1;
  } else if (ch === '{') {
    const m = /^\{(\d+)(,(\d*))?\}/.exec(c.src.slice(c.pos));
    if (m === null) return undefined;
    if (m[2] !== undefined && m[3] === '') fail(c, 'unbounded quantifier {n,}');
    max = Number(m[3] ?? m[1]);
    c.pos += m[0].length;
  } else {
    return undefined;
  }
  if (c.src[c.pos] === '?') c.pos++; // lazy marker
  if (max > MAX_REPEAT) fail(c, `repetition bound ${max} exceeds ${MAX_REPEAT}`);
  return max;
}

function parseSequence(c: Cursor): Node {
  const seq: Node = { maxLength: 0, hasRepeat: false };
  while (c.pos < c.src.length && c.src[c.pos] !== '|' && c.src[c.pos] !== ')') {
    const atom = parseAtom(c);
    const max = parseQuantifier(c);
    if (max === undefined) {
      seq.maxLength += atom.maxLength;
      seq.hasRepeat ||= atom.hasRepeat;
      continue;
    }
    if (atom.hasRepeat && max > MAX_NESTED_REPEAT) fail(c, 'nested repetition');
    seq.maxLength += atom.maxLength * max;
    seq.hasRepeat ||= atom.hasRepeat || max > 1;
  }
  return seq;
}

function parseAlternation(c: Cursor): Node {
  const result = parseSequence(c);
  while (c.src[c.pos] === '|') {
    c.pos++;
    const branch = parseSequence(c);
    result.maxLength = Math.max(result.maxLength, branch.maxLength);
    result.hasRepeat ||= branch.hasRepeat;
  }
  return result;
}

/**
 * Checks that `pattern` has only bounded repetition and returns the longest text a match can
 * cover. Throws `UnsafePatternError` otherwise.
 */
export function checkLinearPattern(pattern: RegExp): { maxMatchLength: number } {
  const c: Cursor = { src: pattern.source, pos: 0 };
  const node = parseAlternation(c);
  if (c.pos !== c.src.length) fail(c, 'unbalanced parenthesis');
  if (node.maxLength > MAX_MATCH_LENGTH) {
    fail(c, `a match may span ${node.maxLength} characters, above ${MAX_MATCH_LENGTH}`);
  }
  return { maxMatchLength: node.maxLength };
}
