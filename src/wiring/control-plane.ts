import type { Server } from 'node:http';
import type { Config } from '../config/schema.js';
import type { Logger } from '../log/logger.js';
import type { ChainKeyring } from '../pipeline/audit/chain-key.js';
import type { AuditWriter } from '../pipeline/audit/writer.js';
import type { PolicyRuntime } from '../pipeline/policy/runtime.js';
import type { Upstreams } from '../pipeline/upstream/build.js';
import { buildAdminCredentials } from './admin-auth.js';
import type { SecretResolver } from '../secrets/types.js';
import { createAdminAuth, type AdminAuth } from '../server/admin/auth.js';
import type { KeyAdmin } from '../server/admin/key-admin.js';
import { auditRoutes } from '../server/admin/audit.js';
import { configReloadRoutes, type ConfigReloadReport } from '../server/admin/config-reload.js';
import { consoleRoutes } from '../server/admin/console-routes.js';
import { policyAdminRoutes } from '../server/admin/policy-routes.js';
import { providerRoutes } from '../server/admin/providers.js';
import { createAdminRouter } from '../server/admin/router.js';
import { secretRoutes } from '../server/admin/secrets.js';
import { loadConsoleAssets } from '../server/console/assets.js';
import { anomalyRoutes } from '../server/admin/anomalies.js';
import { createConsole } from '../server/console/console.js';
import { createSessionStore, DEFAULT_SESSION_OPTIONS } from '../server/console/session.js';
import { createControlPlane } from '../server/control-plane.js';
import type { TlsSource } from '../server/tls.js';
import type { Store } from '../store/types.js';
import { createMetrics, type Metrics } from '../telemetry/metrics.js';
import type { Clock } from '../util/clock.js';

export function buildMetrics(
  config: Config['controlPlane'],
  deps: { upstreams: Upstreams; audit: AuditWriter; clock: Clock },
): Metrics | undefined {
  if (!config.enabled || !config.metrics.enabled) return undefined;
  const { audit } = deps;
  return createMetrics({
    providers: deps.upstreams.providers,
    clock: deps.clock,
    auditQueued: () => audit.queued,
    modelLabel: (model) => deps.upstreams.models.labelOf(model),
  });
}

/** Health, metrics (behind their own token when set) and the admin API of every area. */
export async function buildControlPlane(
  config: Config['controlPlane'],
  deps: {
    env: NodeJS.ProcessEnv;
    log: Logger;
    store: Store;
    secrets: SecretResolver;
    policy: PolicyRuntime;
    keyAdmin: KeyAdmin;
    audit: AuditWriter;
    chainKeys: ChainKeyring;
    metrics: Metrics | undefined;
    tls: TlsSource | undefined;
    /** Reads the configuration again and swaps it in (POST /admin/config/reload). */
    reloadConfig: () => Promise<ConfigReloadReport>;
    clock: Clock;
  },
): Promise<{ server: Server; adminAuth: AdminAuth }> {
  const { store, secrets, policy, metrics, clock, audit } = deps;
  const adminAuth = createAdminAuth(await buildAdminCredentials(config.admin, deps));
  const token =
    metrics === undefined || config.metrics.token === undefined
      ? undefined
      : await secrets.handle(config.metrics.token, { component: 'metrics' });
  const flushAudit = () => audit.flushQueued(5_000);
  // Every admin route, in one table: the bearer API and the console both serve it.
  const routes = [
    ...policyAdminRoutes({ store, policy, clock }),
    ...providerRoutes({ keys: deps.keyAdmin, store, flushAudit }),
    ...secretRoutes({ secrets, events: store, clock }),
    ...auditRoutes({ store, flushAudit }),
    ...configReloadRoutes({ reload: deps.reloadConfig, events: store, clock }),
    ...anomalyRoutes({ store }),
    ...consoleRoutes({
      store,
      chainKeys: deps.chainKeys,
      teams: () => new Set(policy.model.teams.keys()),
      flushAudit,
      clock,
    }),
  ];
  const server = createControlPlane({
    checkReady: () => store.ping(),
    log: deps.log,
    tls: deps.tls,
    metrics: metrics && {
      render: () => metrics.render(),
      contentType: metrics.contentType,
      token: token && (() => token.current()),
    },
    admin: createAdminRouter(
      { auth: adminAuth, log: deps.log.child({ mod: 'admin' }), events: store, clock },
      routes,
    ),
    console: createConsole({
      auth: adminAuth,
      sessions: createSessionStore({ rows: store, clock }, DEFAULT_SESSION_OPTIONS),
      routes,
      assets: loadConsoleAssets(),
      isTls: deps.tls !== undefined,
      events: store,
      clock,
      log: deps.log.child({ mod: 'console' }),
    }),
  });
  return { server, adminAuth };
}
