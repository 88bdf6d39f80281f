import { createServer, type Server } from 'node:http';
import type { Logger } from '../log/logger.js';

export interface ControlPlaneDeps {
  /** Resolves when every store answers; rejects otherwise. */
  checkReady: () => Promise<void>;
  log: Logger;
}

/** Health endpoints; the admin API joins them here. Loopback by default. */
export function createControlPlane(deps: ControlPlaneDeps): Server {
  return createServer((req, res) => {
    const path = (req.url ?? '/').split('?')[0];
    const json = (status: number, body: unknown) => {
      res.writeHead(status, { 'content-type': 'application/json' });
      res.end(JSON.stringify(body));
    };
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
