/** Character tests shared by the PII scanners; ASCII fast paths, Unicode when needed. */

const LETTER_OR_DIGIT = /[\p{L}\p{N}]/u;

export function isDigit(code: number): boolean {
  return code >= 0x30 && code <= 0x39;
}

export function isAsciiLetter(code: number): boolean {
  return (code >= 0x41 && code <= 0x5a) || (code >= 0x61 && code <= 0x7a);
}

export function isAsciiAlnum(code: number): boolean {
  return isDigit(code) || isAsciiLetter(code);
}

/** Letter or digit in any script (NaN, past either end of the text, is neither). */
export function isWordCode(code: number): boolean {
  if (Number.isNaN(code)) return false;
  if (code < 0x80) return isAsciiAlnum(code) || code === 0x5f;
  return LETTER_OR_DIGIT.test(String.fromCharCode(code));
}

/** Lower-cased text of up to `chars` characters before `index`. */
export function before(text: string, index: number, chars: number): string {
  return text.slice(Math.max(0, index - chars), index).toLowerCase();
}

/** Global patterns the scanners jump with (native search instead of a per-character loop). */
export const DIGIT_AT = /[0-9]/g;
export const PHONE_START_AT = /[0-9+(]/g;
export const IBAN_START_AT = /[A-Za-z]{2}[0-9]{2}/g;

/** Index of the next match of the global pattern `re` at or after `from`, or -1. */
export function nextAt(re: RegExp, text: string, from: number): number {
  re.lastIndex = from;
  const m = re.exec(text);
  return m === null ? -1 : m.index;
}
