import { createLogger } from '../../src/log/logger.js';
import { anomalyRoutes } from '../../src/server/admin/anomalies.js';
import type { PoolSync } from '../../src/pipeline/upstream/pool-sync.js';
import { auditRoutes } from '../../src/server/admin/audit.js';
import { configReloadRoutes } from '../../src/server/admin/config-reload.js';
import { consoleRoutes } from '../../src/server/admin/console-routes.js';
import { createKeyAdmin } from '../../src/server/admin/key-admin.js';
import { policyAdminRoutes } from '../../src/server/admin/policy-routes.js';
import { providerRoutes } from '../../src/server/admin/providers.js';
import type { AdminRoute } from '../../src/server/admin/router.js';
import { secretRoutes } from '../../src/server/admin/secrets.js';
import { systemClock } from '../../src/util/clock.js';
import type { TestGateway } from './gateway.js';

export const ADMIN_TOKEN = 'adm-test-token-9c4e1f7a2b3d5e6f';

/** Calls the admin API of a test gateway with the admin token. */
export async function admin(
  gw: TestGateway,
  method: string,
  path: string,
  body?: unknown,
  token = ADMIN_TOKEN,
): Promise<{ status: number; body: unknown }> {
  const res = await fetch(`${gw.controlUrl ?? ''}${path}`, {
    method,
    headers: {
      authorization: `Bearer ${token}`,
      'x-bastion-actor': 'alice',
      ...(body === undefined ? {} : { 'content-type': 'application/json' }),
    },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
  const text = await res.text();
  return { status: res.status, body: text === '' ? undefined : (JSON.parse(text) as unknown) };
}

/**
 * The admin routes a test gateway serves (methods and paths), built the way
 * src/wiring/control-plane.ts builds them; requests still go to the gateway's own router.
 */
export function adminRouteTable(gw: TestGateway): AdminRoute[] {
  const { app } = gw;
  const clock = systemClock;
  const keys = createKeyAdmin({
    providers: app.upstreams.providers,
    sync: app.upstreams.pools as PoolSync,
    fleetWaitMs: 0,
    clock,
    log: createLogger({ level: 'silent' }),
    resolve: (ref, component) => app.secrets.handle(ref, { component }),
    events: app.store,
  });
  const flushAudit = () => Promise.resolve();
  return [
    ...policyAdminRoutes({ store: app.store, policy: app.policy, clock }),
    ...providerRoutes({ keys, store: app.store, flushAudit }),
    ...secretRoutes({ secrets: app.secrets, events: app.store, clock }),
    ...auditRoutes({ store: app.store, flushAudit }),
    ...configReloadRoutes({ reload: () => app.reloadConfig(), events: app.store, clock }),
    ...anomalyRoutes({ store: app.store }),
    ...consoleRoutes({
      store: app.store,
      chainKeys: { candidates: () => ({ keyId: undefined, hashers: [] }) },
      teams: () => new Set(),
      flushAudit,
      clock,
    }),
  ];
}
