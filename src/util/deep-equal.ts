/** Structural equality of JSON-shaped values (parsed config): same keys, same values, same order of arrays. */
export function isDeepEqual(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (typeof a !== 'object' || typeof b !== 'object' || a === null || b === null) return false;
  if (Array.isArray(a) !== Array.isArray(b)) return false;
  const keysA = Object.keys(a);
  const keysB = Object.keys(b);
  if (keysA.length !== keysB.length) return false;
  const recA = a as Record<string, unknown>;
  const recB = b as Record<string, unknown>;
  return keysA.every((k) => Object.hasOwn(recB, k) && isDeepEqual(recA[k], recB[k]));
}

/**
 * The dotted paths, at most `depth` levels deep, under which two JSON-shaped values differ
 * (`models.gpt-4.1`, `policy.environments`). Values are never part of the answer.
 */
export function differingPaths(a: unknown, b: unknown, depth: number, prefix = ''): string[] {
  if (isDeepEqual(a, b)) return [];
  const isRecord = (v: unknown): v is Record<string, unknown> =>
    typeof v === 'object' && v !== null && !Array.isArray(v);
  if (depth === 0 || !isRecord(a) || !isRecord(b)) return [prefix === '' ? '(top level)' : prefix];
  const keys = [...new Set([...Object.keys(a), ...Object.keys(b)])].sort();
  return keys.flatMap((k) =>
    differingPaths(a[k], b[k], depth - 1, prefix === '' ? k : `${prefix}.${k}`),
  );
}
