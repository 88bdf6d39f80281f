import { hash } from 'node:crypto';

/**
 * Detector results per text, so the conversation history a chat client resends on every turn
 * is scanned once rather than on every turn. One cache per guard policy: a result depends only
 * on the text and the policy's detectors (pure functions of both), never on the request, so a
 * hit gives exactly the verdict a scan would. What a stage does with a finding (redact,
 * pseudonymise with this request's vault, block) is still decided per request.
 *
 * Keys are SHA-256 digests of the caller's identity and the text, not the text: the cache holds
 * no prompt text, and one caller's traffic never warms the cache for another (a hit is faster
 * than a scan, which would otherwise tell a caller whether anyone sent that text lately).
 * Short texts are not cached (see `MIN_CACHED_CHARS`), nor texts that are not well-formed
 * UTF-16 (a lone surrogate): their UTF-8 form, which the digest reads, is lossy. Bounded: least
 * recently used entries go first.
 */
export type VerdictKind = 'secrets' | 'pii' | 'injection';

/**
 * Shorter texts are scanned every time: on fresh short prompts the digest and the entry cost
 * more than the scans they might save (measured: +10-15 µs per request on a 60-character
 * prompt with a 16-character floor).
 */
const MIN_CACHED_CHARS = 256;
/** Longer texts are scanned every time: rare, and a digest of them is not cheap either. */
const MAX_CACHED_CHARS = 65_536;
/** Entries kept per policy; each holds a 44-character digest and one detector's results. */
const MAX_ENTRIES = 8_192;
/**
 * Findings held per policy in all, and per entry: a caller can fill 64 Ki characters with
 * e-mail addresses (thousands of findings per text), and 8,192 such entries would hold
 * gigabytes. A text with more findings than an entry may hold is scanned every time.
 */
const MAX_FINDINGS = 65_536;
const MAX_FINDINGS_PER_ENTRY = 64;

/** What an entry counts against `MAX_FINDINGS`: a list of findings its length, else 1. */
function weightOf(value: unknown): number {
  return Array.isArray(value) ? Math.max(1, value.length) : 1;
}

/** Whether a text's length lets it be cached at all: callers skip the digest inputs if not. */
export function isCacheableLength(text: string): boolean {
  return text.length >= MIN_CACHED_CHARS && text.length <= MAX_CACHED_CHARS;
}

interface WellFormed {
  isWellFormed(): boolean;
}

export class VerdictCache {
  readonly #entries = new Map<string, unknown>();
  #findings = 0;

  /**
   * `compute(text)` memoised per (`kind`, `scope`, text); `digests` memoises this request's
   * digests, so the stages that see the same text hash it once. The result is shared between
   * requests: callers must not mutate it.
   */
  get<V>(
    kind: VerdictKind,
    scope: string,
    text: string,
    digests: Map<string, string>,
    compute: (text: string) => V,
  ): V {
    if (!isCacheableLength(text)) return compute(text);
    let digest = digests.get(text);
    if (digest === undefined) {
      if (!(text as unknown as WellFormed).isWellFormed()) return compute(text);
      digest = hash('sha256', `${scope}\u0000${text}`, 'base64');
      digests.set(text, digest);
    }
    const key = kind + digest;
    const known = this.#entries.get(key);
    if (known !== undefined) {
      // Most recently used last, so eviction takes the oldest.
      this.#entries.delete(key);
      this.#entries.set(key, known);
      return known as V;
    }
    const value = compute(text);
    const weight = weightOf(value);
    if (weight > MAX_FINDINGS_PER_ENTRY) return value;
    while (
      this.#entries.size > 0 &&
      (this.#entries.size >= MAX_ENTRIES || this.#findings + weight > MAX_FINDINGS)
    ) {
      const [oldestKey, oldest] = this.#entries.entries().next().value as [string, unknown];
      this.#entries.delete(oldestKey);
      this.#findings -= weightOf(oldest);
    }
    this.#entries.set(key, value);
    this.#findings += weight;
    return value;
  }
}
