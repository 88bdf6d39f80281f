import { createServer, type Server } from 'node:http';
import type { Logger } from '../log/logger.js';
import type { AdminHandler } from './admin/router.js';

export interface ControlPlaneDeps {
  /** Resolves when every store answers; rejects otherwise. */
  checkReady: () => Promise<void>;
  log: Logger;
  /** The admin API (`/admin/...`), built by `createAdminRouter` from every area's routes. */
  admin?: AdminHandler | undefined;
}

/** Health endpoints and the admin API. Loopback by default. */
export function createControlPlane(deps: ControlPlaneDeps): Server {
  return createServer((req, res) => {
    const path = (req.url ?? '/').split('?')[0];
    const json = (status: number, body: unknown) => {
      res.writeHead(status, { 'content-type': 'application/json' });
      res.end(JSON.stringify(body));
    };
    if (path === '/admin' || path?.startsWith('/admin/') === true) {
      if (deps.admin !== undefined) return deps.admin(req, res);
      req.resume();
      return json(404, { status: 'not_found' });
    }
    if (req.method !== 'GET') return json(405, { status: 'method_not_allowed' });
    if (path === '/healthz') return json(200, { status: 'ok' });
    if (path === '/readyz') {
      deps.checkReady().then(
        () => json(200, { status: 'ready' }),
        (err: unknown) => {
          deps.log.warn({ event: 'not_ready', err });
          json(503, { status: 'unavailable' });
        },
      );
      return;
    }
    json(404, { status: 'not_found' });
  });
}
