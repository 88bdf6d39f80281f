/**
 * Counting BPE tokens in time linear in the text, with bounded work between event-loop turns.
 *
 * gpt-tokenizer merges each pre-token (one match of the encoding's split regex) in time
 * quadratic in its length, and text without spaces (CJK, Thai, a run of punctuation or of one
 * letter) is a single pre-token: 80,000 CJK characters held the event loop for 25 s. So:
 * - a text longer than `SEGMENT_MAX_CHARS` is cut into segments, so one regex call is bounded;
 * - a pre-token longer than `PIECE_MAX_CHARS` is cut into pieces, so one merge is bounded;
 * - every cut adds one token. A cut only forbids merges across it, which in practice raises the
 *   count; the extra token covers the rare merge order where a cut saves one (a property test
 *   in bpe-count.test.ts holds this against whole-text counts in every script we know of);
 * - a piece the encoder refuses (a special-token form) counts one token per UTF-8 byte, which
 *   no BPE over bytes can exceed.
 * The counter is a generator that yields after each segment; the caller decides whether to
 * run it to the end at once or to give the event loop a turn at each yield.
 */

export interface BpeEncoder {
  /** Tokens of a text: split by the encoding's regex, each pre-token merged. */
  countTokens(text: string): number;
  /**
   * Tokens of one whole pre-token, as the split regex matched it in its text: the same count as
   * `countTokens`, without splitting it again (which finds the pre-token itself). When absent,
   * `countTokens` is used.
   */
  countPreToken?(preToken: string): number;
}

/** Longest pre-token merged whole: at most 256 UTF-8 bytes, a few µs of merging. */
export const PIECE_MAX_CHARS = 64;
/** Text scanned between two yields: about 10 ms of work in the costliest script (rare CJK). */
export const SEGMENT_MAX_CHARS = 8_192;

/** `to`, moved back by one when it would split a surrogate pair. */
function cutAt(text: string, to: number): number {
  if (to >= text.length) return text.length;
  const c = text.charCodeAt(to - 1);
  return c >= 0xd800 && c <= 0xdbff ? to - 1 : to;
}

function countPiece(encoder: BpeEncoder, piece: string, isPreToken: boolean): number {
  try {
    return isPreToken && encoder.countPreToken !== undefined
      ? encoder.countPreToken(piece)
      : encoder.countTokens(piece);
  } catch {
    return Buffer.byteLength(piece, 'utf8');
  }
}

/** Tokens of one segment: pre-tokens merged whole up to `PIECE_MAX_CHARS`, longer ones cut. */
function countSegment(encoder: BpeEncoder, splitRegex: RegExp, segment: string): number {
  let total = 0;
  for (const [match] of segment.matchAll(splitRegex)) {
    if (match.length <= PIECE_MAX_CHARS) {
      total += countPiece(encoder, match, true);
      continue;
    }
    for (let at = 0; at < match.length;) {
      const end = cutAt(match, at + PIECE_MAX_CHARS);
      total += countPiece(encoder, match.slice(at, end), false);
      if (end < match.length) total += 1;
      at = end;
    }
  }
  return total;
}

/**
 * Tokens of `text`; yields after each segment. `splitRegex` must be global (`matchAll` copies
 * it, so one instance serves concurrent counts).
 */
export function* countBpe(
  encoder: BpeEncoder,
  splitRegex: RegExp,
  text: string,
): Generator<void, number, void> {
  let total = 0;
  for (let at = 0; at < text.length;) {
    const end = cutAt(text, at + SEGMENT_MAX_CHARS);
    total += countSegment(encoder, splitRegex, text.slice(at, end));
    if (end < text.length) {
      total += 1;
      yield;
    }
    at = end;
  }
  return total;
}
