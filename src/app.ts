import { mkdirSync } from 'node:fs';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { dirname } from 'node:path';
import { randomBytes } from 'node:crypto';
import type { LoadedConfig } from './config/load.js';
import { resolveSecretRef } from './config/refs.js';
import type { Config } from './config/schema.js';
import { Secret } from './log/secret.js';
import { scrubber } from './log/scrub.js';
import type { Logger } from './log/logger.js';
import { createAuditReadyStage } from './pipeline/audit/ready.js';
import { createAuditChain } from './pipeline/audit/chain.js';
import { configuredChainKeyring } from './pipeline/audit/chain-key.js';
import { buildAuditRecord } from './pipeline/audit/record.js';
import { createAuditWriter, type AuditWriter } from './pipeline/audit/writer.js';
import { createAuthenticateStage } from './pipeline/auth/authenticate.js';
import { createJwtVerifier } from './pipeline/auth/jwt.js';
import { createGuardStages } from './pipeline/guard/build.js';
import { configuredUserIdKey, createEndUserPseudonym } from './pipeline/audit/user-id.js';
import { createReadBodyStage } from './pipeline/guard/read-body.js';
import { createValidateStage } from './pipeline/guard/validate.js';
import { buildPipelines } from './pipeline/order.js';
import { createUpstreamStage, type UpstreamDeps } from './pipeline/upstream/call.js';
import { createListModelsStage } from './pipeline/upstream/list-models.js';
import { buildUpstreams, type Upstreams } from './pipeline/upstream/build.js';
import { createCircuitRegistry, type CircuitSync } from './pipeline/upstream/circuit.js';
import { createKeyAdmin } from './pipeline/upstream/key-admin.js';
import { startKeyAgeMonitor } from './pipeline/upstream/key-age.js';
import { createRouteStage } from './pipeline/upstream/route.js';
import { providerRoutes } from './server/admin/providers.js';
import { createRedisCircuitSync } from './store/redis/circuit-sync.js';
import { createMockProvider, type MockProvider } from './providers/mock/server.js';
import { policyAdminRoutes } from './server/admin/policy-routes.js';
import { createAdminRouter } from './server/admin/router.js';
import { secretRoutes } from './server/admin/secrets.js';
import { adminTokenFromEnv } from './server/admin/token.js';
import { createControlPlane } from './server/control-plane.js';
import { createCors } from './server/cors.js';
import { createMetrics, type Metrics } from './telemetry/metrics.js';
import { createDataPlane } from './server/data-plane.js';
import { createPostgresStore } from './store/postgres/postgres-store.js';
import { createSqliteStore } from './store/sqlite/sqlite-store.js';
import { createMemoryLimitBackend } from './limits/memory.js';
import { createRedisLimitBackend } from './limits/redis.js';
import type { LimitBackend } from './limits/types.js';
import { createPolicyRuntime, type PolicyRuntime } from './policy/runtime.js';
import type { Store } from './store/types.js';
import { systemClock, type Clock } from './util/clock.js';
import { createConfiguredResolver } from './secrets/from-config.js';
import {
  liveSecret,
  preloadSecrets,
  startupSecretRefs,
  type SecretLookup,
} from './secrets/startup.js';
import type { SecretResolver } from './secrets/types.js';
import { reloadTlsOnChange, resolveTls, type TlsConfig, type TlsSource } from './server/tls.js';

export interface AppDeps {
  env: NodeJS.ProcessEnv;
  log: Logger;
  clock?: Clock;
  /** Retry sleep and jitter source; tests inject them so no test waits on a real backoff. */
  upstream?: Partial<UpstreamDeps>;
}

export interface App {
  readonly store: Store;
  readonly audit: AuditWriter;
  /** The built-in mock provider, when no real provider is configured. */
  readonly mock: MockProvider | undefined;
  /** Upstream providers, key pools and breakers (admin API, tests). */
  readonly upstreams: Upstreams;
  start(): Promise<{ dataUrl: string; controlUrl: string | undefined }>;
  /** Access policy and spend control: counters, kill switches, alerts (admin API, tests). */
  readonly policy: PolicyRuntime;
  /** Secret references in memory; `secrets.reload()` is what SIGHUP and the admin call run. */
  readonly secrets: SecretResolver;
  /** Stops accepting, lets in-flight requests finish (up to the grace period), flushes the audit log. */
  stop(): Promise<void>;
}

/** The composition root: the only place that picks implementations. */
export async function createApp(loaded: LoadedConfig, deps: AppDeps): Promise<App> {
  const { config } = loaded;
  const clock = deps.clock ?? systemClock;
  // Secrets first: every startup reference resolves here (async, audited), or start fails.
  const secrets = createConfiguredResolver(config.secrets, { env: deps.env, log: deps.log, clock });
  const secretOf = await preloadSecrets(
    secrets,
    startupSecretRefs(config, loaded.isMockMode),
  ).catch(async (err: unknown) => {
    await secrets.close();
    throw err;
  });
  // Only the current key: earlier ones (audit.previousChainKeys) serve `audit verify` alone.
  const chainKeys = await configuredChainKeyring(
    { chainKey: config.audit.chainKey },
    secrets,
  ).catch(async (err: unknown) => {
    await secrets.close();
    throw err;
  });
  const userIdKey = await configuredUserIdKey(config.audit, secrets).catch(async (err: unknown) => {
    await secrets.close();
    throw err;
  });
  const store = openStore(config.stores, deps.env, secretOf);
  await store.migrate();

  let mock: MockProvider | undefined;
  let mockUrl: string | undefined;
  const mockKey = new Secret(`sk-mock-${randomBytes(16).toString('hex')}`);
  if (loaded.isMockMode) {
    scrubber.addKnownSecret(mockKey.reveal());
    mock = createMockProvider({ apiKeys: [mockKey.reveal()] });
    mockUrl = await mock.listen(0, '127.0.0.1');
  }

  const upstreamLog = deps.log.child({ mod: 'upstream' });
  const upstreams = buildUpstreams(config, {
    resolveSecret: secretOf,
    mock: mockUrl === undefined ? undefined : { origin: new URL(mockUrl).origin, key: mockKey },
    circuits: createCircuitRegistry(
      { clock, log: upstreamLog, sync: openCircuitSync(config, secretOf, clock, upstreamLog) },
      config.upstream.circuit,
    ),
    clock,
  });
  const { models } = upstreams;
  // A reload or TTL refresh that changed a provider key swaps it into the pool keys using it.
  const keyAdmin = createKeyAdmin({
    providers: upstreams.providers,
    circuits: upstreams.circuits,
    clock,
    log: upstreamLog,
    resolve: (ref, component) => secrets.handle(ref, { component }),
    events: store,
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

  const audit = createAuditWriter(
    {
      store,
      log: deps.log.child({ mod: 'audit' }),
      chain: createAuditChain({ hash: chainKeys.current, keyId: chainKeys.currentKeyId }),
      clock,
    },
    config.audit,
  );
  const policy = createPolicyRuntime(
    {
      store,
      backend: await openLimitBackend(config.limits, secretOf),
      models,
      clock,
      log: deps.log,
      endUserPseudonym: createEndUserPseudonym(userIdKey, {
        readable: config.audit.userIdReadable,
      }),
      webhookSecret:
        config.alerts.webhookSecret === undefined
          ? undefined
          : liveSecret(secretOf, config.alerts.webhookSecret),
    },
    config,
  );
  const cors = createCors(config.server.cors);
  const pipelines = buildPipelines({
    audit_ready: createAuditReadyStage({ writer: audit }),
    authenticate: createAuthenticateStage({
      keys: store,
      jwt: config.jwt.enabled
        ? { verifier: createJwtVerifier(config.jwt), env: config.jwt.env }
        : undefined,
      refusesVirtualKeyFrom:
        cors === undefined || cors.allowVirtualKeys
          ? undefined
          : (origin) => config.server.cors.allowedOrigins.includes(origin),
    }),
    read_body: createReadBodyStage(),
    validate: createValidateStage(),
    ...policy.stages,
    ...createGuardStages(config.guard, { resolveSecret: (ref) => liveSecret(secretOf, ref) }),
    route: createRouteStage({ models }),
    list_models: createListModelsStage({ models, createdSec: Math.floor(clock.now() / 1000) }),
    upstream: createUpstreamStage(deps.upstream ?? {}, {
      maxResponseBytes: config.upstream.maxResponseBytes,
      retry: config.upstream.retry,
    }),
  });
  const metricsConfig = config.controlPlane.metrics;
  const metrics: Metrics | undefined =
    config.controlPlane.enabled && metricsConfig.enabled
      ? createMetrics({
          providers: upstreams.providers,
          clock,
          auditQueued: () => audit.queued,
          modelLabel: (model) => upstreams.models.labelOf(model),
        })
      : undefined;
  const metricsToken =
    metrics === undefined || metricsConfig.token === undefined
      ? undefined
      : await secrets.handle(metricsConfig.token, { component: 'metrics' });
  const dataTls = await startupTls(config.server.tls, secrets, 'tls:data');
  const controlTls = await startupTls(config.controlPlane.tls, secrets, 'tls:control');
  const dataPlane = createDataPlane(
    {
      pipelines,
      log: deps.log,
      clock,
      onFinished(ctx) {
        const record = buildAuditRecord(ctx);
        audit.write(record);
        metrics?.record(record);
      },
    },
    {
      bodyLimitBytes: config.server.bodyLimitBytes,
      headersTimeoutMs: config.server.headersTimeoutMs,
      bodyTimeoutMs: config.server.bodyTimeoutMs,
      trustProxyHops: config.server.trustProxyHops,
      cors,
      tls: dataTls,
    },
  );
  if (dataTls !== undefined) reloadTlsOnChange(dataPlane, dataTls, secrets, deps.log, 'data');
  const controlPlane = config.controlPlane.enabled
    ? createControlPlane({
        checkReady: () => store.ping(),
        log: deps.log,
        tls: controlTls,
        metrics: metrics && {
          render: () => metrics.render(),
          contentType: metrics.contentType,
          token: metricsToken && (() => metricsToken.current()),
        },
        admin: createAdminRouter(
          { token: adminTokenFromEnv(deps.env, deps.log), log: deps.log.child({ mod: 'admin' }) },
          [
            ...policyAdminRoutes({ store, policy, clock }),
            ...providerRoutes({
              keys: keyAdmin,
              store,
              flushAudit: () => audit.flushQueued(5_000),
            }),
            ...secretRoutes({ secrets, events: store, clock }),
          ],
        ),
      })
    : undefined;
  if (controlPlane !== undefined && controlTls !== undefined) {
    reloadTlsOnChange(controlPlane, controlTls, secrets, deps.log, 'control');
  }
  let stopKeyAgeMonitor = (): void => undefined;

  return {
    store,
    audit,
    mock,
    upstreams,
    policy,
    secrets,
    async start() {
      await policy.start();
      await upstreams.start();
      stopKeyAgeMonitor = startKeyAgeMonitor({
        providers: upstreams.providers,
        clock,
        log: upstreamLog,
      });
      const dataUrl = await listen(dataPlane, config.server.port, config.server.host, dataTls);
      const controlUrl =
        controlPlane === undefined
          ? undefined
          : await listen(
              controlPlane,
              config.controlPlane.port,
              config.controlPlane.host,
              controlTls,
            );
      deps.log.info({
        event: 'gateway_started',
        dataUrl,
        controlUrl,
        isMockMode: loaded.isMockMode,
        store: store.kind,
      });
      return { dataUrl, controlUrl };
    },
    async stop() {
      await Promise.all([
        closeServer(dataPlane, config.server.shutdownGraceMs),
        controlPlane === undefined ? undefined : closeServer(controlPlane, 1_000),
      ]);
      audit.stop();
      await audit.drain();
      stopKeyAgeMonitor();
      await upstreams.close();
      await policy.stop();
      await mock?.close();
      await store.close();
      await secrets.close();
      deps.log.info({ event: 'gateway_stopped' });
    },
  };
}

export function openStore(
  stores: Config['stores'],
  env: NodeJS.ProcessEnv,
  secretOf: SecretLookup = (ref) => resolveSecretRef(ref, env),
): Store {
  if (stores.kind === 'postgres') {
    const url = secretOf(stores.postgres.url);
    return createPostgresStore({
      connectionString: url.reveal(),
      schema: stores.postgres.schema,
      poolSize: stores.postgres.poolSize,
    });
  }
  if (stores.sqlite.path !== ':memory:')
    mkdirSync(dirname(stores.sqlite.path), { recursive: true, mode: 0o700 });
  return createSqliteStore({ path: stores.sqlite.path });
}

export async function openLimitBackend(
  limits: Config['limits'],
  secretOf: SecretLookup,
): Promise<LimitBackend> {
  if (limits.backend === 'memory') return createMemoryLimitBackend();
  const backend = createRedisLimitBackend({
    url: secretOf(limits.redis.url).reveal(),
    keyPrefix: limits.redis.keyPrefix,
    commandTimeoutMs: limits.redis.commandTimeoutMs,
  });
  // Start even if Redis is down: requests fail closed until it answers.
  await backend.waitReady(2_000);
  return backend;
}

/** Breakers are shared through Redis when counters are (`upstream.circuit.backend: auto`). */
function openCircuitSync(
  config: Config,
  secretOf: SecretLookup,
  clock: Clock,
  log: Logger,
): CircuitSync | undefined {
  const { backend } = config.upstream.circuit;
  if (backend === 'memory' || (backend === 'auto' && config.limits.backend !== 'redis')) {
    return undefined;
  }
  let lastLoggedMs = 0;
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

/** A plane's TLS material, resolved at start (a missing reference stops the start). */
async function startupTls(
  config: TlsConfig | undefined,
  secrets: SecretResolver,
  component: string,
): Promise<TlsSource | undefined> {
  if (config === undefined) return undefined;
  return resolveTls(config, secrets, component).catch(async (err: unknown) => {
    await secrets.close();
    throw err;
  });
}

function listen(
  server: Server,
  port: number,
  host: string,
  tls: TlsSource | undefined,
): Promise<string> {
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => {
      server.off('error', reject);
      const address = server.address() as AddressInfo;
      const shownHost = address.family === 'IPv6' ? `[${address.address}]` : address.address;
      resolve(`${tls === undefined ? 'http' : 'https'}://${shownHost}:${address.port}`);
    });
  });
}

function closeServer(server: Server, graceMs: number): Promise<void> {
  if (!server.listening) return Promise.resolve();
  return new Promise((resolve) => {
    const timer = setTimeout(() => server.closeAllConnections(), graceMs);
    timer.unref();
    server.close(() => {
      clearTimeout(timer);
      resolve();
    });
    server.closeIdleConnections();
  });
}
