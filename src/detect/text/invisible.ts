/**
 * Invisible and control characters: the ones a person cannot see but a model reads. Used to
 * smuggle instructions (Unicode tag characters, variation-selector "emoji smuggling"), to
 * reorder what a reviewer sees (bidi overrides, Trojan Source) and to split words so filters
 * miss them (zero-width characters).
 *
 * Legitimate uses are kept: a zero-width joiner or non-joiner between two non-ASCII
 * characters (emoji sequences, Indic and Persian scripts), one variation selector after a
 * visible character, tag characters inside a subdivision-flag emoji, and bidi marks next to
 * right-to-left text.
 */

export type InvisibleKind = 'control' | 'zero_width' | 'bidi' | 'tag' | 'variation_selector';

export interface InvisibleReport {
  /** Characters that would be stripped (a surrogate pair counts once). */
  readonly count: number;
  readonly kinds: readonly InvisibleKind[];
}

/** Cheap first pass: any candidate at all? Linear, no backtracking (a character class). */
const CANDIDATE =
  // Matching control and combining characters is the point of this class.
  // eslint-disable-next-line no-control-regex, no-misleading-character-class
  /[\u0000-\u0008\u000B\u000C\u000E-\u001F\u007F-\u009F\u00AD\u034F\u061C\u115F\u1160\u17B4\u17B5\u180B-\u180F\u200B-\u200F\u202A-\u202E\u2060-\u206F\u3164\uFE00-\uFE0F\uFEFF\uFFA0\uFFF9-\uFFFB]|\uDB40[\uDC00-\uDDEF]/;

const FLAG_BASE = 0x1f3f4; // WAVING BLACK FLAG, base of subdivision flags
const CANCEL_TAG = 0xe007f;
const MAX_FLAG_TAGS = 8;

export function kindOf(cp: number): InvisibleKind | undefined {
  if (cp < 0x20) return cp === 0x09 || cp === 0x0a || cp === 0x0d ? undefined : 'control';
  if (cp >= 0x7f && cp <= 0x9f) return 'control';
  if (cp === 0xad || cp === 0x34f || cp === 0x115f || cp === 0x1160 || cp === 0x3164)
    return 'zero_width';
  if (cp === 0x17b4 || cp === 0x17b5 || cp === 0xffa0 || cp === 0xfeff) return 'zero_width';
  if (cp >= 0x180b && cp <= 0x180f) return cp === 0x180e ? 'zero_width' : 'variation_selector';
  if (cp >= 0x200b && cp <= 0x200d) return 'zero_width';
  if (cp === 0x200e || cp === 0x200f || cp === 0x61c) return 'bidi';
  if ((cp >= 0x202a && cp <= 0x202e) || (cp >= 0x2066 && cp <= 0x2069)) return 'bidi';
  if (cp >= 0x2060 && cp <= 0x206f) return 'zero_width';
  if (cp >= 0xfff9 && cp <= 0xfffb) return 'zero_width';
  if (cp >= 0xfe00 && cp <= 0xfe0f) return 'variation_selector';
  if (cp >= 0xe0000 && cp <= 0xe007f) return 'tag';
  if (cp >= 0xe0100 && cp <= 0xe01ef) return 'variation_selector';
  return undefined;
}

function isRtl(cp: number): boolean {
  return (
    (cp >= 0x590 && cp <= 0x8ff) || (cp >= 0xfb1d && cp <= 0xfdff) || (cp >= 0xfe70 && cp <= 0xfefc)
  );
}

function isVisibleNonAscii(cp: number | undefined): boolean {
  return cp !== undefined && cp > 0x7f && kindOf(cp) === undefined;
}

/** Code point before index `i` (handles a surrogate pair). */
function cpBefore(text: string, i: number): number | undefined {
  return i > 0
    ? text.codePointAt(i >= 2 && isLowSurrogate(text.charCodeAt(i - 1)) ? i - 2 : i - 1)
    : undefined;
}

function isLowSurrogate(unit: number): boolean {
  return unit >= 0xdc00 && unit <= 0xdfff;
}

/** Length in code units of a legitimate tag run starting at `i` after a flag base, or 0. */
function flagTagRun(text: string, i: number): number {
  if (cpBefore(text, i) !== FLAG_BASE) return 0;
  let j = i;
  for (let n = 0; n < MAX_FLAG_TAGS && j < text.length; n++) {
    const cp = text.codePointAt(j) as number;
    if (cp < 0xe0020 || cp > CANCEL_TAG) return 0;
    j += 2;
    if (cp === CANCEL_TAG) return j - i;
  }
  return 0;
}

/** Whether the invisible character `cp` at `i` (size `size`) is a legitimate use. */
function isKept(text: string, i: number, cp: number, size: number): boolean {
  const kind = kindOf(cp);
  const before = cpBefore(text, i);
  if (cp === 0x200c || cp === 0x200d) {
    return isVisibleNonAscii(before) && isVisibleNonAscii(text.codePointAt(i + size));
  }
  if (kind === 'variation_selector') {
    const after = text.codePointAt(i + size);
    const isRun = after !== undefined && kindOf(after) === 'variation_selector';
    return !isRun && before !== undefined && kindOf(before) === undefined;
  }
  if (cp === 0x200e || cp === 0x200f) {
    const after = text.codePointAt(i + size);
    return (before !== undefined && isRtl(before)) || (after !== undefined && isRtl(after));
  }
  return false;
}

type Visit = (start: number, size: number, kind: InvisibleKind) => void;

/** Calls `visit` for each character that is not a legitimate use. Linear. */
function walk(text: string, visit: Visit): void {
  if (!CANDIDATE.test(text)) return;
  for (let i = 0; i < text.length;) {
    const cp = text.codePointAt(i) as number;
    const size = cp > 0xffff ? 2 : 1;
    const kind = kindOf(cp);
    if (kind === undefined) {
      i += size;
      continue;
    }
    if (kind === 'tag') {
      const run = flagTagRun(text, i);
      if (run > 0) {
        i += run;
        continue;
      }
    }
    if (!isKept(text, i, cp, size)) visit(i, size, kind);
    i += size;
  }
}

/** Counts the characters `stripInvisible` would remove, and their kinds. */
export function findInvisible(text: string): InvisibleReport {
  let count = 0;
  const kinds = new Set<InvisibleKind>();
  walk(text, (_s, _z, kind) => {
    count++;
    kinds.add(kind);
  });
  return { count, kinds: [...kinds] };
}

/** `text` without its illegitimate invisible and control characters; the same string if none. */
export function stripInvisible(text: string): string {
  const parts: string[] = [];
  let at = 0;
  walk(text, (start, size) => {
    parts.push(text.slice(at, start));
    at = start + size;
  });
  if (at === 0 && parts.length === 0) return text;
  parts.push(text.slice(at));
  return parts.join('');
}

/**
 * Text hidden in tag characters (U+E0020–U+E007E mirror ASCII) and in runs of variation
 * selectors (one byte each, as in "emoji smuggling"), decoded so detectors can read it.
 * Returns '' when nothing is hidden. Output is bounded by the input length.
 */
export function decodeHiddenText(text: string): string {
  if (!CANDIDATE.test(text)) return '';
  let tags = '';
  const bytes: number[] = [];
  for (let i = 0; i < text.length;) {
    const cp = text.codePointAt(i) as number;
    if (cp >= 0xe0020 && cp <= 0xe007e) tags += String.fromCharCode(cp - 0xe0000);
    else if (cp >= 0xfe00 && cp <= 0xfe0f) bytes.push(cp - 0xfe00);
    else if (cp >= 0xe0100 && cp <= 0xe01ef) bytes.push(cp - 0xe0100 + 16);
    i += cp > 0xffff ? 2 : 1;
  }
  const fromSelectors = bytes.length >= 4 ? Buffer.from(bytes).toString('utf8') : '';
  return tags.length > 0 && fromSelectors.length > 0
    ? `${tags}\n${fromSelectors}`
    : tags + fromSelectors;
}
