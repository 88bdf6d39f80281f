import type { Server } from 'node:http';
import type { Config } from '../config/schema.js';
import type { Logger } from '../log/logger.js';
import type { AuditWriter } from '../pipeline/audit/writer.js';
import type { PolicyRuntime } from '../pipeline/policy/runtime.js';
import type { Upstreams } from '../pipeline/upstream/build.js';
import { buildAdminCredentials } from './admin-auth.js';
import type { SecretResolver } from '../secrets/types.js';
import { createAdminAuth, type AdminAuth } from '../server/admin/auth.js';
import type { KeyAdmin } from '../server/admin/key-admin.js';
import { auditRoutes } from '../server/admin/audit.js';
import { policyAdminRoutes } from '../server/admin/policy-routes.js';
import { providerRoutes } from '../server/admin/providers.js';
import { createAdminRouter } from '../server/admin/router.js';
import { secretRoutes } from '../server/admin/secrets.js';
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
    metrics: Metrics | undefined;
    tls: TlsSource | undefined;
    clock: Clock;
  },
): Promise<{ server: Server; adminAuth: AdminAuth }> {
  const { store, secrets, policy, metrics, clock, audit } = deps;
  const adminAuth = createAdminAuth(await buildAdminCredentials(config.admin, deps));
  const token =
    metrics === undefined || config.metrics.token === undefined
      ? undefined
      : await secrets.handle(config.metrics.token, { component: 'metrics' });
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
      [
        ...policyAdminRoutes({ store, policy, clock }),
        ...providerRoutes({
          keys: deps.keyAdmin,
          store,
          flushAudit: () => audit.flushQueued(5_000),
        }),
        ...secretRoutes({ secrets, events: store, clock }),
        ...auditRoutes({ store, flushAudit: () => audit.flushQueued(5_000) }),
      ],
    ),
  });
  return { server, adminAuth };
}
