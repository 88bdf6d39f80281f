/**
 * Aho–Corasick over ASCII, compiled to a full transition table: one pass over the text, one
 * table lookup per character, no allocation and no lower-cased copy of the text. Finds
 * which of many literal keywords occur, case-insensitively, so that rule patterns run only
 * on texts that can match them.
 */
export interface KeywordAutomaton {
  /**
   * Calls `onKeyword(id)` for each keyword found in `text`, once per id; stops early when
   * `onKeyword` returns true. Returns the number of characters examined.
   */
  scan(text: string, onKeyword: (id: number) => boolean): number;
}

const ALPHABET = 128;

function lowerCode(c: number): number {
  return c >= 65 && c <= 90 ? c + 32 : c;
}

interface Trie {
  goto: number[][];
  outputs: number[][];
}

function buildTrie(keywords: readonly string[]): Trie {
  const goto: number[][] = [new Array<number>(ALPHABET).fill(-1)];
  const outputs: number[][] = [[]];
  keywords.forEach((keyword, id) => {
    let state = 0;
    for (let i = 0; i < keyword.length; i++) {
      const c = lowerCode(keyword.charCodeAt(i));
      if (c >= ALPHABET) throw new Error(`keyword ${JSON.stringify(keyword)} is not ASCII`);
      const row = goto[state] ?? [];
      let next = row[c] ?? -1;
      if (next === -1) {
        next = goto.length;
        row[c] = next;
        goto.push(new Array<number>(ALPHABET).fill(-1));
        outputs.push([]);
      }
      state = next;
    }
    outputs[state]?.push(id);
  });
  return { goto, outputs };
}

/** Breadth-first: fill missing transitions from the failure state and merge outputs. */
function toDfa({ goto, outputs }: Trie): { delta: Int32Array; out: (readonly number[])[] } {
  const delta = new Int32Array(goto.length * ALPHABET);
  const fail = new Int32Array(goto.length);
  const queue: number[] = [];
  const root = goto[0] ?? [];
  for (let c = 0; c < ALPHABET; c++) {
    const next = root[c] ?? -1;
    delta[c] = next === -1 ? 0 : next;
    if (next > 0) queue.push(next);
  }
  for (let head = 0; head < queue.length; head++) {
    const state = queue[head] ?? 0;
    const row = goto[state] ?? [];
    const failRow = (fail[state] ?? 0) * ALPHABET;
    for (let c = 0; c < ALPHABET; c++) {
      const next = row[c] ?? -1;
      if (next === -1) {
        delta[state * ALPHABET + c] = delta[failRow + c] ?? 0;
        continue;
      }
      delta[state * ALPHABET + c] = next;
      fail[next] = delta[failRow + c] ?? 0;
      outputs[next] = [...(outputs[next] ?? []), ...(outputs[fail[next] ?? 0] ?? [])];
      queue.push(next);
    }
  }
  return { delta, out: outputs };
}

/**
 * The scan loop reads one entry per character. Entries hold the next state already
 * multiplied by the row width, and are stored bitwise-inverted (negative) when that state
 * ends a keyword, so the common case is one load, one add and one sign test.
 */
export function createKeywordAutomaton(keywords: readonly string[]): KeywordAutomaton {
  const { delta, out } = toDfa(buildTrie(keywords));
  if (out.length * ALPHABET > 0x7fffffff) throw new Error('too many keyword states');
  const table = new Int32Array(delta.length);
  for (let s = 0; s < out.length; s++) {
    for (let c = 0; c < ALPHABET; c++) {
      // Upper-case letters share the lower-case transitions.
      const next = delta[s * ALPHABET + (c >= 65 && c <= 90 ? c + 32 : c)] ?? 0;
      const row = next * ALPHABET;
      table[s * ALPHABET + c] = (out[next]?.length ?? 0) > 0 ? ~row : row;
    }
  }
  const seen = new Uint8Array(keywords.length);
  return {
    scan(text, onKeyword) {
      seen.fill(0);
      let row = 0;
      for (let i = 0; i < text.length; i++) {
        const c = text.charCodeAt(i);
        const entry = c < ALPHABET ? (table[row + c] as number) : 0;
        if (entry >= 0) {
          row = entry;
          continue;
        }
        row = ~entry;
        for (const id of out[row / ALPHABET] ?? []) {
          if (seen[id] === 1) continue;
          seen[id] = 1;
          if (onKeyword(id)) return i + 1;
        }
      }
      return text.length;
    },
  };
}
