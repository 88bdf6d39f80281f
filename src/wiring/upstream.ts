import { randomBytes } from 'node:crypto';
import type { SecretLookup } from '../config/startup-secrets.js';
import type { Config } from '../config/schema.js';
import type { Logger } from '../log/logger.js';
import { scrubber } from '../log/scrub.js';
import { Secret } from '../log/secret.js';
import { buildUpstreams, type Upstreams } from '../pipeline/upstream/build.js';
import { createCircuitRegistry, type CircuitSync } from '../pipeline/upstream/circuit.js';
import { startKeyAgeMonitor } from '../pipeline/upstream/key-age.js';
import type { PoolSync } from '../pipeline/upstream/pool-sync.js';
import type { MockProvider } from '../providers/mock/server.js';
import type { SecretResolver } from '../secrets/types.js';
import { createKeyAdmin, type KeyAdmin, type KeyAdminDeps } from '../server/admin/key-admin.js';
import type { ProviderKeyStore } from '../store/types.js';
import type { Clock } from '../util/clock.js';

export interface BuiltInMock {
  provider: MockProvider;
  origin: string;
  key: Secret;
}

/**
 * Mock mode: the built-in mock provider on loopback, with a random key no one else holds.
 * Imported only in mock mode: a gateway in front of real providers does not load it.
 */
export async function startBuiltInMock(): Promise<BuiltInMock> {
  const key = new Secret(`sk-mock-${randomBytes(16).toString('hex')}`);
  scrubber.addKnownSecret(key.reveal());
  const { createMockProvider } = await import('../providers/mock/server.js');
  const provider = createMockProvider({ apiKeys: [key.reveal()] });
  const url = await provider.listen(0, '127.0.0.1');
  return { provider, origin: new URL(url).origin, key };
}

/** Providers, key pools and breakers, and the run-time key admin that follows secret reloads. */
export async function buildUpstream(
  config: Config,
  deps: {
    secrets: SecretResolver;
    secretOf: SecretLookup;
    store: KeyAdminDeps['events'] & ProviderKeyStore;
    mock: BuiltInMock | undefined;
    clock: Clock;
    log: Logger;
  },
): Promise<{ upstreams: Upstreams; keyAdmin: KeyAdmin; watchKeyAge: () => () => void }> {
  const { secrets, secretOf, clock } = deps;
  const log = deps.log.child({ mod: 'upstream' });
  const sync = await openCircuitSync(config, secretOf, clock, log);
  const resolve: KeyAdminDeps['resolve'] = (ref, component) => secrets.handle(ref, { component });
  const { killSwitchPollMs, killSwitchMaxStaleMs } = config.policy;
  const upstreams = buildUpstreams(config, {
    resolveSecret: secretOf,
    mock: deps.mock && { origin: deps.mock.origin, key: deps.mock.key },
    circuits: createCircuitRegistry({ clock, log, sync }, config.upstream.circuit),
    clock,
    // Polled like kill switches, on the same schedule: a replica cut off from the store for
    // killSwitchMaxStaleMs refuses traffic, so one silent that long is gone or refusing.
    pools: {
      store: deps.store,
      resolve,
      log,
      pollMs: killSwitchPollMs,
      replicaStaleMs: killSwitchMaxStaleMs,
    },
  });
  // A reload or TTL refresh that changed a provider key swaps it into the pool keys using it.
  const keyAdmin = createKeyAdmin({
    providers: upstreams.providers,
    sync: upstreams.pools as PoolSync,
    // Long enough for a replica that just died to drop out of the fleet (stale) first.
    fleetWaitMs: killSwitchMaxStaleMs + 2 * killSwitchPollMs,
    clock,
    log,
    resolve,
    events: deps.store,
  });
  secrets.onChange((ref) => {
    // secretOf knows the refs resolved at start: not admin-added keys (keyAdmin follows
    // those), and a revoked key must stay without its value.
    for (const p of upstreams.providers.values())
      for (const k of p.pool.keys)
        if (k.ref === ref && k.source === 'config' && k.state !== 'revoked')
          k.secret = secretOf(ref);
    keyAdmin.onSecretChanged(ref);
  });
  const watchKeyAge = () => startKeyAgeMonitor({ providers: upstreams.providers, clock, log });
  return { upstreams, keyAdmin, watchKeyAge };
}

/**
 * Breakers are shared through Redis when counters are (`upstream.circuit.backend: auto`), on one
 * Redis endpoint: their keys and channel are not laid out for a cluster, so on a Redis Cluster
 * each replica keeps its own. The Redis client is imported only when used.
 */
export async function openCircuitSync(
  config: Config,
  secretOf: SecretLookup,
  clock: Clock,
  log: Logger,
): Promise<CircuitSync | undefined> {
  const { backend } = config.upstream.circuit;
  const isShared = config.limits.backend === 'redis' && !config.limits.redis.cluster;
  if (backend === 'memory' || (backend === 'auto' && !isShared)) {
    return undefined;
  }
  let lastLoggedMs = 0;
  const { createRedisCircuitSync } = await import('../store/redis/circuit-sync.js');
  return createRedisCircuitSync({
    url: secretOf(config.limits.redis.url).reveal(),
    keyPrefix: config.limits.redis.keyPrefix,
    commandTimeoutMs: config.limits.redis.commandTimeoutMs,
    now: () => clock.now(),
    onError: (err) => {
      if (clock.now() - lastLoggedMs < 10_000) return;
      lastLoggedMs = clock.now();
      log.warn({ event: 'circuit_sync_unavailable', err });
    },
  });
}
