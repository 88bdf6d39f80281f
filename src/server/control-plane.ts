import type { Server } from 'node:http';
import type { Logger } from '../log/logger.js';
import type { Secret } from '../log/secret.js';
import { adminError, type AdminHandler, type AdminResponse } from './admin/router.js';
import { isBearer, tokenDigest } from './bearer.js';
import type { ConsoleHandler } from './console/console.js';
import { createPlaneServer, hasClientCertificate, type TlsSource } from './tls.js';

export interface ControlPlaneDeps {
  /** Resolves when every store answers; rejects otherwise. */
  checkReady: () => Promise<void>;
  log: Logger;
  /** The admin API (`/admin/...`), built by `createAdminRouter` from every area's routes. */
  admin?: AdminHandler | undefined;
  /** Prometheus metrics at `GET /metrics`, behind a bearer token when one is configured. */
  metrics?:
    | {
        render: () => Promise<string>;
        contentType: string;
        /** Follows reloads. */
        token: (() => Secret) | undefined;
      }
    | undefined;
  /** The operator console (`/console`), served when the admin API is. */
  console?: ConsoleHandler | undefined;
  /** HTTPS (controlPlane.tls); with a client CA the admin API requires a client certificate. */
  tls?: TlsSource | undefined;
}

/** Health endpoints, metrics and the admin API. Loopback by default. */
export function createControlPlane(deps: ControlPlaneDeps): Server {
  return createPlaneServer(deps.tls, {}, (req, res) => {
    const path = (req.url ?? '/').split('?')[0];
    const json = (status: number, body: unknown) => {
      res.writeHead(status, { 'content-type': 'application/json' });
      res.end(JSON.stringify(body));
    };
    const fail = (out: AdminResponse) => json(out.status, out.body);
    const isConsole = path === '/console' || path?.startsWith('/console/') === true;
    if (isConsole || path === '/admin' || path?.startsWith('/admin/') === true) {
      if (deps.tls?.isMutual === true && !hasClientCertificate(req)) {
        req.resume();
        return json(401, {
          error: {
            code: 'admin_client_certificate_required',
            message:
              'The admin API requires a client certificate signed by controlPlane.tls.clientCa.',
          },
        });
      }
      if (isConsole && deps.console !== undefined) return deps.console(req, res);
      if (!isConsole && deps.admin !== undefined) return deps.admin(req, res);
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
    if (path === '/metrics' && deps.metrics !== undefined) {
      const { metrics } = deps;
      const token = metrics.token?.();
      if (
        token !== undefined &&
        !isBearer(req.headers.authorization, tokenDigest(token.reveal()))
      ) {
        res.setHeader('www-authenticate', 'Bearer');
        return fail(
          adminError('metrics_unauthorized', 'Send "Authorization: Bearer <metrics token>".'),
        );
      }
      metrics.render().then(
        (text) => {
          res.writeHead(200, { 'content-type': metrics.contentType });
          res.end(text);
        },
        (err: unknown) => {
          deps.log.error({ event: 'metrics_failed', err });
          fail(adminError('metrics_unavailable', 'Metrics could not be rendered.'));
        },
      );
      return;
    }
    json(404, { status: 'not_found' });
  });
}
