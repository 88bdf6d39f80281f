import { readFile } from 'node:fs/promises';
import { setImmediate as nextTurn } from 'node:timers/promises';
import { createRequire } from 'node:module';
import { PIECE_MAX_CHARS, type BpeEncoder } from './bpe-count.js';
import { RankTableBuilder, type RankTable } from './bpe-ranks.js';

/**
 * A BPE encoding's merge ranks, read from the `.tiktoken` file gpt-tokenizer ships (one line
 * per token: base64 bytes, space, rank) and held in flat typed arrays (bpe-ranks.ts), looked up
 * by the token's bytes as a latin1 string (so bytes that are not UTF-8 need no second table).
 *
 * Why not gpt-tokenizer's own encoders: importing one compiles a 2 MB module and builds its
 * tables in one synchronous run (about 0.7 s, up to 2 s on a busy machine, with every other
 * caller waiting) and keeps about 65 MiB resident. This loader reads the file asynchronously
 * and fills the table a slice at a time with an event-loop turn between slices, and the table
 * is about 5 MiB. Counting is tiktoken's algorithm (`byte_pair_merge`), the one
 * gpt-tokenizer implements, on each pre-token of the encoding's split regex;
 * `bpe-table.test.ts` holds it equal to gpt-tokenizer's counts.
 */
export type EncodingName = 'o200k_base' | 'cl100k_base';

/** Lines parsed between two event-loop turns: a few ms of work. */
const LINES_PER_TURN = 10_000;

export async function loadBpeTable(
  encoding: EncodingName,
  splitRegex: RegExp,
): Promise<BpeEncoder> {
  const path = createRequire(import.meta.url).resolve(`gpt-tokenizer/data/${encoding}.tiktoken`);
  const file = await readFile(path);
  // Decoded bytes are at most 3/4 of their base64 text; there is at most one token per line.
  const builder = new RankTableBuilder(Math.ceil((file.length * 3) / 4), countLines(file));
  let lines = 0;
  for (let at = 0; at < file.length;) {
    const nl = file.indexOf(NEWLINE, at);
    const end = nl === -1 ? file.length : nl;
    const space = file.indexOf(SPACE, at);
    if (space > at && space < end) {
      builder.addBase64(
        file.toString('latin1', at, space),
        Number(file.toString('latin1', space + 1, end)),
      );
    }
    at = end + 1;
    lines += 1;
    if (lines % LINES_PER_TURN === 0) await nextTurn();
  }
  const ranks = builder.build();
  if (ranks.size < 50_000) throw new Error(`the ${encoding} table is incomplete`);
  return createBpeEncoder(ranks, splitRegex);
}

const NEWLINE = 0x0a;
const SPACE = 0x20;

function countLines(file: Buffer): number {
  let lines = 1;
  for (let at = file.indexOf(NEWLINE); at !== -1; at = file.indexOf(NEWLINE, at + 1)) lines += 1;
  return lines;
}

/**
 * Pre-tokens seen before, with their counts (repeated text merges once): up to the longest
 * piece bpe-count.ts merges whole, at most 50,000 of them (a few MiB), cleared when full.
 */
const CACHE_MAX_ENTRIES = 50_000;
const CACHE_MAX_CHARS = PIECE_MAX_CHARS;

function createBpeEncoder(ranks: RankTable, splitRegex: RegExp): BpeEncoder {
  const cache = new Map<string, number>();

  /** Tokens of one pre-token: tiktoken's merge loop over its UTF-8 bytes. */
  function mergeCount(piece: string): number {
    // ASCII is its own latin1 byte string; anything else is converted.
    const bytes =
      Buffer.byteLength(piece, 'utf8') === piece.length
        ? piece
        : Buffer.from(piece, 'utf8').toString('latin1');
    if (ranks.rankOf(bytes, 0, bytes.length) !== -1) return 1;
    const starts: number[] = [];
    const pairRanks: number[] = [];
    const rankOf = (i: number): number => {
      const end = starts[i + 2];
      if (end === undefined) return Infinity;
      const rank = ranks.rankOf(bytes, starts[i] as number, end);
      return rank === -1 ? Infinity : rank;
    };
    for (let i = 0; i <= bytes.length; i++) starts.push(i);
    for (let i = 0; i < starts.length; i++) pairRanks.push(rankOf(i));
    while (starts.length > 2) {
      let lowest = Infinity;
      let at = -1;
      for (let i = 0; i < pairRanks.length; i++) {
        const rank = pairRanks[i] as number;
        if (rank < lowest) {
          lowest = rank;
          at = i;
        }
      }
      if (at === -1) break;
      starts.splice(at + 1, 1);
      pairRanks.splice(at + 1, 1);
      pairRanks[at] = rankOf(at);
      if (at > 0) pairRanks[at - 1] = rankOf(at - 1);
    }
    return starts.length - 1;
  }

  function pieceCount(piece: string): number {
    if (piece.length > CACHE_MAX_CHARS) return mergeCount(piece);
    let n = cache.get(piece);
    if (n === undefined) {
      n = mergeCount(piece);
      if (cache.size >= CACHE_MAX_ENTRIES) cache.clear();
      cache.set(piece, n);
    }
    return n;
  }

  return {
    countTokens(text: string): number {
      let total = 0;
      for (const [piece] of text.matchAll(splitRegex)) total += pieceCount(piece);
      return total;
    },
    countPreToken: pieceCount,
  };
}
