import { Pool, errors as undiciErrors } from 'undici';
import type { Readable } from 'node:stream';
import { GatewayError } from '../../errors/gateway-error.js';

export interface UpstreamTimeouts {
  connectTimeoutMs: number;
  firstByteTimeoutMs: number;
  idleTimeoutMs: number;
}

export interface UpstreamRequest {
  path: string;
  headers: Record<string, string>;
  body: Buffer | string;
  signal: AbortSignal;
}

export interface UpstreamResponse {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: Readable & AsyncIterable<Buffer>;
}

export interface UpstreamClient {
  request(req: UpstreamRequest): Promise<UpstreamResponse>;
  close(): Promise<void>;
}

/** One keep-alive pool per upstream origin; the origin comes from config only. */
export function createUpstreamClient(
  origin: string,
  opts: UpstreamTimeouts & { connections: number },
): UpstreamClient {
  const pool = new Pool(origin, {
    connections: opts.connections,
    pipelining: 1,
    keepAliveTimeout: 30_000,
    connect: { timeout: opts.connectTimeoutMs },
    headersTimeout: opts.firstByteTimeoutMs,
    bodyTimeout: opts.idleTimeoutMs,
  });
  return {
    async request(req: UpstreamRequest): Promise<UpstreamResponse> {
      try {
        const res = await pool.request({
          method: 'POST',
          path: req.path,
          headers: req.headers,
          body: req.body,
          signal: req.signal,
        });
        return { status: res.statusCode, headers: res.headers, body: res.body };
      } catch (err) {
        throw toGatewayError(err);
      }
    },
    close: () => pool.close(),
  };
}

/** Upstream transport failures as typed errors; the driver's message never reaches a caller. */
export function toGatewayError(err: unknown): GatewayError {
  if (err instanceof GatewayError) return err;
  if (err instanceof undiciErrors.ConnectTimeoutError) {
    return new GatewayError('upstream_timeout', {
      message: 'The gateway could not connect to the provider in time.',
      cause: err,
    });
  }
  if (err instanceof undiciErrors.HeadersTimeoutError) {
    return new GatewayError('upstream_timeout', {
      message: 'The provider did not start answering in time.',
      cause: err,
    });
  }
  if (err instanceof undiciErrors.BodyTimeoutError) {
    return new GatewayError('upstream_timeout', {
      message: 'The provider stopped sending data mid-response.',
      cause: err,
    });
  }
  if (
    err instanceof undiciErrors.RequestAbortedError ||
    (err instanceof Error && err.name === 'AbortError')
  ) {
    return new GatewayError('client_closed', { cause: err });
  }
  return new GatewayError('upstream_unreachable', { cause: err });
}
