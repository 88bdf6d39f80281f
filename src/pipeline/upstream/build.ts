import type { Config, ProviderConfig } from '../../config/schema.js';
import { Secret } from '../../log/secret.js';
import { createAnthropicAdapter } from '../../providers/anthropic/adapter.js';
import { basePathOf, joinEndpointPath } from '../../providers/core/base-url.js';
import { createUpstreamClient } from '../../providers/core/http.js';
import { createOpenAiAdapter } from '../../providers/openai/adapter.js';
import type { Clock } from '../../util/clock.js';
import type { CircuitRegistry } from './circuit.js';
import { KeyPool, PoolKey, type PoolKeyInit } from './key-pool.js';
import { isGlob } from '../../policy/glob.js';
import { createModelTable, type PassthroughRoute, type PatternRoute } from './model-table.js';
import { createPoolGate } from './pool-gate.js';
import type { ModelRoute, ModelTable, ProviderRuntime } from './providers.js';
import { resolveTimeouts } from './timeouts.js';

export interface UpstreamsDeps {
  /** Resolves a secret reference (`env:…`, `file:…`) to a value held in memory only. */
  resolveSecret: (ref: string) => Secret;
  /** Mock mode: every provider points at the built-in mock with this key. */
  mock: { origin: string; key: Secret } | undefined;
  circuits: CircuitRegistry;
  clock: Clock;
}

export interface Upstreams {
  readonly providers: ReadonlyMap<string, ProviderRuntime>;
  readonly models: ModelTable;
  readonly circuits: CircuitRegistry;
  /** Loads shared breaker state (Redis) and follows it. */
  start(): Promise<void>;
  close(): Promise<void>;
}

/** Builds every configured provider (pool, adapter, keys) and the model table, once at start. */
export function buildUpstreams(
  config: Pick<Config, 'providers' | 'models' | 'upstream'>,
  deps: UpstreamsDeps,
): Upstreams {
  const providers = new Map<string, ProviderRuntime>();
  for (const [id, pc] of Object.entries(config.providers)) {
    const timeouts = resolveTimeouts(config.upstream, pc.timeouts, undefined);
    const pool = new KeyPool(id);
    for (const init of keyInits(id, pc, deps)) {
      pool.add(
        new PoolKey(id, init, deps.circuits.circuit(`${id}/${init.label}`), deps.clock.now()),
      );
    }
    const adapter = pc.kind === 'openai' ? createOpenAiAdapter() : createAnthropicAdapter();
    // The mock serves at its root; a real base URL keeps its path (providers/core/base-url.ts).
    const basePath = deps.mock === undefined ? basePathOf(pc.baseUrl) : '';
    providers.set(id, {
      id,
      adapter,
      client: createUpstreamClient(deps.mock?.origin ?? new URL(pc.baseUrl).origin, {
        connectTimeoutMs: timeouts.connectTimeoutMs,
        connections: config.upstream.connections,
      }),
      gate: createPoolGate({
        capacity: config.upstream.connections,
        reserved: Math.max(
          1,
          Math.ceil((config.upstream.connections * config.upstream.reservedConnectionsPct) / 100),
        ),
        waitMs: config.upstream.connectionWaitMs,
      }),
      pool,
      staticHeaders: pc.headers,
      basePath,
      paths: new Map(
        [...adapter.paths].map(([endpoint, path]) => [endpoint, joinEndpointPath(basePath, path)]),
      ),
    });
  }
  const models = new Map<string, ModelRoute & { fallbacks: ModelRoute[] }>();
  for (const [name, mc] of Object.entries(config.models)) {
    models.set(name, {
      model: name,
      provider: providers.get(mc.provider) as ProviderRuntime,
      upstreamModel: mc.upstreamModel,
      timeouts: resolveTimeouts(
        config.upstream,
        config.providers[mc.provider]?.timeouts,
        mc.timeouts,
      ),
      fallbacks: [],
    });
  }
  // Second pass: fallbacks name other models (config load checked they exist and match).
  for (const [name, mc] of Object.entries(config.models)) {
    const route = models.get(name);
    for (const fallback of mc.fallbacks) {
      const target = models.get(fallback);
      if (route !== undefined && target !== undefined) route.fallbacks.push(target);
    }
  }
  return {
    providers,
    models: splitModels(models, config, providers),
    circuits: deps.circuits,
    start: () => deps.circuits.start(),
    async close() {
      await Promise.all([...providers.values()].map((p) => p.client.close()));
      await deps.circuits.close();
    },
  };
}

/** Exact names are listed; `gpt-*` entries and pass-through providers resolve other names. */
function splitModels(
  all: ReadonlyMap<string, ModelRoute>,
  config: Pick<Config, 'providers' | 'upstream'>,
  providers: ReadonlyMap<string, ProviderRuntime>,
): ModelTable {
  const listed = new Map<string, ModelRoute>();
  const patterns: PatternRoute[] = [];
  for (const [name, route] of all) {
    if (isGlob(name)) patterns.push({ ...route, pattern: name });
    else listed.set(name, route);
  }
  const passthrough: PassthroughRoute[] = [];
  for (const [id, pc] of Object.entries(config.providers)) {
    const provider = providers.get(id);
    if (pc.passthrough && provider !== undefined) {
      const timeouts = resolveTimeouts(config.upstream, pc.timeouts, undefined);
      passthrough.push({ kind: pc.kind, provider, timeouts });
    }
  }
  return createModelTable(listed, patterns, passthrough);
}

/** The single `apiKey` form is a pool of one. Revoked keys are listed but never resolved. */
function keyInits(id: string, pc: ProviderConfig, deps: UpstreamsDeps): PoolKeyInit[] {
  const configured = pc.keys ?? [
    {
      label: pc.keyLabel ?? `${id}-1`,
      apiKey: pc.apiKey ?? '',
      weight: 1,
      state: 'active' as const,
      createdAt: pc.keyCreatedAt,
    },
  ];
  return configured.map((k) => ({
    label: k.label,
    secret:
      deps.mock?.key ?? (k.state === 'revoked' ? new Secret('') : deps.resolveSecret(k.apiKey)),
    ref: deps.mock === undefined ? k.apiKey : undefined,
    weight: k.weight,
    state: k.state,
    createdAtMs: k.createdAt === undefined ? null : Date.parse(k.createdAt),
    source: 'config',
  }));
}
