import type { IncomingMessage, ServerResponse } from 'node:http';
import { isGatewayError } from '../../errors/gateway-error.js';
import type { Logger } from '../../log/logger.js';
import type { AdminEvent } from '../../store/types.js';
import type { Clock } from '../../util/clock.js';
import { roleRefusal, type AdminAuth, type AdminIdentity } from './auth.js';
import { adminError, type AdminResponse } from './response.js';

export { adminError, type AdminResponse } from './response.js';

export type AdminMethod = 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';

export interface AdminRequest {
  readonly params: Readonly<Record<string, string>>;
  readonly query: URLSearchParams;
  /** Parsed JSON body (`undefined` when none); handlers parse it with zod. */
  readonly body: unknown;
  /**
   * Who acts, for the operator event log: the token's label, then `/` and `x-bastion-actor`
   * when sent (`ops/alice`). Never the token.
   */
  readonly actor: string;
  readonly identity: AdminIdentity;
}

/** One route of the admin API. Other areas (providers, …) contribute their own tables. */
export interface AdminRoute {
  readonly method: AdminMethod;
  /** e.g. `/admin/keys/:id/revoke`; `:name` segments become `params.name`. */
  readonly path: string;
  handle(req: AdminRequest): Promise<AdminResponse>;
}

export type AdminHandler = (req: IncomingMessage, res: ServerResponse) => void;

const MAX_BODY_BYTES = 64 * 1024;
const ACTOR = /^[A-Za-z0-9._@-]{1,64}$/;

/** A non-negative integer query parameter, or the default when absent or malformed. */
export function intParam(query: URLSearchParams, name: string, fallback: number): number {
  const raw = query.get(name);
  if (raw === null || !/^\d{1,16}$/.test(raw)) return fallback;
  return Number(raw);
}

interface CompiledRoute {
  route: AdminRoute;
  segments: string[];
}

export interface AdminRouterDeps {
  auth: AdminAuth;
  log: Logger;
  /** Refused actions (a viewer that tried one) are recorded here with the token's label. */
  events: { appendAdminEvent(event: AdminEvent): Promise<void> };
  clock: Clock;
}

/**
 * The admin API's router: the bearer token checked by `auth` (its label and role, never its
 * value, go further), a route table, JSON in and out. A viewer may call GET routes only; an
 * action gets 403 admin_role_forbidden and an operator event. Every action is logged
 * (`admin_action`) with the token's label; its handler records what it changed.
 */
export function createAdminRouter(
  deps: AdminRouterDeps,
  routes: readonly AdminRoute[],
): AdminHandler {
  const table: CompiledRoute[] = routes.map((route) => ({
    route,
    segments: route.path.split('/'),
  }));

  return function admin(req, res) {
    void serve(req, res).catch((err: unknown) => {
      deps.log.error({ event: 'admin_failed', err });
      const isStoreDown = isGatewayError(err) && err.code === 'store_unavailable';
      send(
        res,
        isStoreDown
          ? adminError('store_unavailable', 'The store is unavailable; nothing was changed.')
          : adminError('internal_error', 'The admin API failed; see the gateway log.'),
      );
    });
  };

  async function serve(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? '/', 'http://admin.invalid');
    const auth = deps.auth.authorize(req);
    if ('refusal' in auth) {
      req.resume();
      return send(res, auth.refusal);
    }
    const { identity } = auth;
    const method = req.method ?? 'GET';
    const match = find(table, method, url.pathname);
    if (match === 'method') {
      req.resume();
      return send(res, adminError('method_not_allowed', 'Method not allowed on this endpoint.'));
    }
    if (match === undefined) {
      req.resume();
      return send(res, adminError('not_found', 'No such admin endpoint.'));
    }
    const actor = actorOf(identity, req.headers['x-bastion-actor']);
    const route = match.route.path;
    if (!deps.auth.mayCall(identity.role, method)) {
      req.resume();
      deps.log.warn({ event: 'admin_action_refused', label: identity.label, method, route });
      await deps.events.appendAdminEvent({
        timeMs: deps.clock.now(),
        actor,
        action: 'admin_action_refused',
        target: `${method} ${route}`,
        detail: `role=${identity.role}`,
      });
      return send(res, roleRefusal(identity));
    }
    const body = await readJson(req);
    if (body === INVALID)
      return send(res, adminError('invalid_json', 'The body is not JSON (at most 64 KiB).'));
    const out = await match.route.handle({
      params: match.params,
      query: url.searchParams,
      body,
      actor,
      identity,
    });
    if (method !== 'GET') {
      deps.log.info({
        event: 'admin_action',
        label: identity.label,
        method,
        route,
        status: out.status,
      });
    }
    send(res, out);
  }
}

function actorOf(identity: AdminIdentity, header: string | string[] | undefined): string {
  return typeof header === 'string' && ACTOR.test(header)
    ? `${identity.label}/${header}`
    : identity.label;
}

function find(
  table: readonly CompiledRoute[],
  method: string,
  path: string,
): { route: AdminRoute; params: Record<string, string> } | 'method' | undefined {
  const parts = path.split('/');
  let isPathKnown = false;
  for (const { route, segments } of table) {
    if (segments.length !== parts.length) continue;
    const params: Record<string, string> = {};
    let ok = true;
    for (let i = 0; i < segments.length && ok; i++) {
      const seg = segments[i] as string;
      const part = parts[i] as string;
      if (seg.startsWith(':')) {
        if (part === '') ok = false;
        else params[seg.slice(1)] = safeDecode(part);
      } else ok = seg === part;
    }
    if (!ok) continue;
    isPathKnown = true;
    if (route.method === method) return { route, params };
  }
  return isPathKnown ? 'method' : undefined;
}

function safeDecode(part: string): string {
  try {
    return decodeURIComponent(part);
  } catch {
    return part;
  }
}

/** What `readJson` returns for a body that is not JSON or is too large. */
export const INVALID = Symbol('invalid');

/** A JSON request body of at most 64 KiB; `undefined` when empty. */
export async function readJson(req: IncomingMessage): Promise<unknown> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req) {
    size += (chunk as Buffer).length;
    if (size > MAX_BODY_BYTES) return INVALID;
    chunks.push(chunk as Buffer);
  }
  if (size === 0) return undefined;
  try {
    return JSON.parse(Buffer.concat(chunks).toString('utf8')) as unknown;
  } catch {
    return INVALID;
  }
}

function send(res: ServerResponse, out: AdminResponse): void {
  if (res.headersSent) return;
  res.writeHead(out.status, { 'content-type': 'application/json', 'cache-control': 'no-store' });
  res.end(out.status === 204 ? undefined : JSON.stringify(out.body));
}

/** The route table compiled once, for callers that dispatch on their own (the console). */
export function compileAdminRoutes(
  routes: readonly AdminRoute[],
): (method: string, path: string) => ReturnType<typeof find> {
  const table = routes.map((route) => ({ route, segments: route.path.split('/') }));
  return (method, path) => find(table, method, path);
}
