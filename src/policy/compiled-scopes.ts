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

/** Compiles each key's scopes once and reuses them until the stored scopes change. */
export function createScopeCompiler(): (key: VirtualKeyRecord) => CompiledScopes {
  const cache = new Map<string, { json: string; compiled: CompiledScopes }>();
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
    const json = JSON.stringify([s.models, s.endpoints, s.providers, s.ipRanges]);
    const hit = cache.get(key.id);
    if (hit?.json === json) return hit.compiled;
    if (cache.size >= MAX_CACHED) cache.clear();
    const compiled = compile(s);
    cache.set(key.id, { json, compiled });
    return compiled;
  };
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
