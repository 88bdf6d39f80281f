import { IBAN_START_AT, isAsciiAlnum, isDigit, nextAt } from './chars.js';
import type { PiiFinding } from './types.js';

/** IBAN length per country (ISO 13616 registry). */
const LENGTHS: Readonly<Record<string, number>> = {
  AD: 24,
  AE: 23,
  AL: 28,
  AT: 20,
  AZ: 28,
  BA: 20,
  BE: 16,
  BG: 22,
  BH: 22,
  BI: 27,
  BR: 29,
  BY: 28,
  CH: 21,
  CR: 22,
  CY: 28,
  CZ: 24,
  DE: 22,
  DJ: 27,
  DK: 18,
  DO: 28,
  EE: 20,
  EG: 29,
  ES: 24,
  FI: 18,
  FK: 18,
  FO: 18,
  FR: 27,
  GB: 22,
  GE: 22,
  GI: 23,
  GL: 18,
  GR: 27,
  GT: 28,
  HN: 28,
  HR: 21,
  HU: 28,
  IE: 22,
  IL: 23,
  IQ: 23,
  IS: 26,
  IT: 27,
  JO: 30,
  KW: 30,
  KZ: 20,
  LB: 28,
  LC: 32,
  LI: 21,
  LT: 20,
  LU: 20,
  LV: 21,
  LY: 25,
  MC: 27,
  MD: 24,
  ME: 22,
  MK: 19,
  MN: 20,
  MR: 27,
  MT: 31,
  MU: 30,
  NI: 28,
  NL: 18,
  NO: 15,
  OM: 23,
  PK: 24,
  PL: 28,
  PS: 29,
  PT: 25,
  QA: 29,
  RO: 24,
  RS: 22,
  RU: 33,
  SA: 24,
  SC: 31,
  SD: 18,
  SE: 24,
  SI: 19,
  SK: 24,
  SM: 27,
  SO: 23,
  ST: 25,
  SV: 28,
  TL: 23,
  TN: 24,
  TR: 26,
  UA: 29,
  VA: 22,
  VG: 24,
  XK: 20,
  YE: 30,
};

function isUpper(c: number): boolean {
  return c >= 0x41 && c <= 0x5a;
}

function isLower(c: number): boolean {
  return c >= 0x61 && c <= 0x7a;
}

/** ISO 7064 mod 97-10 over the rearranged IBAN (letters as 10–35). */
export function ibanChecksumValid(iban: string): boolean {
  const s = iban.slice(4) + iban.slice(0, 4);
  let rem = 0;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (isDigit(c)) rem = (rem * 10 + (c - 0x30)) % 97;
    else rem = (rem * 100 + (c - 0x41 + 10)) % 97;
  }
  return rem === 1;
}

/**
 * Reads an IBAN of `length` characters from `i`, allowing single spaces; its letters are all
 * upper case or, as people sometimes type them, all lower case. The value comes back upper case.
 */
function readIban(
  text: string,
  i: number,
  length: number,
): { end: number; value: string } | undefined {
  const isLetter = isUpper(text.charCodeAt(i)) ? isUpper : isLower;
  let value = '';
  let j = i;
  while (j < text.length && value.length < length) {
    const c = text.charCodeAt(j);
    if (isDigit(c) || isLetter(c)) value += text[j];
    else if (c !== 0x20 || value.length < 4 || !isAsciiAlnum(text.charCodeAt(j + 1))) break;
    j++;
  }
  return value.length === length ? { end: j, value: value.toUpperCase() } : undefined;
}

/**
 * IBANs, compact or printed in groups of four, upper or lower case: a registered country code,
 * the country's exact length and a valid mod-97 checksum.
 */
export function scanIbans(text: string, out: PiiFinding[]): void {
  for (let i = 0; i + 15 <= text.length; i++) {
    i = nextAt(IBAN_START_AT, text, i);
    if (i === -1 || i + 15 > text.length) return;
    if (isAsciiAlnum(text.charCodeAt(i - 1))) continue;
    const length = LENGTHS[text.slice(i, i + 2).toUpperCase()];
    if (isUpper(text.charCodeAt(i)) !== isUpper(text.charCodeAt(i + 1))) continue;
    if (
      length === undefined ||
      !isDigit(text.charCodeAt(i + 2)) ||
      !isDigit(text.charCodeAt(i + 3))
    )
      continue;
    const read = readIban(text, i, length);
    if (read === undefined || isAsciiAlnum(text.charCodeAt(read.end))) continue;
    if (!ibanChecksumValid(read.value)) continue;
    out.push({ type: 'iban', start: i, end: read.end });
    i = read.end - 1;
  }
}
