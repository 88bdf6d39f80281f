import type { Config, ProviderConfig } from '../../config/schema.js';
import { Secret } from '../../log/secret.js';
import { createAnthropicAdapter } from '../../providers/anthropic/adapter.js';
import { basePathOf, joinEndpointPath } from '../../providers/core/base-url.js';
import { createUpstreamClient } from '../../providers/core/http.js';
import { createOpenAiAdapter } from '../../providers/openai/adapter.js';
import { createBedrockAdapter } from '../../providers/bedrock/adapter.js';
import { createGeminiAdapter } from '../../providers/gemini/adapter.js';
import { awsRegionOf } from '../../config/provider-options.js';
import {
  createAzureOpenAiAdapter,
  DEFAULT_AZURE_API_VERSION,
} from '../../providers/azure-openai/adapter.js';
import { dialectOf, MODEL_IN_PATH, type ProviderAdapter } from '../../providers/types.js';
import type { Clock } from '../../util/clock.js';
import type { CircuitRegistry } from './circuit.js';
import { KeyPool, PoolKey, type PoolKeyInit } from './key-pool.js';
import { isGlob } from '../../policy/glob.js';
import { createModelTable, type PassthroughRoute, type PatternRoute } from './model-table.js';
import { createPoolGate } from './pool-gate.js';
import {
  createPoolSync,
  type PoolSync,
  type PoolSyncDeps,
  type PoolSyncOptions,
} from './pool-sync.js';
import type { ModelRoute, ModelTable, ProviderRuntime } from './providers.js';
import { resolveTimeouts } from './timeouts.js';
import { isDeepEqual } from '../../util/deep-equal.js';

export interface UpstreamsDeps {
  /** Resolves a secret reference (`env:…`, `file:…`) to a value held in memory only. */
  resolveSecret: (ref: string) => Secret;
  /** Mock mode: every provider points at the built-in mock with this key. */
  mock: { origin: string; key: Secret } | undefined;
  circuits: CircuitRegistry;
  clock: Clock;
  /** Store-backed pool state (pool-sync.ts); without it, pools live in this process only. */
  pools?: Omit<PoolSyncDeps, 'providers' | 'circuits' | 'clock'> & PoolSyncOptions;
}

export interface Upstreams {
  /** The same map for the gateway's life; a config reload updates its entries in place. */
  readonly providers: ReadonlyMap<string, ProviderRuntime>;
  /** Replaced by a config reload: read it per use, never keep it. */
  readonly models: ModelTable;
  readonly circuits: CircuitRegistry;
  /** The pools' state in the store, followed by polling; undefined when built without. */
  readonly pools: PoolSync | undefined;
  /**
   * Applies a reloaded config: a provider whose settings (and `upstream`) are unchanged keeps
   * its runtime (pool, run-time key changes, connections); a new or changed one is built
   * afresh. `retire()` closes the clients of changed or removed ones once their calls end.
   * Requests already routed keep the runtime they hold.
   */
  reconfigure(config: UpstreamsConfig): { retire: () => void };
  /** Loads shared breaker state (Redis) and the pools' state (store), and follows both. */
  start(): Promise<void>;
  close(): Promise<void>;
}

type UpstreamsConfig = Pick<Config, 'providers' | 'models' | 'upstream'>;

/** Builds every configured provider (pool, adapter, keys) and the model table. */
export function buildUpstreams(config: UpstreamsConfig, deps: UpstreamsDeps): Upstreams {
  const providers = new Map<string, ProviderRuntime>();
  let current = config;
  for (const [id, pc] of Object.entries(config.providers))
    providers.set(id, buildProvider(id, pc, config, deps));
  let models = buildModels(config, providers);
  const pools =
    deps.pools === undefined
      ? undefined
      : createPoolSync(
          { ...deps.pools, providers, circuits: deps.circuits, clock: deps.clock },
          deps.pools,
        );
  return {
    providers,
    get models() {
      return models;
    },
    circuits: deps.circuits,
    pools,
    reconfigure(next) {
      const isUpstreamSame = isDeepEqual(current.upstream, next.upstream);
      const retired: ProviderRuntime[] = [];
      for (const [id, runtime] of providers) {
        const pc = next.providers[id];
        if (pc === undefined || !isUpstreamSame || !isDeepEqual(current.providers[id], pc)) {
          retired.push(runtime);
          providers.delete(id);
        }
      }
      for (const [id, pc] of Object.entries(next.providers))
        if (!providers.has(id)) providers.set(id, buildProvider(id, pc, next, deps));
      models = buildModels(next, providers);
      current = next;
      // Pools rebuilt from the file take the store's lifecycle back at once.
      pools?.reapply();
      return {
        // Called once the new pipelines are in place. undici closes gracefully: calls
        // (streams included) already running finish first.
        retire() {
          for (const runtime of retired) void runtime.client.close().catch(() => undefined);
        },
      };
    },
    async start() {
      await deps.circuits.start();
      await pools?.start();
    },
    async close() {
      await pools?.stop();
      await Promise.all([...providers.values()].map((p) => p.client.close()));
      await deps.circuits.close();
    },
  };
}

function buildProvider(
  id: string,
  pc: ProviderConfig,
  config: UpstreamsConfig,
  deps: UpstreamsDeps,
): ProviderRuntime {
  const timeouts = resolveTimeouts(config.upstream, pc.timeouts, undefined);
  const pool = new KeyPool(id);
  for (const init of keyInits(id, pc, deps)) {
    pool.add(new PoolKey(id, init, deps.circuits.circuit(`${id}/${init.label}`), deps.clock.now()));
  }
  const adapter = createAdapter(pc);
  // The mock serves at its root; a real base URL keeps its path (providers/core/base-url.ts).
  const basePath = deps.mock === undefined ? basePathOf(pc.baseUrl) : '';
  const origin = deps.mock?.origin ?? new URL(pc.baseUrl).origin;
  return {
    id,
    adapter,
    origin,
    client: createUpstreamClient(origin, {
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
    pathFor: pathsOf(adapter, basePath),
    basePath,
  };
}

function buildModels(
  config: UpstreamsConfig,
  providers: ReadonlyMap<string, ProviderRuntime>,
): ModelTable {
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
  return splitModels(models, config, providers);
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
      passthrough.push({ kind: dialectOf(pc.kind), provider, timeouts });
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

/** The adapter of a provider's kind, with its kind's options. */
function createAdapter(pc: ProviderConfig): ProviderAdapter {
  switch (pc.kind) {
    case 'openai':
      return createOpenAiAdapter();
    case 'anthropic':
      return createAnthropicAdapter();
    case 'azure-openai':
      return createAzureOpenAiAdapter({
        apiVersion: pc.azure?.apiVersion ?? DEFAULT_AZURE_API_VERSION,
        auth: pc.azure?.auth ?? 'api-key',
      });
    case 'gemini':
      return createGeminiAdapter();
    case 'bedrock':
      return createBedrockAdapter({ region: awsRegionOf(pc) });
  }
}

/** Joins each endpoint's path to the base path once; the model is put in per request. */
function pathsOf(adapter: ProviderAdapter, basePath: string): ProviderRuntime['pathFor'] {
  const templates = new Map(
    [...adapter.paths].map(([endpoint, path]) => [endpoint, joinEndpointPath(basePath, path)]),
  );
  return (endpoint, upstreamModel) => {
    const template = templates.get(endpoint);
    return template?.includes(MODEL_IN_PATH) === true
      ? template.replace(MODEL_IN_PATH, encodeURIComponent(upstreamModel))
      : template;
  };
}
