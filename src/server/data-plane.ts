import type { IncomingMessage, Server, ServerResponse } from 'node:http';
import { GatewayError } from '../errors/gateway-error.js';
import { renderError, renderStreamError } from '../errors/wire.js';
import type { Logger } from '../log/logger.js';
import type { GatewayResponse, RequestContext } from '../pipeline/context.js';
import type { Pipelines } from '../pipeline/order.js';
import { DeferStack } from '../pipeline/defer.js';
import { runStages } from '../pipeline/run.js';
import { NOOP_TRACER, type RequestTracer } from '../pipeline/trace.js';
import type { Clock } from '../util/clock.js';
import { newRequestId } from '../util/ids.js';
import { readRequestBody } from './body.js';
import { answerClientError } from './client-error.js';
import { clientIp } from './client-ip.js';
import type { Cors } from './cors.js';
import { ROUTES, type RouteEntry } from './routes.js';
import { writeChunks } from './sse.js';
import { createPlaneServer, type TlsSource } from './tls.js';

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
      handle(req, res).then(handlers.done, handlers.done);
    },
  );
  const handlers = trackHandlers(server);
  server.on('clientError', answerClientError);
  const tracer = deps.tracer ?? NOOP_TRACER;

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
    const { ctx, deferred, audited } = createContext(req, res, reqId, route);
    const ending = createEnding(res, opts.holdsEndForAudit === true);
    let verdict: GatewayError | undefined;
    try {
      verdict = await runStages(deps.pipelines[route.pipeline], ctx);
      if (verdict === undefined) await send(ctx, res, route, ending.end);
    } catch (err) {
      verdict =
        err instanceof GatewayError ? err : new GatewayError('internal_error', { cause: err });
      if (verdict.code === 'internal_error') ctx.log.error({ event: 'request_failed', err });
    }
    if (verdict !== undefined) {
      ctx.outcome = { status: verdict.status, errorCode: verdict.code };
      if (!res.headersSent && !res.destroyed) {
        setHeaders(res, ctx.responseHeaders);
        sendError(res, reqId, verdict, route.dialect, ending.end);
      }
    }
    await deferred.runAll((err) => ctx.log.error({ event: 'deferred_failed', err }));
    ctx.trace.end(ctx);
    await ending.finish(audited());
  }

  function createContext(
    req: IncomingMessage,
    res: ServerResponse,
    reqId: string,
    route: RouteEntry,
  ) {
    const abort = new AbortController();
    res.once('close', () => {
      if (!res.writableFinished) abort.abort();
    });
    const deferred = new DeferStack();
    let bodyPromise: Promise<Buffer> | undefined;
    // Most requests never log (lines are for warnings and errors), so the child logger
    // (about 5 µs) is made on first use.
    let log: Logger | undefined;
    const ctx: RequestContext = {
      reqId,
      route,
      clock: deps.clock,
      signal: abort.signal,
      get log() {
        return (log ??= deps.log.child({ reqId }));
      },
      headers: req.headers,
      clientIp: clientIp(req, opts.trustProxyHops),
      startedAtMs: deps.clock.now(),
      startedMono: deps.clock.monotonicMs(),
      readBody: () =>
        (bodyPromise ??= readRequestBody(req, {
          limitBytes: opts.bodyLimitBytes,
          timeoutMs: opts.bodyTimeoutMs,
        })),
      defer: (fn) => deferred.push(fn),
      trace: tracer.start(req.headers, route.id, reqId),
      caller: undefined,
      rawBody: undefined,
      body: undefined,
      isStream: false,
      target: undefined,
      response: undefined,
      usage: undefined,
      upstreamLatencyMs: undefined,
      upstreamKey: undefined,
      decisions: [],
      policy: undefined,
      guard: undefined,
      costMicroUsd: undefined,
      responseHeaders: {},
      outcome: { status: 0, errorCode: null },
    };
    res.setHeader('x-request-id', reqId);
    // The runner's first deferral: the audit write runs after every other undo.
    let audited: Promise<void> | undefined;
    ctx.defer(() => (audited = deps.onFinished(ctx)));
    return { ctx, deferred, audited: () => audited };
  }

  async function send(
    ctx: RequestContext,
    res: ServerResponse,
    route: RouteEntry,
    end: End,
  ): Promise<void> {
    const response = ctx.response as GatewayResponse;
    setHeaders(res, ctx.responseHeaders);
    if (response.kind === 'json') {
      res.writeHead(response.status, { 'content-type': 'application/json' });
      end(response.body);
      ctx.outcome = { status: response.status, errorCode: null };
      return;
    }
    res.writeHead(response.status, {
      'content-type': 'text/event-stream; charset=utf-8',
      'cache-control': 'no-cache',
      'x-accel-buffering': 'no',
    });
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
    if (ctx.signal.aborted && ctx.outcome.errorCode === null) {
      ctx.outcome = { status: 499, errorCode: 'client_closed' };
    }
    end();
  }

  return server;
}

/** Headers stages asked for (e.g. `x-ratelimit-*`); writeHead merges them in. */
function setHeaders(res: ServerResponse, headers: Readonly<Record<string, string>>): void {
  for (const name in headers) res.setHeader(name, headers[name] as string);
}

function sendError(
  res: ServerResponse,
  reqId: string,
  err: GatewayError,
  dialect: 'openai' | 'anthropic',
  end: End = (chunk) => res.end(chunk),
) {
  const wire = renderError(err, dialect);
  // The rest of the body is not read: close rather than drain what may never end.
  if (err.code === 'body_too_large' || err.code === 'request_timeout') {
    wire.headers.connection = 'close';
  }
  res.writeHead(wire.status, { ...wire.headers, 'x-request-id': reqId });
  end(wire.body);
}

/** Ends a response: at once, or (held) after the audit row is stored. */
type End = (chunk?: string | Uint8Array) => void;

function createEnding(
  res: ServerResponse,
  isHeld: boolean,
): { end: End; finish: (audited: Promise<void> | undefined) => Promise<void> } {
  if (!isHeld) return { end: (chunk) => res.end(chunk), finish: () => Promise.resolve() };
  let isPending = false;
  return {
    end(chunk) {
      if (chunk !== undefined && chunk.length > 0) res.write(chunk);
      isPending = true;
    },
    async finish(audited) {
      if (!isPending) return;
      try {
        await audited;
        res.end();
      } catch {
        // Already logged as deferred_failed: the caller must not see a complete response.
        res.destroy();
      }
    },
  };
}
