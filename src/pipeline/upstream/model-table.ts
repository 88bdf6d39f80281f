import { globMatch } from '../../policy/glob.js';
import type { RouteId } from '../context.js';
import type { ModelRoute, ModelTable, ProviderRuntime } from './providers.js';
import type { TimeoutSettings } from './timeouts.js';

/** A `models` entry whose name has `*` or `?`: every matching name goes to its provider. */
export interface PatternRoute {
  readonly pattern: string;
  readonly provider: ProviderRuntime;
  readonly timeouts: TimeoutSettings;
  readonly fallbacks: readonly ModelRoute[];
}

/** A provider with `passthrough: true`: any other name of its dialect goes to it as sent. */
export interface PassthroughRoute {
  readonly kind: 'openai' | 'anthropic';
  readonly provider: ProviderRuntime;
  readonly timeouts: TimeoutSettings;
}

/** Routes built for pattern and pass-through names, kept so a hot name allocates once. */
const MAX_CACHED_ROUTES = 1_024;

/**
 * Resolution order: the exact name, then patterns (the longest first, so `gpt-4o-*` wins over
 * `gpt-*`), then the pass-through provider of the endpoint's dialect. Scopes and budgets see
 * the name the caller sent; a pattern or pass-through name is sent upstream unchanged.
 */
export function createModelTable(
  listed: ReadonlyMap<string, ModelRoute>,
  patterns: readonly PatternRoute[],
  passthrough: readonly PassthroughRoute[],
): ModelTable {
  const ordered = [...patterns].sort((a, b) => b.pattern.length - a.pattern.length);
  const cache = new Map<string, ModelRoute | null>();

  function build(name: string, route: RouteId): ModelRoute | undefined {
    const hit = ordered.find((p) => globMatch(p.pattern, name));
    if (hit !== undefined) {
      const { provider, timeouts, fallbacks } = hit;
      return { model: name, provider, upstreamModel: undefined, timeouts, fallbacks };
    }
    const kind = route === 'messages' ? 'anthropic' : 'openai';
    const open = passthrough.find((p) => p.kind === kind);
    if (open === undefined) return undefined;
    const { provider, timeouts } = open;
    return { model: name, provider, upstreamModel: undefined, timeouts, fallbacks: [] };
  }

  return {
    listed,
    labelOf(name) {
      if (listed.has(name)) return name;
      return ordered.find((p) => globMatch(p.pattern, name))?.pattern ?? 'passthrough';
    },
    resolve(name, route) {
      const exact = listed.get(name);
      if (exact !== undefined) return exact;
      if (ordered.length === 0 && passthrough.length === 0) return undefined;
      const key = `${route === 'messages' ? 'a' : 'o'}:${name}`;
      const cached = cache.get(key);
      if (cached !== undefined) return cached ?? undefined;
      const built = build(name, route);
      if (cache.size < MAX_CACHED_ROUTES) cache.set(key, built ?? null);
      return built;
    },
  };
}
