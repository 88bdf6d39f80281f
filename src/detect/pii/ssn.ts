import { before, DIGIT_AT, isDigit, isWordCode, nextAt } from './chars.js';
import type { PiiFinding } from './types.js';

const CUE = /(?:ssn|social security|ss#|ss no|soc\. sec)[^\n]{0,20}$/;

/** Valid SSA ranges: area 001–899 except 666, group 01–99, serial 0001–9999. */
export function isValidSsn(d: string): boolean {
  const area = Number(d.slice(0, 3));
  const group = Number(d.slice(3, 5));
  const serial = Number(d.slice(5));
  return area !== 0 && area !== 666 && area < 900 && group !== 0 && serial !== 0;
}

function readSsn(text: string, i: number): { digits: string; end: number } | undefined {
  const sep = text[i + 3];
  if (sep === '-' || sep === ' ') {
    const shaped = text.slice(i, i + 11);
    if (shaped[6] !== sep) return undefined;
    const digits = shaped.slice(0, 3) + shaped.slice(4, 6) + shaped.slice(7);
    return /^\d{9}$/.test(digits) ? { digits, end: i + 11 } : undefined;
  }
  const digits = text.slice(i, i + 9);
  return /^\d{9}$/.test(digits) && CUE.test(before(text, i, 28))
    ? { digits, end: i + 9 }
    : undefined;
}

/** US Social Security numbers: `123-45-6789` or `123 45 6789`, or nine digits after a cue word. */
export function scanSsns(text: string, out: PiiFinding[]): void {
  for (let i = 0; i + 9 <= text.length; i++) {
    i = nextAt(DIGIT_AT, text, i);
    if (i === -1 || i + 9 > text.length) return;
    if (isWordCode(text.charCodeAt(i - 1)) || '-./+'.includes(text[i - 1] ?? ' ')) {
      while (i + 1 < text.length && isDigit(text.charCodeAt(i + 1))) i++;
      continue;
    }
    const read = readSsn(text, i);
    const next = text[read?.end ?? 0] ?? ' ';
    const isBounded =
      read !== undefined &&
      !isWordCode(next.charCodeAt(0)) &&
      !/^[-.][0-9]/.test(text.slice(read.end, read.end + 2));
    if (read !== undefined && isBounded && isValidSsn(read.digits)) {
      out.push({ type: 'ssn', start: i, end: read.end });
      i = read.end - 1;
      continue;
    }
    while (i + 1 < text.length && isDigit(text.charCodeAt(i + 1))) i++;
  }
}
