import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { LoadedConfig } from './config/load.js';
import type { Logger } from './log/logger.js';
import { createAuditReadyStage } from './pipeline/audit/ready.js';
import type { AuditWriter } from './pipeline/audit/writer.js';
import { preloadGuardModels } from './pipeline/guard/build.js';
import { createReadBodyStage } from './pipeline/guard/read-body.js';
import { createValidateStage } from './pipeline/guard/validate.js';
import { buildPipelines } from './pipeline/order.js';
import type { PolicyRuntime } from './pipeline/policy/runtime.js';
import type { RequestTracer } from './pipeline/trace.js';
import { createUpstreamStage, type UpstreamDeps } from './pipeline/upstream/call.js';
import type { Upstreams } from './pipeline/upstream/build.js';
import { createListModelsStage } from './pipeline/upstream/list-models.js';
import { createRouteStage } from './pipeline/upstream/route.js';
import type { MockProvider } from './providers/mock/server.js';
import type { SecretResolver } from './secrets/types.js';
import type { AdminAuth } from './server/admin/auth.js';
import { createCors } from './server/cors.js';
import { reloadTlsOnChange, type TlsSource } from './server/tls.js';
import type { Store } from './store/types.js';
import { systemClock, type Clock } from './util/clock.js';
import { buildControlPlane, buildMetrics } from './wiring/control-plane.js';
import { buildPolicy } from './wiring/policy.js';
import { buildSecrets } from './wiring/secrets.js';
import { buildTls } from './wiring/tls.js';
import { buildTracing } from './wiring/tracing.js';
import { buildAudit, buildAuthenticate, buildDataPlane, buildGuard } from './wiring/stages.js';
import { openStore } from './wiring/stores.js';
import { buildUpstream, startBuiltInMock, type BuiltInMock } from './wiring/upstream.js';

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
  /** The admin API's tokens and roles (undefined without a control plane). */
  readonly adminAuth: AdminAuth | undefined;
  /** Secret references in memory; `secrets.reload()` is what SIGHUP and the admin call run. */
  readonly secrets: SecretResolver;
  /** Stops accepting, lets in-flight requests finish (up to the grace period), flushes the audit log. */
  stop(): Promise<void>;
}

/**
 * The composition root: the only place that picks implementations. Each area is built by
 * its own builder in src/wiring/, handed only what it needs, in the order start-up depends on.
 */
export async function createApp(loaded: LoadedConfig, deps: AppDeps): Promise<App> {
  const { config } = loaded;
  const clock = deps.clock ?? systemClock;
  // The injection model before anything opens: a bad file ends the start with nothing to close.
  preloadGuardModels(config.guard);
  const { secrets, secretOf, chainKeys, userIdKey } = await buildSecrets(loaded, deps, clock);
  const store = openStore(config.stores, deps.env, secretOf, {
    isCommitDurable: config.audit.durability === 'sync',
  });
  await store.migrate();
  const mock = loaded.isMockMode ? await startBuiltInMock() : undefined;
  const upstream = buildUpstream(config, { secrets, secretOf, store, mock, clock, log: deps.log });
  const { upstreams, keyAdmin } = upstream;
  const audit = await buildAudit(config.audit, {
    store,
    stores: config.stores,
    chainKeys,
    clock,
    log: deps.log,
  });
  const policy = await buildPolicy(config, {
    store,
    models: upstreams.models,
    secretOf,
    userIdKey,
    clock,
    log: deps.log,
  });
  const cors = createCors(config.server.cors);
  const { tracer, pipelines } = buildTracing(
    config.telemetry.tracing,
    buildPipelines({
      audit_ready: createAuditReadyStage({ writer: audit }),
      authenticate: buildAuthenticate(config, { store, cors }),
      read_body: createReadBodyStage(),
      validate: createValidateStage(),
      ...policy.stages,
      ...buildGuard(config.guard, secretOf),
      route: createRouteStage({ models: upstreams.models }),
      list_models: createListModelsStage({
        models: upstreams.models,
        createdSec: Math.floor(clock.now() / 1000),
      }),
      upstream: createUpstreamStage(deps.upstream ?? {}, {
        maxResponseBytes: config.upstream.maxResponseBytes,
        retry: config.upstream.retry,
        defaultMaxOutputTokens: config.pricing.defaultMaxOutputTokens,
      }),
    }),
  );
  const metrics = buildMetrics(config.controlPlane, { upstreams, audit, clock });
  const tls = await buildTls(config, secrets);
  const dataPlane = buildDataPlane(config.server, {
    pipelines,
    cors,
    audit,
    metrics,
    tracer,
    tls: tls.data,
    durability: config.audit.durability,
    clock,
    log: deps.log,
  });
  if (tls.data !== undefined) reloadTlsOnChange(dataPlane, tls.data, secrets, deps.log, 'data');
  const control = config.controlPlane.enabled
    ? await buildControlPlane(config.controlPlane, {
        env: deps.env,
        log: deps.log,
        store,
        secrets,
        policy,
        keyAdmin,
        audit,
        metrics,
        tls: tls.control,
        clock,
      })
    : undefined;
  const controlPlane = control?.server;
  if (controlPlane !== undefined && tls.control !== undefined) {
    reloadTlsOnChange(controlPlane, tls.control, secrets, deps.log, 'control');
  }
  const parts = { store, audit, upstreams, policy, secrets };
  const { start, stop } = lifecycle(loaded, {
    ...parts,
    mock,
    dataPlane,
    controlPlane,
    tls,
    watchKeyAge: upstream.watchKeyAge,
    tracer,
    log: deps.log,
  });
  return { ...parts, mock: mock?.provider, adminAuth: control?.adminAuth, start, stop };
}

/** Start (listen after the stores and counters are ready) and stop (drain, then close in reverse). */
function lifecycle(
  loaded: LoadedConfig,
  parts: {
    store: Store;
    audit: AuditWriter;
    mock: BuiltInMock | undefined;
    upstreams: Upstreams;
    policy: PolicyRuntime;
    secrets: SecretResolver;
    dataPlane: Server;
    controlPlane: Server | undefined;
    tls: { data: TlsSource | undefined; control: TlsSource | undefined };
    /** Starts the key-age warnings; returns their stop. */
    watchKeyAge: () => () => void;
    /** Exports its last spans at stop. */
    tracer: RequestTracer;
    log: Logger;
  },
): Pick<App, 'start' | 'stop'> {
  const { config } = loaded;
  const { store, audit, upstreams, policy, secrets, dataPlane, controlPlane, log } = parts;
  let stopKeyAgeMonitor = (): void => undefined;
  return {
    async start() {
      await policy.start();
      await upstreams.start();
      stopKeyAgeMonitor = parts.watchKeyAge();
      const dataUrl = await listen(
        dataPlane,
        config.server.port,
        config.server.host,
        parts.tls.data,
      );
      const controlUrl =
        controlPlane === undefined
          ? undefined
          : await listen(
              controlPlane,
              config.controlPlane.port,
              config.controlPlane.host,
              parts.tls.control,
            );
      log.info({
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
      await audit.close();
      await parts.tracer.shutdown();
      stopKeyAgeMonitor();
      await upstreams.close();
      await policy.stop();
      await parts.mock?.provider.close();
      await store.close();
      await secrets.close();
      log.info({ event: 'gateway_stopped' });
    },
  };
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
