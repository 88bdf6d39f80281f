import type { KeyScopes, VirtualKeyRecord } from '../store/types.js';
import { compileIpRanges, type IpMatcher } from './cidr.js';
import { compileGlobs, type NameMatcher } from './glob.js';

/** A key's scopes, ready for the hot path. `undefined` fields do not restrict. */
export interface CompiledScopes {
  readonly models: NameMatcher | undefined;
  readonly endpoints: ReadonlySet<string> | undefined;
  readonly providers: ReadonlySet<string> | undefined;
  readonly ip: IpMatcher | undefined;
}

const NONE: CompiledScopes = {
  models: undefined,
  endpoints: undefined,
  providers: undefined,
  ip: undefined,
};
const MAX_CACHED = 10_000;

type ScopeLists = readonly (readonly string[] | undefined)[];

/**
 * Compiles each key's scopes once and reuses them until the stored scopes change (compared
 * entry by entry with a copy, which allocates nothing per request).
 */
export function createScopeCompiler(): (key: VirtualKeyRecord) => CompiledScopes {
  const cache = new Map<string, { lists: ScopeLists; compiled: CompiledScopes }>();
  return function compiledScopes(key: VirtualKeyRecord): CompiledScopes {
    const s = key.scopes;
    if (
      s.models === undefined &&
      s.endpoints === undefined &&
      s.providers === undefined &&
      s.ipRanges === undefined
    ) {
      return NONE;
    }
    const hit = cache.get(key.id);
    if (
      hit !== undefined &&
      sameList(hit.lists[0], s.models) &&
      sameList(hit.lists[1], s.endpoints) &&
      sameList(hit.lists[2], s.providers) &&
      sameList(hit.lists[3], s.ipRanges)
    ) {
      return hit.compiled;
    }
    if (cache.size >= MAX_CACHED) cache.clear();
    const compiled = compile(s);
    const lists = [s.models, s.endpoints, s.providers, s.ipRanges].map((l) => l && [...l]);
    cache.set(key.id, { lists, compiled });
    return compiled;
  };
}

function sameList(a: readonly string[] | undefined, b: readonly string[] | undefined): boolean {
  if (a === undefined || b === undefined) return a === b;
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

function compile(s: KeyScopes): CompiledScopes {
  let ip: IpMatcher | undefined;
  if (s.ipRanges !== undefined) {
    try {
      ip = compileIpRanges(s.ipRanges);
    } catch {
      // Ranges are validated when set; a bad one found here can only deny (fail closed).
      ip = () => false;
    }
  }
  return {
    models: s.models === undefined ? undefined : compileGlobs(s.models),
    endpoints: s.endpoints === undefined ? undefined : new Set(s.endpoints),
    providers: s.providers === undefined ? undefined : new Set(s.providers),
    ip,
  };
}
