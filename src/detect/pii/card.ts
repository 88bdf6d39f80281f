import { DIGIT_AT, isDigit, isWordCode, nextAt } from './chars.js';
import type { PiiFinding } from './types.js';

const MAX_CARD_CHARS = 23;

export function luhnValid(digits: string): boolean {
  let sum = 0;
  let double = false;
  for (let i = digits.length - 1; i >= 0; i--) {
    let d = digits.charCodeAt(i) - 0x30;
    if (double) {
      d *= 2;
      if (d > 9) d -= 9;
    }
    sum += d;
    double = !double;
  }
  return sum % 10 === 0;
}

/** Issuer prefixes and lengths of the card schemes in use (Visa, Mastercard, Amex, …). */
export function isKnownCardPrefix(d: string): boolean {
  const n = d.length;
  const p2 = Number(d.slice(0, 2));
  const p4 = Number(d.slice(0, 4));
  if (d[0] === '4') return n === 13 || n === 16 || n === 19;
  if ((p2 >= 51 && p2 <= 55) || (p4 >= 2221 && p4 <= 2720)) return n === 16;
  if (p2 === 34 || p2 === 37) return n === 15;
  if (p4 >= 2200 && p4 <= 2204) return n >= 16 && n <= 19; // Mir
  if (p4 === 6011 || p2 === 65 || (p4 >= 6440 && p4 <= 6499) || p2 === 62) return n >= 16;
  if (p4 >= 3528 && p4 <= 3589) return n >= 16;
  if ((p4 >= 3000 && p4 <= 3059) || p2 === 36 || p2 === 38 || p2 === 39) return n >= 14;
  if (p2 === 50 || (p2 >= 56 && p2 <= 69)) return n >= 13; // Maestro
  return false;
}

/**
 * Payment card numbers: 13–19 digits, optionally grouped by one kind of separator (space or
 * hyphen), with a known issuer prefix and a valid Luhn check digit.
 */
export function scanCards(text: string, out: PiiFinding[]): void {
  for (let i = 0; i < text.length; i++) {
    i = nextAt(DIGIT_AT, text, i);
    if (i === -1) return;
    const prev = text[i - 1] ?? ' ';
    if (isWordCode(text.charCodeAt(i - 1)) || '-./'.includes(prev)) {
      while (i + 1 < text.length && isDigit(text.charCodeAt(i + 1))) i++;
      continue;
    }
    let digits = '';
    let sep = '';
    let end = i;
    const limit = Math.min(text.length, i + MAX_CARD_CHARS);
    for (let j = i; j < limit; j++) {
      const ch = text[j] as string;
      if (isDigit(ch.charCodeAt(0))) {
        digits += ch;
        end = j + 1;
      } else if (
        (ch === ' ' || ch === '-') &&
        (sep === '' || sep === ch) &&
        isDigit(text.charCodeAt(j + 1))
      ) {
        sep = ch;
      } else break;
    }
    const next = text.charCodeAt(end);
    const isBounded =
      !isWordCode(next) && !(text[end] === sep && isDigit(text.charCodeAt(end + 1)));
    const n = digits.length;
    if (isBounded && n >= 13 && n <= 19 && isKnownCardPrefix(digits) && luhnValid(digits)) {
      out.push({ type: 'card', start: i, end });
    }
    i = Math.max(i, end - 1);
  }
}
