import type { JsonValue } from './canonical.js';
import { malformed, notTranslatable } from './translator.js';

/**
 * Readers for translators: each returns the field in the type it must have, or throws the
 * typed error naming its path (`messages[2].content`). `null` reads as absent, as the SDKs
 * send it for unset options.
 */
export type Obj = Record<string, unknown>;

export const isObj = (v: unknown): v is Obj =>
  typeof v === 'object' && v !== null && !Array.isArray(v);

export function obj(v: unknown, path: string): Obj {
  if (!isObj(v)) throw malformed(path);
  return v;
}

export function optObj(v: unknown, path: string): Obj | undefined {
  return v === undefined || v === null ? undefined : obj(v, path);
}

export function arr(v: unknown, path: string): unknown[] {
  if (!Array.isArray(v)) throw malformed(path);
  return v;
}

export function optArr(v: unknown, path: string): unknown[] | undefined {
  return v === undefined || v === null ? undefined : arr(v, path);
}

export function str(v: unknown, path: string): string {
  if (typeof v !== 'string') throw malformed(path);
  return v;
}

export function optStr(v: unknown, path: string): string | undefined {
  return v === undefined || v === null ? undefined : str(v, path);
}

export function optNum(v: unknown, path: string): number | undefined {
  if (v === undefined || v === null) return undefined;
  if (typeof v !== 'number' || !Number.isFinite(v)) throw malformed(path);
  return v;
}

export function optBool(v: unknown, path: string): boolean | undefined {
  if (v === undefined || v === null) return undefined;
  if (typeof v !== 'boolean') throw malformed(path);
  return v;
}

/** A JSON Schema or arguments object, checked to be a plain object. */
export function jsonObject(v: unknown, path: string): { [k: string]: JsonValue } {
  return obj(v, path) as { [k: string]: JsonValue };
}

/**
 * Refuses every field of `o` that is not in `known` and is set (not `null`, and not the
 * value that means "off" in `harmless`): it would be dropped by translation otherwise.
 */
export function refuseUnknown(
  o: Obj,
  known: ReadonlySet<string>,
  prefix: string,
  harmless: Readonly<Record<string, unknown>> = {},
): void {
  for (const key of Object.keys(o)) {
    if (known.has(key)) continue;
    const value = o[key];
    if (value === undefined || value === null) continue;
    if (key in harmless && harmless[key] === value) continue;
    throw notTranslatable(`${prefix}${key}`);
  }
}

/** Tool arguments JSON text as an object (Anthropic's `input`, Gemini's `args`). */
export function parseArguments(text: string, path: string): { [k: string]: JsonValue } {
  if (text.trim() === '') return {};
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    throw malformed(path);
  }
  return jsonObject(value, path);
}

/** `data:image/png;base64,AAAA` as media type and data; undefined for any other URL. */
export function parseDataUrl(url: string): { mediaType: string; data: string } | undefined {
  const match = /^data:([a-z]+\/[a-z0-9.+-]+);base64,/i.exec(url);
  if (match === null) return undefined;
  return { mediaType: match[1] as string, data: url.slice(match[0].length) };
}

export type Mutable<T> = { -readonly [K in keyof T]: T[K] };

/** Sets an optional field only when it has a value (so absent stays absent, not `undefined`). */
export function setIf<T extends object, K extends keyof T>(
  target: T,
  key: K,
  value: T[K] | undefined,
): void {
  if (value !== undefined) target[key] = value;
}
