import type { Secret } from '../../log/secret.js';
import type { UpstreamClient } from '../../providers/core/http.js';
import type { ProviderAdapter } from '../../providers/types.js';
import type { Target } from '../context.js';
import type { Circuit } from './circuit.js';
import type { TimeoutSettings } from './timeouts.js';

/** A configured provider, ready to call: built once by app.ts. */
export interface ProviderRuntime {
  readonly id: string;
  readonly adapter: ProviderAdapter;
  readonly client: UpstreamClient;
  readonly key: Secret;
  readonly keyLabel: string;
  /** The breaker of this provider's key. */
  readonly circuit: Circuit;
  readonly staticHeaders: Readonly<Record<string, string>>;
}

/**
 * A model callers may name, resolved once at start. It is the request's `Target` as is, so
 * routing allocates nothing.
 */
export interface ModelRoute extends Target {
  readonly timeouts: TimeoutSettings;
}

export type ModelTable = ReadonlyMap<string, ModelRoute>;
