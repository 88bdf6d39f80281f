import { createSecretDetector, redactionRules } from '../detect/secrets/index.js';

/**
 * Removes anything credential-shaped from text that is about to reach a caller or a log:
 * upstream error bodies, error messages, causes. Two nets: the exact secret values the
 * process holds (registered at start), and the secret detectors' rules (`redactionRules`:
 * the rule set of `bastion scan` and the guards, plus a wider net for short key shapes).
 */

const MASK = '[redacted]';

/** Where a known secret value occurs in a text. */
export interface KnownSecretMatch {
  readonly start: number;
  readonly end: number;
}

/** A prefix shorter than this at the end of a text is not reported (it could be anything). */
const MIN_PARTIAL_CHARS = 8;

/**
 * Start of the longest proper prefix of `value` (at least MIN_PARTIAL_CHARS long) that ends
 * `text`, or -1. Tries only the positions holding the value's first character: the output
 * guard asks this of every window, and a copy of each prefix length cost an allocation each.
 */
function partialAtEnd(text: string, value: string): number {
  const first = value.charAt(0);
  const last = text.length - MIN_PARTIAL_CHARS;
  let at = text.indexOf(first, Math.max(0, text.length - value.length + 1));
  for (; at !== -1 && at <= last; at = text.indexOf(first, at + 1)) {
    if (endsWithPrefix(text, at, value)) return at;
  }
  return -1;
}

/** `value.startsWith(text.slice(at))` without the copy of the slice. */
function endsWithPrefix(text: string, at: number, value: string): boolean {
  const n = text.length - at;
  if (n > value.length) return false;
  for (let i = 0; i < n; i++) {
    if (text.charCodeAt(at + i) !== value.charCodeAt(i)) return false;
  }
  return true;
}

export interface Scrubber {
  scrub(text: string): string;
  /**
   * Every occurrence of a known value in `text`, plus the start of one (at least 8
   * characters) that runs to the end of `text`, so a streaming caller can hold it back.
   */
  findKnown(text: string): KnownSecretMatch[];
  /** Adds an exact value to the first net (e.g. a provider key resolved at start). */
  addKnownSecret(value: string): void;
}

/** A masked span can hide part of a longer overlapping match; a few passes unmask none. */
const MAX_PATTERN_PASSES = 4;

export function createScrubber(): Scrubber {
  const known = new Set<string>();
  // The same values as a list: iterated for every output window, without a Set iterator.
  const knownList: string[] = [];
  const detector = createSecretDetector({ rules: redactionRules, keepsPlaceholders: true });
  const toMask = () => MASK;
  return {
    addKnownSecret(value: string): void {
      // Very short values would mask ordinary words; they are not credentials anyway.
      if (value.length < 8 || known.has(value)) return;
      known.add(value);
      knownList.push(value);
    },
    findKnown(text: string): KnownSecretMatch[] {
      const found: KnownSecretMatch[] = [];
      for (const value of knownList) {
        for (let at = text.indexOf(value); at !== -1; at = text.indexOf(value, at + 1)) {
          found.push({ start: at, end: at + value.length });
        }
        const partial = partialAtEnd(text, value);
        if (partial !== -1) found.push({ start: partial, end: text.length });
      }
      return found.sort((a, b) => a.start - b.start);
    },
    scrub(text: string): string {
      let out = text;
      for (const value of known) {
        if (out.includes(value)) out = out.split(value).join(MASK);
      }
      for (let pass = 0; pass < MAX_PATTERN_PASSES; pass++) {
        const findings = detector.find(out);
        if (findings.length === 0) break;
        out = detector.mask(out, findings, toMask);
      }
      return out;
    },
  };
}

/** The process-wide scrubber: provider keys are registered here when they are resolved. */
export const scrubber: Scrubber = createScrubber();
