import { Pool, errors as undiciErrors } from 'undici';
import type { Readable } from 'node:stream';
import { GatewayError } from '../../errors/gateway-error.js';

export interface UpstreamPoolOptions {
  /** TCP + TLS handshake; per pool, because a connection serves every route of a provider. */
  connectTimeoutMs: number;
  connections: number;
}

/** An EventTarget-style abort signal; undici accepts any (the gateway passes a light one). */
export interface UpstreamAbortSignal {
  readonly aborted: boolean;
  readonly reason: unknown;
  addEventListener(type: 'abort', listener: () => void, options?: unknown): void;
  removeEventListener(type: 'abort', listener: () => void): void;
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

export interface UpstreamResponse {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: Readable & AsyncIterable<Buffer>;
}

/** Connection counts of a pool; tests assert nothing is left running after a fault. */
export interface UpstreamPoolStats {
  connected: number;
  free: number;
  pending: number;
  running: number;
}

export interface UpstreamClient {
  request(req: UpstreamRequest): Promise<UpstreamResponse>;
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
    async request(req: UpstreamRequest): Promise<UpstreamResponse> {
      try {
        const res = await pool.request({
          method: 'POST',
          path: req.path,
          headers: req.headers,
          body: req.body,
          // undici takes any EventTarget-style signal, not only an AbortSignal.
          signal: req.signal,
          headersTimeout: req.firstByteTimeoutMs,
          bodyTimeout: req.idleTimeoutMs,
        });
        return { status: res.statusCode, headers: res.headers, body: res.body };
      } catch (err) {
        throw toGatewayError(err);
      }
    },
    stats() {
      const { connected, free, pending, running } = pool.stats;
      return { connected, free, pending, running };
    },
    close: () => pool.close(),
  };
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
