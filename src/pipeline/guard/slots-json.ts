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
      if (typeof item === 'string') out.push(leaf(value, i, `${path}[${i}]`, changed));
      else walk(item, `${path}[${i}]`, out, changed);
    });
    return;
  }
  if (!isObject(value)) return;
  for (const key of Object.keys(value)) {
    const at = `${path}${keyPath(key)}`;
    let current = key;
    out.push({
      path: `${at}{key}`,
      get text() {
        return current;
      },
      set(text) {
        if (text === current) return;
        renameKey(value, current, text);
        current = text;
        changed();
      },
    });
    const item = value[key];
    if (typeof item === 'string')
      out.push({
        path: at,
        context: { before: `${JSON.stringify(key)}: "`, after: '"' },
        get text() {
          return value[current] as string;
        },
        set(text) {
          value[current] = text;
          changed();
        },
      });
    else walk(item, at, out, changed);
  }
}

function leaf(holder: unknown[], i: number, path: string, changed: () => void): JsonLeaf {
  return {
    path,
    get text() {
      return holder[i] as string;
    },
    set(text) {
      holder[i] = text;
      changed();
    },
  };
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
