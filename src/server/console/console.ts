import type { IncomingMessage, ServerResponse } from 'node:http';
import type { ControlErrorCode } from '../../errors/codes.js';
import { isGatewayError } from '../../errors/gateway-error.js';
import type { AdminEvent } from '../../store/types.js';
import type { Logger } from '../../log/logger.js';
import type { Clock } from '../../util/clock.js';
import { roleRefusal, type AdminAuth } from '../admin/auth.js';
import {
  adminError,
  compileAdminRoutes,
  INVALID,
  readJson,
  type AdminResponse,
  type AdminRoute,
} from '../admin/router.js';
import type { ConsoleAsset } from './assets.js';
import { isCsrfValid, type ConsoleSession, type SessionStore } from './session.js';

export interface ConsoleDeps {
  /** The admin API's tokens: sign-in resolves a token to its role and label (reloads included). */
  auth: Pick<AdminAuth, 'authorize' | 'mayCall'>;
  /** A viewer's refused action is recorded, as the admin API does. */
  events: { appendAdminEvent(event: AdminEvent): Promise<void> };
  sessions: SessionStore;
  /** The admin API's route table: `/console/api/x` runs the route of `/admin/x`. */
  routes: readonly AdminRoute[];
  assets: ReadonlyMap<string, ConsoleAsset>;
  /** The control plane speaks HTTPS: the cookie is `Secure` and `__Host-` prefixed. */
  isTls: boolean;
  clock: Clock;
  log: Logger;
  /** Failed sign-ins allowed per minute from one address before sign-in pauses for it. */
  maxLoginFailuresPerMin?: number;
}

export type ConsoleHandler = (req: IncomingMessage, res: ServerResponse) => void;

const ACTOR = /^[A-Za-z0-9._@-]{1,64}$/;
const ASSET = /^\/console\/static\/([a-z0-9-]+\.[a-z]+)$/;
/** Scripts, styles and calls from this origin only; no framing, no inline code. */
const SECURITY_HEADERS = {
  'content-security-policy':
    "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; " +
    "connect-src 'self'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'",
  'x-content-type-options': 'nosniff',
  'x-frame-options': 'DENY',
  'referrer-policy': 'no-referrer',
  'cache-control': 'no-store',
} as const;

function send(res: ServerResponse, out: AdminResponse, headers: Record<string, string> = {}) {
  if (res.headersSent) return;
  res.writeHead(out.status, {
    ...SECURITY_HEADERS,
    'content-type': 'application/json',
    ...headers,
  });
  res.end(out.status === 204 ? undefined : JSON.stringify(out.body));
}

function refuse(res: ServerResponse, code: ControlErrorCode, message: string) {
  send(res, adminError(code, message));
}

function cookieValue(header: string | undefined, name: string): string | undefined {
  for (const part of (header ?? '').split(';')) {
    const eq = part.indexOf('=');
    if (eq > 0 && part.slice(0, eq).trim() === name) return part.slice(eq + 1).trim();
  }
  return undefined;
}

/**
 * The operator console at `/console`: static pages, sign-in with an admin or viewer token, and
 * `/console/api/*`, which runs the admin API's own routes for the signed-in operator.
 * - The session id (256 random bits) is the only thing in the cookie: `HttpOnly`,
 *   `SameSite=Strict`; the token is checked once at sign-in and never kept.
 * - Every state-changing call needs the session's CSRF token in `x-csrf-token` and an `Origin`
 *   equal to the console's own; a viewer session can only read.
 */
export function createConsole(deps: ConsoleDeps): ConsoleHandler {
  // Long by design: the console's few routes and their checks, read top to bottom.
  const match = compileAdminRoutes(deps.routes);
  const cookieName = deps.isTls ? '__Host-bastion_console' : 'bastion_console';
  const cookiePath = deps.isTls ? '/' : '/console';
  const maxFailures = deps.maxLoginFailuresPerMin ?? 20;
  // Per client address, bounded: a flood of addresses forgets the oldest, never grows memory.
  const failures = new Map<string, { windowStartMs: number; count: number }>();

  const sessionOf = async (req: IncomingMessage) => {
    const id = cookieValue(req.headers.cookie, cookieName);
    return { id, session: await deps.sessions.get(id) };
  };
  const isSameOrigin = (req: IncomingMessage) => {
    const site = req.headers['sec-fetch-site'];
    if (site !== undefined && site !== 'same-origin') return false;
    const expected = `${deps.isTls ? 'https' : 'http'}://${req.headers.host ?? ''}`;
    return req.headers.origin === expected;
  };
  const cookie = (value: string, maxAgeSec: number) =>
    `${cookieName}=${value}; Path=${cookiePath}; HttpOnly; SameSite=Strict; Max-Age=${maxAgeSec}` +
    (deps.isTls ? '; Secure' : '');
  const whoami = (s: ConsoleSession) => ({
    role: s.identity.role,
    label: s.identity.label,
    csrfToken: s.csrfToken,
  });

  function serveAsset(req: IncomingMessage, res: ServerResponse, name: string) {
    const asset = deps.assets.get(name);
    if (asset === undefined) return refuse(res, 'not_found', 'No such console file.');
    const headers = { ...SECURITY_HEADERS, 'content-type': asset.contentType, etag: asset.etag };
    if (req.headers['if-none-match'] === asset.etag) {
      res.writeHead(304, headers);
      return res.end();
    }
    res.writeHead(200, headers);
    res.end(asset.body);
  }

  async function login(req: IncomingMessage, res: ServerResponse) {
    if (!isSameOrigin(req)) {
      req.resume();
      return refuse(res, 'console_csrf_rejected', 'Sign in from the console page itself.');
    }
    const nowMs = deps.clock.now();
    const address = req.socket.remoteAddress ?? '';
    let entry = failures.get(address);
    if (entry === undefined || nowMs - entry.windowStartMs >= 60_000) {
      failures.delete(address);
      if (failures.size >= 1024) failures.delete(failures.keys().next().value ?? '');
      entry = { windowStartMs: nowMs, count: 0 };
      failures.set(address, entry);
    }
    if (entry.count >= maxFailures) {
      req.resume();
      const waitSec = Math.ceil((entry.windowStartMs + 60_000 - nowMs) / 1000);
      res.setHeader('retry-after', String(waitSec));
      return refuse(res, 'console_login_throttled', 'Too many failed sign-ins; wait a minute.');
    }
    const body = await readJson(req);
    const token =
      body !== INVALID && typeof body === 'object' && body !== null && 'token' in body
        ? body.token
        : undefined;
    const result =
      typeof token === 'string' && token.length <= 512
        ? deps.auth.authorize({ headers: { authorization: `Bearer ${token}` } })
        : undefined;
    if (result !== undefined && 'refusal' in result) {
      const code = (result.refusal.body as { error?: { code?: string } }).error?.code;
      if (code === 'admin_disabled') return send(res, result.refusal);
    }
    if (result === undefined || !('identity' in result)) {
      entry.count += 1;
      deps.log.warn({ event: 'console_login_failed' });
      return refuse(res, 'console_login_failed', 'That token is not an admin or viewer token.');
    }
    const { identity } = result;
    const { id, session } = await deps.sessions.create(identity);
    deps.log.info({ event: 'console_login', role: identity.role, label: identity.label });
    send(res, { status: 200, body: whoami(session) }, { 'set-cookie': cookie(id, 12 * 3600) });
  }

  async function api(req: IncomingMessage, res: ServerResponse, url: URL) {
    const { session } = await sessionOf(req);
    const method = req.method ?? 'GET';
    if (session === undefined) {
      req.resume();
      return refuse(res, 'console_session_required', 'Sign in at /console first.');
    }
    if (method !== 'GET') {
      if (!isSameOrigin(req) || !isCsrfValid(session, req.headers['x-csrf-token'])) {
        req.resume();
        return refuse(
          res,
          'console_csrf_rejected',
          'Send the session CSRF token in x-csrf-token, from the console origin.',
        );
      }
    }
    const found = match(method, `/admin${url.pathname.slice('/console/api'.length)}`);
    if (found === 'method' || found === undefined) {
      req.resume();
      return found === 'method'
        ? refuse(res, 'method_not_allowed', 'Method not allowed on this endpoint.')
        : refuse(res, 'not_found', 'No such admin endpoint.');
    }
    const { identity } = session;
    const actor = ACTOR.test(identity.label) ? identity.label : identity.role;
    if (!deps.auth.mayCall(identity.role, method)) {
      req.resume();
      deps.log.warn({
        event: 'admin_action_refused',
        label: identity.label,
        method,
        route: found.route.path,
      });
      await deps.events.appendAdminEvent({
        timeMs: deps.clock.now(),
        actor,
        action: 'admin_action_refused',
        target: `${method} ${found.route.path}`,
        detail: `role=${identity.role}`,
      });
      return send(res, roleRefusal(identity));
    }
    const body = await readJson(req);
    if (body === INVALID)
      return refuse(res, 'invalid_json', 'The body is not JSON (at most 64 KiB).');
    const params = found.params;
    send(res, await found.route.handle({ params, query: url.searchParams, body, actor, identity }));
  }

  async function serve(req: IncomingMessage, res: ServerResponse) {
    const url = new URL(req.url ?? '/', 'http://console.invalid');
    const path = url.pathname;
    const method = req.method ?? 'GET';
    if (path.startsWith('/console/api/')) return api(req, res, url);
    if (path === '/console/login' && method === 'POST') return login(req, res);
    req.resume();
    if (path === '/console/logout' && method === 'POST') {
      const { id, session } = await sessionOf(req);
      if (
        session !== undefined &&
        (!isSameOrigin(req) || !isCsrfValid(session, req.headers['x-csrf-token']))
      )
        return refuse(res, 'console_csrf_rejected', 'Sign out from the console page itself.');
      await deps.sessions.end(id);
      return send(res, { status: 204, body: undefined }, { 'set-cookie': cookie('', 0) });
    }
    if (method !== 'GET') return refuse(res, 'method_not_allowed', 'Method not allowed here.');
    if (path === '/console' || path === '/console/') return serveAsset(req, res, 'index.html');
    const asset = ASSET.exec(path)?.[1];
    if (asset !== undefined) return serveAsset(req, res, asset);
    if (path === '/console/session') {
      const { session } = await sessionOf(req);
      return session === undefined
        ? refuse(res, 'console_session_required', 'Sign in at /console first.')
        : send(res, { status: 200, body: whoami(session) });
    }
    refuse(res, 'not_found', 'No such console page.');
  }

  return function consoleHandler(req, res) {
    void serve(req, res).catch((err: unknown) => {
      deps.log.error({ event: 'console_failed', err });
      if (isGatewayError(err) && err.code === 'store_unavailable') {
        return refuse(res, 'store_unavailable', 'The store is unavailable; try again.');
      }
      send(res, adminError('internal_error', 'The console failed; see the gateway log.'));
    });
  };
}
