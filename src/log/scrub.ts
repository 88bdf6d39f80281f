/**
 * Removes anything credential-shaped from text that is about to reach a caller or a log:
 * upstream error bodies, error messages, causes. Two nets: the exact secret values the
 * process holds (registered at start), and patterns for well-known key formats.
 */

// Linear-time patterns only: bounded classes, no nested quantifiers.
const KEY_PATTERNS: readonly RegExp[] = [
  /\bbk_[a-z]{2,8}_[A-Za-z0-9_-]{8,}/g, // Bastion virtual keys
  /\bsk-[A-Za-z0-9_-]{8,}/g, // OpenAI / Anthropic style (sk-proj-, sk-ant-, sk-svcacct-)
  /\bAIza[0-9A-Za-z_-]{20,}/g, // Google API keys
  /\b(?:AKIA|ASIA)[0-9A-Z]{16}\b/g, // AWS access key ids
  /\bgh[pousr]_[A-Za-z0-9]{20,}/g, // GitHub tokens
  /\beyJ[A-Za-z0-9_-]{8,}\.[A-Za-z0-9_-]{8,}\.[A-Za-z0-9_-]*/g, // JWTs
  /\b[Bb]earer\s+[A-Za-z0-9._~+/=-]{8,}/g, // bearer credentials of any kind
];

const MASK = '[redacted]';

export interface Scrubber {
  scrub(text: string): string;
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
    scrub(text: string): string {
      let out = text;
      for (const value of known) {
        if (out.includes(value)) out = out.split(value).join(MASK);
      }
      for (const pattern of KEY_PATTERNS) {
        pattern.lastIndex = 0;
        out = out.replace(pattern, MASK);
      }
      return out;
    },
  };
}

/** The process-wide scrubber: provider keys are registered here when they are resolved. */
export const scrubber: Scrubber = createScrubber();
