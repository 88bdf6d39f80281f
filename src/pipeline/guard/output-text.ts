/**
 * A streaming text rewriter with a bounded hold-back window whose output depends only on the
 * text, never on how it was split into chunks: the non-streamed path is the same code run as a
 * one-chunk stream, and any split gives the same output (property-tested).
 *
 * The text is cut into fixed blocks of `blockChars`. Block k is decided once the text reaches
 * (k+1)·block + lookahead characters (or the stream ends): the scanner sees a window from
 * `lookbehind` characters before the block to `lookahead` after it, and every replacement that
 * starts inside the block is applied. A value up to `lookahead` characters long that starts in
 * a block is therefore always seen whole. A replacement may carry a continuation that keeps
 * consuming what follows (the rest of a long key, a PEM body, an open image URL), block after
 * block, so longer values are removed too.
 *
 * Between blocks, text is released early up to where the scanner says a value may still be
 * open (usually the last, unfinished word): a short answer streams word by word. An early cut
 * scans everything available, and the scanner only allows a cut no value crosses, so the
 * replacements are the same as the block decision would find (property-tested).
 */

export interface Continuation {
  /**
   * Consumes from the start of `text` (the characters after what was already replaced, up to
   * the window end). Returns how many characters it consumed and whether the value ended.
   */
  next(text: string, isLast: boolean): { consumed: number; isDone: boolean };
}

export interface Replacement {
  /** Offsets in the scanned window, end exclusive. */
  readonly start: number;
  readonly end: number;
  readonly text: string;
  readonly continuation?: Continuation;
  /** For the audit tally, e.g. `redact:email`; reported once, when applied. */
  readonly tag: string;
}

/**
 * Finds replacements in a window, sorted by start; overlapping ones are skipped in order.
 * `openFrom`, when given, is where a value that more text could still complete may start (the
 * window length when nothing is open): text before it can be decided now, without waiting for
 * a whole block. It must not depend on anything but the window, or splits would differ.
 */
export type WindowScanner = ((window: string) => readonly Replacement[]) & {
  readonly openFrom?: (window: string) => number;
};

export interface TextFilterOptions {
  readonly blockChars: number;
  readonly lookaheadChars: number;
  readonly lookbehindChars: number;
  /** Applied to every emitted piece (e.g. HTML escaping). */
  readonly transform?: (text: string) => string;
  /** Called once for each replacement applied (never for one seen again in a later window). */
  readonly onApply?: (r: Replacement) => void;
}

export interface TextFilter {
  /** Text in; the part that is now decided comes out (possibly ''). */
  push(text: string): string;
  /** The stream ended: everything still held, decided. */
  flush(): string;
}

/** Characters a filter built with `holdBackChars` may hold at once, and its block size. */
export function windowFor(holdBackChars: number): Omit<TextFilterOptions, 'transform'> {
  // Half block, half lookahead: each character is scanned about 2.5 times.
  const blockChars = Math.max(16, Math.floor(holdBackChars / 2));
  return { blockChars, lookaheadChars: holdBackChars - blockChars, lookbehindChars: 64 };
}

export function createTextFilter(scan: WindowScanner, opts: TextFilterOptions): TextFilter {
  const B = opts.blockChars;
  const L = opts.lookaheadChars;
  const LB = opts.lookbehindChars;
  const transform = opts.transform ?? ((t: string) => t);
  let buf = '';
  let base = 0; // absolute offset of buf[0]
  let total = 0;
  let frontier = 0; // absolute: everything before is emitted or consumed
  let k = 0;
  let pending: Continuation | undefined;

  const slice = (from: number, to: number) => buf.slice(from - base, to - base);

  function consume(cont: Continuation, to: number, isLast: boolean): void {
    const r = cont.next(slice(frontier, to), isLast);
    frontier += r.consumed;
    pending = r.isDone ? undefined : cont;
  }

  function decide(isEnded: boolean): string {
    const blockStart = k * B;
    const blockEnd = Math.min(blockStart + B, total);
    const windowEnd = Math.min(blockEnd + L, total);
    const isLast = isEnded && blockStart + B + L > total;
    k++;
    let out = '';
    if (pending !== undefined) consume(pending, windowEnd, isLast);
    // While a continuation is still consuming, nothing after it is decided: it is held.
    if (pending === undefined && frontier < blockEnd) {
      const winStart = Math.max(0, blockStart - LB);
      for (const r of scan(slice(winStart, windowEnd))) {
        const start = winStart + r.start;
        if (start < frontier) continue;
        if (start >= blockEnd) break;
        out += transform(slice(frontier, start)) + transform(r.text);
        frontier = winStart + r.end;
        opts.onApply?.(r);
        if (r.continuation !== undefined) consume(r.continuation, windowEnd, isLast);
        if (pending !== undefined) break;
      }
      if (pending === undefined && frontier < blockEnd) {
        out += transform(slice(frontier, blockEnd));
        frontier = blockEnd;
      }
    }
    trim();
    return out;
  }

  function trim(): void {
    const keepFrom = Math.min(frontier, k * B) - LB;
    if (keepFrom > base) {
      buf = buf.slice(keepFrom - base);
      base = keepFrom;
    }
  }

  /** Decides what lies before the open tail, ahead of the block grid. */
  function early(): string {
    const openFrom = scan.openFrom;
    if (openFrom === undefined || pending !== undefined || frontier >= total) return '';
    const winStart = Math.max(0, frontier - LB);
    const window = slice(winStart, total);
    const cut = winStart + openFrom(window);
    if (cut <= frontier) return '';
    let out = '';
    for (const r of scan(window)) {
      const start = winStart + r.start;
      if (start < frontier) continue;
      if (start >= cut) break;
      out += transform(slice(frontier, start)) + transform(r.text);
      frontier = winStart + r.end;
      opts.onApply?.(r);
      if (r.continuation !== undefined) consume(r.continuation, cut, false);
      if (pending !== undefined) break;
    }
    if (pending === undefined && frontier < cut) {
      out += transform(slice(frontier, cut));
      frontier = cut;
    }
    trim();
    return out;
  }

  return {
    push(text: string): string {
      buf += text;
      total += text.length;
      let out = '';
      while ((k + 1) * B + L <= total) out += decide(false);
      return out + early();
    },
    flush(): string {
      let out = '';
      while (k * B < total || (pending !== undefined && frontier < total)) out += decide(true);
      return out;
    },
  };
}
