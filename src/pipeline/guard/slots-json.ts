import { MAX_JSON_DEPTH, nestsDeeperThan } from './json-depth.js';

/**
 * Tool-call arguments and inputs as text slots: every string value and every key of a JSON
 * value, decoded, so a guard sees `anna@example.com` even when the caller wrote
 * `anna\u0040example.com` inside an arguments string, and a rewrite never breaks the JSON.
 */

type Json = Record<string, unknown>;

/**
 * Bounds on the per-field walk: each rewrite renames a key in place or serialises the whole
 * text again, so a field of many matches costs (matches x size). Above them, JSON text is
 * screened as one text slot (as any non-JSON text), and a JSON value is refused by the caller.
 */
export const MAX_JSON_SLOT_TEXT = 32 * 1024;
export const MAX_JSON_SLOT_LEAVES = 1_000;

export interface JsonLeaf {
  /** `.to`, `[2].name`, `{key}` for an object key. */
  readonly path: string;
  readonly text: string;
  /** For a value under a key: the JSON around it (`"password": "` … `"`), for keyword rules. */
  readonly context?: { readonly before: string; readonly after: string };
  set(text: string): void;
}

const isObject = (v: unknown): v is Json =>
  typeof v === 'object' && v !== null && !Array.isArray(v);

const keyPath = (key: string) => (/^[A-Za-z_][A-Za-z0-9_]*$/.test(key) ? `.${key}` : `["…"]`);

/** Renames `from` to `to` in place, keeping the key order (a later duplicate key wins). */
function renameKey(obj: Json, from: string, to: string): void {
  const entries = Object.entries(obj);
  for (const k of Object.keys(obj)) delete obj[k];
  for (const [k, v] of entries) obj[k === from ? to : k] = v;
}

function walk(value: unknown, path: string, out: JsonLeaf[], changed: () => void): void {
  if (Array.isArray(value)) {
    value.forEach((item, i) => {
      if (typeof item === 'string') out.push(new ItemLeaf(value, i, `${path}[${i}]`, changed));
      else walk(item, `${path}[${i}]`, out, changed);
    });
    return;
  }
  if (!isObject(value)) return;
  for (const key of Object.keys(value)) {
    const at = `${path}${keyPath(key)}`;
    const name = new KeyLeaf(value, key, `${at}{key}`, changed);
    out.push(name);
    const item = value[key];
    if (typeof item === 'string') out.push(new ValueLeaf(value, name, at, changed));
    else walk(item, at, out, changed);
  }
}

// The leaves are classes, not object literals with a `get text()`: V8 builds such a literal
// through the runtime, about 1.5 µs each, and tool arguments can have hundreds of leaves.

/** An object key: renamed in place, so its value's leaf follows it. */
class KeyLeaf implements JsonLeaf {
  readonly #holder: Json;
  readonly #changed: () => void;
  #current: string;

  constructor(
    holder: Json,
    key: string,
    readonly path: string,
    changed: () => void,
  ) {
    this.#holder = holder;
    this.#current = key;
    this.#changed = changed;
  }

  get text(): string {
    return this.#current;
  }

  set(text: string): void {
    if (text === this.#current) return;
    renameKey(this.#holder, this.#current, text);
    this.#current = text;
    this.#changed();
  }
}

/** The string value under a key, read under the key's current name. */
class ValueLeaf implements JsonLeaf {
  readonly context: { readonly before: string; readonly after: string };
  readonly #holder: Json;
  readonly #key: KeyLeaf;
  readonly #changed: () => void;

  constructor(
    holder: Json,
    key: KeyLeaf,
    readonly path: string,
    changed: () => void,
  ) {
    this.#holder = holder;
    this.#key = key;
    this.#changed = changed;
    this.context = { before: `${JSON.stringify(key.text)}: "`, after: '"' };
  }

  get text(): string {
    return this.#holder[this.#key.text] as string;
  }

  set(text: string): void {
    this.#holder[this.#key.text] = text;
    this.#changed();
  }
}

/** A string item of an array. */
class ItemLeaf implements JsonLeaf {
  readonly #holder: unknown[];
  readonly #index: number;
  readonly #changed: () => void;

  constructor(
    holder: unknown[],
    index: number,
    readonly path: string,
    changed: () => void,
  ) {
    this.#holder = holder;
    this.#index = index;
    this.#changed = changed;
  }

  get text(): string {
    return this.#holder[this.#index] as string;
  }

  set(text: string): void {
    this.#holder[this.#index] = text;
    this.#changed();
  }
}

/**
 * The strings and keys of a JSON value held in the body (Anthropic `tool_use.input`);
 * undefined above `MAX_JSON_SLOT_LEAVES`.
 */
export function jsonValueLeaves(value: unknown, path: string): JsonLeaf[] | undefined {
  const out: JsonLeaf[] = [];
  walk(value, path, out, () => undefined);
  return out.length > MAX_JSON_SLOT_LEAVES ? undefined : out;
}

/**
 * The strings and keys of JSON text (an `arguments` string); each `set` writes the text back
 * through `write`. Undefined when the text is not a JSON object or array (screen it as text).
 */
export function jsonTextLeaves(
  text: string,
  path: string,
  write: (text: string) => void,
): JsonLeaf[] | undefined {
  const start = text.trimStart()[0];
  if (start !== '{' && start !== '[') return undefined;
  if (text.length > MAX_JSON_SLOT_TEXT) return undefined;
  if (nestsDeeperThan(Buffer.from(text), MAX_JSON_DEPTH)) return undefined;
  let root: unknown;
  try {
    root = JSON.parse(text);
  } catch {
    return undefined;
  }
  const out: JsonLeaf[] = [];
  walk(root, path, out, () => write(JSON.stringify(root)));
  return out.length > MAX_JSON_SLOT_LEAVES ? undefined : out;
}
