/**
 * Deepest nesting of arrays and objects a request body may have. Real requests (tool schemas
 * included) stay far below it; every stage that walks a body, and JSON.stringify, recurse, so a
 * bound here keeps them all clear of the stack limit (an 8 KB body can nest 4,000 deep).
 */
export const MAX_JSON_DEPTH = 64;

const QUOTE = 0x22;
const BACKSLASH = 0x5c;
const OPEN_ARRAY = 0x5b;
const CLOSE_ARRAY = 0x5d;
const OPEN_OBJECT = 0x7b;
const CLOSE_OBJECT = 0x7d;
const COLON = 0x3a;

/**
 * Whether JSON text nests deeper than `maxDepth`, found by one pass over the bytes before
 * parsing: several times cheaper than JSON.parse, which spends over a second on 4 MB of `[`.
 * Malformed text may give any answer; JSON.parse then refuses it.
 */
export function nestsDeeperThan(raw: Uint8Array, maxDepth: number): boolean {
  return measureJson(raw, maxDepth) === -1;
}

/**
 * The one pass over the bytes that bounds the depth, counting the object keys on the way: -1
 * when the text nests deeper than `maxDepth`, else how many keys its objects have, repeats included (in JSON text
 * every colon outside a string follows a key). JSON.parse keeps only the last of a repeated
 * key, so fewer keys in the parsed value than here means the text repeats one.
 */
export function measureJson(raw: Uint8Array, maxDepth: number): number {
  let depth = 0;
  let keys = 0;
  let inString = false;
  for (let i = 0; i < raw.length; i++) {
    const c = raw[i];
    if (inString) {
      if (c === BACKSLASH) i++;
      else if (c === QUOTE) inString = false;
    } else if (c === QUOTE) inString = true;
    else if (c === COLON) keys++;
    else if (c === OPEN_ARRAY || c === OPEN_OBJECT) {
      if (++depth > maxDepth) return -1;
    } else if (c === CLOSE_ARRAY || c === CLOSE_OBJECT) depth--;
  }
  return keys;
}

/** The keys of every object in a parsed JSON value (no deeper than the text was measured). */
export function countKeys(value: unknown): number {
  if (typeof value !== 'object' || value === null) return 0;
  let n = 0;
  if (Array.isArray(value)) {
    for (const item of value) n += countKeys(item);
    return n;
  }
  for (const key in value) n += 1 + countKeys((value as Record<string, unknown>)[key]);
  return n;
}
