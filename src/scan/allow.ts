import ignore from 'ignore';

/** What the scanner may skip: paths not read, rules not run, findings not reported. */
export interface AllowList {
  readonly paths: readonly string[];
  readonly rules: readonly string[];
  readonly fingerprints: readonly string[];
}

export function mergeAllowLists(a: AllowList, b: AllowList): AllowList {
  return {
    paths: [...a.paths, ...b.paths],
    rules: [...a.rules, ...b.rules],
    fingerprints: [...a.fingerprints, ...b.fingerprints],
  };
}

/** Path patterns use gitignore syntax, matched against `/`-separated relative paths. */
export function createPathFilter(patterns: readonly string[]): (rel: string) => boolean {
  if (patterns.length === 0) return () => false;
  const rules = ignore().add([...patterns]);
  return (rel) => rel !== '' && !rel.startsWith('../') && rules.ignores(rel);
}
