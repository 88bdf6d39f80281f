/**
 * A BPE encoding's merge ranks in flat typed arrays: every token's bytes one after another in
 * one buffer, its start offset and rank in two `Uint32Array`s, and an open-addressing hash
 * index (FNV-1a over the bytes, linear probing) of token numbers. About 5 MiB for
 * `o200k_base` (200,000 tokens), where a `Map` from latin1 strings to ranks took about 12 MiB
 * of heap in some 400,000 objects the garbage collector walked on every full collection.
 *
 * A lookup takes a latin1 string (one char per byte, as bpe-table.ts keeps pre-tokens) and a
 * range of it, so the merge loop asks for each pair without cutting a substring.
 */
export interface RankTable {
  /** The rank of `text.slice(start, end)` (latin1: one char per byte), or -1. */
  rankOf(text: string, start: number, end: number): number;
  readonly size: number;
}

/** Collects tokens and builds the table, in typed arrays sized once (no growing garbage). */
export class RankTableBuilder {
  readonly #bytes: Buffer;
  readonly #starts: Uint32Array;
  readonly #ranks: Uint32Array;
  #used = 0;
  #count = 0;

  /** Upper bounds: the total bytes of all tokens, and their number. */
  constructor(maxBytes: number, maxTokens: number) {
    this.#bytes = Buffer.allocUnsafe(maxBytes);
    this.#starts = new Uint32Array(maxTokens + 1);
    this.#ranks = new Uint32Array(maxTokens);
  }

  /** Decodes one token from base64 and records its rank. */
  addBase64(base64: string, rank: number): void {
    this.#used += this.#bytes.write(base64, this.#used, 'base64');
    this.#ranks[this.#count] = rank;
    this.#starts[++this.#count] = this.#used;
  }

  build(): RankTable {
    const count = this.#count;
    // Exact-size copies: the builder's buffers are dropped.
    const bytes = new Uint8Array(this.#bytes.subarray(0, this.#used));
    const starts = this.#starts.slice(0, count + 1);
    const ranks = this.#ranks.slice(0, count);
    let slots = 1;
    while (slots < count * 2) slots *= 2;
    const mask = slots - 1;
    // Token number + 1 per slot; 0 is empty.
    const index = new Uint32Array(slots);
    for (let t = 0; t < count; t++) {
      let slot = hashBytes(bytes, starts[t] as number, starts[t + 1] as number) & mask;
      while (index[slot] !== 0) slot = (slot + 1) & mask;
      index[slot] = t + 1;
    }
    return {
      size: count,
      rankOf(text, start, end) {
        const length = end - start;
        let slot = hashText(text, start, end) & mask;
        for (;;) {
          const entry = index[slot] as number;
          if (entry === 0) return -1;
          const from = starts[entry - 1] as number;
          if ((starts[entry] as number) - from === length && isSame(bytes, from, text, start, end))
            return ranks[entry - 1] as number;
          slot = (slot + 1) & mask;
        }
      },
    };
  }
}

const FNV_OFFSET = 0x811c9dc5;
const FNV_PRIME = 0x01000193;

function hashBytes(bytes: Uint8Array, start: number, end: number): number {
  let h = FNV_OFFSET;
  for (let i = start; i < end; i++) h = Math.imul(h ^ (bytes[i] as number), FNV_PRIME);
  return h >>> 0;
}

function hashText(text: string, start: number, end: number): number {
  let h = FNV_OFFSET;
  for (let i = start; i < end; i++) h = Math.imul(h ^ text.charCodeAt(i), FNV_PRIME);
  return h >>> 0;
}

function isSame(bytes: Uint8Array, from: number, text: string, start: number, end: number) {
  for (let i = start, j = from; i < end; i++, j++)
    if (bytes[j] !== text.charCodeAt(i)) return false;
  return true;
}
