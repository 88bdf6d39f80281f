import { controlErrorCodes, type ControlErrorCode } from '../../errors/codes.js';
import { isBearer, tokenDigest } from '../bearer.js';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Logger } from '../../log/logger.js';
import type { Secret } from '../../log/secret.js';

export type AdminMethod = 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';

export interface AdminRequest {
  readonly params: Readonly<Record<string, string>>;
  readonly query: URLSearchParams;
  /** Parsed JSON body (`undefined` when none); handlers parse it with zod. */
  readonly body: unknown;
  /** Who acts, for the operator event log: `x-bastion-actor` if sent, else `admin`. */
  readonly actor: string;
}

export interface AdminResponse {
  status: number;
  body: unknown;
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

/** An admin API error: the status comes from the registry, the message is written per call. */
export function adminError(code: ControlErrorCode, message: string): AdminResponse {
  return { status: controlErrorCodes[code].status, body: { error: { code, message } } };
}

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

/**
 * The admin API's router: a bearer token compared in constant time (hashed first, so the
 * length is not revealed either), a route table, JSON in and out. Without a token configured
 * the API answers 403 admin_disabled to everything.
 */
export function createAdminRouter(
  deps: { token: Secret | undefined; log: Logger },
  routes: readonly AdminRoute[],
): AdminHandler {
  const expected = deps.token === undefined ? undefined : tokenDigest(deps.token.reveal());
  const table: CompiledRoute[] = routes.map((route) => ({
    route,
    segments: route.path.split('/'),
  }));

  return function admin(req, res) {
    void serve(req, res).catch((err: unknown) => {
      deps.log.error({ event: 'admin_failed', err });
      send(res, adminError('internal_error', 'The admin API failed; see the gateway log.'));
    });
  };

  async function serve(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? '/', 'http://admin.invalid');
    if (expected === undefined) {
      req.resume();
      return send(
        res,
        adminError('admin_disabled', 'The admin API is disabled: set BASTION_ADMIN_TOKEN.'),
      );
    }
    if (!isBearer(req.headers.authorization, expected)) {
      req.resume();
      return send(
        res,
        adminError('admin_unauthorized', 'Send "Authorization: Bearer <admin token>".'),
      );
    }
    const match = find(table, req.method ?? 'GET', url.pathname);
    if (match === 'method') {
      req.resume();
      return send(res, adminError('method_not_allowed', 'Method not allowed on this endpoint.'));
    }
    if (match === undefined) {
      req.resume();
      return send(res, adminError('not_found', 'No such admin endpoint.'));
    }
    const body = await readJson(req);
    if (body === INVALID)
      return send(res, adminError('invalid_json', 'The body is not JSON (at most 64 KiB).'));
    const actorHeader = req.headers['x-bastion-actor'];
    const actor =
      typeof actorHeader === 'string' && ACTOR.test(actorHeader) ? actorHeader : 'admin';
    send(
      res,
      await match.route.handle({ params: match.params, query: url.searchParams, body, actor }),
    );
  }
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
