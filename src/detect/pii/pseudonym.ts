/**
 * Reversible pseudonyms for one request: each distinct value of a type gets `<TYPE_N>`, the
 * same value the same token, and `restore` maps tokens back. Tokens that already occur in the
 * caller's text are reserved, so pseudonymise-then-restore is the identity on any input.
 */

/** Longest stem of a placeholder (custom type names are shorter still: 32). */
const MAX_STEM_CHARS = 40;
const MAX_COUNTER_DIGITS = 6;

/** `<EMAIL_1>`, `<EMPLOYEE_ID_12>`: the shape of every placeholder. */
export const PLACEHOLDER_PATTERN = new RegExp(
  `<([A-Z][A-Z0-9_]{0,${MAX_STEM_CHARS - 1}})_(\\d{1,${MAX_COUNTER_DIGITS}})>`,
  'g',
);

/** The longest text PLACEHOLDER_PATTERN matches (`<`, stem, `_`, counter, `>`): 49. */
export const PLACEHOLDER_MAX_CHARS = MAX_STEM_CHARS + MAX_COUNTER_DIGITS + 3;

export interface PseudonymVault {
  /** Token for `value` of `type`, minting `<TYPE_N>` on first sight. */
  tokenFor(type: string, value: string): string;
  /** The original value behind a token minted here, or undefined. */
  original(token: string): string | undefined;
  /** Marks tokens present in caller text so they are never minted. */
  reserveFrom(text: string): void;
  /** Replaces every minted token in `text` with its original. */
  restore(text: string): string;
  readonly size: number;
}

export function stemOf(type: string): string {
  return type
    .toUpperCase()
    .replace(/[^A-Z0-9_]/g, '_')
    .slice(0, MAX_STEM_CHARS);
}

export function createPseudonymVault(): PseudonymVault {
  return new Vault();
}

/**
 * A class, not an object literal: a literal with a `get size()` is built through V8's runtime
 * (about 1.5 µs), and a vault is made for every request that pseudonymises.
 */
class Vault implements PseudonymVault {
  readonly #byValue = new Map<string, string>();
  readonly #byToken = new Map<string, string>();
  readonly #counters = new Map<string, number>();
  readonly #reserved = new Set<string>();

  tokenFor(type: string, value: string): string {
    const key = `${type}\u0000${value}`;
    const known = this.#byValue.get(key);
    if (known !== undefined) return known;
    const stem = stemOf(type);
    let n = this.#counters.get(stem) ?? 0;
    let token: string;
    do token = `<${stem}_${++n}>`;
    while (this.#reserved.has(token));
    this.#counters.set(stem, n);
    this.#byValue.set(key, token);
    this.#byToken.set(token, value);
    return token;
  }

  original(token: string): string | undefined {
    return this.#byToken.get(token);
  }

  reserveFrom(text: string): void {
    if (text.indexOf('<') === -1) return;
    for (const m of text.matchAll(PLACEHOLDER_PATTERN)) this.#reserved.add(m[0]);
  }

  restore(text: string): string {
    const byToken = this.#byToken;
    if (byToken.size === 0 || text.indexOf('<') === -1) return text;
    return text.replace(PLACEHOLDER_PATTERN, (token) => byToken.get(token) ?? token);
  }

  get size(): number {
    return this.#byToken.size;
  }
}
