/**
 * Removes anything credential-shaped from text that is about to reach a caller or a log:
 * upstream error bodies, error messages, causes. Two nets: the exact secret values the
 * process holds (registered at start), and patterns for well-known key formats.
 */

// Linear-time patterns only: bounded classes, no nested quantifiers.
const KEY_PATTERNS: readonly RegExp[] = [
  /\bbk_[a-z]{2,8}_[A-Za-z0-9_-]{8,}/g, // Bastion virtual keys
  /\bsk-[A-Za-z0-9_-]{8,}/g, // OpenAI / Anthropic style (sk-proj-, sk-ant-, sk-svcacct-)
  /sk-(?:proj|ant|svcacct|admin|None)-[A-Za-z0-9_-]{8,}/g, // the same glued to a word (xsk-proj-…)
  /\bAIza[0-9A-Za-z_-]{20,}/g, // Google API keys
  /\b(?:AKIA|ASIA)[0-9A-Z]{16}\b/g, // AWS access key ids
  /\bgh[pousr]_[A-Za-z0-9]{20,}/g, // GitHub tokens
  /\beyJ[A-Za-z0-9_-]{8,}\.[A-Za-z0-9_-]{8,}\.[A-Za-z0-9_-]*/g, // JWTs
  /\b[Bb]earer\s+[A-Za-z0-9._~+/=-]{8,}/g, // bearer credentials of any kind
];

/** `sk-` inside a word: a key only when a part is long and random (not `deepseek-r1-…`). */
const GLUED_SK = /sk-[A-Za-z0-9_-]{20,250}/g;
const hasRandomPart = (body: string) =>
  body.split('-').some((p) => p.length >= 20 && /[0-9]/.test(p) && /[A-Za-z]/.test(p));

const MASK = '[redacted]';

/** Where a known secret value occurs in a text. */
export interface KnownSecretMatch {
  readonly start: number;
  readonly end: number;
}

/** A prefix shorter than this at the end of a text is not reported (it could be anything). */
const MIN_PARTIAL_CHARS = 8;

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

export function createScrubber(): Scrubber {
  const known = new Set<string>();
  return {
    addKnownSecret(value: string): void {
      // Very short values would mask ordinary words; they are not credentials anyway.
      if (value.length >= 8) known.add(value);
    },
    findKnown(text: string): KnownSecretMatch[] {
      const found: KnownSecretMatch[] = [];
      for (const value of known) {
        for (let at = text.indexOf(value); at !== -1; at = text.indexOf(value, at + 1)) {
          found.push({ start: at, end: at + value.length });
        }
        for (let n = Math.min(value.length - 1, text.length); n >= MIN_PARTIAL_CHARS; n--) {
          if (text.endsWith(value.slice(0, n))) {
            found.push({ start: text.length - n, end: text.length });
            break;
          }
        }
      }
      return found.sort((a, b) => a.start - b.start);
    },
    scrub(text: string): string {
      let out = text;
      for (const value of known) {
        if (out.includes(value)) out = out.split(value).join(MASK);
      }
      for (const pattern of KEY_PATTERNS) {
        pattern.lastIndex = 0;
        out = out.replace(pattern, MASK);
      }
      GLUED_SK.lastIndex = 0;
      return out.replace(GLUED_SK, (m) => (hasRandomPart(m.slice(3)) ? MASK : m));
    },
  };
}

/** The process-wide scrubber: provider keys are registered here when they are resolved. */
export const scrubber: Scrubber = createScrubber();
