import type { Config } from './schema.js';
import { Secret } from '../log/secret.js';
import { secretError } from '../secrets/errors.js';
import type { SecretHandle, SecretResolver } from '../secrets/types.js';

export interface StartupRef {
  readonly ref: string;
  readonly component: string;
}

/** A synchronous view of secrets resolved at start, for factories that take `(ref) => Secret`. */
export type SecretLookup = (ref: string) => Secret;

/**
 * The references the gateway needs before it can serve: provider keys (not in mock mode, not
 * revoked), the PostgreSQL and Redis URLs, the alert webhook's signing secret and the
 * moderation hook's headers. Each carries the component that uses it, for the audit.
 */
export function startupSecretRefs(
  config: Pick<Config, 'stores' | 'providers'> &
    Partial<Pick<Config, 'limits' | 'upstream' | 'alerts' | 'guard'>>,
  isMockMode: boolean,
): StartupRef[] {
  const refs: StartupRef[] = [];
  if (config.stores.kind === 'postgres')
    refs.push({ ref: config.stores.postgres.url, component: 'store:postgres' });
  const { limits, upstream, alerts, guard } = config;
  if (limits !== undefined && (limits.backend === 'redis' || upstream?.circuit.backend === 'redis'))
    refs.push({ ref: limits.redis.url, component: 'limits:redis' });
  if (alerts?.webhookSecret !== undefined)
    refs.push({ ref: alerts.webhookSecret, component: 'alerts:webhook' });
  if (guard !== undefined) {
    const hooks = [
      guard.output.moderation,
      ...Object.values(guard.environments).map((o) => o?.output?.moderation),
    ];
    for (const hook of hooks)
      for (const ref of Object.values(hook?.headers ?? {}))
        refs.push({ ref, component: 'guard:moderation' });
  }
  if (isMockMode) return refs;
  for (const [id, pc] of Object.entries(config.providers)) {
    if (pc.apiKey !== undefined) refs.push({ ref: pc.apiKey, component: `provider:${id}` });
    for (const key of pc.keys ?? []) {
      if (key.state !== 'revoked')
        refs.push({ ref: key.apiKey, component: `provider:${id}/${key.label}` });
    }
  }
  return refs;
}

/**
 * Resolves every reference through the resolver (async, all at once, failing start on the
 * first error) and returns a lookup that always gives the latest value (reload, TTL).
 */
export async function preloadSecrets(
  resolver: SecretResolver,
  refs: readonly StartupRef[],
): Promise<SecretLookup> {
  const handles = new Map<string, SecretHandle>();
  await Promise.all(
    refs.map(async ({ ref, component }) => {
      handles.set(ref, await resolver.handle(ref, { component }));
    }),
  );
  return function secretOf(ref) {
    const handle = handles.get(ref);
    if (handle === undefined)
      throw secretError('secret_unavailable', ref, 'this reference was not resolved at start');
    return handle.current();
  };
}

/**
 * A `Secret` that always reveals the reference's latest value (after a reload or TTL
 * refresh), for code that keeps a `Secret` for its whole life.
 */
export function liveSecret(lookup: SecretLookup, ref: string): Secret {
  lookup(ref); // fails now, at start, when the reference was not resolved
  return new LiveSecret(() => lookup(ref));
}

class LiveSecret extends Secret {
  readonly #current: () => Secret;

  constructor(current: () => Secret) {
    super('');
    this.#current = current;
  }

  override reveal(): string {
    return this.#current().reveal();
  }
}
