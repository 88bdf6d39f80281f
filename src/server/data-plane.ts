import type { IncomingMessage, Server, ServerResponse } from 'node:http';
import { GatewayError } from '../errors/gateway-error.js';
import { renderError, renderStreamError } from '../errors/wire.js';
import type { Logger } from '../log/logger.js';
import type { GatewayResponse, RequestContext } from '../pipeline/context.js';

import type { Pipelines } from '../pipeline/order.js';
import { runStages } from '../pipeline/run.js';
import { NOOP_TRACER, type RequestTracer } from '../pipeline/trace.js';
import type { Clock } from '../util/clock.js';
import { newRequestId } from '../util/ids.js';
import { answerClientError } from './client-error.js';
import { clientIp } from './client-ip.js';
import type { Cors } from './cors.js';
import { ROUTES, type RouteEntry } from './routes.js';
import { writeChunks } from './sse.js';
import { ServerRequestContext, type ContextShared } from './request-context.js';
import { createPlaneServer, type TlsSource } from './tls.js';

type JsonResponse = Extract<GatewayResponse, { kind: 'json' }>;
type StreamResponse = Extract<GatewayResponse, { kind: 'stream' }>;

export interface DataPlaneDeps {
  pipelines: Pipelines;
  log: Logger;
  clock: Clock;
  /**
   * Called once per routed request after its last byte (the audit write). With
   * `holdsEndForAudit` the response's end waits for the promise it returns.
   */
  onFinished: (ctx: RequestContext) => Promise<void> | undefined;
  /** Traces (telemetry.tracing); default `NOOP_TRACER`. Its stages come wrapped already. */
  tracer?: RequestTracer | undefined;
}

export interface DataPlaneOptions {
  bodyLimitBytes: number;
  /** Slow clients: request line and headers, then the whole body (server.*TimeoutMs). */
  headersTimeoutMs: number;
  bodyTimeoutMs: number;
  trustProxyHops: number;
  /** Browser access (server.cors); undefined when no origin is allowed. */
  cors?: Cors | undefined;
  /** HTTPS (server.tls); undefined serves plain HTTP. */
  tls?: TlsSource | undefined;
  /**
   * audit.durability sync: every byte is sent but the response is completed only once its audit
   * row is stored; if it cannot be, the connection is closed and the caller sees no complete
   * response.
   */
  holdsEndForAudit?: boolean;
}

/** Requests whose handler has not returned yet, per data plane (`handlersSettled`). */
const HANDLERS = new WeakMap<Server, { active: number; done: () => void; idle: (() => void)[] }>();

function trackHandlers(server: Server) {
  const handlers = {
    active: 0,
    idle: [] as (() => void)[],
    done: (): void => {
      handlers.active -= 1;
      if (handlers.active === 0) for (const wake of handlers.idle.splice(0)) wake();
    },
  };
  HANDLERS.set(server, handlers);
  return handlers;
}

/**
 * Resolves once every request the data plane accepted has finished its handler (its audit row
 * queued, its counters settled), or after `timeoutMs`; with how many were still running. A
 * closed server stops taking requests, but the ones whose sockets it closed still finish their
 * pipeline afterwards: shutdown waits for them before the audit writer closes.
 */
export function handlersSettled(server: Server, timeoutMs: number): Promise<number> {
  const handlers = HANDLERS.get(server);
  if (handlers === undefined || handlers.active === 0) return Promise.resolve(0);
  return new Promise((resolve) => {
    const timer = setTimeout(() => resolve(handlers.active), timeoutMs);
    handlers.idle.push(() => {
      clearTimeout(timer);
      resolve(0);
    });
  });
}

export function createDataPlane(deps: DataPlaneDeps, opts: DataPlaneOptions): Server {
  // Long by design: the request phases share one context and one response writer.
  const server = createPlaneServer(
    opts.tls,
    {
      keepAliveTimeout: 65_000,
      headersTimeout: opts.headersTimeoutMs,
      // Node's backstop for the whole request; the body timer in readRequestBody fires first
      // and answers in the route's dialect.
      requestTimeout: opts.headersTimeoutMs + opts.bodyTimeoutMs,
      // Node checks both timeouts only this often (30 s by default), which would let a slow
      // client hold a connection that much longer than configured.
      connectionsCheckingInterval: Math.max(
        25,
        Math.min(1_000, Math.floor(opts.headersTimeoutMs / 4)),
      ),
    },
    (req, res) => {
      handlers.active += 1;
      handle(req, res).then(handlers.done, (err: unknown) => {
        // A fault outside the pipeline's own catch: said, and the caller is not left waiting.
        handlers.done();
        deps.log.error({ event: 'request_failed', err });
        if (!res.writableEnded) res.destroy();
      });
    },
  );
  const handlers = trackHandlers(server);
  server.on('clientError', answerClientError);
  const tracer = deps.tracer ?? NOOP_TRACER;

  const shared: ContextShared = {
    log: deps.log,
    clock: deps.clock,
    bodyLimits: { limitBytes: opts.bodyLimitBytes, timeoutMs: opts.bodyTimeoutMs },
  };

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const reqId = newRequestId();
    const url = req.url ?? '/';
    const query = url.indexOf('?');
    const route = ROUTES.get(query === -1 ? url : url.slice(0, query));
    const { cors } = opts;
    if (cors !== undefined && route !== undefined && req.method === 'OPTIONS') {
      req.resume();
      const preflight = cors.preflight(req, res, route.method);
      if (!preflight.ok) {
        const message = `CORS preflight refused: this ${preflight.reason} is not allowed (server.cors).`;
        sendError(res, reqId, new GatewayError('cors_preflight_refused', { message }), 'openai');
      }
      return;
    }
    const origin = cors?.allowedOrigin(req);
    if (origin !== undefined) cors?.decorate(res, origin);
    if (route === undefined || route.method !== req.method) {
      req.resume();
      const code = route === undefined ? 'route_not_found' : 'method_not_allowed';
      sendError(res, reqId, new GatewayError(code), route?.dialect ?? 'openai');
      return;
    }
    const ctx = new ServerRequestContext(
      reqId,
      route,
      req,
      clientIp(req, opts.trustProxyHops),
      tracer.start(req.headers, route.id, reqId),
      shared,
    );
    res.on('close', () => {
      if (!res.writableFinished) ctx.disconnect.abort();
    });
    // The first deferral, so the audit write runs after every other undo.
    let audited: Promise<void> | undefined;
    ctx.defer(() => (audited = deps.onFinished(ctx)));
    const ending = opts.holdsEndForAudit === true ? new HeldEnding() : IMMEDIATE;
    let verdict: GatewayError | undefined;
    try {
      verdict = await runStages(deps.pipelines[route.pipeline], ctx);
      if (verdict === undefined) {
        const response = ctx.response as GatewayResponse;
        if (response.kind === 'json') sendJson(ctx, res, response, ending);
        else await sendStream(ctx, res, response, route, ending);
      }
    } catch (err) {
      verdict =
        err instanceof GatewayError ? err : new GatewayError('internal_error', { cause: err });
      if (verdict.code === 'internal_error') ctx.log.error({ event: 'request_failed', err });
    }
    if (verdict !== undefined) {
      ctx.outcome = { status: verdict.status, errorCode: verdict.code };
      if (!res.headersSent && !res.destroyed) {
        sendError(res, reqId, verdict, route.dialect, ending, ctx.responseHeaders);
      }
    }
    // Neither waits unless it has to: a synchronous undo or end costs no microtask.
    const undone = ctx.deferred.runAll((err) => ctx.log.error({ event: 'deferred_failed', err }));
    if (undone !== undefined) await undone;
    ctx.trace.end(ctx);
    const finishing = ending.finish(res, audited);
    if (finishing !== undefined) await finishing;
  }

  function sendJson(
    ctx: RequestContext,
    res: ServerResponse,
    response: JsonResponse,
    ending: Ending,
  ): void {
    res.writeHead(response.status, head(JSON_HEAD, ctx.reqId, ctx.responseHeaders));
    ending.end(res, response.body);
    ctx.outcome = { status: response.status, errorCode: null };
  }

  async function sendStream(
    ctx: RequestContext,
    res: ServerResponse,
    response: StreamResponse,
    route: RouteEntry,
    ending: Ending,
  ): Promise<void> {
    res.writeHead(response.status, head(STREAM_HEAD, ctx.reqId, ctx.responseHeaders));
    ctx.outcome = { status: response.status, errorCode: null };
    try {
      await writeChunks(res, response.chunks);
    } catch (err) {
      const error =
        err instanceof GatewayError ? err : new GatewayError('internal_error', { cause: err });
      if (error.code === 'internal_error') ctx.log.error({ event: 'stream_failed', err });
      ctx.outcome = { status: error.status, errorCode: error.code };
      if (!res.destroyed) res.write(renderStreamError(error, route.dialect));
    }
    if (ctx.disconnect.aborted && ctx.outcome.errorCode === null) {
      ctx.outcome = { status: 499, errorCode: 'client_closed' };
    }
    ending.end(res);
  }

  return server;
}

const JSON_HEAD: readonly string[] = ['content-type', 'application/json'];
const STREAM_HEAD: readonly string[] = [
  'content-type',
  'text/event-stream; charset=utf-8',
  'cache-control',
  'no-cache',
  'x-accel-buffering',
  'no',
];

/**
 * A reply's headers as one flat list for `writeHead`: the route's own (`base`), the request id,
 * and those stages asked for (e.g. `x-ratelimit-*`) unless the route sets that name itself.
 * Handing them over at once spares `setHeader`'s per-header bookkeeping.
 */
function head(
  base: readonly string[],
  reqId: string,
  extra: Readonly<Record<string, string>>,
): string[] {
  const out = base.slice();
  out.push('x-request-id', reqId);
  for (const name in extra) {
    if (!base.includes(name)) out.push(name, extra[name] as string);
  }
  return out;
}

function sendError(
  res: ServerResponse,
  reqId: string,
  err: GatewayError,
  dialect: 'openai' | 'anthropic',
  ending: Ending = IMMEDIATE,
  extra: Readonly<Record<string, string>> = {},
) {
  const wire = renderError(err, dialect);
  // The rest of the body is not read: close rather than drain what may never end.
  if (err.code === 'body_too_large' || err.code === 'request_timeout') {
    wire.headers.connection = 'close';
  }
  const base: string[] = [];
  for (const name in wire.headers) base.push(name, wire.headers[name] as string);
  res.writeHead(wire.status, head(base, reqId, extra));
  ending.end(res, wire.body);
}

/** Ends a response: at once, or (held) after the audit row is stored. */
interface Ending {
  end(res: ServerResponse, chunk?: string | Uint8Array): void;
  finish(res: ServerResponse, audited: Promise<void> | undefined): Promise<void> | undefined;
}

const IMMEDIATE: Ending = {
  end: (res, chunk) => res.end(chunk),
  finish: () => undefined,
};

/** audit.durability sync: every byte is written, the end waits for the audit row. */
class HeldEnding implements Ending {
  #isPending = false;

  end(res: ServerResponse, chunk?: string | Uint8Array): void {
    if (chunk !== undefined && chunk.length > 0) res.write(chunk);
    this.#isPending = true;
  }

  async finish(res: ServerResponse, audited: Promise<void> | undefined): Promise<void> {
    if (!this.#isPending) return;
    try {
      await audited;
      res.end();
    } catch {
      // Already logged as deferred_failed: the caller must not see a complete response.
      res.destroy();
    }
  }
}
