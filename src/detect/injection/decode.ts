/**
 * Finds encoded runs (base64, hex, percent-encoding) and decodes the ones that turn into
 * readable text, so the phrase rules can rescan them. Bounded: at most MAX_RUNS runs and
 * MAX_DECODED_CHARS characters of output per text.
 */

const MAX_RUNS = 16;
const MAX_DECODED_CHARS = 64 * 1024;
const MAX_RUN_CHARS = 64 * 1024;

const BASE64_RUN = /[A-Za-z0-9+/_-]{24,}={0,2}/g;
const HEX_RUN = /(?:0x)?[0-9a-fA-F]{24,}/g;
const PERCENT_RUN = /[^\s%]{0,24}(?:%[0-9a-fA-F]{2}[^\s%]{0,24}){3,}/g;

/** Share of characters that are printable text (letters, digits, punctuation, whitespace). */
function isReadable(text: string): boolean {
  if (text.length < 8) return false;
  let ok = 0;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (
      (c >= 0x20 && c < 0x7f) ||
      c === 0x0a ||
      c === 0x0d ||
      c === 0x09 ||
      (c > 0xa0 && c !== 0xfffd)
    )
      ok++;
  }
  return ok / text.length >= 0.9;
}

function decodeBase64(run: string): string | undefined {
  const hasSignal = /[0-9+/]/.test(run) || (/[a-z]/.test(run) && /[A-Z]/.test(run));
  if (!hasSignal) return undefined;
  const text = Buffer.from(run.replace(/-/g, '+').replace(/_/g, '/'), 'base64').toString('utf8');
  return isReadable(text) ? text : undefined;
}

function decodeHex(run: string): string | undefined {
  const hex = run.startsWith('0x') ? run.slice(2) : run;
  const text = Buffer.from(hex.length % 2 === 0 ? hex : hex.slice(0, -1), 'hex').toString('utf8');
  return isReadable(text) ? text : undefined;
}

function decodePercent(run: string): string | undefined {
  try {
    const text = decodeURIComponent(run);
    return isReadable(text) ? text : undefined;
  } catch {
    return undefined;
  }
}

/** ROT13 of ASCII letters. */
export function rot13(text: string): string {
  return text.replace(/[a-zA-Z]/g, (ch) => {
    const base = ch <= 'Z' ? 65 : 97;
    return String.fromCharCode(((ch.charCodeAt(0) - base + 13) % 26) + base);
  });
}

function isBase64Code(c: number): boolean {
  return (
    (c >= 0x41 && c <= 0x5a) ||
    (c >= 0x61 && c <= 0x7a) ||
    (c >= 0x30 && c <= 0x39) ||
    c === 0x2b ||
    c === 0x2f ||
    c === 0x5f ||
    c === 0x2d
  );
}

/** One pass: is there a run of at least 24 base64/hex characters at all? */
function hasLongRun(text: string): boolean {
  let run = 0;
  for (let i = 0; i < text.length; i++) {
    if (isBase64Code(text.charCodeAt(i))) {
      if (++run >= 24) return true;
    } else run = 0;
  }
  return false;
}

/** Readable texts hidden in encoded runs of `text`. */
export function decodePayloads(text: string): string[] {
  const found: string[] = [];
  let budget = MAX_DECODED_CHARS;
  const take = (re: RegExp, decode: (run: string) => string | undefined) => {
    re.lastIndex = 0;
    for (
      let m = re.exec(text);
      m !== null && found.length < MAX_RUNS && budget > 0;
      m = re.exec(text)
    ) {
      const decoded = decode(m[0].slice(0, MAX_RUN_CHARS));
      if (decoded === undefined) continue;
      found.push(decoded.slice(0, budget));
      budget -= decoded.length;
    }
  };
  if (text.indexOf('%') !== -1) take(PERCENT_RUN, decodePercent);
  if (!hasLongRun(text)) return found;
  take(HEX_RUN, decodeHex);
  take(BASE64_RUN, decodeBase64);
  return found;
}
