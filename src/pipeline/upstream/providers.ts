import type { UpstreamClient } from '../../providers/core/http.js';
import type { Endpoint, ProviderAdapter } from '../../providers/types.js';
import type { RouteId } from '../route-id.js';
import type { KeyPool } from './key-pool.js';
import type { PoolGate } from './pool-gate.js';
import type { TimeoutSettings } from './timeouts.js';

/** Where the request goes, written once by route. */
export interface Target {
  readonly model: string;
  readonly provider: ProviderRuntime;
  readonly upstreamModel: string | undefined;
}

/** A configured provider, ready to call: built once at start (build.ts). */
export interface ProviderRuntime {
  readonly id: string;
  readonly adapter: ProviderAdapter;
  readonly client: UpstreamClient;
  /** Admission to `client`'s connections: per-caller share and a bounded wait. */
  readonly gate: PoolGate;
  /** Its upstream keys; the admin API adds keys and changes their weights and states. */
  readonly pool: KeyPool;
  readonly staticHeaders: Readonly<Record<string, string>>;
  /** Scheme, host and port requests go to (the mock's in mock mode). */
  readonly origin: string;
  /**
   * Request path (and query) of an endpoint for one upstream model, under the base URL's own
   * path (providers/core/base-url.ts).
   */
  pathFor(endpoint: Endpoint, upstreamModel: string, isStream: boolean): string | undefined;
  /** The base URL's path, for request paths that depend on the model (translated requests). */
  readonly basePath: string;
}

/**
 * A model callers may name, resolved once at start. It is the request's `Target` as is, so
 * routing allocates nothing.
 */
export interface ModelRoute extends Target {
  readonly timeouts: TimeoutSettings;
  /** Models tried in order when every key of this one failed or is unavailable. */
  readonly fallbacks: readonly ModelRoute[];
}

/** The models callers may name (model-table.ts builds it from `models` and pass-through providers). */
export interface ModelTable {
  /** Entries configured by exact name: what `GET /v1/models` lists and fallbacks name. */
  readonly listed: ReadonlyMap<string, ModelRoute>;
  /** The route for the name a caller sent on a route; undefined when it is not served. */
  resolve(name: string, route: RouteId): ModelRoute | undefined;
  /** A bounded label for a served name: itself when listed, else its pattern or `passthrough`. */
  labelOf(name: string): string;
}
