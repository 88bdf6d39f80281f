import { Agent, errors as undiciErrors } from 'undici';
import type { GatewayError } from '../errors/gateway-error.js';
import { CappedReadError, readCapped } from '../util/read-capped.js';
import { secretError } from './errors.js';

/** Secret-manager replies are small (AWS 64 KiB, Azure 25 KiB, GCP 64 KiB values); cap what we read. */
const MAX_REPLY_BYTES = 1024 * 1024;

export interface HttpRequest {
  method: 'GET' | 'POST';
  url: string;
  headers?: Record<string, string>;
  body?: string;
}

export interface HttpReply {
  status: number;
  /** Parsed JSON, or undefined when the body was not JSON. */
  json: unknown;
}

export interface SecretHttp {
  /** One request; transport failures become `secret_unavailable` naming `ref`, never a body. */
  send(ref: string, req: HttpRequest): Promise<HttpReply>;
  close(): Promise<void>;
}

/**
 * The HTTP client of the secret-manager sources: one undici agent (keep-alive) per source,
 * timeouts on connect, headers and body. Nothing it reads is logged or written anywhere.
 */
export function createSecretHttp(opts: { timeoutMs: number }): SecretHttp {
  const agent = new Agent({
    connect: { timeout: opts.timeoutMs },
    headersTimeout: opts.timeoutMs,
    bodyTimeout: opts.timeoutMs,
    keepAliveTimeout: 10_000,
  });
  return {
    async send(ref, req) {
      const url = new URL(req.url);
      try {
        const res = await agent.request({
          origin: url.origin,
          path: `${url.pathname}${url.search}`,
          method: req.method,
          headers: req.headers ?? {},
          body: req.body ?? null,
          signal: AbortSignal.timeout(opts.timeoutMs),
        });
        const bytes = await readCapped(res.body, { limitBytes: MAX_REPLY_BYTES });
        const text = bytes.toString('utf8');
        return { status: res.statusCode, json: parseJson(text) };
      } catch (err) {
        throw transportError(ref, url.origin, opts.timeoutMs, err);
      }
    },
    close: () => agent.close(),
  };
}

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return undefined;
  }
}

function transportError(
  ref: string,
  origin: string,
  timeoutMs: number,
  err: unknown,
): GatewayError {
  const isTimeout =
    err instanceof undiciErrors.ConnectTimeoutError ||
    err instanceof undiciErrors.HeadersTimeoutError ||
    err instanceof undiciErrors.BodyTimeoutError ||
    (err instanceof Error && err.name === 'TimeoutError');
  const problem = isTimeout
    ? `the secret manager at ${origin} did not answer within ${timeoutMs} ms`
    : err instanceof CappedReadError && err.reason === 'too_large'
      ? `the secret manager at ${origin} sent a reply larger than ${MAX_REPLY_BYTES} bytes`
      : `the secret manager at ${origin} cannot be reached`;
  return secretError('secret_unavailable', ref, problem, err);
}

/** The usual reading of a manager's status: 401/403 auth, 404 missing, anything else unavailable. */
export function statusError(ref: string, manager: string, status: number): GatewayError {
  if (status === 401 || status === 403)
    return secretError(
      'secret_auth_failed',
      ref,
      `${manager} refused the gateway's credentials (HTTP ${status}); check its access policy and credentials`,
    );
  if (status === 404)
    return secretError('secret_not_found', ref, `${manager} has no such secret (HTTP 404)`);
  return secretError('secret_unavailable', ref, `${manager} answered HTTP ${status}`);
}
