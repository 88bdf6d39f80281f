/**
 * Removes HTML markup from prompt text: `<script>`/`<style>` elements with their content,
 * comments, and tags (keeping the text between them). A hand-written scanner, linear in the
 * input: each position is visited a bounded number of times.
 */

/** A tag longer than this is not treated as a tag (so `a < b ... > c` prose survives). */
const MAX_TAG_CHARS = 2048;
const RAW_TEXT = ['script', 'style'] as const;

export interface HtmlStripResult {
  readonly text: string;
  /** Tags, comments and raw-text elements removed. */
  readonly removed: number;
}

function isTagStart(code: number | undefined): boolean {
  if (code === undefined) return false;
  return (
    (code >= 0x41 && code <= 0x5a) ||
    (code >= 0x61 && code <= 0x7a) ||
    code === 0x2f ||
    code === 0x21
  );
}

/** End index (exclusive) of the tag opening at `lt`, or -1 when it is not a tag. */
function tagEnd(text: string, lt: number, scan: { hasNoCommentEnd: boolean }): number {
  if (text.startsWith('<!--', lt)) {
    // Once one comment is unterminated, every later one is too: don't search again.
    const close = scan.hasNoCommentEnd ? -1 : text.indexOf('-->', lt + 4);
    if (close === -1) scan.hasNoCommentEnd = true;
    return close === -1 ? -1 : close + 3;
  }
  const limit = Math.min(text.length, lt + MAX_TAG_CHARS);
  for (let i = lt + 1; i < limit; i++) {
    const c = text.charCodeAt(i);
    if (c === 0x3e) return i + 1;
    if (c === 0x3c || c === 0x0a) return -1;
  }
  return -1;
}

function rawTextName(lower: string, lt: number): string | undefined {
  for (const name of RAW_TEXT) {
    if (lower.startsWith(name, lt + 1)) {
      const next = lower.charCodeAt(lt + 1 + name.length);
      if (next === 0x3e || next === 0x20 || next === 0x2f || next === 0x09 || next === 0x0a)
        return name;
    }
  }
  return undefined;
}

export function stripHtml(text: string): HtmlStripResult {
  if (text.indexOf('<') === -1) return { text, removed: 0 };
  let lower: string | undefined;
  const parts: string[] = [];
  let at = 0;
  let removed = 0;
  let from = 0;
  const scan = { hasNoCommentEnd: false };
  for (let lt = text.indexOf('<', from); lt !== -1; lt = text.indexOf('<', from)) {
    from = lt + 1;
    if (!isTagStart(text.charCodeAt(lt + 1))) continue;
    let end = tagEnd(text, lt, scan);
    if (end === -1) continue;
    lower ??= text.toLowerCase();
    const raw = rawTextName(lower, lt);
    if (raw !== undefined) {
      const close = lower.indexOf(`</${raw}`, end);
      const closeEnd = close === -1 ? -1 : text.indexOf('>', close);
      end = closeEnd === -1 ? text.length : closeEnd + 1;
    }
    parts.push(text.slice(at, lt));
    at = from = end;
    removed++;
  }
  if (removed === 0) return { text, removed: 0 };
  parts.push(text.slice(at));
  return { text: parts.join(''), removed };
}
