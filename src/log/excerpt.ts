import { scrubber } from './scrub.js';

// Control, format and bidi characters would let an excerpt rewrite a log line or a terminal.
const UNPRINTABLE = /[\p{Cc}\p{Cf}\u2028\u2029]/gu;

/**
 * A bounded, scrubbed excerpt of caller input for an error message or an audit field:
 * credential-shaped text masked, unprintable characters dropped, at most `maxChars` kept.
 */
export function callerExcerpt(text: string, maxChars: number): string {
  const bounded = text.length > maxChars * 4 ? text.slice(0, maxChars * 4) : text;
  const clean = scrubber.scrub(bounded.replace(UNPRINTABLE, ''));
  return clean.length > maxChars ? `${clean.slice(0, maxChars)}…` : clean;
}
