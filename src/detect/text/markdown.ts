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

/** URL of `(url "title")` starting after `(` at `from`: its end (exclusive of `)`), or open. */
function urlEnd(text: string, from: number): { end: number; isOpen: boolean } | undefined {
  const limit = Math.min(text.length, from + MAX_URL);
  let depth = 0;
  for (let i = from; i < limit; i++) {
    const c = text[i];
    if (c === '(') depth++;
    else if (c === ')') {
      if (depth === 0) return { end: i, isOpen: false };
      depth--;
    } else if (c === '\n') return undefined;
  }
  return limit === text.length ? { end: text.length, isOpen: true } : undefined;
}

function scanMarkdown(text: string, out: MarkdownRef[]): void {
  let from = 0;
  for (let open = text.indexOf('[', from); open !== -1; open = text.indexOf('[', from)) {
    from = open + 1;
    const close = labelEnd(text, open + 1);
    if (close === -1 || text[close + 1] !== '(') continue;
    const url = urlEnd(text, close + 2);
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
