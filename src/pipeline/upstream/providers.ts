import type { Secret } from '../../log/secret.js';
import type { UpstreamClient } from '../../providers/core/http.js';
import type { ProviderAdapter } from '../../providers/types.js';

/** A configured provider, ready to call: built once by app.ts. */
export interface ProviderRuntime {
  readonly id: string;
  readonly adapter: ProviderAdapter;
  readonly client: UpstreamClient;
  readonly key: Secret;
  readonly keyLabel: string;
  readonly staticHeaders: Readonly<Record<string, string>>;
}

export interface ModelRoute {
  readonly provider: ProviderRuntime;
  readonly upstreamModel: string | undefined;
}

export type ModelTable = ReadonlyMap<string, ModelRoute>;
