// One table reused by every call: entropy runs on candidate secrets in the request hot path,
// and a per-call Map would allocate for each of them.
const counts = new Uint32Array(256);
const touched = new Uint16Array(256);

/**
 * Shannon entropy of `text[start..end)` in bits per character. Characters above U+007F share
 * buckets by their low 7 bits, which is exact for the ASCII alphabets credentials use.
 */
export function shannonEntropy(text: string, start = 0, end = text.length): number {
  const length = end - start;
  if (length <= 0) return 0;
  let distinct = 0;
  for (let i = start; i < end; i++) {
    const code = text.charCodeAt(i);
    const bucket = code < 128 ? code : 128 + (code & 127);
    if (counts[bucket] === 0) touched[distinct++] = bucket;
    counts[bucket] = (counts[bucket] ?? 0) + 1;
  }
  let bits = 0;
  for (let k = 0; k < distinct; k++) {
    const bucket = touched[k] ?? 0;
    const p = (counts[bucket] ?? 0) / length;
    bits -= p * Math.log2(p);
    counts[bucket] = 0;
  }
  return bits;
}
