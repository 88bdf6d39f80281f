/**
 * Model globs: `*` matches any run of characters, `?` one character; everything else is
 * literal. Matching is the two-pointer wildcard algorithm (no regex, no backtracking blow-up:
 * at worst pattern length × name length steps).
 */
export type NameMatcher = (name: string) => boolean;

export function compileGlobs(patterns: readonly string[]): NameMatcher {
  const exact = new Set<string>();
  const wild: string[] = [];
  for (const p of patterns) {
    if (p === '*') return () => true;
    if (p.includes('*') || p.includes('?')) wild.push(p);
    else exact.add(p);
  }
  return function matches(name: string): boolean {
    if (exact.has(name)) return true;
    for (const p of wild) if (globMatch(p, name)) return true;
    return false;
  };
}

/** A name with `*` or `?` is a pattern, e.g. a `models` entry routing `gpt-*`. */
export function isGlob(name: string): boolean {
  return name.includes('*') || name.includes('?');
}

export function globMatch(pattern: string, name: string): boolean {
  let p = 0;
  let n = 0;
  let star = -1;
  let mark = 0;
  while (n < name.length) {
    const c = pattern[p];
    if (c === '?' || (c !== undefined && c !== '*' && c === name[n])) {
      p++;
      n++;
    } else if (c === '*') {
      star = p++;
      mark = n;
    } else if (star !== -1) {
      p = star + 1;
      n = ++mark;
    } else {
      return false;
    }
  }
  while (pattern[p] === '*') p++;
  return p === pattern.length;
}
