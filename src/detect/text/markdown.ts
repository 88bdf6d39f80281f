/**
 * Markdown images and links (`![alt](url)`, `[text](url)`) and HTML `<img>` tags in model
 * output, with the host each points to, so the output guard can neutralise the ones that
 * could carry data out (an image is fetched by the client with no click). Bounded scans only.
 */

export interface MarkdownRef {
  readonly start: number;
  readonly end: number;
  readonly isImage: boolean;
  /** Alt text or link text. */
  readonly label: string;
  /** Lower-case host for absolute http(s) URLs; '' for relative and data: URLs; undefined for other schemes. */
  readonly host: string | undefined;
  /** The URL runs to the end of the text without a closing parenthesis (it may continue). */
  readonly isOpen: boolean;
}

const MAX_LABEL = 500;
const MAX_URL = 2048;
const IMG_TAG = /<img\b[^<>]{0,1000}>/gi;
const SRC_ATTR = /\bsrc\s{0,4}=\s{0,4}["']?([^"'\s>]{1,2048})/i;

/** Host of `url` for the allow-list: '' (relative or data:, harmless), a host, or undefined. */
export function hostOf(url: string): string | undefined {
  const u = url.trim().replace(/^<|>$/g, '');
  const scheme = /^([a-z][a-z0-9+.-]{0,20}):/i.exec(u)?.[1]?.toLowerCase();
  if (scheme === undefined) {
    if (!u.startsWith('//')) return '';
  } else if (scheme === 'data') return '';
  else if (scheme !== 'http' && scheme !== 'https') return undefined;
  const rest = u.slice(scheme === undefined ? 2 : scheme.length + 3);
  const authority = rest.split(/[/?#\\]/, 1)[0] ?? '';
  const host = authority.slice(authority.lastIndexOf('@') + 1).replace(/:\d*$/, '');
  return host.toLowerCase();
}

/** End of a bracketed label starting after `[` at `from`, or -1. */
function labelEnd(text: string, from: number): number {
  const limit = Math.min(text.length, from + MAX_LABEL);
  for (let i = from; i < limit; i++) {
    const c = text[i];
    if (c === ']') return i;
    if (c === '[' || c === '\n') return -1;
  }
  return -1;
}

/**
 * For every `(`, the index of the `)` that closes it (or -1), by one stack pass: a URL scan
 * from each `](` would rescan up to `MAX_URL` characters per link, 2,000× the text on a run of
 * `[a](` (7 s for 1 MB), while this is one pass whatever the text.
 */
function closingParens(text: string): Int32Array {
  const closes = new Int32Array(text.length).fill(-1);
  const open: number[] = [];
  for (let i = text.indexOf('('); i !== -1 && i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c === 0x28) open.push(i);
    else if (c === 0x29) {
      const at = open.pop();
      if (at !== undefined) closes[at] = i;
    }
  }
  return closes;
}

/** Index of the next `\n` at or after each position, or the text length. */
function nextNewlines(text: string): Int32Array {
  const next = new Int32Array(text.length + 1);
  next[text.length] = text.length;
  for (let i = text.length - 1; i >= 0; i--) {
    next[i] = text.charCodeAt(i) === 0x0a ? i : (next[i + 1] ?? text.length);
  }
  return next;
}

interface UrlScan {
  closes: Int32Array;
  newlines: Int32Array;
}

/**
 * URL of `(url "title")` whose `(` is at `paren`: its end (exclusive of `)`), or open when it
 * runs to the end of the text. Nested parentheses are kept; a newline or `MAX_URL` characters
 * without the closing `)` end the search.
 */
function urlEnd(
  text: string,
  paren: number,
  scan: UrlScan,
): { end: number; isOpen: boolean } | undefined {
  const from = paren + 1;
  const limit = Math.min(text.length, from + MAX_URL);
  const close = scan.closes[paren] ?? -1;
  const newline = scan.newlines[from] ?? text.length;
  if (close !== -1 && close < limit && close < newline) return { end: close, isOpen: false };
  if (newline < limit) return undefined;
  return limit === text.length ? { end: text.length, isOpen: true } : undefined;
}

function scanMarkdown(text: string, out: MarkdownRef[]): void {
  const scan: UrlScan = { closes: closingParens(text), newlines: nextNewlines(text) };
  let from = 0;
  for (let open = text.indexOf('[', from); open !== -1; open = text.indexOf('[', from)) {
    from = open + 1;
    const close = labelEnd(text, open + 1);
    if (close === -1 || text[close + 1] !== '(') continue;
    const url = urlEnd(text, close + 1, scan);
    if (url === undefined) continue;
    const isImage = text[open - 1] === '!';
    const target =
      text
        .slice(close + 2, url.end)
        .trim()
        .split(/\s/, 1)[0] ?? '';
    out.push({
      start: isImage ? open - 1 : open,
      end: url.isOpen ? url.end : url.end + 1,
      isImage,
      label: text.slice(open + 1, close),
      host: hostOf(target),
      isOpen: url.isOpen,
    });
    from = url.end;
  }
}

export function findMarkdownRefs(text: string): MarkdownRef[] {
  const out: MarkdownRef[] = [];
  if (text.indexOf('](') !== -1) scanMarkdown(text, out);
  if (text.indexOf('<') !== -1) {
    IMG_TAG.lastIndex = 0;
    for (let m = IMG_TAG.exec(text); m !== null; m = IMG_TAG.exec(text)) {
      const src = SRC_ATTR.exec(m[0])?.[1] ?? '';
      out.push({
        start: m.index,
        end: m.index + m[0].length,
        isImage: true,
        label: '',
        host: hostOf(src),
        isOpen: false,
      });
    }
  }
  return out.sort((a, b) => a.start - b.start);
}

/** Whether `host` is on the allow-list (exact, or a subdomain of an entry). */
export function isHostAllowed(host: string, allowed: readonly string[]): boolean {
  for (const entry of allowed) {
    const e = entry.toLowerCase();
    if (host === e || host.endsWith(`.${e}`)) return true;
  }
  return false;
}
