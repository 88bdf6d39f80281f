import type { z } from 'zod';

/** The parts of a zod 4 definition we walk; read once per config load, never per request. */
interface Def {
  type: string;
  shape?: Record<string, z.ZodType>;
  innerType?: z.ZodType;
  valueType?: z.ZodType;
  element?: z.ZodType;
  in?: z.ZodType;
  options?: readonly z.ZodType[];
}

const WRAPPERS = new Set(['optional', 'default', 'prefault', 'nullable', 'readonly', 'catch']);

function defOf(schema: z.ZodType): Def {
  return schema._zod.def;
}

/** The schema under optional/default/pipe wrappers. */
function unwrap(schema: z.ZodType): z.ZodType {
  let s = schema;
  for (;;) {
    const def = defOf(s);
    if (WRAPPERS.has(def.type) && def.innerType !== undefined) s = def.innerType;
    else if (def.type === 'pipe' && def.in !== undefined) s = def.in;
    else return s;
  }
}

/** One step of a path: the child schema and the key as the config spells it, or the keys known here. */
type Step = { child: z.ZodType; key: string } | { known: readonly string[] };

/**
 * Steps into `schema` by `segment`, matched loosely (case and `_` ignored, so the env segment
 * `BODY_LIMIT_BYTES` finds `bodyLimitBytes`). A record takes any key, lower-cased.
 */
export function stepInto(schema: z.ZodType, segment: string): Step {
  const s = unwrap(schema);
  const def = defOf(s);
  if (def.type === 'object' && def.shape !== undefined) {
    const wanted = loose(segment);
    const key = Object.keys(def.shape).find((k) => loose(k) === wanted);
    const child = key === undefined ? undefined : def.shape[key];
    return key !== undefined && child !== undefined
      ? { child, key }
      : { known: Object.keys(def.shape) };
  }
  if (def.type === 'record' && def.valueType !== undefined) {
    return { child: def.valueType, key: segment.toLowerCase() };
  }
  if (def.type === 'union' && def.options !== undefined) {
    for (const option of def.options) {
      const step = stepInto(option, segment);
      if ('child' in step) return step;
    }
  }
  return { known: [] };
}

/** The keys of the object at `path` (as zod reports issue paths), for "did you mean". */
export function keysAt(schema: z.ZodType, path: readonly PropertyKey[]): readonly string[] {
  let s = schema;
  for (const segment of path) {
    const def = defOf(unwrap(s));
    if (typeof segment === 'number' && def.type === 'array' && def.element !== undefined) {
      s = def.element;
      continue;
    }
    const step = stepInto(s, String(segment));
    if (!('child' in step)) return [];
    s = step.child;
  }
  const def = defOf(unwrap(s));
  return def.type === 'object' && def.shape !== undefined ? Object.keys(def.shape) : [];
}

function loose(name: string): string {
  return name.replace(/_/g, '').toLowerCase();
}

/** The known name closest to a misspelt one: same letters in another case, or a typo or two. */
export function closest(word: string, known: readonly string[]): string | undefined {
  const lower = word.toLowerCase();
  const sameLetters = known.find((k) => k.toLowerCase() === lower);
  if (sameLetters !== undefined) return sameLetters;
  const allowed = word.length < 5 ? 1 : 2;
  let best: string | undefined;
  let bestDistance = allowed + 1;
  for (const k of known) {
    const d = editDistance(lower, k.toLowerCase());
    if (d < bestDistance) [best, bestDistance] = [k, d];
  }
  return best;
}

/** Edits between two names, a swap of neighbours counting as one (`prot` → `port`). */
function editDistance(a: string, b: string): number {
  let before: number[] = [];
  let prev = Array.from({ length: b.length + 1 }, (_v, i) => i);
  for (let i = 1; i <= a.length; i++) {
    const row = [i];
    for (let j = 1; j <= b.length; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      let d = Math.min((prev[j] ?? 0) + 1, (row[j - 1] ?? 0) + 1, (prev[j - 1] ?? 0) + cost);
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]) {
        d = Math.min(d, (before[j - 2] ?? 0) + 1);
      }
      row[j] = d;
    }
    [before, prev] = [prev, row];
  }
  return prev[b.length] ?? 0;
}
