import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { LoadedConfig } from './config/load.js';
import type { Logger } from './log/logger.js';
import type { AuditWriter } from './pipeline/audit/writer.js';
import { preloadGuardModels } from './pipeline/guard/build.js';
import type { PolicyRuntime } from './pipeline/policy/runtime.js';
import type { RequestTracer } from './pipeline/trace.js';
import type { UpstreamDeps } from './pipeline/upstream/call.js';
import type { Upstreams } from './pipeline/upstream/build.js';
import type { MockProvider } from './providers/mock/server.js';
import type { SecretResolver } from './secrets/types.js';
import type { AdminAuth } from './server/admin/auth.js';
import { createCors } from './server/cors.js';
import { handlersSettled } from './server/data-plane.js';
import type { TlsSource } from './server/tls.js';
import type { Store } from './store/types.js';
import { systemClock, type Clock } from './util/clock.js';
import { buildControlPlane, buildMetrics } from './wiring/control-plane.js';
import { buildSecrets } from './wiring/secrets.js';
import { buildTls, reloadTlsOnChanges } from './wiring/tls.js';
import { buildTracing } from './wiring/tracing.js';
import { buildAudit, buildDataPlane } from './wiring/stages.js';
import { buildAnomalies } from './wiring/anomalies.js';
import type { AnomalyTracker } from './policy/anomaly/tracker.js';
import { openLimitBackend, openStore } from './wiring/stores.js';
import { configWatcher, createAppReloader } from './wiring/config-reload.js';
import { liveGeneration, replaceableLookup, type GenerationShared } from './wiring/generation.js';
import type { ConfigReloadReport } from './server/admin/config-reload.js';
import { buildUpstream, startBuiltInMock, type BuiltInMock } from './wiring/upstream.js';

export interface AppDeps {
  env: NodeJS.ProcessEnv;
  log: Logger;
  clock?: Clock;
  /** Retry sleep and jitter source; tests inject them so no test waits on a real backoff. */
  upstream?: Partial<UpstreamDeps>;
  /** Reads and checks the configuration again (same file, env and flags) for a reload. */
  reloadSource?: () => LoadedConfig;
  /** The config file, watched when `reload.watch` is on. */
  configFile?: string | undefined;
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
  /** The anomaly detector; undefined when `anomalies.enabled` is off. */
  readonly anomalies: AnomalyTracker | undefined;
  /** The admin API's tokens and roles (undefined without a control plane). */
  readonly adminAuth: AdminAuth | undefined;
  /** Secret references in memory; `secrets.reload()` is what SIGHUP and the admin call run. */
  readonly secrets: SecretResolver;
  /**
   * Reads the configuration again and swaps it in between requests (SIGHUP, the admin call, the
   * file watcher); an invalid one is refused and the running one keeps serving.
   */
  reloadConfig(trigger?: 'signal' | 'admin' | 'watch'): Promise<ConfigReloadReport>;
  /** Stops accepting, lets in-flight requests finish (up to the grace period), flushes the audit log. */
  stop(): Promise<void>;
}

/**
 * The composition root: the only place that picks implementations. Each area is built by
 * its own builder in src/wiring/, handed only what it needs, in the order start-up depends on.
 */
export async function createApp(loaded: LoadedConfig, deps: AppDeps): Promise<App> {
  const { config } = loaded;
  const { log } = deps;
  const core = await buildCore(loaded, deps);
  const { secrets, chainKeys, store, upstreams, audit, live, tracing, clock, anomalies } = core;
  const { policy } = live;
  const metrics = buildMetrics(config.controlPlane, { upstreams, audit, clock });
  const tls = await buildTls(config, secrets);
  const dataPlane = buildDataPlane(config.server, {
    pipelines: live.pipelines,
    cors: core.cors,
    audit,
    metrics,
    anomalies,
    tracer: tracing.tracer,
    tls: tls.data,
    durability: config.audit.durability,
    clock,
    log,
  });
  const reloader = createAppReloader(loaded, {
    source: deps.reloadSource ?? (() => loaded),
    env: deps.env,
    secrets,
    lookup: core.lookup,
    upstreams,
    live,
    adminAuth: () => control?.adminAuth,
    log,
  });
  const control = config.controlPlane.enabled
    ? await buildControlPlane(config.controlPlane, {
        env: deps.env,
        log,
        store,
        secrets,
        policy,
        keyAdmin: core.keyAdmin,
        audit,
        chainKeys,
        metrics,
        tls: tls.control,
        reloadConfig: () => reloader.reload('admin'),
        clock,
      })
    : undefined;
  const controlPlane = control?.server;
  reloadTlsOnChanges({ data: dataPlane, control: controlPlane }, tls, secrets, log);
  const parts = { store, audit, upstreams, policy, secrets, anomalies };
  const { start, stop } = lifecycle(loaded, {
    ...parts,
    mock: core.mock,
    dataPlane,
    controlPlane,
    tls,
    watchKeyAge: core.watchKeyAge,
    tracer: tracing.tracer,
    watchConfig: configWatcher(config.reload, deps.configFile, { reloader, log }),
    log,
  });
  return {
    ...parts,
    mock: core.mock?.provider,
    adminAuth: control?.adminAuth,
    reloadConfig: (trigger = 'admin') => reloader.reload(trigger),
    start,
    stop,
  };
}

/**
 * What the listeners serve, in start-up order: secrets, the store, the upstream pools, the
 * audit writer, the limit backend, and the running generation of the pipelines over them.
 */
async function buildCore(loaded: LoadedConfig, deps: AppDeps) {
  const { config } = loaded;
  const { log } = deps;
  const clock = deps.clock ?? systemClock;
  // The injection model before anything opens: a bad file ends the start with nothing to close.
  preloadGuardModels(config.guard);
  const built = await buildSecrets(loaded, deps, clock);
  const { secrets, chainKeys, userIdKey } = built;
  // A config reload resolves the references it adds; every later lookup sees them.
  const lookup = replaceableLookup(built.secretOf);
  const { secretOf } = lookup;
  const store = await openStore(config.stores, deps.env, secretOf, {
    isCommitDurable: config.audit.durability === 'sync',
  });
  await store.migrate();
  const mock = loaded.isMockMode ? await startBuiltInMock() : undefined;
  const upstream = await buildUpstream(config, { secrets, secretOf, store, mock, clock, log });
  const { upstreams } = upstream;
  const audit = await buildAudit(config.audit, {
    store,
    stores: config.stores,
    chainKeys,
    clock,
    log,
  });
  const cors = createCors(config.server.cors);
  const shared: GenerationShared = {
    store,
    audit,
    upstreams,
    backend: await openLimitBackend(config.limits, secretOf),
    cors,
    userIdKey,
    upstreamDeps: deps.upstream ?? {},
    clock,
    log,
  };
  // telemetry.tracing is read at start only; each generation's stages are wrapped when on.
  const tracing = await buildTracing(config.telemetry.tracing);
  const live = liveGeneration(config, shared, { secretOf, wrap: tracing.wrap });
  const anomalies = buildAnomalies(config, { store, policy: live.policy, clock, log });
  const { keyAdmin, watchKeyAge } = upstream;
  return {
    secrets,
    chainKeys,
    lookup,
    store,
    mock,
    upstreams,
    keyAdmin,
    watchKeyAge,
    audit,
    cors,
    tracing,
    live,
    anomalies,
    clock,
  };
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
    anomalies: AnomalyTracker | undefined;
    dataPlane: Server;
    controlPlane: Server | undefined;
    tls: { data: TlsSource | undefined; control: TlsSource | undefined };
    /** Starts the key-age warnings; returns their stop. */
    watchKeyAge: () => () => void;
    /** Exports its last spans at stop. */
    tracer: RequestTracer;
    /** Starts the config file watcher when `reload.watch` is on; returns its stop. */
    watchConfig: () => () => void;
    log: Logger;
  },
): Pick<App, 'start' | 'stop'> {
  const { config } = loaded;
  const { store, audit, upstreams, policy, secrets, dataPlane, controlPlane, log } = parts;
  let stopKeyAgeMonitor = (): void => undefined;
  let stopConfigWatch = (): void => undefined;
  return {
    async start() {
      await policy.start();
      await upstreams.start();
      parts.anomalies?.start();
      stopKeyAgeMonitor = parts.watchKeyAge();
      stopConfigWatch = parts.watchConfig();
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
      stopConfigWatch();
      await Promise.all([
        closeServer(dataPlane, config.server.shutdownGraceMs),
        controlPlane === undefined ? undefined : closeServer(controlPlane, 1_000),
      ]);
      // Requests cut off by the grace period still end their pipeline (abort upstream, settle,
      // queue their audit row): the writer closes after them, or their rows would be lost.
      const unfinished = await handlersSettled(dataPlane, HANDLERS_SETTLE_MS);
      if (unfinished > 0) log.error({ event: 'shutdown_requests_unfinished', count: unfinished });
      await audit.close();
      await parts.tracer.shutdown();
      // After the data plane: its last requests are counted, and a suspension still lands.
      await parts.anomalies?.stop();
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

/**
 * How long shutdown waits, once the sockets are closed, for the handlers they cut off (an aborted
 * upstream call, a sync audit write) before the audit writer closes.
 */
const HANDLERS_SETTLE_MS = 10_000;

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
