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
