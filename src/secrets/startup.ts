import type { Config } from '../config/schema.js';
import type { Secret } from '../log/secret.js';
import { secretError } from './errors.js';
import type { SecretHandle, SecretResolver } from './types.js';

export interface StartupRef {
  readonly ref: string;
  readonly component: string;
}

/** A synchronous view of secrets resolved at start, for factories that take `(ref) => Secret`. */
export type SecretLookup = (ref: string) => Secret;

/**
 * The references the gateway needs before it can serve: provider keys (not in mock mode, not
 * revoked) and the PostgreSQL URL. Each carries the component that uses it, for the audit.
 */
export function startupSecretRefs(
  config: Pick<Config, 'stores' | 'providers'>,
  isMockMode: boolean,
): StartupRef[] {
  const refs: StartupRef[] = [];
  if (config.stores.kind === 'postgres')
    refs.push({ ref: config.stores.postgres.url, component: 'store:postgres' });
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
