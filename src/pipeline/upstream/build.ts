import type { Config } from '../../config/schema.js';
import type { Secret } from '../../log/secret.js';
import { createAnthropicAdapter } from '../../providers/anthropic/adapter.js';
import { createUpstreamClient } from '../../providers/core/http.js';
import { createOpenAiAdapter } from '../../providers/openai/adapter.js';
import type { CircuitRegistry } from './circuit.js';
import type { ModelRoute, ModelTable, ProviderRuntime } from './providers.js';
import { resolveTimeouts } from './timeouts.js';

export interface UpstreamsDeps {
  /** Resolves a secret reference (`env:…`, `file:…`) to a value held in memory only. */
  resolveSecret: (ref: string) => Secret;
  /** Mock mode: every provider points at the built-in mock with this key. */
  mock: { origin: string; key: Secret } | undefined;
  circuits: CircuitRegistry;
}

export interface Upstreams {
  readonly providers: ReadonlyMap<string, ProviderRuntime>;
  readonly models: ModelTable;
  readonly circuits: CircuitRegistry;
  /** Loads shared breaker state (Redis) and follows it. */
  start(): Promise<void>;
  close(): Promise<void>;
}

/** Builds every configured provider (pool, adapter, key) and the model table, once at start. */
export function buildUpstreams(
  config: Pick<Config, 'providers' | 'models' | 'upstream'>,
  deps: UpstreamsDeps,
): Upstreams {
  const providers = new Map<string, ProviderRuntime>();
  const providerTimeouts = new Map<string, ReturnType<typeof resolveTimeouts>>();
  for (const [id, pc] of Object.entries(config.providers)) {
    const timeouts = resolveTimeouts(config.upstream, pc.timeouts, undefined);
    providerTimeouts.set(id, timeouts);
    const origin = deps.mock?.origin ?? new URL(pc.baseUrl).origin;
    const keyLabel = pc.keyLabel ?? `${id}-1`;
    providers.set(id, {
      id,
      adapter: pc.kind === 'openai' ? createOpenAiAdapter() : createAnthropicAdapter(),
      client: createUpstreamClient(origin, {
        connectTimeoutMs: timeouts.connectTimeoutMs,
        connections: config.upstream.connections,
      }),
      key: deps.mock?.key ?? deps.resolveSecret(pc.apiKey),
      keyLabel,
      circuit: deps.circuits.circuit(`${id}/${keyLabel}`),
      staticHeaders: pc.headers,
    });
  }
  const models = new Map<string, ModelRoute>();
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
    });
  }
  return {
    providers,
    models,
    circuits: deps.circuits,
    start: () => deps.circuits.start(),
    async close() {
      await Promise.all([...providers.values()].map((p) => p.client.close()));
      await deps.circuits.close();
    },
  };
}
