import { isAsciiAlnum, isAsciiLetter, isWordCode } from './chars.js';
import type { PiiFinding } from './types.js';

const MAX_LOCAL = 64;
const MAX_DOMAIN = 253;

/** File extensions that follow `@2x`-style asset names and are not top-level domains. */
const NOT_TLDS = new Set([
  'png',
  'jpg',
  'jpeg',
  'gif',
  'svg',
  'webp',
  'avif',
  'bmp',
  'ico',
  'tif',
  'tiff',
  'js',
  'mjs',
  'cjs',
  'ts',
  'tsx',
  'jsx',
  'css',
  'scss',
  'map',
  'json',
  'html',
  'htm',
  'txt',
  'md',
  'pdf',
  'zip',
  'gz',
  'tgz',
  'wasm',
  'py',
  'rb',
  'go',
  'rs',
  'java',
  'php',
  'yaml',
  'yml',
  'toml',
  'lock',
  'log',
  'csv',
  'mp3',
  'mp4',
  'mov',
  'wav',
  'ttf',
  'woff',
  'woff2',
  'otf',
  'eot',
]);

function isLocalCode(c: number): boolean {
  // RFC 5322 atext in practice, plus non-ASCII letters (RFC 6531): no quoted local parts.
  if (c > 0x7f) return isWordCode(c);
  return isAsciiAlnum(c) || c === 0x2e || c === 0x5f || c === 0x25 || c === 0x2b || c === 0x2d;
}

function isDomainCode(c: number): boolean {
  return isAsciiAlnum(c) || c === 0x2e || c === 0x2d || c > 0x7f;
}

function isLabelOk(label: string): boolean {
  return label.length > 0 && label.length <= 63 && !label.startsWith('-') && !label.endsWith('-');
}

/** End of a valid domain starting at `from`, or -1. Trailing dots and hyphens are trimmed. */
function domainEnd(text: string, from: number): number {
  const limit = Math.min(text.length, from + MAX_DOMAIN);
  let end = from;
  while (end < limit && isDomainCode(text.charCodeAt(end))) end++;
  while (end > from && (text[end - 1] === '.' || text[end - 1] === '-')) end--;
  const labels = text.slice(from, end).split('.');
  if (labels.length < 2 || !labels.every(isLabelOk)) return -1;
  const tld = (labels[labels.length - 1] as string).toLowerCase();
  if (tld.length < 2 || NOT_TLDS.has(tld)) return -1;
  for (let i = 0; i < tld.length; i++)
    if (!isAsciiLetter(tld.charCodeAt(i)) && tld.charCodeAt(i) < 0x80) return -1;
  return end;
}

/** `[at]`, `(at)`, `{at}` (and the same around `dot`), the usual ways to hide an address. */
const OBFUSCATED_AT = /[[({] ?at ?[\])}]/gi;
const DOMAIN_TAIL = /^ ?(?:[a-z0-9-]{1,63}(?:\.| ?[[({] ?dot ?[\])}] ?))+[a-z]{2,24}\b/i;

/**
 * Addresses written to dodge harvesters: `name [at] example [dot] com`, `name(at)example.com`.
 * The local part must touch the marker (one space allowed) and a dotted domain must follow.
 */
function scanObfuscated(text: string, out: PiiFinding[]): void {
  if (!/[[({] ?at ?[\])}]/i.test(text)) return;
  OBFUSCATED_AT.lastIndex = 0;
  for (let m = OBFUSCATED_AT.exec(text); m !== null; m = OBFUSCATED_AT.exec(text)) {
    let start = m.index;
    if (text[start - 1] === ' ') start--;
    const localEnd = start;
    const stop = Math.max(0, localEnd - MAX_LOCAL);
    while (start > stop && isLocalCode(text.charCodeAt(start - 1))) start--;
    if (start === localEnd) continue;
    const tail = DOMAIN_TAIL.exec(text.slice(m.index + m[0].length, m.index + m[0].length + 300));
    if (tail === null) continue;
    out.push({ type: 'email', start, end: m.index + m[0].length + tail[0].length });
  }
}

/**
 * Email addresses, anchored on each `@`: the local part is read leftwards and the domain
 * rightwards, both bounded, so the whole scan is linear. `scp`-style `git@host:path` and
 * `name@2x.png` asset names are not addresses.
 */
export function scanEmails(text: string, out: PiiFinding[]): void {
  scanAt(text, out);
  scanObfuscated(text, out);
}

function scanAt(text: string, out: PiiFinding[]): void {
  let from = 0;
  let floor = 0;
  for (let at = text.indexOf('@', from); at !== -1; at = text.indexOf('@', from)) {
    from = at + 1;
    let start = at;
    const stop = Math.max(floor, at - MAX_LOCAL);
    while (start > stop && isLocalCode(text.charCodeAt(start - 1))) start--;
    while (start < at && text[start] === '.') start++;
    if (start === at || text[at - 1] === '.') continue;
    const end = domainEnd(text, at + 1);
    if (end === -1) continue;
    if (text[end] === ':' && /\S/.test(text[end + 1] ?? ' ') && text[end + 1] !== '/') continue;
    out.push({ type: 'email', start, end });
    floor = end;
    from = end;
  }
}
