import type { SecretDetector, SecretFinding } from '../detect/secrets/index.js';

/** A finding placed in its stream: 1-based lines, 1-based UTF-16 columns. */
export interface LocatedSecret {
  readonly finding: SecretFinding;
  readonly line: number;
  readonly column: number;
  readonly endLine: number;
  readonly endColumn: number;
  /** The line where the secret starts carries `bastion:allow`. */
  readonly inlineAllowed: boolean;
}

export interface TextScanner {
  push(text: string): void;
  end(): void;
}

export interface TextScannerOptions {
  /** Characters scanned per detector call, besides the overlap. */
  readonly chunkChars?: number;
  /** Line number of the first character pushed (diff hunks start mid-file). */
  readonly firstLine?: number;
}

export const INLINE_ALLOW = 'bastion:allow';
const DEFAULT_CHUNK_CHARS = 512 * 1024;
/** How far from a secret the inline marker is looked for on very long lines. */
const INLINE_WINDOW = 4096;

/**
 * Scans a text that arrives in pieces, holding at most one chunk plus an overlap in memory.
 * Each chunk is scanned with the tail of the previous one (the overlap, at least the
 * detector's `contextChars`), and a finding is reported by the chunk in which it starts
 * before the next chunk's first character, so no secret is cut in two or reported twice.
 */
export function createTextScanner(
  detector: SecretDetector,
  onSecret: (secret: LocatedSecret) => void,
  opts: TextScannerOptions = {},
): TextScanner {
  const chunkChars = opts.chunkChars ?? DEFAULT_CHUNK_CHARS;
  const overlap = detector.contextChars + 1024;
  let pending = '';
  /** Absolute offset of pending[0]. */
  let base = 0;
  /** Cursor for line accounting: an absolute offset, its line, and that line's start. */
  let cursor = 0;
  let line = opts.firstLine ?? 1;
  let lineStart = 0;
  /** Absolute offset of the first newline at or after `cursor`: -1 none yet, -2 unknown. */
  let nextNewline = -2;

  /** The first newline at or after the cursor (absolute), or -1; remembered until passed. */
  function newlineAfterCursor(): number {
    if (nextNewline === -2 || (nextNewline !== -1 && nextNewline < cursor)) {
      const nl = pending.indexOf('\n', cursor - base);
      nextNewline = nl === -1 ? -1 : nl + base;
    }
    return nextNewline;
  }

  // Remembering the next newline makes many findings on one long line (minified code, a log
  // record) cost one search, not one per finding.
  function advanceTo(abs: number): void {
    if (abs <= cursor) return; // a secret reported by this chunk may end past the cut
    for (let nl = newlineAfterCursor(); nl !== -1 && nl < abs; nl = newlineAfterCursor()) {
      line++;
      lineStart = nl + 1;
      cursor = lineStart;
    }
    cursor = abs;
  }

  /** Looks for the marker on the cursor's line, within a bounded window around the secret. */
  function isInlineAllowed(absStart: number): boolean {
    const nl = newlineAfterCursor();
    const lineEnd = nl === -1 ? base + pending.length : nl;
    const from = Math.max(lineStart, base, absStart - INLINE_WINDOW);
    const to = Math.min(lineEnd, absStart + INLINE_WINDOW);
    return pending.slice(from - base, to - base).includes(INLINE_ALLOW);
  }

  function report(finding: SecretFinding): void {
    advanceTo(finding.start + base);
    const startLine = line;
    const column = finding.start + base - lineStart + 1;
    const inlineAllowed = isInlineAllowed(finding.start + base);
    advanceTo(finding.end + base);
    onSecret({
      finding: { ...finding, start: finding.start + base, end: finding.end + base },
      line: startLine,
      column,
      endLine: line,
      endColumn: finding.end + base - lineStart + 1,
      inlineAllowed,
    });
  }

  /**
   * Where the next chunk starts: at least `overlap` before the end, on a line start when one
   * is near (so look-behinds and line counts see whole lines), and far enough in to progress.
   */
  function cutPoint(): number {
    const target = pending.length - overlap;
    const nl = pending.lastIndexOf('\n', target - 1);
    return nl + 1 >= target / 2 ? nl + 1 : target;
  }

  function flush(isFinal: boolean): void {
    if (pending.length === 0) return;
    nextNewline = -2;
    const cut = isFinal ? pending.length : cutPoint();
    for (const finding of detector.find(pending)) {
      if (finding.start < cut) report(finding);
    }
    advanceTo(base + cut);
    pending = pending.slice(cut);
    base += cut;
  }

  return {
    push(text: string): void {
      pending += text;
      if (pending.length >= chunkChars + overlap) flush(false);
    },
    end(): void {
      flush(true);
    },
  };
}
