import type { IncomingMessage } from 'node:http';
import { GatewayError } from '../errors/gateway-error.js';
import { CappedReadError, readCapped } from '../util/read-capped.js';

export interface BodyLimits {
  limitBytes: number;
  /** The whole body must arrive within this, so an endless or trickled body cannot hold a slot. */
  timeoutMs: number;
}

/**
 * Reads a request body up to `limitBytes`; past it, `body_too_large` without buffering more;
 * past `timeoutMs`, `request_timeout`.
 */
export function readRequestBody(req: IncomingMessage, limits: BodyLimits): Promise<Buffer> {
  const { limitBytes } = limits;
  const declared = Number(req.headers['content-length']);
  if (Number.isFinite(declared) && declared > limitBytes) {
    return Promise.reject(new GatewayError('body_too_large'));
  }
  return readCapped(req, {
    limitBytes,
    timeoutMs: limits.timeoutMs,
    rest: 'drain',
    mapError: asBodyError,
    // Chunked (or, under --insecure-http-parser, chunked with a Content-Length the parser
    // ignores): the read ends on 'end'. Without a Content-Length `declared` is NaN.
    expectedBytes: req.headers['transfer-encoding'] === undefined ? declared : Number.NaN,
  });
}

function asBodyError(err: unknown): GatewayError {
  if (!(err instanceof CappedReadError)) return new GatewayError('client_closed', { cause: err });
  if (err.reason === 'too_large') return new GatewayError('body_too_large');
  if (err.reason === 'timeout') return new GatewayError('request_timeout');
  return new GatewayError('client_closed');
}
