import { isIPv6 } from 'node:net';
import { before, DIGIT_AT, isDigit, isWordCode, nextAt } from './chars.js';
import type { PiiFinding } from './types.js';

const MAX_V6_CHARS = 45;

function isHex(c: number): boolean {
  return isDigit(c) || (c >= 0x41 && c <= 0x46) || (c >= 0x61 && c <= 0x66);
}

/** Dotted quad at `i`: end index, or -1. Octets 0–255 without leading zeros. */
function readV4(text: string, i: number): number {
  let j = i;
  const octets: number[] = [];
  for (let part = 0; part < 4; part++) {
    if (part > 0) {
      if (text[j] !== '.') return -1;
      j++;
    }
    const from = j;
    while (j < text.length && j - from < 3 && isDigit(text.charCodeAt(j))) j++;
    const octet = text.slice(from, j);
    if (octet.length === 0 || (octet.length > 1 && octet[0] === '0') || Number(octet) > 255)
      return -1;
    octets.push(Number(octet));
  }
  if (isWordCode(text.charCodeAt(j)) || (text[j] === '.' && isDigit(text.charCodeAt(j + 1))))
    return -1;
  const [a, b, c, d] = octets as [number, number, number, number];
  if (a === 0 || a === 127 || (a === 255 && b === 255 && c === 255 && d === 255)) return -1;
  return j;
}

function isV6Start(text: string, i: number): boolean {
  const c = text.charCodeAt(i);
  if (!(isHex(c) || c === 0x3a)) return false;
  const p = text.charCodeAt(i - 1);
  return !(isWordCode(p) || p === 0x3a || p === 0x2e);
}

/** IPv6 at `i` (validated by node:net): end index, or -1. Loopback and `::` are skipped. */
function readV6(text: string, i: number): number {
  let j = i;
  let colons = 0;
  let digits = 0;
  const limit = Math.min(text.length, i + MAX_V6_CHARS);
  while (j < limit) {
    const c = text.charCodeAt(j);
    if (c === 0x3a) colons++;
    else if (isDigit(c)) digits++;
    else if (!(isHex(c) || c === 0x2e)) break;
    j++;
  }
  let end = j;
  while (end > i && (text[end - 1] === '.' || (text[end - 1] === ':' && text[end - 2] !== ':')))
    end--;
  if (colons < 2 || digits === 0 || isWordCode(text.charCodeAt(j))) return -1;
  const value = text.slice(i, end);
  if (value === '::' || value === '::1' || !isIPv6(value)) return -1;
  return end;
}

/** Dotted numbers after these words are versions or section numbers. */
const NOT_AN_ADDRESS = /(?:version|ver\.?|release|build|chapter|section|§|rev\.?|v)["':=\s]{0,4}$/;

/** IPv4 and IPv6 addresses, except loopback, unspecified and broadcast addresses. */
export function scanIps(text: string, out: PiiFinding[]): void {
  // Both forms hold a digit; without one, skip the walk that tries every hex letter.
  if (nextAt(DIGIT_AT, text, 0) === -1) return;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (!isHex(c) && c !== 0x3a) continue;
    if (!isV6Start(text, i)) continue;
    let v4 = isDigit(c) ? readV4(text, i) : -1;
    if (v4 !== -1 && NOT_AN_ADDRESS.test(before(text, i, 12))) v4 = -1;
    const end = v4 !== -1 ? v4 : readV6(text, i);
    if (end !== -1) {
      out.push({ type: 'ip', start: i, end });
      i = end - 1;
      continue;
    }
    while (
      i + 1 < text.length &&
      (isHex(text.charCodeAt(i + 1)) || text[i + 1] === ':' || text[i + 1] === '.')
    )
      i++;
  }
}
