import type { UpstreamClient } from '../../providers/core/http.js';
import type { ProviderAdapter } from '../../providers/types.js';
import type { KeyPool } from './key-pool.js';
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
  /** Its upstream keys; the admin API adds keys and changes their weights and states. */
  readonly pool: KeyPool;
  readonly staticHeaders: Readonly<Record<string, string>>;
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

export type ModelTable = ReadonlyMap<string, ModelRoute>;
