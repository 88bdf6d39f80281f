import { Pool, errors as undiciErrors, util as undiciUtil, type Dispatcher } from 'undici';
import { GatewayError } from '../../errors/gateway-error.js';
import {
  SignalledHandler,
  StreamReplyHandler,
  type UpstreamAbortSignal,
  type UpstreamResponse,
} from './http-stream.js';

export type { UpstreamAbortSignal, UpstreamResponse } from './http-stream.js';

export interface UpstreamPoolOptions {
  /** TCP + TLS handshake; per pool, because a connection serves every route of a provider. */
  connectTimeoutMs: number;
  connections: number;
}

export interface UpstreamRequest {
  path: string;
  headers: Record<string, string>;
  body: Buffer | string;
  signal: UpstreamAbortSignal;
  /** Until the response headers arrive. */
  firstByteTimeoutMs: number;
  /** Longest silence between two body chunks. */
  idleTimeoutMs: number;
}

/** Connection counts of a pool; tests assert nothing is left running after a fault. */
export interface UpstreamPoolStats {
  connected: number;
  free: number;
  pending: number;
  running: number;
}

/** Byte caps of a reply read whole: past `maxBytes` it is refused, an error reply is cut. */
export interface WholeReplyCaps {
  readonly maxBytes: number;
  /** An error reply (status >= 400) is only logged in part: cut here rather than refused. */
  readonly maxErrorBytes: number;
}

/** Told the provider's status as soon as its headers arrive (the attempt's trace span). */
export interface StatusListener {
  upstreamStatus(status: number): void;
}

/** A reply read to its end (or an error reply to its cap). */
export interface WholeReply {
  readonly status: number;
  readonly body: Buffer;
  /** A header's value by lower-case name (the first, when repeated). */
  header(name: string): string | undefined;
}

export interface UpstreamClient {
  /** The reply at its headers; its body is read as it arrives (a stream, an error reply). */
  request(req: UpstreamRequest): Promise<UpstreamResponse>;
  /**
   * The reply in one buffer, for a reply that is read to its end anyway: collected straight
   * from the connection, without the response stream and its promise per reply.
   */
  requestWhole(
    req: UpstreamRequest,
    caps: WholeReplyCaps,
    status: StatusListener,
  ): Promise<WholeReply>;
  stats(): UpstreamPoolStats;
  close(): Promise<void>;
}

/** One keep-alive pool per upstream origin; the origin comes from config only. */
export function createUpstreamClient(origin: string, opts: UpstreamPoolOptions): UpstreamClient {
  const pool = new Pool(origin, {
    connections: opts.connections,
    pipelining: 1,
    keepAliveTimeout: 30_000,
    connect: { timeout: opts.connectTimeoutMs },
  });
  return {
    request(req: UpstreamRequest): Promise<UpstreamResponse> {
      return new Promise((resolve, reject) => {
        const onError = (err: unknown) => reject(toGatewayError(err));
        pool.dispatch(dispatchOptions(req), new StreamReplyHandler(req.signal, resolve, onError));
      });
    },
    requestWhole(req, caps, status) {
      return new Promise((resolve, reject) => {
        const handler = new WholeReplyHandler(req.signal, caps, status, resolve, reject);
        pool.dispatch(dispatchOptions(req), handler);
      });
    },
    stats() {
      const { connected, free, pending, running } = pool.stats;
      return { connected, free, pending, running };
    },
    close: () => pool.close(),
  };
}

/** One upstream call as undici dispatches it: a POST under the request's two timeouts. */
function dispatchOptions(req: UpstreamRequest): Dispatcher.DispatchOptions {
  return {
    method: 'POST',
    path: req.path,
    headers: req.headers,
    body: req.body,
    headersTimeout: req.firstByteTimeoutMs,
    bodyTimeout: req.idleTimeoutMs,
  };
}

/** The reply is over the gateway's cap (`providers.maxResponseBytes`). */
export function replyTooLarge(): GatewayError {
  return new GatewayError('upstream_bad_response', {
    message: 'The provider reply is larger than this gateway accepts.',
  });
}

/**
 * An undici dispatch handler that collects one reply: what `pool.request` does, less the body
 * stream. Every outcome settles the promise once, as a `GatewayError` or the driver's error
 * (mapped by the caller): the caller leaving (the signal's reason), a timeout, a reset, a
 * reply past its cap. An error reply past its cap resolves with the part read.
 */
class WholeReplyHandler extends SignalledHandler implements Dispatcher.DispatchHandler {
  readonly #caps: WholeReplyCaps;
  readonly #status: StatusListener;
  readonly #resolve: (reply: WholeReply) => void;
  readonly #reject: (err: unknown) => void;
  #isSettled = false;
  #statusCode = 0;
  #rawHeaders: Buffer[] | undefined;
  #limit = 0;
  /** Most replies arrive in one chunk: the list is made only for a second one. */
  #first: Buffer | undefined;
  #chunks: Buffer[] | undefined;
  #size = 0;

  constructor(
    signal: UpstreamAbortSignal,
    caps: WholeReplyCaps,
    status: StatusListener,
    resolve: (reply: WholeReply) => void,
    reject: (err: unknown) => void,
  ) {
    super(signal);
    this.#caps = caps;
    this.#status = status;
    this.#resolve = resolve;
    this.#reject = reject;
  }

  onHeaders(statusCode: number, rawHeaders: Buffer[]): boolean {
    // 1xx: informational, the reply follows.
    if (statusCode < 200) return true;
    this.#statusCode = statusCode;
    this.#rawHeaders = rawHeaders;
    this.#limit = statusCode >= 400 ? this.#caps.maxErrorBytes : this.#caps.maxBytes;
    this.#status.upstreamStatus(statusCode);
    return true;
  }

  onData(chunk: Buffer): boolean {
    if (this.#isSettled) return false;
    if (this.#size + chunk.length > this.#limit) {
      // The rest is never read: the connection goes, as a destroyed body stream's did.
      if (this.#statusCode >= 400) this.#succeed();
      else this.#fail(replyTooLarge());
      this.abortRequest();
      return false;
    }
    this.#size += chunk.length;
    if (this.#first === undefined) this.#first = chunk;
    else (this.#chunks ??= [this.#first]).push(chunk);
    return true;
  }

  onComplete(): void {
    this.#succeed();
  }

  onError(err: Error): void {
    this.#fail(err);
  }

  #succeed(): void {
    if (this.#isSettled) return;
    this.#settle();
    const chunks = this.#chunks;
    const rawHeaders = this.#rawHeaders ?? [];
    let headers: Record<string, string | string[] | undefined> | undefined;
    this.#resolve({
      status: this.#statusCode,
      body:
        chunks !== undefined ? Buffer.concat(chunks, this.#size) : (this.#first ?? Buffer.alloc(0)),
      header(name) {
        const value = (headers ??= undiciUtil.parseHeaders(rawHeaders))[name];
        return Array.isArray(value) ? value[0] : value;
      },
    });
  }

  #fail(err: unknown): void {
    if (this.#isSettled) return;
    this.#settle();
    this.#reject(err);
  }

  #settle(): void {
    this.#isSettled = true;
    this.detach();
  }
}

/**
 * Upstream transport failures as typed errors, one code per timeout so an operator can tell a
 * dead host (connect) from a slow model (first byte) from a stalled stream (idle). The driver's
 * message never reaches a caller. An abort is reported as `client_closed`; the upstream stage
 * turns it into `upstream_timeout_total` when its own deadline fired.
 */
export function toGatewayError(err: unknown): GatewayError {
  if (err instanceof GatewayError) return err;
  if (err instanceof undiciErrors.ConnectTimeoutError) {
    return new GatewayError('upstream_timeout_connect', { cause: err });
  }
  if (err instanceof undiciErrors.HeadersTimeoutError) {
    return new GatewayError('upstream_timeout_first_byte', { cause: err });
  }
  if (err instanceof undiciErrors.BodyTimeoutError) {
    return new GatewayError('upstream_timeout_idle', { cause: err });
  }
  if (
    err instanceof undiciErrors.RequestAbortedError ||
    (err instanceof Error && err.name === 'AbortError')
  ) {
    return new GatewayError('client_closed', { cause: err });
  }
  return new GatewayError('upstream_unreachable', { cause: err });
}
